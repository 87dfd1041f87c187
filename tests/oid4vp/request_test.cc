// Tests for oid4vp/request.h: signed Request Objects with x509_san_dns, Wallet invocation URLs
// and VerifyRequestObject's checks, each with its exact error code.
#include "oid4vp/request.h"

#include <gtest/gtest.h>

#include "tests/oid4vp/oid4vp_fixture.h"

namespace bonafide::oid4vp {
namespace {

using testing::kClientId;
using testing::kHost;
using testing::kNow;
using testing::World;

class RequestTest : public ::testing::Test {
 protected:
  std::string Jws(ResponseMode mode = ResponseMode::kDirectPostJwt) {
    return world_.Request(world_.Params(testing::SdJwtQuery(), mode));
  }
  StatusCode Verify(const std::string& jws, std::string_view client_id = kClientId) {
    return VerifyRequestObject(jws, client_id, world_.VerifyOptions()).status().code();
  }
  StatusCode VerifyEdited(const std::function<void(Json&)>& edit) { return Verify(world_.Resign(Jws(), edit)); }
  World world_;
};

TEST_F(RequestTest, RoundTripTypesEveryField) {
  auto v = VerifyRequestObject(Jws(), kClientId, world_.VerifyOptions());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->client_id(), kClientId);
  EXPECT_EQ(v->host(), kHost);
  EXPECT_EQ(v->response_mode(), ResponseMode::kDirectPostJwt);
  EXPECT_EQ(v->response_uri(), testing::kResponseUri);
  EXPECT_EQ(v->nonce(), testing::kNonce);
  EXPECT_EQ(v->state(), std::optional<std::string>(testing::kState));
  EXPECT_EQ(v->dcql_query(), testing::SdJwtQuery());
  ASSERT_TRUE(v->encryption_key().has_value());
  EXPECT_TRUE(v->encryption_key()->Equals(world_.enc_key_.public_key()));
  EXPECT_EQ(v->encryption_kid(), testing::kEncKid);
  ASSERT_TRUE(v->encryption_jwk_thumbprint().has_value());
  EXPECT_EQ(v->encryption_jwk_thumbprint()->size(), 32u);
  EXPECT_EQ(v->enc(), "A256GCM");
  EXPECT_EQ(v->accepted_enc(), (std::vector<std::string>{"A256GCM", "A128GCM"}));
  ASSERT_EQ(v->verifier_info().size(), 1u);
  EXPECT_EQ(v->verifier_info()[0].format, "jwt");
  EXPECT_EQ(v->leaf_certificate(), world_.pki_.leaf.der());
  EXPECT_EQ(v->x5c().size(), 2u);
  EXPECT_EQ(v->issued_at(), kNow);
  EXPECT_EQ(v->expires_at(), kNow + 300);
  EXPECT_TRUE(v->vp_formats_supported().contains("dc+sd-jwt"));
  const PresentationBinding b = v->binding();
  EXPECT_EQ(b.client_id, kClientId);
  EXPECT_EQ(b.encryption_jwk_thumbprint, v->encryption_jwk_thumbprint());
}

TEST_F(RequestTest, HeaderAndClaimsAreWhatSection5Asks) {
  const std::string jws = Jws();
  Json header = vcjwt::testing::HeaderOf(jws);
  Json claims = vcjwt::testing::PayloadOf(jws);
  EXPECT_EQ(header["typ"], "oauth-authz-req+jwt");
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["x5c"].size(), 2u);
  EXPECT_EQ(claims["aud"], "https://self-issued.me/v2");
  EXPECT_EQ(claims["response_type"], "vp_token");
  EXPECT_EQ(claims["response_mode"], "direct_post.jwt");
  const Json& key = claims["client_metadata"]["jwks"]["keys"][0];
  EXPECT_EQ(key["kid"], testing::kEncKid);
  EXPECT_EQ(key["use"], "enc");
  EXPECT_EQ(key["alg"], "ECDH-ES");
  EXPECT_FALSE(key.contains("d"));
  EXPECT_EQ(claims["client_metadata"]["encrypted_response_enc_values_supported"], Json({"A256GCM", "A128GCM"}));
  EXPECT_EQ(claims["verifier_info"][0]["format"], "jwt");
}

