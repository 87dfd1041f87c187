// oid4vci/credential.h: the Credential Endpoint request and response (OpenID4VCI 1.0 sections
// 8.2 and 8.3) and the Notification Request (section 11.1).
//
// Only the `jwt` proof type is accepted; the proofs it carries are untrusted until
// ProofVerifier (oid4vci/proof.h) checks them. Deferred issuance (transaction_id) and encrypted
// requests / responses are out of scope: a request asking for an encrypted response is refused.
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_OID4VCI_CREDENTIAL_H_
#define BONAFIDE_OID4VCI_CREDENTIAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci {

// kMaxProofsPerRequest bounds the proofs a Credential Request may carry before batch_size is
// even looked at (ProofVerifier applies the issuer's batch_size).
inline constexpr size_t kMaxProofsPerRequest = 100;
// kMaxCredentialRequestBytes bounds the Credential Request body.
inline constexpr size_t kMaxCredentialRequestBytes = 256 * 1024;

// CredentialRequest is a Credential Request (section 8.2) with `jwt` proofs.
struct CredentialRequest {
  // Exactly one of the two identifies what is requested.
  std::optional<std::string> credential_configuration_id;
  std::optional<std::string> credential_identifier;
  // unverified_jwt_proofs are proofs.jwt as received (compact JWTs); empty when `proofs` is absent.
  std::vector<std::string> unverified_jwt_proofs;

  // ToJson returns the request body the wallet sends.
  Json ToJson() const;
  // FromJson parses a request body. kInvalidClaims for a non-object, neither or both of
  // credential_configuration_id / credential_identifier, a mistyped or empty identifier, the
  // pre-1.0 `proof` member (alone or with `proofs`), a `proofs` that is not an object with
  // exactly one member, proofs.jwt that is not a non-empty array of non-empty strings;
  // kInvalidType for a proof type other than jwt; kUnsupportedAlgorithm when
  // credential_response_encryption is present; kLimitExceeded for more than
  // kMaxProofsPerRequest proofs. Other members are ignored (section 8.2).
  static Result<CredentialRequest> FromJson(const Json& body);
  // Parse is FromJson over JSON text (kMalformed, or kLimitExceeded over
  // kMaxCredentialRequestBytes).
  static Result<CredentialRequest> Parse(std::string_view json);
};

// IssuedCredential is one entry of `credentials`: a string (SD-JWT VC, JWT VC, base64url
// IssuerSigned) or a JSON object.
struct IssuedCredential {
  Json credential;
};

// CredentialResponse is an immediate Credential Response (section 8.3).
struct CredentialResponse {
  std::vector<IssuedCredential> credentials;  // non-empty
  std::optional<std::string> notification_id;

  Json ToJson() const;
  // ToJsonText is DumpJson(ToJson()) written straight into text: an issuer's response holds
  // every copy of a batch, and the credentials are not copied into a JSON value first.
  std::string ToJsonText() const;
  // FromJson returns kInvalidClaims for a non-object, a missing or empty `credentials` array, an
  // entry that is not an object whose `credential` is a non-empty string or an object, a
  // deferred response (transaction_id / interval), or an empty or non-string notification_id.
  static Result<CredentialResponse> FromJson(const Json& body);
};

// NotificationEvent is the `event` of a Notification Request.
enum class NotificationEvent { kCredentialAccepted, kCredentialFailure, kCredentialDeleted };

// NotificationEventName returns "credential_accepted", "credential_failure" or
// "credential_deleted".
std::string_view NotificationEventName(NotificationEvent event);

// NotificationRequest is a Notification Request (section 11.1).
struct NotificationRequest {
  std::string notification_id;
  NotificationEvent event = NotificationEvent::kCredentialAccepted;
  std::optional<std::string> event_description;  // %x20-21 / %x23-5B / %x5D-7E only

  // ToJson returns the body; kInvalidArgument when event_description holds characters it may
  // not carry or notification_id is empty.
  Result<Json> ToJson() const;
  // FromJson returns kInvalidClaims for a non-object, a missing or empty notification_id, an
  // event that is not one of the three (case-sensitive), or a bad event_description.
  static Result<NotificationRequest> FromJson(const Json& body);
  // Parse is FromJson over JSON text.
  static Result<NotificationRequest> Parse(std::string_view json);
};

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_CREDENTIAL_H_
