// Tests for oid4vp/response.h and oid4vp/presentation.h: full request -> presentation ->
// response -> verification loops for dc+sd-jwt, mso_mdoc and jwt_vc_json in both response
// modes, and each failure with its exact code.
#include "oid4vp/response.h"

#include <gtest/gtest.h>

#include "oid4vp/presentation.h"
#include "tests/oid4vp/oid4vp_fixture.h"

namespace bonafide::oid4vp {
namespace {

using testing::kClientId;
using testing::kNow;
using testing::kState;
using testing::World;

ClaimsPath P(std::string a) { return ClaimsPath{std::move(a)}; }
ClaimsPath P(std::string a, std::string b) { return ClaimsPath{std::move(a), std::move(b)}; }

class ResponseTest : public ::testing::Test {
 protected:
  // Wallet: invocation URL -> verified request (the verifier serves `jws` at kRequestUri).
  VerifiedRequest WalletReceives(const std::string& jws) {
    auto uri = BuildRequestUri("openid4vp://", {.client_id = kClientId, .request_uri = testing::kRequestUri});
    EXPECT_TRUE(uri.ok());
    auto invocation = ParseRequestUri(*uri);
    EXPECT_TRUE(invocation.ok());
    auto v = VerifyRequestObject(jws, invocation->client_id, world_.VerifyOptions());
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  std::string Body(const Json& vp_token, const VerifiedRequest& request) {
    auto body = request.response_mode() == ResponseMode::kDirectPostJwt
                    ? EncryptResponse(vp_token, request, crypto::SystemRandom())
                    : EncodeDirectPost(vp_token, request.state());
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : std::string();
  }

  // Verifier: parse the body and verify the presentations against the request it made.
  Result<VerifiedVpToken> VerifierReceives(const std::string& body, const RequestParams& params) {
    ASSIGN_OR_RETURN(AuthorizationResponse response,
                     ParseAuthorizationResponse(body, kFormContentType, world_.ParseOptions(params.response_mode)));
    if (!response.vp_token) return Error(StatusCode::kNotFound, "error response");
    PresentationBinding binding{.client_id = kClientId, .nonce = params.nonce, .response_uri = params.response_uri,
                                .encryption_jwk_thumbprint = std::nullopt};
    if (params.response_mode == ResponseMode::kDirectPostJwt) {
      binding.encryption_jwk_thumbprint = *Base64UrlDecode(jose::JwkThumbprint(world_.enc_key_.public_key()));
    }
    return VerifyPresentations(*response.vp_token, params.dcql_query, world_.Context(binding));
  }

  std::string SdJwt(const VerifiedRequest& r, std::vector<ClaimsPath> paths = {P("given_name"), P("family_name")}) {
    auto p = PresentSdJwtVc(*world_.held_sd_jwt_, paths, world_.holder_, r.binding(), world_.clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : std::string();
  }
  std::string Mdoc(const PresentationBinding& b,
                   std::vector<ClaimsPath> paths = {P(mdoc::kMdlNameSpace, "family_name"),
                                                    P(mdoc::kMdlNameSpace, "age_over_18")}) {
    auto p = PresentMdoc(*world_.held_mdoc_, paths, world_.mdoc_->device_key, b);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : std::string();
  }
  Json Token(const std::string& id, std::vector<std::string> presentations) {
    return BuildVpToken({{id, std::move(presentations)}}).value();
  }

  World world_;
};

// ---- Full loops ----

TEST_F(ResponseTest, SdJwtVcLoopBothModes) {
  for (ResponseMode mode : {ResponseMode::kDirectPostJwt, ResponseMode::kDirectPost}) {
    RequestParams params = world_.Params(testing::SdJwtQuery(), mode);
    VerifiedRequest request = WalletReceives(world_.Request(params));
    auto result = VerifierReceives(Body(Token("pid", {SdJwt(request)}), request), params);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    const VerifiedCredential& c = result->credentials.at("pid").at(0);
    EXPECT_EQ(c.claims, Json({{"given_name", "Adaeze"}, {"family_name", "Okafor"}}));
    EXPECT_EQ(c.issuer, testing::kSdJwtIss);
    EXPECT_EQ(c.type, testing::kVct);
    EXPECT_TRUE(c.holder_bound);
    EXPECT_TRUE(c.over_disclosed.empty());
    EXPECT_FALSE(result->over_disclosed);
    ASSERT_EQ(c.status.size(), 1u);
    EXPECT_EQ(c.status[0].uri, "https://issuer.gov.uk/status/3");
    EXPECT_EQ(c.status[0].idx, 12u);
    EXPECT_EQ(c.disclosed.size(), 2u);
  }
}

TEST_F(ResponseTest, MdocLoopBothModes) {
  for (ResponseMode mode : {ResponseMode::kDirectPostJwt, ResponseMode::kDirectPost}) {
    RequestParams params = world_.Params(testing::MdlQuery(), mode);
    VerifiedRequest request = WalletReceives(world_.Request(params));
    EXPECT_EQ(request.encryption_jwk_thumbprint().has_value(), mode == ResponseMode::kDirectPostJwt);
    auto result = VerifierReceives(Body(Token("mdl", {Mdoc(request.binding())}), request), params);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    const VerifiedCredential& c = result->credentials.at("mdl").at(0);
    EXPECT_EQ(c.claims, Json({{mdoc::kMdlNameSpace, {{"family_name", "Okafor"}, {"age_over_18", true}}}}));
    EXPECT_EQ(c.type, mdoc::kMdlDocType);
    EXPECT_EQ(c.issuer, "bonafide test DS");
    EXPECT_EQ(c.issuer_country, "GB");
    ASSERT_EQ(c.status.size(), 1u);
    EXPECT_EQ(c.status[0].idx, 7u);
  }
}

TEST_F(ResponseTest, JwtVcJsonLoopBothModes) {
  for (ResponseMode mode : {ResponseMode::kDirectPostJwt, ResponseMode::kDirectPost}) {
    RequestParams params = world_.Params(testing::VeteranQuery(), mode);
    VerifiedRequest request = WalletReceives(world_.Request(params));
    auto vp = PresentJwtVc(world_.vc_jwt_, world_.holder_, request.binding(), world_.clock_);
    ASSERT_TRUE(vp.ok()) << vp.status().ToString();
    auto result = VerifierReceives(Body(Token("veteran", {*vp}), request), params);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    const VerifiedCredential& c = result->credentials.at("veteran").at(0);
    EXPECT_EQ(c.issuer, vcjwt::testing::kVeteranIssuer);
    EXPECT_EQ(c.type, "DigitalVeteranCard");
    // Only credentialSubject.name comes back: not birthDate, not veteranCard, not the JWT claims.
    EXPECT_EQ(c.claims, Json({{"credentialSubject", {{"name", vcjwt::testing::VeteranCardSubject()["name"]}}}}));
  }
}

TEST_F(ResponseTest, MdocPortraitComesBackAsBase64Url) {
  DcqlQuery q = testing::MdlQuery();
  q.credentials[0].claims = std::vector<ClaimsQuery>{
      ClaimsQuery{.id = std::nullopt, .path = P(mdoc::kMdlNameSpace, "portrait")}};
  RequestParams params = world_.Params(q, ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  auto result = VerifierReceives(
      Body(Token("mdl", {Mdoc(request.binding(), {P(mdoc::kMdlNameSpace, "portrait")})}), request), params);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->credentials.at("mdl")[0].claims[mdoc::kMdlNameSpace]["portrait"],
            Base64UrlEncode(Bytes{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xff, 0xd9}));
}

// ---- Binding failures ----

TEST_F(ResponseTest, WrongNonceIsNonceMismatch) {
  RequestParams params = world_.Params(testing::SdJwtQuery());
  VerifiedRequest request = WalletReceives(world_.Request(params));
  // The verifier expects another nonce than the one the KB-JWT carries (a replay from an
  // earlier request).
  RequestParams other = params;
  other.nonce = "OtherNonce0123456789ab";
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {SdJwt(request)}), request), other).status().code(),
            StatusCode::kNonceMismatch);
}

