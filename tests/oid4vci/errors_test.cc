// Tests for oid4vci/errors.h: error names, HTTP statuses, Status mapping and error bodies.
#include "oid4vci/errors.h"

#include <gtest/gtest.h>

namespace bonafide::oid4vci {
namespace {

constexpr Oid4vciError kAll[] = {
    Oid4vciError::kInvalidRequest,         Oid4vciError::kInvalidGrant,
    Oid4vciError::kInvalidClient,          Oid4vciError::kUnauthorizedClient,
    Oid4vciError::kUnsupportedGrantType,   Oid4vciError::kInvalidToken,
    Oid4vciError::kInvalidCredentialRequest, Oid4vciError::kUnknownCredentialConfiguration,
    Oid4vciError::kUnknownCredentialIdentifier, Oid4vciError::kInvalidProof,
    Oid4vciError::kInvalidNonce,           Oid4vciError::kInvalidEncryptionParameters,
    Oid4vciError::kCredentialRequestDenied, Oid4vciError::kInvalidNotificationId,
    Oid4vciError::kInvalidNotificationRequest,
};

TEST(Oid4vciErrorTest, NamesAreExactAndRoundTrip) {
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidRequest), "invalid_request");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidGrant), "invalid_grant");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidClient), "invalid_client");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kUnauthorizedClient), "unauthorized_client");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kUnsupportedGrantType), "unsupported_grant_type");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidToken), "invalid_token");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidCredentialRequest), "invalid_credential_request");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kUnknownCredentialConfiguration), "unknown_credential_configuration");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kUnknownCredentialIdentifier), "unknown_credential_identifier");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidProof), "invalid_proof");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidNonce), "invalid_nonce");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidEncryptionParameters), "invalid_encryption_parameters");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kCredentialRequestDenied), "credential_request_denied");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidNotificationId), "invalid_notification_id");
  EXPECT_EQ(Oid4vciErrorName(Oid4vciError::kInvalidNotificationRequest), "invalid_notification_request");
  for (Oid4vciError e : kAll) EXPECT_EQ(ParseOid4vciError(Oid4vciErrorName(e)), e);
  EXPECT_FALSE(ParseOid4vciError("Invalid_Proof").has_value());
  EXPECT_FALSE(ParseOid4vciError("unsupported_credential_configuration").has_value());
}

TEST(Oid4vciErrorTest, HttpStatuses) {
  for (Oid4vciError e : kAll) {
    const int expected = (e == Oid4vciError::kInvalidClient || e == Oid4vciError::kInvalidToken) ? 401 : 400;
    EXPECT_EQ(HttpStatusFor(e), expected) << Oid4vciErrorName(e);
  }
}

