// Tests for oid4vci/token.h: Token Request form parsing, tx_code check, Token and Nonce responses.
#include "oid4vci/token.h"

#include <gtest/gtest.h>

#include "oid4vci/errors.h"

namespace bonafide::oid4vci {
namespace {

// OpenID4VCI 1.0 section 6.1: the Pre-Authorized Code Token Request example (line breaks of the
// authorization_details value removed; the parameter is ignored here).
TEST(TokenRequestTest, ParsesSpecExample) {
  const std::string body =
      "grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code"
      "&pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA"
      "&tx_code=493536"
      "&authorization_details=%5B%7B%22type%22%3A%20%22openid_credential%22%2C%20%22"
      "credential_configuration_id%22%3A%20%22UniversityDegreeCredential%22%7D%5D";
  auto request = TokenRequest::Parse(body);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->pre_authorized_code, "SplxlOBeZQQYbYS6WxSbIA");
  EXPECT_EQ(request->tx_code, "493536");
  EXPECT_FALSE(request->client_id.has_value());
}

TEST(TokenRequestTest, RoundTripsForm) {
  TokenRequest request;
  request.pre_authorized_code = "a+b/c=d&e f%";
  request.tx_code = "12 34";
  request.client_id = "wallet:1";
  const std::string form = request.ToForm();
  EXPECT_NE(form.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code"), std::string::npos);
  auto back = TokenRequest::Parse(form);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->pre_authorized_code, request.pre_authorized_code);
  EXPECT_EQ(back->tx_code, request.tx_code);
  EXPECT_EQ(back->client_id, request.client_id);
}

TEST(TokenRequestTest, RejectsBadForms) {
  const std::string grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code";
  struct Case {
    std::string body;
    StatusCode code;
    Oid4vciError error;
  } cases[] = {
      {"", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&pre-authorized_code=a&pre-authorized_code=b", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&" + grant + "&pre-authorized_code=a", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      // Repeated after decoding counts too.
      {grant + "&pre-authorized_code=a&pre%2Dauthorized_code=b", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&&pre-authorized_code=a", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&pre-authorized_code", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&=x&pre-authorized_code=a", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant + "&pre-authorized_code=%zz", StatusCode::kMalformed, Oid4vciError::kInvalidRequest},
      {grant, StatusCode::kInvalidClaims, Oid4vciError::kInvalidRequest},
      {grant + "&pre-authorized_code=", StatusCode::kInvalidClaims, Oid4vciError::kInvalidRequest},
      {grant + "&pre-authorized_code=a&tx_code=", StatusCode::kInvalidClaims, Oid4vciError::kInvalidRequest},
      {"pre-authorized_code=a", StatusCode::kInvalidClaims, Oid4vciError::kInvalidRequest},
      {"grant_type=authorization_code&code=x", StatusCode::kInvalidType, Oid4vciError::kUnsupportedGrantType},
      {"grant_type=urn:ietf:params:oauth:grant-type:PRE-AUTHORIZED_CODE&pre-authorized_code=a", StatusCode::kInvalidType,
       Oid4vciError::kUnsupportedGrantType},
  };
  for (const Case& c : cases) {
    const Status status = TokenRequest::Parse(c.body).status();
    EXPECT_EQ(status.code(), c.code) << c.body;
    EXPECT_EQ(ErrorForStatus(Endpoint::kToken, status), c.error) << c.body;
  }
}

TEST(FormTest, SizeAndCountBounds) {
  FormLimits limits;
  limits.max_bytes = 20;
  limits.max_params = 2;
  EXPECT_TRUE(ParseFormUrlEncoded(std::string("a=") + std::string(18, 'x'), limits).ok());
  EXPECT_EQ(ParseFormUrlEncoded(std::string("a=") + std::string(19, 'x'), limits).status().code(),
            StatusCode::kLimitExceeded);
  EXPECT_TRUE(ParseFormUrlEncoded("a=1&b=2", limits).ok());
  EXPECT_EQ(ParseFormUrlEncoded("a=1&b=2&c=3", limits).status().code(), StatusCode::kLimitExceeded);
  auto form = ParseFormUrlEncoded("a=x+y%2B&b=");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->at("a"), "x y+");
  EXPECT_EQ(form->at("b"), "");
}

TEST(CheckTxCodeTest, AllCases) {
  TokenRequest with;
  with.pre_authorized_code = "c";
  with.tx_code = "493536";
  TokenRequest without;
  without.pre_authorized_code = "c";
  EXPECT_TRUE(CheckTxCode(with, std::string("493536")).ok());
  EXPECT_TRUE(CheckTxCode(without, std::nullopt).ok());
  const Status wrong = CheckTxCode(with, std::string("493537"));
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(ErrorForStatus(Endpoint::kToken, wrong), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(CheckTxCode(with, std::string("49353")).code(), StatusCode::kInvalidSignature);
  const Status missing = CheckTxCode(without, std::string("493536"));
  EXPECT_EQ(missing.code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorForStatus(Endpoint::kToken, missing), Oid4vciError::kInvalidRequest);
  const Status unexpected = CheckTxCode(with, std::nullopt);
  EXPECT_EQ(unexpected.code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorForStatus(Endpoint::kToken, unexpected), Oid4vciError::kInvalidRequest);
}

// Section 6.2: the Token Response example (authorization_details is ignored).
TEST(TokenResponseTest, ParsesSpecExample) {
  auto body = ParseJson(R"({"access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ", "token_type": "Bearer",
    "expires_in": 86400, "authorization_details": [{"type": "openid_credential",
    "credential_configuration_id": "UniversityDegreeCredential",
    "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"]}]})");
  ASSERT_TRUE(body.ok());
  auto response = TokenResponse::FromJson(*body);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->access_token, "eyJhbGciOiJSUzI1NiIsInR5cCI6Ikp..sHQ");
  EXPECT_EQ(response->expires_in, 86400);
}