TEST_F(ResponseTest, ReplayedKbJwtFromAnotherRequestIsNonceMismatch) {
  RequestParams first = world_.Params(testing::SdJwtQuery());
  first.nonce = "FirstNonce0123456789ab";
  VerifiedRequest first_request = WalletReceives(world_.Request(first));
  const std::string replayed = SdJwt(first_request);
  RequestParams second = world_.Params(testing::SdJwtQuery());
  VerifiedRequest second_request = WalletReceives(world_.Request(second));
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {replayed}), second_request), second).status().code(),
            StatusCode::kNonceMismatch);
}

TEST_F(ResponseTest, WrongClientIdIsAudienceMismatch) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  PresentationBinding b = request.binding();
  b.client_id = "x509_san_dns:attacker.example";
  auto p = PresentSdJwtVc(*world_.held_sd_jwt_, {P("given_name"), P("family_name")}, world_.holder_, b, world_.clock_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {*p}), request), params).status().code(), StatusCode::kAudienceMismatch);
  auto vp = PresentJwtVc(world_.vc_jwt_, world_.holder_, b, world_.clock_);
  ASSERT_TRUE(vp.ok());
  RequestParams vparams = world_.Params(testing::VeteranQuery(), ResponseMode::kDirectPost);
  EXPECT_EQ(VerifierReceives(Body(Token("veteran", {*vp}), request), vparams).status().code(),
            StatusCode::kAudienceMismatch);
}

