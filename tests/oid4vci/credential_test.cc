// Tests for oid4vci/credential.h: Credential Request / Response and Notification Request.
#include "oid4vci/credential.h"

#include <gtest/gtest.h>

#include "oid4vci/errors.h"

namespace bonafide::oid4vci {
namespace {

// OpenID4VCI 1.0 section 8.2: the mdoc Credential Request example (the JWT's display line break
// removed; it is only a header segment in the spec and is not verified here).
TEST(CredentialRequestTest, ParsesSpecExampleMdoc) {
  auto request = CredentialRequest::Parse(R"({
    "credential_configuration_id": "org.iso.18013.5.1.mDL",
    "proofs": {"jwt": ["eyJraWQiOiJkaWQ6ZXhhbXBsZTplYmZlYjFmNzEyZWJjNmYxYzI3NmUxMmVjMjEva2V5cy8xIiwiYWxnIjoiRVMyNTYiLCJ0eXAiOiJKV1QifQ"]}
  })");
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->credential_configuration_id, "org.iso.18013.5.1.mDL");
  EXPECT_FALSE(request->credential_identifier.has_value());
  EXPECT_EQ(request->unverified_jwt_proofs.size(), 1u);
}

// Section 8.2: the SD-JWT VC request for two instances by credential_identifier.
TEST(CredentialRequestTest, ParsesSpecExampleCredentialIdentifier) {
  auto request = CredentialRequest::Parse(R"({
    "credential_identifier": "CivilEngineeringDegree-2023",
    "proofs": {"jwt": [
      "eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiblVXQW9BdjNYWml0aDhFN2kxOU9kYXhPTFlGT3dNLVoyRXVNMDJUaXJUNCIsInkiOiJIc2tIVThCalVpMVU5WHFpN1N3bWo4Z3dBS18weGtjRGpFV183MVNvc0VZIn19",
      "eyJraWQiOiJkaWQ6ZXhhbXBsZTplYmZlYjFmNzEyZWJjNmYxYzI3NmUxMmVjMjEva2V5cy8xIiwiYWxnIjoiRVMyNTYiLCJ0eXAiOiJKV1QifQ"
    ]}
  })");
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->credential_identifier, "CivilEngineeringDegree-2023");
  EXPECT_EQ(request->unverified_jwt_proofs.size(), 2u);
}

TEST(CredentialRequestTest, RoundTrips) {
  CredentialRequest request;
  request.credential_configuration_id = "uk.gov.digital-id.1";
  request.unverified_jwt_proofs = {"a.b.c", "d.e.f"};
  auto back = CredentialRequest::FromJson(request.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(request.ToJson()));
  CredentialRequest no_proofs;
  no_proofs.credential_identifier = "x";
  auto back2 = CredentialRequest::FromJson(no_proofs.ToJson());
  ASSERT_TRUE(back2.ok());
  EXPECT_TRUE(back2->unverified_jwt_proofs.empty());
}

TEST(CredentialRequestTest, RejectsBadRequests) {
  struct Case {
    const char* json;
    StatusCode code;
    Oid4vciError error;
  } cases[] = {
      {R"({"proofs":{"jwt":["a.b.c"]}})", StatusCode::kInvalidClaims, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","credential_identifier":"b"})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":""})", StatusCode::kInvalidClaims, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":7})", StatusCode::kInvalidClaims, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proof":{"proof_type":"jwt","jwt":"a.b.c"}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proof":{"proof_type":"jwt","jwt":"a.b.c"},"proofs":{"jwt":["a.b.c"]}})",
       StatusCode::kInvalidClaims, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":[]})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"jwt":["a.b.c"],"attestation":["x.y.z"]}})",
       StatusCode::kInvalidClaims, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"jwt":[]}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"jwt":"a.b.c"}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"jwt":[""]}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"jwt":[{}]}})", StatusCode::kInvalidClaims,
       Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","proofs":{"di_vp":[{}]}})", StatusCode::kInvalidType,
       Oid4vciError::kInvalidProof},
      {R"({"credential_configuration_id":"a","credential_response_encryption":{"jwk":{},"enc":"A256GCM"}})",
       StatusCode::kUnsupportedAlgorithm, Oid4vciError::kInvalidEncryptionParameters},
      {R"([])", StatusCode::kMalformed, Oid4vciError::kInvalidCredentialRequest},
      {R"({"credential_configuration_id":"a","credential_configuration_id":"b"})", StatusCode::kMalformed,
       Oid4vciError::kInvalidCredentialRequest},
  };
  for (const Case& c : cases) {
    const Status status = CredentialRequest::Parse(c.json).status();
    EXPECT_EQ(status.code(), c.code) << c.json;
    EXPECT_EQ(ErrorForStatus(Endpoint::kCredentialRequest, status), c.error) << c.json;
  }
}

TEST(CredentialRequestTest, ProofCountBoundary) {
  Json body = {{"credential_configuration_id", "a"}};
  body["proofs"]["jwt"] = Json::array();
  for (size_t i = 0; i < kMaxProofsPerRequest; ++i) body["proofs"]["jwt"].push_back("a.b.c");
  EXPECT_TRUE(CredentialRequest::FromJson(body).ok());
  body["proofs"]["jwt"].push_back("a.b.c");
  EXPECT_EQ(CredentialRequest::FromJson(body).status().code(), StatusCode::kLimitExceeded);
}

