// oid4vci/errors.h: the OAuth / OpenID4VCI error vocabulary at the issuer's HTTP edge.
//
// Parsers and verifiers in this module return bonafide Status codes (base/status.h); the issuer
// service maps them to the error names and HTTP statuses the protocol defines only at its edge,
// with ErrorForStatus. Names are exactly those of RFC 6749 section 5.2 (token endpoint),
// RFC 6750 section 3.1 (bearer token), OpenID4VCI 1.0 section 8.3.1.2 (Credential Request errors)
// and section 11.3 (Notification errors).
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_OID4VCI_ERRORS_H_
#define BONAFIDE_OID4VCI_ERRORS_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci {

// Oid4vciError is an error code a token, credential or notification endpoint returns.
enum class Oid4vciError {
  kInvalidRequest,                  // "invalid_request" (RFC 6749 5.2; also tx_code missing/unexpected)
  kInvalidGrant,                    // "invalid_grant" (RFC 6749 5.2; wrong/expired code, wrong tx_code)
  kInvalidClient,                   // "invalid_client" (RFC 6749 5.2), HTTP 401
  kUnauthorizedClient,              // "unauthorized_client" (RFC 6749 5.2)
  kUnsupportedGrantType,            // "unsupported_grant_type" (RFC 6749 5.2)
  kInvalidToken,                    // "invalid_token" (RFC 6750 3.1), HTTP 401
  kInvalidCredentialRequest,        // "invalid_credential_request" (OID4VCI 8.3.1.2)
  kUnknownCredentialConfiguration,  // "unknown_credential_configuration"
  kUnknownCredentialIdentifier,     // "unknown_credential_identifier"
  kInvalidProof,                    // "invalid_proof"
  kInvalidNonce,                    // "invalid_nonce"
  kInvalidEncryptionParameters,     // "invalid_encryption_parameters"
  kCredentialRequestDenied,         // "credential_request_denied"
  kInvalidNotificationId,           // "invalid_notification_id" (OID4VCI 11.3)
  kInvalidNotificationRequest,      // "invalid_notification_request" (OID4VCI 11.3)
};

// Oid4vciErrorName returns the wire name, e.g. "invalid_proof".
std::string_view Oid4vciErrorName(Oid4vciError error);

// ParseOid4vciError maps a wire name back to the enum; nullopt for any other string.
std::optional<Oid4vciError> ParseOid4vciError(std::string_view name);

// HttpStatusFor returns the HTTP status an error response carries: 401 for invalid_client
// (RFC 6749 5.2) and invalid_token (RFC 6750 3.1), 400 for every other code.
int HttpStatusFor(Oid4vciError error);

// Endpoint names where a Status came from, so ErrorForStatus can pick the code that endpoint
// defines. The same StatusCode means different things in different places: kMalformed from the
// credential request body is invalid_credential_request, from a proof JWT invalid_proof.
enum class Endpoint {
  kToken,              // ParseFormUrlEncoded, TokenRequest::FromForm, CheckTxCode, code lookup
  kBearerToken,        // the access token check at the credential or notification endpoint
  kCredentialRequest,  // CredentialRequest::FromJson and the configuration lookup
  kCredentialProof,    // ProofVerifier::VerifyProof / VerifyProofs
  kNotification,       // NotificationRequest::FromJson and the notification_id lookup
};

// ErrorForStatus maps a non-OK Status from this module's parsers and verifiers (or from the
// caller's storage lookups) to the error `endpoint` returns:
//   kToken: kInvalidType (grant_type other than pre-authorized_code) -> unsupported_grant_type;
//     kNotFound, kExpired, kRevoked (unknown, expired or used code) and kInvalidSignature (wrong
//     tx_code, see CheckTxCode) -> invalid_grant; kUntrustedIssuer -> invalid_client; everything
//     else (kMalformed, kInvalidClaims, kLimitExceeded, ...) -> invalid_request.
//   kBearerToken: every code -> invalid_token.
//   kCredentialRequest: kNotFound -> unknown_credential_configuration; kInvalidType (a proof type
//     other than jwt) -> invalid_proof; kUnsupportedAlgorithm (credential_response_encryption,
//     which this issuer does not offer) -> invalid_encryption_parameters; everything else ->
//     invalid_credential_request.
//   kCredentialProof: kNonceMismatch -> invalid_nonce; kLimitExceeded (more proofs than
//     batch_size) -> invalid_credential_request; everything else -> invalid_proof.
//   kNotification: kNotFound -> invalid_notification_id; everything else ->
//     invalid_notification_request.
// An OK status is a caller bug and maps to invalid_request.
Oid4vciError ErrorForStatus(Endpoint endpoint, const Status& status);

// ErrorResponse is the JSON error body: {"error": ..., "error_description": ...} (RFC 6749 5.2,
// OID4VCI 8.3.1.2).
struct ErrorResponse {
  Oid4vciError error = Oid4vciError::kInvalidRequest;
  std::optional<std::string> error_description;

  // FromStatus builds the response for `status` at `endpoint`; the description is the status
  // message with characters error_description may not carry replaced by '?'.
  static ErrorResponse FromStatus(Endpoint endpoint, const Status& status);

  // ToJson returns the body. A description is sanitised as in FromStatus.
  Json ToJson() const;
  // FromJson parses a body: kInvalidClaims for a missing or unknown `error`, a non-string
  // description, or a description with characters outside %x20-21 / %x23-5B / %x5D-7E.
  // Unknown members are ignored.
  static Result<ErrorResponse> FromJson(const Json& body);

  int http_status() const { return HttpStatusFor(error); }

  // BearerChallenge returns the WWW-Authenticate header value for a 401 at a protected resource
  // (RFC 6750 section 3): `Bearer error="invalid_token", error_description="..."`.
  std::string BearerChallenge() const;
};

// SanitizeDescription replaces every byte outside %x20-21 / %x23-5B / %x5D-7E with '?'.
std::string SanitizeDescription(std::string_view text);

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_ERRORS_H_