TEST_F(RequestTest, DirectPostHasNoEncryptionKey) {
  auto v = VerifyRequestObject(Jws(ResponseMode::kDirectPost), kClientId, world_.VerifyOptions());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->response_mode(), ResponseMode::kDirectPost);
  EXPECT_FALSE(v->encryption_key().has_value());
  EXPECT_FALSE(v->encryption_jwk_thumbprint().has_value());
  EXPECT_FALSE(vcjwt::testing::PayloadOf(Jws(ResponseMode::kDirectPost))["client_metadata"].contains("jwks"));
}

TEST_F(RequestTest, WrongTypIsInvalidType) {
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h["typ"] = "JWT"; })), StatusCode::kInvalidType);
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h.erase("typ"); })), StatusCode::kInvalidType);
  // Boundary: the media type form with application/ is the same typ (RFC 7515 4.1.9).
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h["typ"] = "application/oauth-authz-req+jwt"; })),
            StatusCode::kOk);
}

TEST_F(RequestTest, UnsignedRequestObjectIsRefused) {
  const std::string jws = Jws();
  Json header = vcjwt::testing::HeaderOf(jws);
  const Json payload = vcjwt::testing::PayloadOf(jws);
  header["alg"] = "none";
  // An Unsecured JWT (RFC 7519 section 6: alg none, empty signature) ...
  EXPECT_EQ(Verify(vcjwt::testing::Compact(header, payload, "")), StatusCode::kUnsupportedAlgorithm);
  // ... and alg none with a signature part.
  EXPECT_EQ(Verify(vcjwt::testing::Compact(header, payload, "AAAA")), StatusCode::kUnsupportedAlgorithm);
  header["alg"] = "HS256";
  EXPECT_EQ(Verify(vcjwt::testing::Compact(header, payload, "AAAA")), StatusCode::kUnsupportedAlgorithm);
}

TEST_F(RequestTest, AlgOutsideTheAllowListIsUnsupported) {
  RequestVerifyOptions o = world_.VerifyOptions();
  o.allowed_algs = {crypto::SignatureAlg::kES384};
  EXPECT_EQ(VerifyRequestObject(Jws(), kClientId, o).status().code(), StatusCode::kUnsupportedAlgorithm);
  o.allowed_algs = {crypto::SignatureAlg::kES256};
  EXPECT_EQ(VerifyRequestObject(Jws(), kClientId, o).status().code(), StatusCode::kOk);
}

TEST_F(RequestTest, AlgNotTheLeafKeysIsAlgorithmMismatch) {
  const std::string jws = Jws();
  Json header = vcjwt::testing::HeaderOf(jws);
  header["alg"] = "ES384";  // allowed, but the leaf key is P-256
  RequestVerifyOptions o = world_.VerifyOptions();
  const std::string forged =
      vcjwt::testing::Compact(header, vcjwt::testing::PayloadOf(jws), jws.substr(jws.rfind('.') + 1));
  EXPECT_EQ(VerifyRequestObject(forged, kClientId, o).status().code(), StatusCode::kAlgorithmMismatch);
}

TEST_F(RequestTest, UnknownCriticalHeaderIsRefused) {
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h["crit"] = {"x-bonafide"}; h["x-bonafide"] = 1; })),
            StatusCode::kUnknownCritical);
}

TEST_F(RequestTest, SignatureByAnotherKeyIsInvalidSignature) {
  crypto::PrivateKey other = testing::NewKey();
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, nullptr, &other)), StatusCode::kInvalidSignature);
}

TEST_F(RequestTest, ClientIdMustEqualTheInvocationUrls) {
  EXPECT_EQ(Verify(Jws(), "x509_san_dns:other.example.gov.uk"), StatusCode::kInvalidCertificate);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_id"] = "x509_san_dns:evil.example"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("client_id"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["iss"] = "x509_san_dns:evil.example"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["iss"] = kClientId; }), StatusCode::kOk);
}

