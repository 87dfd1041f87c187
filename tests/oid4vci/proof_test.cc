// Tests for oid4vci/proof.h: key proof JWT building and verification (OpenID4VCI 1.0 F.1, F.4).
#include "oid4vci/proof.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "oid4vci/errors.h"

namespace bonafide::oid4vci {
namespace {

using crypto::PrivateKey;
using crypto::SignatureAlg;

constexpr int64_t kNow = 1'750'000'000;
constexpr const char* kIssuer = "https://issuer.gov.uk";
constexpr const char* kNonce = "wKI4LT17ac15ES9bw8ac4";

PrivateKey NewKey(SignatureAlg alg = SignatureAlg::kES256) {
  auto key = PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

class ProofTest : public ::testing::Test {
 protected:
  ProofVerifier Verifier(size_t max_proofs = 1) {
    ProofVerifierOptions options;
    options.credential_issuer = kIssuer;
    options.expected_nonce = kNonce;
    options.max_proofs = max_proofs;
    auto v = ProofVerifier::Create(options, clock_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  ProofJwtParams Params(ProofKeyForm form = ProofKeyForm::kJwk) {
    ProofJwtParams p;
    p.credential_issuer = kIssuer;
    p.nonce = kNonce;
    p.issued_at = kNow;
    p.key_form = form;
    return p;
  }

  std::string Build(const PrivateKey& key, const ProofJwtParams& params) {
    auto jwt = BuildProofJwt(key, params);
    EXPECT_TRUE(jwt.ok()) << jwt.status().ToString();
    return *jwt;
  }

  // Signed returns a JWT with exactly `header` (alg set by the signer) and `claims`.
  std::string Signed(const PrivateKey& key, const Json& header, const Json& claims) {
    auto jwt = jose::SignJwt(header, claims, key);
    EXPECT_TRUE(jwt.ok());
    return *jwt;
  }

  Json GoodHeader(const PrivateKey& key) { return {{"typ", kProofJwtType}, {"jwk", key.public_key().ToJwk()}}; }
  Json GoodClaims() { return {{"aud", kIssuer}, {"iat", kNow}, {"nonce", kNonce}}; }

  StatusCode VerifyCode(const std::string& jwt) { return Verifier().VerifyProof(jwt).status().code(); }

  FixedClock clock_{kNow};
};

TEST_F(ProofTest, GoodEs256ProofWithJwk) {
  const PrivateKey key = NewKey();
  const std::string jwt = Build(key, Params());
  auto parsed = jose::UnverifiedJws::Parse(jwt);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->typ(), "openid4vci-proof+jwt");
  EXPECT_EQ(parsed->alg(), "ES256");
  auto proof = Verifier().VerifyProof(jwt);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(proof->holder_key().Equals(key.public_key()));
  EXPECT_FALSE(proof->kid().has_value());
  EXPECT_EQ(proof->issued_at(), kNow);
  // Without a client_id the proof carries no iss (the wallet is anonymous to the issuer).
  auto claims = ParseJson(AsStringView(parsed->unverified_payload()));
  ASSERT_TRUE(claims.ok());
  EXPECT_FALSE(claims->contains("iss"));
  EXPECT_EQ((*claims)["aud"], Params().credential_issuer);
}

TEST_F(ProofTest, GoodProofWithDidKeyKid) {
  const PrivateKey key = NewKey();
  const std::string jwt = Build(key, Params(ProofKeyForm::kDidKey));
  auto proof = Verifier().VerifyProof(jwt);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(proof->holder_key().Equals(key.public_key()));
  ASSERT_TRUE(proof->kid().has_value());
  auto did = jose::DidKeyFromPublicKey(key.public_key());
  ASSERT_TRUE(did.ok());
  EXPECT_EQ(*proof->kid(), *did + "#" + did->substr(8));
}

TEST_F(ProofTest, GoodProofWithDidJwkKidAndEs384AndEdDsa) {
  const PrivateKey p384 = NewKey(SignatureAlg::kES384);
  Json header = {{"typ", kProofJwtType}, {"kid", jose::DidJwkFromPublicKey(p384.public_key()) + "#0"}};
  EXPECT_TRUE(Verifier().VerifyProof(Signed(p384, header, GoodClaims())).ok());
  const PrivateKey ed = NewKey(SignatureAlg::kEdDSA);
  EXPECT_TRUE(Verifier().VerifyProof(Build(ed, Params(ProofKeyForm::kDidKey))).ok());
}

TEST_F(ProofTest, WrongOrMissingTyp) {
  const PrivateKey key = NewKey();
  Json header = GoodHeader(key);
  header["typ"] = "JWT";
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kInvalidType);
  header["typ"] = "OPENID4VCI-PROOF+JWT";
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kInvalidType);
  header["typ"] = "application/openid4vci-proof+jwt";
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kInvalidType);
  header.erase("typ");
  const Status missing = Verifier().VerifyProof(Signed(key, header, GoodClaims())).status();
  EXPECT_EQ(missing.code(), StatusCode::kInvalidType);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, missing), Oid4vciError::kInvalidProof);
}