TEST_F(ResponseTest, JwtVcWrongNonceIsNonceMismatch) {
  RequestParams params = world_.Params(testing::VeteranQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  PresentationBinding b = request.binding();
  b.nonce = "OtherNonce0123456789ab";
  auto vp = PresentJwtVc(world_.vc_jwt_, world_.holder_, b, world_.clock_);
  ASSERT_TRUE(vp.ok());
  EXPECT_EQ(VerifierReceives(Body(Token("veteran", {*vp}), request), params).status().code(),
            StatusCode::kNonceMismatch);
}

TEST_F(ResponseTest, MdocTranscriptFromOtherResponseUriFailsDeviceSignature) {
  RequestParams params = world_.Params(testing::MdlQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  PresentationBinding b = request.binding();
  b.response_uri = "https://verifier.example.gov.uk/other";
  EXPECT_EQ(VerifierReceives(Body(Token("mdl", {Mdoc(b)}), request), params).status().code(),
            StatusCode::kInvalidSignature);
  // Also an encrypted response whose transcript left out the key thumbprint.
  RequestParams jwt_params = world_.Params(testing::MdlQuery(), ResponseMode::kDirectPostJwt);
  VerifiedRequest jwt_request = WalletReceives(world_.Request(jwt_params));
  PresentationBinding no_thumb = jwt_request.binding();
  no_thumb.encryption_jwk_thumbprint.reset();
  EXPECT_EQ(VerifierReceives(Body(Token("mdl", {Mdoc(no_thumb)}), jwt_request), jwt_params).status().code(),
            StatusCode::kInvalidSignature);
}

TEST_F(ResponseTest, ResponseForAnotherRequestDoesNotDecrypt) {
  RequestParams params = world_.Params(testing::SdJwtQuery());
  // Another request with another ephemeral key (same kid, then another kid).
  crypto::PrivateKey other_key = testing::NewKey();
  RequestParams other = params;
  other.encryption_key = other_key.public_key();
  VerifiedRequest other_request = WalletReceives(world_.Request(other));
  const std::string body = Body(Token("pid", {SdJwt(other_request)}), other_request);
  EXPECT_EQ(ParseAuthorizationResponse(body, kFormContentType, world_.ParseOptions(params.response_mode)).status().code(),
            StatusCode::kInvalidSignature);
  other.encryption_kid = "enc-2";
  VerifiedRequest other_kid = WalletReceives(world_.Request(other));
  const std::string body2 = Body(Token("pid", {SdJwt(other_kid)}), other_kid);
  EXPECT_EQ(ParseAuthorizationResponse(body2, kFormContentType, world_.ParseOptions(params.response_mode)).status().code(),
            StatusCode::kInvalidKey);
}

TEST_F(ResponseTest, TamperedDisclosureIsRejected) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  std::string p = SdJwt(request);
  // Swap the value inside the first disclosure (keeping its salt and name).
  const size_t start = p.find('~') + 1;
  const size_t end = p.find('~', start);
  Json d = ParseJson(AsStringView(*Base64UrlDecode(p.substr(start, end - start)))).value();
  d[2] = "Mallory";
  p.replace(start, end - start, Base64UrlEncode(DumpJson(d)));
  const StatusCode code = VerifierReceives(Body(Token("pid", {p}), request), params).status().code();
  // Its digest is in no _sd array of the issuer-signed payload.
  EXPECT_EQ(code, StatusCode::kUnreferencedDisclosure) << StatusCodeName(code);
}

// ---- vp_token structure against DCQL ----

TEST_F(ResponseTest, UnknownVpTokenKeyIsMalformed) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  Json token = Token("pid", {SdJwt(request)});
  token["extra"] = Json::array({"x"});
  EXPECT_EQ(VerifierReceives(Body(token, request), params).status().code(), StatusCode::kMalformed);
}

