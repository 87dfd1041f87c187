// verifier/check_record.h: the check record, the checker's evidence that a check was made: a JWT
// (RFC 7519) signed with ES256 (JWS header {"alg": "ES256", "typ": "check-record+jwt", "kid"?})
// whose claims are
//   iss                 the checker's client_id (the verifier it registered as)
//   iat, checked_at     when the check was made (Unix seconds; equal)
//   check               the check name (registry/purposes.h)
//   decision            CheckDecision::ToJson(), including the facts (for right to work the names,
//                       date of birth and photo that the employer must keep)
//   checker             {"client_id", "name"}: the checker's client_id and legal name
//   session_id          the verifier session (OpenID4VP transaction) the check came from
//   credential          {"format", "type", "issuer"}: what was presented and who issued it
//   status_age_seconds  age of the status list data used for the revocation check, in seconds
//                       (absent when the credential carried no status reference)
//   retention_rule      how long the record must be kept (RetentionFor)
//   retain_until        "YYYY-MM-DD", present with a dated rule (RetentionFor)
//
// Retention. UK-CREDENTIALS.md: employers keep the right-to-work record "for the employment plus two
// years"; landlords keep right-to-rent copies for the tenancy plus one year. The record is made at
// the start of the relationship and cannot know its end, so it names the rule and carries the
// EARLIEST date it could lawfully be deleted: the check date plus the period (as if the employment
// or tenancy ended the day of the check). The employer's records system must move that date to the
// actual end plus the period when the relationship ends; never delete a record on retain_until
// alone while the employment or tenancy continues. Other checks have no statutory period
// (retention_rule "no_statutory_period", no retain_until): keep them only as long as needed.
//
// Thread safety: pure functions; the Signer must allow concurrent use if shared.
#ifndef BONAFIDE_VERIFIER_CHECK_RECORD_H_
#define BONAFIDE_VERIFIER_CHECK_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/keys.h"
#include "registry/purposes.h"
#include "verifier/checks.h"

namespace bonafide::verifier {

// kCheckRecordTyp is the JWS `typ` of a check record.
inline constexpr std::string_view kCheckRecordTyp = "check-record+jwt";

// Retention rules (CheckRecord::retention_rule).
inline constexpr std::string_view kRetentionEmploymentPlus2Years = "end_of_employment_plus_2_years";
inline constexpr std::string_view kRetentionTenancyPlus1Year = "end_of_tenancy_plus_1_year";
inline constexpr std::string_view kRetentionNoStatutoryPeriod = "no_statutory_period";

// Retention is the retention rule of a record and its earliest deletion date (see the file comment).
struct Retention {
  std::string rule{};
  std::optional<std::string> retain_until{};

  bool operator==(const Retention&) const = default;
};

// RetentionFor returns the retention of a record of `check` made at `checked_at` (Unix seconds; the
// UTC date is taken): right_to_work -> end_of_employment_plus_2_years, retain_until = date + 2
// years; right_to_rent -> end_of_tenancy_plus_1_year, date + 1 year; other checks ->
// no_statutory_period without a date. kNotFound for an unknown check; kInvalidArgument for a time
// outside years 0001-9999.
Result<Retention> RetentionFor(std::string_view check, int64_t checked_at);

// CheckRecord is the content of a check record.
struct CheckRecord {
  std::string check{};
  CheckDecision decision{};  // decision.check must equal check
  int64_t checked_at = 0;
  std::string checker_client_id{};
  std::string checker_name{};
  std::string session_id{};
  registry::CredentialType credential_type{};
  std::string issuer{};
  std::optional<int64_t> status_age_seconds{};
  // Set by CreateCheckRecord from RetentionFor(check, checked_at); the input's value is ignored.
  Retention retention{};

  bool operator==(const CheckRecord&) const = default;
};

// SignedCheckRecord is a created record: the JWT and the record it carries (retention filled in).
struct SignedCheckRecord {
  std::string jwt{};
  CheckRecord record{};
};

// CreateCheckRecord signs `record` (with the retention of RetentionFor) as a check-record+jwt.
// `kid`, if non-empty, goes into the header. kInvalidArgument for an empty check, client_id, name,
// session_id or issuer, a decision of another check, a negative checked_at or status age, or an
// unknown credential format; kNotFound for an unknown check; kInvalidKey unless `signer` is ES256;
// the signer's errors.
Result<SignedCheckRecord> CreateCheckRecord(CheckRecord record, const crypto::Signer& signer,
                                            std::string_view kid = {});

// VerifyCheckRecord verifies `jwt` with `key` and returns its record. kMalformed when it is not a
// compact JWS with a JSON object payload; kInvalidKey unless `key` is a P-256 key; the errors of
// jose::VerifyJws (kInvalidSignature for any tampering); kInvalidType when typ is not
// kCheckRecordTyp; kInvalidClaims for a missing or ill-typed claim, iat != checked_at, a decision of
// another check, or a retention other than RetentionFor's.
Result<CheckRecord> VerifyCheckRecord(std::string_view jwt, const crypto::PublicKey& key);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_CHECK_RECORD_H_
