#include "oid4vci/errors.h"

#include <array>
#include <utility>

#include "oid4vci/internal/url.h"

namespace bonafide::oid4vci {
namespace {

constexpr std::array<std::pair<Oid4vciError, std::string_view>, 15> kNames = {{
    {Oid4vciError::kInvalidRequest, "invalid_request"},
    {Oid4vciError::kInvalidGrant, "invalid_grant"},
    {Oid4vciError::kInvalidClient, "invalid_client"},
    {Oid4vciError::kUnauthorizedClient, "unauthorized_client"},
    {Oid4vciError::kUnsupportedGrantType, "unsupported_grant_type"},
    {Oid4vciError::kInvalidToken, "invalid_token"},
    {Oid4vciError::kInvalidCredentialRequest, "invalid_credential_request"},
    {Oid4vciError::kUnknownCredentialConfiguration, "unknown_credential_configuration"},
    {Oid4vciError::kUnknownCredentialIdentifier, "unknown_credential_identifier"},
    {Oid4vciError::kInvalidProof, "invalid_proof"},
    {Oid4vciError::kInvalidNonce, "invalid_nonce"},
    {Oid4vciError::kInvalidEncryptionParameters, "invalid_encryption_parameters"},
    {Oid4vciError::kCredentialRequestDenied, "credential_request_denied"},
    {Oid4vciError::kInvalidNotificationId, "invalid_notification_id"},
    {Oid4vciError::kInvalidNotificationRequest, "invalid_notification_request"},
}};

}  // namespace

std::string_view Oid4vciErrorName(Oid4vciError error) {
  for (const auto& [e, name] : kNames) {
    if (e == error) return name;
  }
  return "invalid_request";
}

std::optional<Oid4vciError> ParseOid4vciError(std::string_view name) {
  for (const auto& [e, n] : kNames) {
    if (n == name) return e;
  }
  return std::nullopt;
}

int HttpStatusFor(Oid4vciError error) {
  switch (error) {
    case Oid4vciError::kInvalidClient:
    case Oid4vciError::kInvalidToken:
      return 401;
    default:
      return 400;
  }
}

Oid4vciError ErrorForStatus(Endpoint endpoint, const Status& status) {
  const StatusCode code = status.code();
  if (code == StatusCode::kOk) return Oid4vciError::kInvalidRequest;
  switch (endpoint) {
    case Endpoint::kToken:
      switch (code) {
        case StatusCode::kInvalidType:
          return Oid4vciError::kUnsupportedGrantType;
        case StatusCode::kNotFound:
        case StatusCode::kExpired:
        case StatusCode::kRevoked:
        case StatusCode::kInvalidSignature:
          return Oid4vciError::kInvalidGrant;
        case StatusCode::kUntrustedIssuer:
          return Oid4vciError::kInvalidClient;
        default:
          return Oid4vciError::kInvalidRequest;
      }
    case Endpoint::kBearerToken:
      return Oid4vciError::kInvalidToken;
    case Endpoint::kCredentialRequest:
      switch (code) {
        case StatusCode::kNotFound:
          return Oid4vciError::kUnknownCredentialConfiguration;
        case StatusCode::kInvalidType:
          return Oid4vciError::kInvalidProof;
        case StatusCode::kUnsupportedAlgorithm:
          return Oid4vciError::kInvalidEncryptionParameters;
        default:
          return Oid4vciError::kInvalidCredentialRequest;
      }
    case Endpoint::kCredentialProof:
      switch (code) {
        case StatusCode::kNonceMismatch:
          return Oid4vciError::kInvalidNonce;
        case StatusCode::kLimitExceeded:
          return Oid4vciError::kInvalidCredentialRequest;
        default:
          return Oid4vciError::kInvalidProof;
      }
    case Endpoint::kNotification:
      return code == StatusCode::kNotFound ? Oid4vciError::kInvalidNotificationId
                                           : Oid4vciError::kInvalidNotificationRequest;
  }
  return Oid4vciError::kInvalidRequest;
}

std::string SanitizeDescription(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E || c == 0x22 || c == 0x5C) ch = '?';
  }
  return out;
}

ErrorResponse ErrorResponse::FromStatus(Endpoint endpoint, const Status& status) {
  ErrorResponse response;
  response.error = ErrorForStatus(endpoint, status);
  if (!status.message().empty()) response.error_description = SanitizeDescription(status.message());
  return response;
}

Json ErrorResponse::ToJson() const {
  Json body = Json::object();
  body["error"] = std::string(Oid4vciErrorName(error));
  if (error_description.has_value()) body["error_description"] = SanitizeDescription(*error_description);
  return body;
}

Result<ErrorResponse> ErrorResponse::FromJson(const Json& body) {
  if (!body.is_object()) return Error(StatusCode::kInvalidClaims, "error response must be an object");
  ASSIGN_OR_RETURN(std::string name, GetString(body, "error"));
  const std::optional<Oid4vciError> error = ParseOid4vciError(name);
  if (!error.has_value()) return Error(StatusCode::kInvalidClaims, "unknown error code: " + SanitizeDescription(name));
  ErrorResponse response;
  response.error = *error;
  ASSIGN_OR_RETURN(response.error_description, GetOptionalString(body, "error_description"));
  if (response.error_description.has_value() &&
      !internal::IsErrorDescriptionText(*response.error_description)) {
    return Error(StatusCode::kInvalidClaims, "error_description holds characters it may not carry");
  }
  return response;
}

std::string ErrorResponse::BearerChallenge() const {
  std::string out = "Bearer error=\"";
  out += Oid4vciErrorName(error);
  out += '"';
  if (error_description.has_value()) {
    out += ", error_description=\"";
    out += SanitizeDescription(*error_description);
    out += '"';
  }
  return out;
}

}  // namespace bonafide::oid4vci