TEST(TokenResponseTest, RoundTripsAndRejects) {
  TokenResponse response;
  response.access_token = "at";
  response.expires_in = 300;
  EXPECT_EQ(DumpJson(response.ToJson()), R"({"access_token":"at","expires_in":300,"token_type":"Bearer"})");
  auto back = TokenResponse::FromJson(response.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->expires_in, 300);
  EXPECT_TRUE(TokenResponse::FromJson(Json::parse(R"({"access_token":"a","token_type":"bearer"})")).ok());
  EXPECT_TRUE(TokenResponse::FromJson(Json::parse(R"({"access_token":"a","token_type":"Bearer","expires_in":1})")).ok());
  const char* bad[] = {
      R"({"token_type":"Bearer"})",
      R"({"access_token":"","token_type":"Bearer"})",
      R"({"access_token":"a"})",
      R"({"access_token":"a","token_type":"DPoP"})",
      R"({"access_token":"a","token_type":"Bearer","expires_in":0})",
      R"({"access_token":"a","token_type":"Bearer","expires_in":"60"})",
      R"([])",
  };
  for (const char* json : bad) {
    EXPECT_EQ(TokenResponse::FromJson(Json::parse(json)).status().code(), StatusCode::kInvalidClaims) << json;
  }
}

// Section 7.2: the Nonce Response example.
TEST(NonceResponseTest, ParsesSpecExampleAndRejects) {
  auto response = NonceResponse::FromJson(Json::parse(R"({"c_nonce": "wKI4LT17ac15ES9bw8ac4"})"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->c_nonce, "wKI4LT17ac15ES9bw8ac4");
  EXPECT_EQ(DumpJson(response->ToJson()), R"({"c_nonce":"wKI4LT17ac15ES9bw8ac4"})");
  EXPECT_EQ(NonceResponse::FromJson(Json::parse(R"({"c_nonce": ""})")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(NonceResponse::FromJson(Json::parse(R"({"c_nonce": 5})")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(NonceResponse::FromJson(Json::parse(R"({})")).status().code(), StatusCode::kInvalidClaims);
}

}  // namespace
}  // namespace bonafide::oid4vci