// Forge builds header.payload.signature from raw JSON and signature bytes.
std::string Forge(const Json& header, const Json& claims, ByteView signature) {
  return Base64UrlEncode(DumpJson(header)) + "." + Base64UrlEncode(DumpJson(claims)) + "." + Base64UrlEncode(signature);
}

TEST_F(ProofTest, AlgNoneAndHmacRejected) {
  const PrivateKey key = NewKey();
  Json header = GoodHeader(key);
  header["alg"] = "none";
  EXPECT_EQ(VerifyCode(Forge(header, GoodClaims(), {})), StatusCode::kUnsupportedAlgorithm);
  header["alg"] = "HS256";
  const Bytes mac(32, 0x41);
  EXPECT_EQ(VerifyCode(Forge(header, GoodClaims(), mac)), StatusCode::kUnsupportedAlgorithm);
  // An HMAC "key" in the header is refused as well, whatever the alg says.
  header["alg"] = "ES256";
  header["jwk"] = Json{{"kty", "oct"}, {"k", "c2VjcmV0"}};
  EXPECT_EQ(VerifyCode(Forge(header, GoodClaims(), mac)), StatusCode::kInvalidKey);
}

TEST_F(ProofTest, AlgNotInAllowListOrNotTheKeys) {
  const PrivateKey p384 = NewKey(SignatureAlg::kES384);
  ProofVerifierOptions options;
  options.credential_issuer = kIssuer;
  options.expected_nonce = kNonce;
  options.allowed_algs = {SignatureAlg::kES256};
  auto v = ProofVerifier::Create(options, clock_);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->VerifyProof(Build(p384, Params())).status().code(), StatusCode::kUnsupportedAlgorithm);
  // Header alg ES256 with a P-384 key: the key decides.
  const PrivateKey p256 = NewKey();
  Json header = GoodHeader(p384);
  header["alg"] = "ES256";
  auto sig = p256.Sign(AsBytes(Base64UrlEncode(DumpJson(header)) + "." + Base64UrlEncode(DumpJson(GoodClaims()))));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(VerifyCode(Forge(header, GoodClaims(), *sig)), StatusCode::kAlgorithmMismatch);
}

TEST_F(ProofTest, WrongAudience) {
  const PrivateKey key = NewKey();
  ProofJwtParams p = Params();
  p.credential_issuer = "https://issuer.gov.uk/";  // trailing slash: not the identifier
  EXPECT_EQ(VerifyCode(Build(key, p)), StatusCode::kAudienceMismatch);
  Json claims = GoodClaims();
  claims.erase("aud");
  EXPECT_EQ(VerifyCode(Signed(key, GoodHeader(key), claims)), StatusCode::kAudienceMismatch);
  claims["aud"] = Json::array({kIssuer});
  EXPECT_EQ(VerifyCode(Signed(key, GoodHeader(key), claims)), StatusCode::kInvalidClaims);
}