TEST_F(RequestTest, OnlyX509SanDnsWithADnsNameIsAccepted) {
  EXPECT_EQ(Verify(Jws(), "redirect_uri:https://verifier.example.gov.uk/cb"), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(Verify(Jws(), "x509_hash:abc"), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(Verify(Jws(), "verifier.example.gov.uk"), StatusCode::kMalformed);
  EXPECT_EQ(Verify(Jws(), "x509_san_dns:127.0.0.1"), StatusCode::kMalformed);
  EXPECT_EQ(Verify(Jws(), "x509_san_dns:bad_host"), StatusCode::kMalformed);
}

TEST_F(RequestTest, SanHostMismatchIsInvalidCertificate) {
  // A certificate for another host signs a request claiming verifier.example.gov.uk.
  testing::AccessPki other({"other.example.gov.uk"});
  const std::string jws = world_.Resign(
      Jws(), nullptr,
      [&](Json& h) { h["x5c"] = Json::array({Base64Encode(other.leaf.der())}); }, &other.access_key);
  EXPECT_EQ(Verify(jws), StatusCode::kInvalidCertificate);
  // Boundary: SAN comparison ignores case (DNS names are case-insensitive).
  testing::AccessPki upper({"VERIFIER.example.gov.uk"});
  const std::string ok = world_.Resign(
      Jws(), nullptr, [&](Json& h) { h["x5c"] = Json::array({Base64Encode(upper.leaf.der())}); }, &upper.access_key);
  EXPECT_EQ(Verify(ok), StatusCode::kOk);
}

TEST_F(RequestTest, MissingX5cIsInvalidCertificate) {
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h.erase("x5c"); })), StatusCode::kInvalidCertificate);
  EXPECT_EQ(Verify(world_.Resign(Jws(), nullptr, [](Json& h) { h["x5c"] = "MIIB"; })), StatusCode::kMalformed);
}

TEST_F(RequestTest, WrongAudienceIsAudienceMismatch) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["aud"] = "https://wallet.example"; }), StatusCode::kAudienceMismatch);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("aud"); }), StatusCode::kAudienceMismatch);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["aud"] = Json::array({"x", "https://self-issued.me/v2"}); }), StatusCode::kOk);
}

TEST_F(RequestTest, ExpiryAndIssuedAtWindow) {
  const std::string jws = Jws();
  RequestVerifyOptions o = world_.VerifyOptions();
  FixedClock late(kNow + 300 + 59);  // exp + skew - 1: still valid
  o.clock = &late;
  EXPECT_EQ(VerifyRequestObject(jws, kClientId, o).status().code(), StatusCode::kOk);
  late.Set(kNow + 300 + 60);
  EXPECT_EQ(VerifyRequestObject(jws, kClientId, o).status().code(), StatusCode::kExpired);
  FixedClock early(kNow - 61);  // iat in the future beyond the skew
  o.clock = &early;
  EXPECT_EQ(VerifyRequestObject(jws, kClientId, o).status().code(), StatusCode::kNotYetValid);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("exp"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("iat"); }), StatusCode::kInvalidClaims);
}

TEST_F(RequestTest, ResponseTypeAndModeAreChecked) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_type"] = "code"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_mode"] = "fragment"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("response_mode"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["redirect_uri"] = "https://verifier.example.gov.uk/cb"; }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["transaction_data"] = Json::array({"e30"}); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["scope"] = "pid"; }), StatusCode::kInvalidClaims);
}

TEST_F(RequestTest, ResponseUriMustBeHttpsOnTheClientHost) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_uri"] = "http://verifier.example.gov.uk/r"; }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_uri"] = "https://attacker.example/r"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_uri"] = "https://verifier.example.gov.uk.attacker.example/r"; }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_uri"] = "https://user@verifier.example.gov.uk/r"; }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("response_uri"); }), StatusCode::kInvalidClaims);
  // Boundary: a port on the right host is fine.
  EXPECT_EQ(VerifyEdited([](Json& c) { c["response_uri"] = "https://verifier.example.gov.uk:8443/r"; }),
            StatusCode::kOk);
}

TEST_F(RequestTest, HttpLoopbackResponseUriOnlyWithTheInsecureOption) {
  testing::AccessPki local({"localhost"});
  const std::string jws = world_.Resign(
      Jws(), [](Json& c) { c["client_id"] = "x509_san_dns:localhost"; c["response_uri"] = "http://localhost:8080/r"; },
      [&](Json& h) { h["x5c"] = Json::array({Base64Encode(local.leaf.der())}); }, &local.access_key);
  RequestVerifyOptions o = world_.VerifyOptions();
  EXPECT_EQ(VerifyRequestObject(jws, "x509_san_dns:localhost", o).status().code(), StatusCode::kInvalidClaims);
  o.insecure_allow_http_loopback = true;
  EXPECT_EQ(VerifyRequestObject(jws, "x509_san_dns:localhost", o).status().code(), StatusCode::kOk);
}