TEST_F(ResponseTest, TwoPresentationsForMultipleFalseIsMalformed) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  const std::string p = SdJwt(request);
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {p, p}), request), params).status().code(), StatusCode::kMalformed);
  // Boundary: with multiple = true both are verified.
  params.dcql_query.credentials[0].multiple = true;
  VerifiedRequest multi = WalletReceives(world_.Request(params));
  const std::string p2 = SdJwt(multi);
  auto result = VerifierReceives(Body(Token("pid", {p2, p2}), multi), params);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->credentials.at("pid").size(), 2u);
}

TEST_F(ResponseTest, MissingRequiredQueryIsNotFound) {
  DcqlQuery q = testing::SdJwtQuery();
  q.credentials.push_back(testing::MdlQuery().credentials[0]);
  RequestParams params = world_.Params(q, ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {SdJwt(request)}), request), params).status().code(),
            StatusCode::kNotFound);
  // Boundary: with a credential set that makes the mdl optional, the pid alone suffices.
  params.dcql_query.credential_sets = std::vector<CredentialSetQuery>{
      CredentialSetQuery{.options = {{"pid"}}, .required = true},
      CredentialSetQuery{.options = {{"mdl"}}, .required = false}};
  VerifiedRequest with_sets = WalletReceives(world_.Request(params));
  EXPECT_TRUE(VerifierReceives(Body(Token("pid", {SdJwt(with_sets)}), with_sets), params).ok());
}

TEST_F(ResponseTest, ClaimsNotSatisfyingTheQueryAreInvalidClaims) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {SdJwt(request, {P("given_name")})}), request), params).status().code(),
            StatusCode::kInvalidClaims);
}

TEST_F(ResponseTest, WrongVctIsInvalidType) {
  DcqlQuery q = testing::SdJwtQuery();
  q.credentials[0].meta.vct_values = std::vector<std::string>{"https://credentials.gov.uk/other"};
  RequestParams params = world_.Params(q, ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  EXPECT_EQ(VerifierReceives(Body(Token("pid", {SdJwt(request)}), request), params).status().code(),
            StatusCode::kInvalidType);
}

TEST_F(ResponseTest, OverDisclosureIsReportedAndDropped) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  auto result = VerifierReceives(
      Body(Token("pid", {SdJwt(request, {P("given_name"), P("family_name"), P("birth_date")})}), request), params);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const VerifiedCredential& c = result->credentials.at("pid")[0];
  EXPECT_TRUE(result->over_disclosed);
  ASSERT_EQ(c.over_disclosed.size(), 1u);
  EXPECT_EQ(c.over_disclosed[0], P("birth_date"));
  EXPECT_FALSE(c.claims.contains("birth_date"));
  // mdoc: an extra element is reported and dropped too.
  RequestParams mparams = world_.Params(testing::MdlQuery(), ResponseMode::kDirectPost);
  VerifiedRequest mrequest = WalletReceives(world_.Request(mparams));
  auto mresult = VerifierReceives(
      Body(Token("mdl", {Mdoc(mrequest.binding(), {P(mdoc::kMdlNameSpace, "family_name"),
                                                     P(mdoc::kMdlNameSpace, "age_over_18"),
                                                     P(mdoc::kMdlNameSpace, "birth_date")})}),
           mrequest),
      mparams);
  ASSERT_TRUE(mresult.ok()) << mresult.status().ToString();
  const VerifiedCredential& m = mresult->credentials.at("mdl")[0];
  ASSERT_EQ(m.over_disclosed.size(), 1u);
  EXPECT_EQ(m.over_disclosed[0], P(mdoc::kMdlNameSpace, "birth_date"));
  EXPECT_FALSE(m.claims[mdoc::kMdlNameSpace].contains("birth_date"));
}