TEST_F(ProofTest, IatWindowBoundaries) {
  const PrivateKey key = NewKey();
  auto with_iat = [&](int64_t iat) {
    ProofJwtParams p = Params();
    p.issued_at = iat;
    return VerifyCode(Build(key, p));
  };
  EXPECT_EQ(with_iat(kNow - 300), StatusCode::kOk);
  EXPECT_EQ(with_iat(kNow - 301), StatusCode::kExpired);
  EXPECT_EQ(with_iat(kNow + 300), StatusCode::kOk);
  EXPECT_EQ(with_iat(kNow + 301), StatusCode::kNotYetValid);
  EXPECT_EQ(with_iat(INT64_MIN), StatusCode::kExpired);
  EXPECT_EQ(with_iat(INT64_MAX), StatusCode::kNotYetValid);
  Json claims = GoodClaims();
  claims.erase("iat");
  EXPECT_EQ(VerifyCode(Signed(key, GoodHeader(key), claims)), StatusCode::kInvalidClaims);
  claims["iat"] = "1750000000";
  EXPECT_EQ(VerifyCode(Signed(key, GoodHeader(key), claims)), StatusCode::kInvalidClaims);
}

TEST_F(ProofTest, NonceChecks) {
  const PrivateKey key = NewKey();
  ProofJwtParams p = Params();
  p.nonce = "another-nonce";
  const Status wrong = Verifier().VerifyProof(Build(key, p)).status();
  EXPECT_EQ(wrong.code(), StatusCode::kNonceMismatch);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, wrong), Oid4vciError::kInvalidNonce);
  p.nonce = std::string(kNonce) + "x";
  EXPECT_EQ(VerifyCode(Build(key, p)), StatusCode::kNonceMismatch);
  p.nonce = std::nullopt;
  const Status missing = Verifier().VerifyProof(Build(key, p)).status();
  EXPECT_EQ(missing.code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, missing), Oid4vciError::kInvalidProof);
  Json claims = GoodClaims();
  claims["nonce"] = 42;
  EXPECT_EQ(VerifyCode(Signed(key, GoodHeader(key), claims)), StatusCode::kInvalidClaims);
}

TEST_F(ProofTest, PrivateJwkInHeaderRejected) {
  const PrivateKey key = NewKey();
  Json header = {{"typ", kProofJwtType}, {"jwk", key.ExportJwk()}};
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kInvalidKey);
  header["jwk"] = "not an object";
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kInvalidKey);
}

TEST_F(ProofTest, KeyNamingRules) {
  const PrivateKey key = NewKey();
  auto did = jose::DidKeyFromPublicKey(key.public_key());
  ASSERT_TRUE(did.ok());
  Json both = GoodHeader(key);
  both["kid"] = *did;
  EXPECT_EQ(VerifyCode(Signed(key, both, GoodClaims())), StatusCode::kMalformed);
  Json none = {{"typ", kProofJwtType}};
  EXPECT_EQ(VerifyCode(Signed(key, none, GoodClaims())), StatusCode::kInvalidKey);
  Json x5c = {{"typ", kProofJwtType}, {"x5c", Json::array({"MIIB"})}};
  EXPECT_EQ(VerifyCode(Signed(key, x5c, GoodClaims())), StatusCode::kInvalidKey);
  Json web = {{"typ", kProofJwtType}, {"kid", "did:web:wallet.example#key-1"}};
  EXPECT_EQ(VerifyCode(Signed(key, web, GoodClaims())), StatusCode::kInvalidKey);
  Json bad_did = {{"typ", kProofJwtType}, {"kid", "did:key:zNotBase58!"}};
  EXPECT_EQ(VerifyCode(Signed(key, bad_did, GoodClaims())), StatusCode::kInvalidKey);
  // A configured resolver handles other kid forms.
  ProofVerifierOptions options;
  options.credential_issuer = kIssuer;
  options.expected_nonce = kNonce;
  options.kid_resolver = [&](std::string_view kid) -> Result<crypto::PublicKey> {
    if (kid == "did:web:wallet.example#key-1") return key.public_key();
    return Error(StatusCode::kNotFound, "unknown kid");
  };
  auto v = ProofVerifier::Create(options, clock_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->VerifyProof(Signed(key, web, GoodClaims())).ok());
  web["kid"] = "did:web:wallet.example#key-2";
  EXPECT_EQ(v->VerifyProof(Signed(key, web, GoodClaims())).status().code(), StatusCode::kInvalidKey);
}