TEST_F(RequestTest, NonceLengthAndCharacters) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["nonce"] = std::string(15, 'a'); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["nonce"] = std::string(16, 'a'); }), StatusCode::kOk);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["nonce"] = std::string(kMaxNonceLength, 'a'); }), StatusCode::kOk);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["nonce"] = std::string(kMaxNonceLength + 1, 'a'); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["nonce"] = "aaaaaaaa aaaaaaaa"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("nonce"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["state"] = "a b"; }), StatusCode::kInvalidClaims);
}

TEST_F(RequestTest, DcqlQueryMustParse) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["dcql_query"] = Json::object({{"credentials", Json::array()}}); }),
            StatusCode::kMalformed);
  EXPECT_EQ(VerifyEdited([](Json& c) { c.erase("dcql_query"); }), StatusCode::kInvalidClaims);
}

TEST_F(RequestTest, EncryptionKeyRules) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_metadata"].erase("jwks"); }), StatusCode::kInvalidKey);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_metadata"]["jwks"]["keys"][0].erase("kid"); }), StatusCode::kInvalidKey);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_metadata"]["jwks"]["keys"][0].erase("alg"); }), StatusCode::kInvalidKey);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_metadata"]["jwks"]["keys"][0]["use"] = "sig"; }), StatusCode::kInvalidKey);
  Json private_jwk = world_.enc_key_.ExportJwk();
  EXPECT_EQ(VerifyEdited([&](Json& c) { c["client_metadata"]["jwks"]["keys"][0]["d"] = private_jwk["d"]; }),
            StatusCode::kInvalidKey);
  // Boundary: use may be absent.
  EXPECT_EQ(VerifyEdited([](Json& c) { c["client_metadata"]["jwks"]["keys"][0].erase("use"); }), StatusCode::kOk);
}

TEST_F(RequestTest, EncValueSelection) {
  auto enc_of = [&](const std::function<void(Json&)>& edit) -> Result<std::string> {
    auto v = VerifyRequestObject(world_.Resign(Jws(), edit), kClientId, world_.VerifyOptions());
    if (!v.ok()) return v.status();
    return v->enc();
  };
  auto only128 = enc_of([](Json& c) { c["client_metadata"]["encrypted_response_enc_values_supported"] = {"A128GCM"}; });
  ASSERT_TRUE(only128.ok());
  EXPECT_EQ(*only128, "A128GCM");
  auto absent = enc_of([](Json& c) { c["client_metadata"].erase("encrypted_response_enc_values_supported"); });
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, "A128GCM");  // section 8.3 default
  EXPECT_EQ(enc_of([](Json& c) { c["client_metadata"]["encrypted_response_enc_values_supported"] = {"A256CBC-HS512"}; })
                .status()
                .code(),
            StatusCode::kUnsupportedAlgorithm);
}

TEST_F(RequestTest, VerifierInfoShape) {
  EXPECT_EQ(VerifyEdited([](Json& c) { c["verifier_info"] = Json::array(); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["verifier_info"][0]["credential_ids"] = {"nope"}; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["verifier_info"][0]["credential_ids"] = {"pid"}; }), StatusCode::kOk);
  EXPECT_EQ(VerifyEdited([](Json& c) { c["verifier_info"][0]["data"] = 5; }), StatusCode::kInvalidClaims);
}

