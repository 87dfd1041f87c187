// base/status.h: the error vocabulary of bonafide.
//
// Status is a code from a small stable enum plus a human message that never carries secrets.
// Result<T> holds either a value or a non-OK Status (shaped like std::expected, which GCC 12's
// C++20 lacks). Codes are what callers branch on and what users see (`invalid_signature`,
// `expired`, ...); messages are for people only.
//
// Thread safety: values; copy freely. No exceptions cross module boundaries.
#ifndef BONAFIDE_BASE_STATUS_H_
#define BONAFIDE_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace bonafide {

// StatusCode is the stable error vocabulary. Append only; never renumber or rename the strings.
enum class StatusCode {
  kOk = 0,
  kMalformed,              // "malformed": input does not parse or violates the format.
  kInvalidArgument,        // "invalid_argument": a caller-supplied option is wrong.
  kInvalidSignature,       // "invalid_signature": a signature or MAC does not verify.
  kUntrustedIssuer,        // "untrusted_issuer": the signer is not a configured trust anchor.
  kExpired,                // "expired": exp / validUntil passed.
  kNotYetValid,            // "not_yet_valid": nbf / validFrom / iat in the future.
  kRevoked,                // "revoked": the status list says INVALID.
  kSuspended,              // "suspended": the status list says SUSPENDED.
  kDigestMismatch,         // "digest_mismatch": a disclosure or sd_hash digest does not match.
  kDuplicateDisclosure,    // "duplicate_disclosure": a disclosure or digest appears twice.
  kMissingKeyBinding,      // "missing_key_binding": cnf present but no KB-JWT.
  kNonceMismatch,          // "nonce_mismatch"
  kAudienceMismatch,       // "audience_mismatch"
  kUnsupportedAlgorithm,   // "unsupported_algorithm": alg not on the allow-list (incl. none).
  kAlgorithmMismatch,      // "algorithm_mismatch": alg differs from what the key dictates.
  kInvalidKey,             // "invalid_key": key material is unusable or of the wrong type.
  kUnknownCritical,        // "unknown_critical_header": crit lists something we do not process.
  kReservedClaimName,      // "reserved_claim_name": a disclosure uses _sd, ... or _sd_alg.
  kUnreferencedDisclosure, // "unreferenced_disclosure": a disclosure no digest points to.
  kStaleKeyBinding,        // "stale_key_binding": KB-JWT iat outside the freshness window.
  kInvalidType,            // "invalid_type": typ / vct / type is not the expected one.
  kInvalidCertificate,     // "invalid_certificate": an X.509 chain does not validate.
  kStatusUnavailable,      // "status_unavailable": status list missing, wrong subject, index out of range.
  kLimitExceeded,          // "limit_exceeded": input exceeds a configured bound.
  kNotFound,               // "not_found"
  kIoError,                // "io_error": file or system I/O failed.
  kInternal,               // "internal": a bug or library failure; never user input.
  kInvalidClaims,          // "invalid_claims": required claims missing or of the wrong type.
  kPermissionDenied,       // "permission_denied": the caller may not do this (bad login, CSRF).
};

// StatusCodeName returns the stable snake_case name of `code`, e.g. "invalid_signature".
std::string_view StatusCodeName(StatusCode code);

// Status is an error code plus message. A default-constructed Status is OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // ToString renders "code: message" for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// Error makes a non-OK Status.
inline Status Error(StatusCode code, std::string message) {
  return Status(code, std::move(message));
}

// Result<T> holds a T or a non-OK Status. Accessing value() of an error aborts in debug builds.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<1>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    assert(!std::get<0>(v_).ok() && "Result constructed from an OK Status");
    if (std::get<0>(v_).ok()) std::get<0>(v_) = Status(StatusCode::kInternal, "ok status as error");
  }

  bool ok() const { return v_.index() == 1; }
  // status returns the error, or OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<0>(v_); }

  T& value() & { assert(ok()); return std::get<1>(v_); }
  const T& value() const& { assert(ok()); return std::get<1>(v_); }
  T&& value() && { assert(ok()); return std::get<1>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace bonafide

#define BONAFIDE_CONCAT_INNER(a, b) a##b
#define BONAFIDE_CONCAT(a, b) BONAFIDE_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the Status of `expr` (a Status or Result) from the caller if not OK.
#define RETURN_IF_ERROR(expr)                                                  \
  do {                                                                         \
    auto&& bonafide_status_tmp_ = (expr);                                      \
    if (!bonafide_status_tmp_.ok())                                            \
      return ::bonafide::internal::AsStatus(bonafide_status_tmp_);             \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the Result `expr`; on error returns its Status,
// otherwise moves the value into `lhs` (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  BONAFIDE_ASSIGN_OR_RETURN_IMPL(BONAFIDE_CONCAT(bonafide_result_, __LINE__), lhs, expr)
#define BONAFIDE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#endif  // BONAFIDE_BASE_STATUS_H_