TEST(ErrorForStatusTest, TokenEndpoint) {
  auto map = [](StatusCode c) { return ErrorForStatus(Endpoint::kToken, Status(c, "x")); };
  EXPECT_EQ(map(StatusCode::kInvalidType), Oid4vciError::kUnsupportedGrantType);
  EXPECT_EQ(map(StatusCode::kNotFound), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(map(StatusCode::kExpired), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(map(StatusCode::kRevoked), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(map(StatusCode::kInvalidSignature), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(map(StatusCode::kUntrustedIssuer), Oid4vciError::kInvalidClient);
  EXPECT_EQ(map(StatusCode::kMalformed), Oid4vciError::kInvalidRequest);
  EXPECT_EQ(map(StatusCode::kLimitExceeded), Oid4vciError::kInvalidRequest);
  EXPECT_EQ(map(StatusCode::kInvalidClaims), Oid4vciError::kInvalidRequest);
  EXPECT_EQ(ErrorForStatus(Endpoint::kToken, OkStatus()), Oid4vciError::kInvalidRequest);
}

TEST(ErrorForStatusTest, CredentialAndNotificationEndpoints) {
  auto map = [](Endpoint e, StatusCode c) { return ErrorForStatus(e, Status(c, "x")); };
  EXPECT_EQ(map(Endpoint::kBearerToken, StatusCode::kExpired), Oid4vciError::kInvalidToken);
  EXPECT_EQ(map(Endpoint::kBearerToken, StatusCode::kNotFound), Oid4vciError::kInvalidToken);
  EXPECT_EQ(map(Endpoint::kCredentialRequest, StatusCode::kNotFound), Oid4vciError::kUnknownCredentialConfiguration);
  EXPECT_EQ(map(Endpoint::kCredentialRequest, StatusCode::kMalformed), Oid4vciError::kInvalidCredentialRequest);
  EXPECT_EQ(map(Endpoint::kCredentialRequest, StatusCode::kInvalidType), Oid4vciError::kInvalidProof);
  EXPECT_EQ(map(Endpoint::kCredentialRequest, StatusCode::kUnsupportedAlgorithm),
            Oid4vciError::kInvalidEncryptionParameters);
  EXPECT_EQ(map(Endpoint::kCredentialProof, StatusCode::kNonceMismatch), Oid4vciError::kInvalidNonce);
  EXPECT_EQ(map(Endpoint::kCredentialProof, StatusCode::kLimitExceeded), Oid4vciError::kInvalidCredentialRequest);
  for (StatusCode c : {StatusCode::kMalformed, StatusCode::kInvalidSignature, StatusCode::kInvalidType,
                       StatusCode::kAudienceMismatch, StatusCode::kUnsupportedAlgorithm, StatusCode::kInvalidKey,
                       StatusCode::kExpired, StatusCode::kNotYetValid, StatusCode::kInvalidClaims}) {
    EXPECT_EQ(map(Endpoint::kCredentialProof, c), Oid4vciError::kInvalidProof) << StatusCodeName(c);
  }
  EXPECT_EQ(map(Endpoint::kNotification, StatusCode::kNotFound), Oid4vciError::kInvalidNotificationId);
  EXPECT_EQ(map(Endpoint::kNotification, StatusCode::kInvalidClaims), Oid4vciError::kInvalidNotificationRequest);
}

TEST(ErrorResponseTest, BuildsSanitisedBodies) {
  const ErrorResponse r = ErrorResponse::FromStatus(Endpoint::kCredentialProof,
                                                    Status(StatusCode::kNonceMismatch, "nonce \"x\" \\ wrong\n"));
  EXPECT_EQ(r.error, Oid4vciError::kInvalidNonce);
  EXPECT_EQ(r.http_status(), 400);
  EXPECT_EQ(DumpJson(r.ToJson()), R"({"error":"invalid_nonce","error_description":"nonce ?x? ? wrong?"})");
  auto back = ErrorResponse::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->error, Oid4vciError::kInvalidNonce);
  EXPECT_EQ(back->error_description, "nonce ?x? ? wrong?");
  ErrorResponse bare;
  bare.error = Oid4vciError::kInvalidToken;
  EXPECT_EQ(DumpJson(bare.ToJson()), R"({"error":"invalid_token"})");
  EXPECT_EQ(bare.http_status(), 401);
  EXPECT_EQ(bare.BearerChallenge(), "Bearer error=\"invalid_token\"");
  bare.error_description = "expired";
  EXPECT_EQ(bare.BearerChallenge(), "Bearer error=\"invalid_token\", error_description=\"expired\"");
}

TEST(ErrorResponseTest, ParsesSpecExamplesAndRejects) {
  // Section 6.3 and 8.3.1.2 examples.
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({"error": "invalid_request"})"))->error, Oid4vciError::kInvalidRequest);
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({"error": "unknown_credential_configuration"})"))->error,
            Oid4vciError::kUnknownCredentialConfiguration);
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({"error": "nope"})")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({})")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({"error":"invalid_proof","error_description":"a\"b"})")).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ErrorResponse::FromJson(Json::parse(R"({"error":"invalid_proof","error_description":7})")).status().code(),
            StatusCode::kInvalidClaims);
}

}  // namespace
}  // namespace bonafide::oid4vci