TEST_F(ResponseTest, NestedPathDisclosesOnlyTheLeaf) {
  DcqlQuery q = testing::SdJwtQuery({});
  q.credentials[0].claims = std::vector<ClaimsQuery>{ClaimsQuery{.id = std::nullopt, .path = P("address", "locality")}};
  RequestParams params = world_.Params(q, ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  auto result = VerifierReceives(Body(Token("pid", {SdJwt(request, {P("address", "locality")})}), request), params);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const VerifiedCredential& c = result->credentials.at("pid")[0];
  EXPECT_EQ(c.claims, Json({{"address", {{"locality", "Leeds"}}}}));
  EXPECT_TRUE(c.over_disclosed.empty());  // the enclosing "address" disclosure is needed
}

TEST_F(ResponseTest, ContextWithoutTrustSourceIsInvalidArgument) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest request = WalletReceives(world_.Request(params));
  VerificationContext ctx = world_.Context(request.binding());
  ctx.sd_jwt_trust = nullptr;
  EXPECT_EQ(VerifyPresentations(Token("pid", {SdJwt(request)}), params.dcql_query, ctx).status().code(),
            StatusCode::kInvalidArgument);
  ctx = world_.Context(request.binding());
  ctx.binding.nonce.clear();
  EXPECT_EQ(VerifyPresentations(Token("pid", {SdJwt(request)}), params.dcql_query, ctx).status().code(),
            StatusCode::kInvalidArgument);
  ctx = world_.Context(request.binding());
  EXPECT_EQ(VerifyPresentations(Json::array(), params.dcql_query, ctx).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(VerifyPresentations(Json({{"pid", Json::array()}}), params.dcql_query, ctx).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(VerifyPresentations(Json({{"pid", {5}}}), params.dcql_query, ctx).status().code(), StatusCode::kMalformed);
}

// ---- Response encoding and parsing ----

TEST_F(ResponseTest, ModeDowngradeIsInvalidType) {
  RequestParams params = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPost);
  VerifiedRequest plain = WalletReceives(world_.Request(params));
  const std::string plain_body = Body(Token("pid", {SdJwt(plain)}), plain);
  EXPECT_EQ(ParseAuthorizationResponse(plain_body, kFormContentType, world_.ParseOptions(ResponseMode::kDirectPostJwt))
                .status()
                .code(),
            StatusCode::kInvalidType);
  RequestParams jparams = world_.Params(testing::SdJwtQuery(), ResponseMode::kDirectPostJwt);
  VerifiedRequest enc = WalletReceives(world_.Request(jparams));
  const std::string enc_body = Body(Token("pid", {SdJwt(enc)}), enc);
  EXPECT_EQ(enc_body.substr(0, 9), "response=");
  EXPECT_EQ(ParseAuthorizationResponse(enc_body, kFormContentType, world_.ParseOptions(ResponseMode::kDirectPost))
                .status()
                .code(),
            StatusCode::kInvalidType);
}

TEST_F(ResponseTest, EncryptedPayloadCarriesVpTokenAndState) {
  RequestParams params = world_.Params(testing::SdJwtQuery());
  VerifiedRequest request = WalletReceives(world_.Request(params));
  const Json token = Token("pid", {"abc"});
  auto parsed = ParseAuthorizationResponse(Body(token, request), "application/x-www-form-urlencoded; charset=UTF-8",
                                           world_.ParseOptions(ResponseMode::kDirectPostJwt));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->encrypted);
  EXPECT_EQ(parsed->vp_token, std::optional<Json>(token));
  EXPECT_EQ(parsed->state, std::optional<std::string>(kState));
}

TEST_F(ResponseTest, EncUsesA128GcmWhenOnlyThatIsOffered) {
  RequestParams params = world_.Params(testing::SdJwtQuery());
  params.enc_values = {"A128GCM"};
  VerifiedRequest request = WalletReceives(world_.Request(params));
  const std::string body = Body(Token("pid", {"abc"}), request);
  const std::string jwe = body.substr(9);
  Json header = ParseJson(AsStringView(*Base64UrlDecode(jwe.substr(0, jwe.find('.'))))).value();
  EXPECT_EQ(header["enc"], "A128GCM");
  EXPECT_EQ(header["kid"], testing::kEncKid);
  ResponseParseOptions o = world_.ParseOptions(ResponseMode::kDirectPostJwt);
  o.accepted_enc = {"A256GCM"};
  EXPECT_EQ(ParseAuthorizationResponse(body, kFormContentType, o).status().code(), StatusCode::kUnsupportedAlgorithm);
}