TEST_F(RequestTest, ChainHookSeesTheChainAndHostAndCanRefuse) {
  RequestVerifyOptions o = world_.VerifyOptions();
  std::string seen_host;
  size_t seen_len = 0;
  o.check_chain = [&](const std::vector<Bytes>& x5c, std::string_view host) {
    seen_host = std::string(host);
    seen_len = x5c.size();
    return Error(StatusCode::kUntrustedIssuer, "not in the registry");
  };
  EXPECT_EQ(VerifyRequestObject(Jws(), kClientId, o).status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(seen_host, kHost);
  EXPECT_EQ(seen_len, 2u);
  o.check_chain = [](const std::vector<Bytes>&, std::string_view) { return OkStatus(); };
  EXPECT_EQ(VerifyRequestObject(Jws(), kClientId, o).status().code(), StatusCode::kOk);
}

TEST_F(RequestTest, SizeLimit) {
  RequestVerifyOptions o = world_.VerifyOptions();
  const std::string jws = Jws();
  o.max_bytes = jws.size() - 1;
  EXPECT_EQ(VerifyRequestObject(jws, kClientId, o).status().code(), StatusCode::kLimitExceeded);
  o.max_bytes = jws.size();
  EXPECT_EQ(VerifyRequestObject(jws, kClientId, o).status().code(), StatusCode::kOk);
  EXPECT_EQ(Verify("not a jws"), StatusCode::kMalformed);
}

TEST_F(RequestTest, CreateRefusesInconsistentParams) {
  auto code = [&](const std::function<void(RequestParams&)>& edit) {
    RequestParams p = world_.Params(testing::SdJwtQuery());
    edit(p);
    return CreateRequestObject(p, world_.pki_.access_key, world_.pki_.chain(), world_.clock_).status().code();
  };
  EXPECT_EQ(code([](RequestParams&) {}), StatusCode::kOk);
  EXPECT_EQ(code([](RequestParams& p) { p.response_uri = "https://other.example/r"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](RequestParams& p) { p.host = "other.example.gov.uk"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](RequestParams& p) { p.nonce = "short"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](RequestParams& p) { p.encryption_key.reset(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](RequestParams& p) { p.dcql_query.credentials.clear(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](RequestParams& p) { p.lifetime_seconds = 3601; }), StatusCode::kInvalidArgument);
  crypto::PrivateKey other = testing::NewKey();
  EXPECT_EQ(CreateRequestObject(world_.Params(testing::SdJwtQuery()), other, world_.pki_.chain(), world_.clock_)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// The checked chain: parsed and matched once, then the same Request Object rules per call.
TEST_F(RequestTest, CheckedAccessChainRulesAndSameRequestObject) {
  const crypto::PrivateKey& key = world_.pki_.access_key;
  crypto::PrivateKey other = testing::NewKey();
  EXPECT_EQ(CheckAccessChain({}, key.public_key()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckAccessChain({Bytes{0x30, 0x00}}, key.public_key()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckAccessChain(world_.pki_.chain(), other.public_key()).status().code(), StatusCode::kInvalidArgument);
  auto chain = CheckAccessChain(world_.pki_.chain(), key.public_key());
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ(chain->der(), world_.pki_.chain());
  EXPECT_TRUE(chain->key().Equals(key.public_key()));
  // The x5c value is encoded once, leaf first, standard base64 (RFC 7515 4.1.6).
  ASSERT_EQ(chain->x5c().size(), world_.pki_.chain().size());
  for (size_t i = 0; i < chain->x5c().size(); ++i) {
    EXPECT_EQ(chain->x5c()[i], Base64Encode(world_.pki_.chain()[i])) << i;
  }

  RequestParams p = world_.Params(testing::SdJwtQuery());
  auto jws = CreateRequestObject(p, key, *chain, world_.clock_);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  auto v = VerifyRequestObject(*jws, kClientId, world_.VerifyOptions());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->x5c().size(), 2u);
  EXPECT_EQ(v->leaf_certificate(), world_.pki_.leaf.der());
  // Same claims as the per-call form (ECDSA signatures differ; the signing inputs' claims do not).
  auto legacy = CreateRequestObject(p, key, world_.pki_.chain(), world_.clock_);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(vcjwt::testing::HeaderOf(*jws), vcjwt::testing::HeaderOf(*legacy));
  EXPECT_EQ(vcjwt::testing::PayloadOf(*jws), vcjwt::testing::PayloadOf(*legacy));
  // A signer that is not the chain's key; a host the leaf does not name.
  EXPECT_EQ(CreateRequestObject(p, other, *chain, world_.clock_).status().code(), StatusCode::kInvalidArgument);
  RequestParams wrong_host = p;
  wrong_host.host = "other.example.gov.uk";
  EXPECT_EQ(CreateRequestObject(wrong_host, key, *chain, world_.clock_).status().code(), StatusCode::kInvalidArgument);
}

TEST(NewNonceTest, IsTwentyTwoUrlSafeCharacters) {
  const std::string nonce = NewNonce(crypto::SystemRandom());
  EXPECT_EQ(nonce.size(), 22u);
  EXPECT_NE(nonce, NewNonce(crypto::SystemRandom()));
}

// ---- Wallet invocation URLs ----

TEST(RequestUriTest, BuildAndParseEachScheme) {
  for (const std::string base : {"openid4vp://", "mdoc-openid4vp://", "https://wallet.example.gov.uk/present"}) {
    WalletInvocation in{.client_id = kClientId,
                        .request_uri = testing::kRequestUri,
                        .request_uri_method = RequestUriMethod::kPost,
                        .request = std::nullopt};
    auto uri = BuildRequestUri(base, in);
    ASSERT_TRUE(uri.ok()) << uri.status().ToString();
    EXPECT_EQ(uri->substr(0, base.size() + 1), base + "?");
    auto parsed = ParseRequestUri(*uri);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->client_id, kClientId);
    EXPECT_EQ(parsed->request_uri, std::optional<std::string>(testing::kRequestUri));
    EXPECT_EQ(parsed->request_uri_method, std::optional<RequestUriMethod>(RequestUriMethod::kPost));
    EXPECT_FALSE(parsed->request.has_value());
  }
  auto uri = BuildRequestUri("openid4vp://", {.client_id = kClientId, .request_uri = testing::kRequestUri});
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri,
            "openid4vp://?client_id=x509_san_dns%3Averifier.example.gov.uk&request_uri="
            "https%3A%2F%2Fverifier.example.gov.uk%2Foid4vp%2Frequest%2Fabc");
}

TEST(RequestUriTest, ByValueRequest) {
  auto uri = BuildRequestUri("openid4vp://", {.client_id = kClientId, .request = std::string("a.b.c")});
  ASSERT_TRUE(uri.ok());
  auto parsed = ParseRequestUri(*uri);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->request, std::optional<std::string>("a.b.c"));
  EXPECT_FALSE(parsed->request_uri.has_value());
}

TEST(RequestUriTest, BuildRefusesBadInput) {
  EXPECT_EQ(BuildRequestUri("haip://", {.client_id = kClientId, .request_uri = "https://a/b"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequestUri("openid4vp://", {.client_id = kClientId}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequestUri("openid4vp://", {.client_id = "", .request_uri = "https://a/b"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequestUri("openid4vp://", {.client_id = kClientId, .request_uri = "https://a/b", .request = "x"})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(RequestUriTest, ParseRefusals) {
  auto code = [](std::string_view text) { return ParseRequestUri(text).status().code(); };
  const std::string ok = "openid4vp://?client_id=x509_san_dns%3Ah.example&request_uri=https%3A%2F%2Fh.example%2Fr";
  EXPECT_EQ(code(ok), StatusCode::kOk);
  EXPECT_EQ(code("haip://?client_id=a&request_uri=https%3A%2F%2Fh%2Fr"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "#frag"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&client_id=x"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&request=a.b.c"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&request_uri_method=put"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&request_uri_method=get"), StatusCode::kOk);
  EXPECT_EQ(code("openid4vp://?client_id=a&request=a.b.c&request_uri_method=post"), StatusCode::kMalformed);
  EXPECT_EQ(code("openid4vp://?request_uri=https%3A%2F%2Fh%2Fr"), StatusCode::kMalformed);
  EXPECT_EQ(code("openid4vp://?client_id=a&request_uri=http%3A%2F%2Fh.example%2Fr"), StatusCode::kMalformed);
  EXPECT_EQ(code("openid4vp://?client_id=a"), StatusCode::kMalformed);
  EXPECT_EQ(code("openid4vp://?client_id=a&request_uri=https%3A%2F%2Fh%2Fr&&x=1"), StatusCode::kMalformed);
  EXPECT_EQ(code("openid4vp://"), StatusCode::kMalformed);
  RequestUriOptions small;
  small.max_bytes = ok.size() - 1;
  EXPECT_EQ(ParseRequestUri(ok, small).status().code(), StatusCode::kLimitExceeded);
  RequestUriOptions loopback;
  loopback.insecure_allow_http_loopback = true;
  EXPECT_EQ(ParseRequestUri("openid4vp://?client_id=a&request_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fr", loopback)
                .status()
                .code(),
            StatusCode::kOk);
}

TEST(RequestUriTest, UnsignedRequestParametersAreRefused) {
  // Section 5.9.3: an x509_san_dns client is authenticated only by a signed Request Object.
  EXPECT_EQ(ParseRequestUri("openid4vp://?client_id=x509_san_dns%3Ah.example&response_type=vp_token&nonce=abc"
                            "&dcql_query=%7B%7D")
                .status()
                .code(),
            StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::oid4vp
