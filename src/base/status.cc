#include "base/status.h"

namespace bonafide {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kMalformed: return "malformed";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kInvalidSignature: return "invalid_signature";
    case StatusCode::kUntrustedIssuer: return "untrusted_issuer";
    case StatusCode::kExpired: return "expired";
    case StatusCode::kNotYetValid: return "not_yet_valid";
    case StatusCode::kRevoked: return "revoked";
    case StatusCode::kSuspended: return "suspended";
    case StatusCode::kDigestMismatch: return "digest_mismatch";
    case StatusCode::kDuplicateDisclosure: return "duplicate_disclosure";
    case StatusCode::kMissingKeyBinding: return "missing_key_binding";
    case StatusCode::kNonceMismatch: return "nonce_mismatch";
    case StatusCode::kAudienceMismatch: return "audience_mismatch";
    case StatusCode::kUnsupportedAlgorithm: return "unsupported_algorithm";
    case StatusCode::kAlgorithmMismatch: return "algorithm_mismatch";
    case StatusCode::kInvalidKey: return "invalid_key";
    case StatusCode::kUnknownCritical: return "unknown_critical_header";
    case StatusCode::kReservedClaimName: return "reserved_claim_name";
    case StatusCode::kUnreferencedDisclosure: return "unreferenced_disclosure";
    case StatusCode::kStaleKeyBinding: return "stale_key_binding";
    case StatusCode::kInvalidType: return "invalid_type";
    case StatusCode::kInvalidCertificate: return "invalid_certificate";
    case StatusCode::kStatusUnavailable: return "status_unavailable";
    case StatusCode::kLimitExceeded: return "limit_exceeded";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kInvalidClaims: return "invalid_claims";
    case StatusCode::kPermissionDenied: return "permission_denied";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace bonafide