TEST_F(ProofTest, SignatureByAnotherKey) {
  const PrivateKey holder = NewKey();
  const PrivateKey attacker = NewKey();
  // Header names the holder's key, the attacker signs.
  const std::string jwt = Signed(attacker, GoodHeader(holder), GoodClaims());
  const Status status = Verifier().VerifyProof(jwt).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, status), Oid4vciError::kInvalidProof);
  // Same with a did:key kid.
  ProofJwtParams p = Params(ProofKeyForm::kDidKey);
  std::string good = Build(holder, p);
  std::string tampered = good.substr(0, good.rfind('.') + 1) + Build(attacker, p).substr(Build(attacker, p).rfind('.') + 1);
  EXPECT_EQ(VerifyCode(tampered), StatusCode::kInvalidSignature);
}

TEST_F(ProofTest, IssClaimRules) {
  const PrivateKey key = NewKey();
  ProofJwtParams p = Params();
  p.client_id = "wallet-client";
  EXPECT_EQ(VerifyCode(Build(key, p)), StatusCode::kInvalidClaims);  // anonymous flow: no iss
  ProofVerifierOptions options;
  options.credential_issuer = kIssuer;
  options.expected_nonce = kNonce;
  options.expected_client_id = "wallet-client";
  auto v = ProofVerifier::Create(options, clock_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->VerifyProof(Build(key, p)).ok());
  EXPECT_TRUE(v->VerifyProof(Build(key, Params())).ok());  // iss optional
  p.client_id = "other-client";
  EXPECT_EQ(v->VerifyProof(Build(key, p)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(ProofTest, CritAndMalformedInput) {
  const PrivateKey key = NewKey();
  Json header = GoodHeader(key);
  header["crit"] = Json::array({"exp"});
  header["exp"] = 1;
  EXPECT_EQ(VerifyCode(Signed(key, header, GoodClaims())), StatusCode::kUnknownCritical);
  EXPECT_EQ(VerifyCode("not-a-jwt"), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode("a.b"), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(std::string(kMaxProofJwtBytes + 1, 'a')), StatusCode::kLimitExceeded);
  // A payload that is not a JSON object.
  auto jws = jose::SignJws(GoodHeader(key), AsBytes("[1,2]"), key);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(VerifyCode(*jws), StatusCode::kMalformed);
}

TEST_F(ProofTest, BatchOfThreeDistinctKeys) {
  const PrivateKey a = NewKey();
  const PrivateKey b = NewKey(SignatureAlg::kEdDSA);
  const PrivateKey c = NewKey();
  const std::vector<std::string> jwts = {Build(a, Params()), Build(b, Params(ProofKeyForm::kDidKey)), Build(c, Params())};
  auto proofs = Verifier(3).VerifyProofs(jwts);
  ASSERT_TRUE(proofs.ok()) << proofs.status().ToString();
  ASSERT_EQ(proofs->size(), 3u);
  EXPECT_TRUE((*proofs)[0].holder_key().Equals(a.public_key()));
  EXPECT_TRUE((*proofs)[1].holder_key().Equals(b.public_key()));
  EXPECT_TRUE((*proofs)[2].holder_key().Equals(c.public_key()));
}

TEST_F(ProofTest, BatchDuplicateKeysRejectedEvenInOtherForm) {
  const PrivateKey a = NewKey();
  const PrivateKey b = NewKey();
  const Status status =
      Verifier(3).VerifyProofs({Build(a, Params()), Build(b, Params()), Build(a, Params(ProofKeyForm::kDidKey))}).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidKey);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, status), Oid4vciError::kInvalidProof);
  // At the largest batch: 100 distinct keys pass; the same 100 with the last naming the key of
  // the 51st (in its did:key form) fail.
  std::vector<PrivateKey> keys;
  std::vector<std::string> jwts;
  for (int i = 0; i < 100; ++i) {
    keys.push_back(NewKey());
    jwts.push_back(Build(keys.back(), Params()));
  }
  auto all = Verifier(100).VerifyProofs(jwts);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_TRUE((*all)[i].holder_key().Equals(keys[i].public_key()));
  jwts.back() = Build(keys[50], Params(ProofKeyForm::kDidKey));
  EXPECT_EQ(Verifier(100).VerifyProofs(jwts).status().code(), StatusCode::kInvalidKey);
}