TEST_F(ResponseTest, ErrorResponsesBothModes) {
  AuthorizationError err{.error = "access_denied", .error_description = "user declined"};
  auto plain = EncodeErrorResponse(err, std::string(kState));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "error=access_denied&error_description=user%20declined&state=st-4f9a0c");
  for (ResponseMode mode : {ResponseMode::kDirectPost, ResponseMode::kDirectPostJwt}) {
    // Section 8.3: an unencrypted error is accepted in direct_post.jwt mode too.
    auto parsed = ParseAuthorizationResponse(*plain, kFormContentType, world_.ParseOptions(mode));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_TRUE(parsed->error.has_value());
    EXPECT_EQ(parsed->error->error, "access_denied");
    EXPECT_EQ(parsed->error->error_description, std::optional<std::string>("user declined"));
    EXPECT_FALSE(parsed->vp_token.has_value());
  }
  RequestParams params = world_.Params(testing::SdJwtQuery());
  VerifiedRequest request = WalletReceives(world_.Request(params));
  auto encrypted = EncryptErrorResponse(err, request, crypto::SystemRandom());
  ASSERT_TRUE(encrypted.ok());
  auto parsed = ParseAuthorizationResponse(*encrypted, kFormContentType, world_.ParseOptions(ResponseMode::kDirectPostJwt));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->encrypted);
  EXPECT_EQ(parsed->error->error, "access_denied");
  EXPECT_EQ(EncodeErrorResponse({.error = "bad\"quote"}, std::nullopt).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeErrorResponse({.error = ""}, std::nullopt).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ResponseTest, ParseRefusals) {
  auto code = [&](std::string_view body, std::string_view type = kFormContentType) {
    return ParseAuthorizationResponse(body, type, world_.ParseOptions(ResponseMode::kDirectPost)).status().code();
  };
  const std::string ok = EncodeDirectPost(Token("pid", {"abc"}), std::string(kState)).value();
  EXPECT_EQ(code(ok), StatusCode::kOk);
  EXPECT_EQ(code(ok, "application/json"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&state=x"), StatusCode::kMalformed);
  EXPECT_EQ(code("state=st-4f9a0c"), StatusCode::kMalformed);
  EXPECT_EQ(code(ok + "&error=access_denied"), StatusCode::kMalformed);
  EXPECT_EQ(code("vp_token=%5B%5D&state=st-4f9a0c"), StatusCode::kMalformed);
  EXPECT_EQ(code("vp_token=%7B%22a%22%3A1%2C%22a%22%3A2%7D&state=st-4f9a0c"), StatusCode::kMalformed);
  EXPECT_EQ(code(EncodeDirectPost(Token("pid", {"abc"}), std::string("other")).value()), StatusCode::kNonceMismatch);
  EXPECT_EQ(code(EncodeDirectPost(Token("pid", {"abc"}), std::nullopt).value()), StatusCode::kNonceMismatch);
  ResponseParseOptions small = world_.ParseOptions(ResponseMode::kDirectPost);
  small.max_bytes = ok.size() - 1;
  EXPECT_EQ(ParseAuthorizationResponse(ok, kFormContentType, small).status().code(), StatusCode::kLimitExceeded);
  small.max_bytes = ok.size();
  EXPECT_EQ(ParseAuthorizationResponse(ok, kFormContentType, small).status().code(), StatusCode::kOk);
  ResponseParseOptions no_key = world_.ParseOptions(ResponseMode::kDirectPostJwt);
  no_key.decryption_key = nullptr;
  EXPECT_EQ(ParseAuthorizationResponse(ok, kFormContentType, no_key).status().code(), StatusCode::kInvalidArgument);
}

TEST(VpTokenTest, BuildRefusesEmptyParts) {
  EXPECT_EQ(BuildVpToken({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildVpToken({{"pid", {}}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildVpToken({{"pid", {""}}}).status().code(), StatusCode::kInvalidArgument);
  auto ok = BuildVpToken({{"pid", {"a", "b"}}, {"mdl", {"c"}}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Json({{"pid", {"a", "b"}}, {"mdl", {"c"}}}));
  EXPECT_EQ(EncodeDirectPost(Json::array(), std::nullopt).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*EncodeDirectPost(Json({{"a", {"b"}}}), std::nullopt), "vp_token=%7B%22a%22%3A%5B%22b%22%5D%7D");
}

}  // namespace
}  // namespace bonafide::oid4vp