// Section 8.3: the immediate Credential Response examples.
TEST(CredentialResponseTest, ParsesSpecExamples) {
  auto one = CredentialResponse::FromJson(Json::parse(R"({"credentials": [
    {"credential": "LUpixVCWJk0eOt4CXQe1NXK....WZwmhmn9OQp6YxX0a2L"}]})"));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->credentials.size(), 1u);
  EXPECT_FALSE(one->notification_id.has_value());
  auto two = CredentialResponse::FromJson(Json::parse(R"({"credentials": [
    {"credential": "LUpixVCWJk0eOt4CXQe1NXK....WZwmhmn9OQp6YxX0a2L"},
    {"credential": "YXNkZnNhZGZkamZqZGFza23....29tZTIzMjMyMzIzMjMy"}],
    "notification_id": "3fwe98js"})"));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two->credentials.size(), 2u);
  EXPECT_EQ(two->notification_id, "3fwe98js");
  // Section 8.3 deferred example: out of scope, refused.
  EXPECT_EQ(CredentialResponse::FromJson(Json::parse(R"({"transaction_id": "8xLOxBtZp8", "interval": 3600})")).status().code(),
            StatusCode::kInvalidClaims);
}

TEST(CredentialResponseTest, RoundTripsStringAndObjectCredentials) {
  CredentialResponse response;
  response.credentials = {IssuedCredential{"eyJ.sd.jwt~"}, IssuedCredential{Json{{"@context", {"x"}}}}};
  response.notification_id = "n-1";
  auto back = CredentialResponse::FromJson(response.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(response.ToJson()));
  EXPECT_TRUE(back->credentials[1].credential.is_object());
  // The text form is the same document, byte for byte, with and without a notification_id and
  // with a credential that needs escaping.
  EXPECT_EQ(response.ToJsonText(), DumpJson(response.ToJson()));
  response.notification_id.reset();
  response.credentials.push_back(IssuedCredential{"quote \" and \u00e9"});
  EXPECT_EQ(response.ToJsonText(), DumpJson(response.ToJson()));
}

TEST(CredentialResponseTest, Rejects) {
  const char* bad[] = {
      R"({})",
      R"({"credentials": []})",
      R"({"credentials": ["abc"]})",
      R"({"credentials": [{}]})",
      R"({"credentials": [{"credential": ""}]})",
      R"({"credentials": [{"credential": 5}]})",
      R"({"credentials": [{"credential": "a"}], "notification_id": ""})",
      R"({"credentials": [{"credential": "a"}], "notification_id": 5})",
      R"({"credentials": [{"credential": "a"}], "transaction_id": "t"})",
  };
  for (const char* json : bad) {
    EXPECT_EQ(CredentialResponse::FromJson(Json::parse(json)).status().code(), StatusCode::kInvalidClaims) << json;
  }
}

// Section 11.1: the Notification Request examples.
TEST(NotificationRequestTest, ParsesSpecExamples) {
  auto accepted = NotificationRequest::Parse(R"({"notification_id": "3fwe98js", "event": "credential_accepted"})");
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->event, NotificationEvent::kCredentialAccepted);
  auto failure = NotificationRequest::Parse(R"({"notification_id": "3fwe98js", "event": "credential_failure",
    "event_description": "Could not store the Credential. Out of storage."})");
  ASSERT_TRUE(failure.ok());
  EXPECT_EQ(failure->event, NotificationEvent::kCredentialFailure);
  EXPECT_EQ(failure->event_description, "Could not store the Credential. Out of storage.");
}

TEST(NotificationRequestTest, RoundTripsEveryEvent) {
  for (NotificationEvent e : {NotificationEvent::kCredentialAccepted, NotificationEvent::kCredentialFailure,
                              NotificationEvent::kCredentialDeleted}) {
    NotificationRequest request{"id-1", e, std::nullopt};
    auto json = request.ToJson();
    ASSERT_TRUE(json.ok());
    EXPECT_EQ((*json)["event"], std::string(NotificationEventName(e)));
    auto back = NotificationRequest::FromJson(*json);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->event, e);
  }
  NotificationRequest bad_text{"id", NotificationEvent::kCredentialDeleted, std::string("quote \" here")};
  EXPECT_EQ(bad_text.ToJson().status().code(), StatusCode::kInvalidArgument);
  NotificationRequest no_id{"", NotificationEvent::kCredentialDeleted, std::nullopt};
  EXPECT_EQ(no_id.ToJson().status().code(), StatusCode::kInvalidArgument);
}

TEST(NotificationRequestTest, Rejects) {
  const char* bad[] = {
      R"({"event": "credential_accepted"})",
      R"({"notification_id": "", "event": "credential_accepted"})",
      R"({"notification_id": "n"})",
      R"({"notification_id": "n", "event": "Credential_Accepted"})",
      R"({"notification_id": "n", "event": "credential_revoked"})",
      R"({"notification_id": "n", "event": "credential_failure", "event_description": "back\\slash"})",
      R"({"notification_id": "n", "event": "credential_failure", "event_description": "caf\u00e9"})",
      R"({"notification_id": "n", "event": "credential_failure", "event_description": "tab\there"})",
  };
  for (const char* json : bad) {
    const Status status = NotificationRequest::Parse(json).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidClaims) << json;
    EXPECT_EQ(ErrorForStatus(Endpoint::kNotification, status), Oid4vciError::kInvalidNotificationRequest);
  }
  // Boundary: the allowed set's edges (space, '!', '#', '[', ']', '~') pass.
  EXPECT_TRUE(NotificationRequest::Parse(R"({"notification_id": "n", "event": "credential_failure",
    "event_description": " !#[]~"})").ok());
}

}  // namespace
}  // namespace bonafide::oid4vci