TEST_F(ProofTest, BatchSizeBoundaries) {
  std::vector<std::string> jwts;
  std::vector<PrivateKey> keys;
  for (int i = 0; i < 4; ++i) {
    keys.push_back(NewKey());
    jwts.push_back(Build(keys.back(), Params()));
  }
  const std::vector<std::string> three(jwts.begin(), jwts.begin() + 3);
  EXPECT_TRUE(Verifier(3).VerifyProofs(three).ok());
  const Status too_many = Verifier(3).VerifyProofs(jwts).status();
  EXPECT_EQ(too_many.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, too_many), Oid4vciError::kInvalidCredentialRequest);
  // Without batch issuance exactly one proof is allowed.
  EXPECT_TRUE(Verifier(1).VerifyProofs({jwts[0]}).ok());
  EXPECT_EQ(Verifier(1).VerifyProofs({jwts[0], jwts[1]}).status().code(), StatusCode::kLimitExceeded);
  const Status none = Verifier(3).VerifyProofs({}).status();
  EXPECT_EQ(none.code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialProof, none), Oid4vciError::kInvalidProof);
  // One bad proof fails the batch with its own code.
  EXPECT_EQ(Verifier(3).VerifyProofs({jwts[0], "x.y.z"}).status().code(), StatusCode::kMalformed);
}

TEST_F(ProofTest, CreateRejectsIncompleteOptions) {
  ProofVerifierOptions options;
  options.expected_nonce = kNonce;
  EXPECT_EQ(ProofVerifier::Create(options, clock_).status().code(), StatusCode::kInvalidArgument);
  options.credential_issuer = kIssuer;
  options.expected_nonce.clear();
  EXPECT_EQ(ProofVerifier::Create(options, clock_).status().code(), StatusCode::kInvalidArgument);
  options.no_nonce_endpoint = true;
  EXPECT_TRUE(ProofVerifier::Create(options, clock_).ok());
  options.iat_window_seconds = 3601;
  EXPECT_EQ(ProofVerifier::Create(options, clock_).status().code(), StatusCode::kInvalidArgument);
  options.iat_window_seconds = 3600;
  EXPECT_TRUE(ProofVerifier::Create(options, clock_).ok());
  options.max_proofs = 0;
  EXPECT_EQ(ProofVerifier::Create(options, clock_).status().code(), StatusCode::kInvalidArgument);
  options.max_proofs = 1;
  options.allowed_algs.clear();
  EXPECT_EQ(ProofVerifier::Create(options, clock_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProofTest, NoNonceEndpointAcceptsProofWithoutNonce) {
  ProofVerifierOptions options;
  options.credential_issuer = kIssuer;
  options.no_nonce_endpoint = true;
  auto v = ProofVerifier::Create(options, clock_);
  ASSERT_TRUE(v.ok());
  const PrivateKey key = NewKey();
  ProofJwtParams p = Params();
  p.nonce = std::nullopt;
  EXPECT_TRUE(v->VerifyProof(Build(key, p)).ok());
}

TEST(BuildProofJwtTest, RejectsEmptyArguments) {
  const PrivateKey key = NewKey();
  ProofJwtParams p;
  EXPECT_EQ(BuildProofJwt(key, p).status().code(), StatusCode::kInvalidArgument);
  p.credential_issuer = kIssuer;
  p.nonce = "";
  EXPECT_EQ(BuildProofJwt(key, p).status().code(), StatusCode::kInvalidArgument);
  p.nonce = std::nullopt;
  p.client_id = "";
  EXPECT_EQ(BuildProofJwt(key, p).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bonafide::oid4vci
