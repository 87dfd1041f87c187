#include "verifier/check_record.h"

#include <string>
#include <utility>

#include "base/json.h"
#include "cbor/cbor.h"
#include "jose/jws.h"

namespace bonafide::verifier {
namespace {

Status Invalid(std::string_view what, std::string_view problem) {
  return Error(StatusCode::kInvalidClaims, std::string(what) + " " + std::string(problem));
}

Result<std::string> NonEmptyString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::string value, GetString(obj, key));
  if (value.empty()) return Invalid(key, "is empty");
  return value;
}

Json RecordClaims(const CheckRecord& r) {
  Json claims = {
      {"iss", r.checker_client_id},
      {"iat", r.checked_at},
      {"checked_at", r.checked_at},
      {"check", r.check},
      {"decision", r.decision.ToJson()},
      {"checker", {{"client_id", r.checker_client_id}, {"name", r.checker_name}}},
      {"session_id", r.session_id},
      {"credential",
       {{"format", r.credential_type.format}, {"type", r.credential_type.type}, {"issuer", r.issuer}}},
      {"retention_rule", r.retention.rule}};
  if (r.status_age_seconds) claims["status_age_seconds"] = *r.status_age_seconds;
  if (r.retention.retain_until) claims["retain_until"] = *r.retention.retain_until;
  return claims;
}

Result<CheckRecord> RecordFromClaims(const Json& claims) {
  CheckRecord r;
  ASSIGN_OR_RETURN(r.check, NonEmptyString(claims, "check"));
  ASSIGN_OR_RETURN(r.checked_at, GetInt(claims, "checked_at"));
  ASSIGN_OR_RETURN(int64_t iat, GetInt(claims, "iat"));
  if (iat != r.checked_at) return Invalid("iat", "differs from checked_at");
  if (r.checked_at < 0) return Invalid("checked_at", "is negative");
  const Json* decision = Find(claims, "decision");
  if (decision == nullptr) return Invalid("decision", "is missing");
  ASSIGN_OR_RETURN(r.decision, CheckDecisionFromJson(*decision));
  if (r.decision.check != r.check) return Invalid("decision", "is of another check");
  ASSIGN_OR_RETURN(const Json* checker, GetObject(claims, "checker"));
  ASSIGN_OR_RETURN(r.checker_client_id, NonEmptyString(*checker, "client_id"));
  ASSIGN_OR_RETURN(r.checker_name, NonEmptyString(*checker, "name"));
  ASSIGN_OR_RETURN(std::string iss, GetString(claims, "iss"));
  if (iss != r.checker_client_id) return Invalid("iss", "differs from checker.client_id");
  ASSIGN_OR_RETURN(r.session_id, NonEmptyString(claims, "session_id"));
  ASSIGN_OR_RETURN(const Json* credential, GetObject(claims, "credential"));
  ASSIGN_OR_RETURN(r.credential_type.format, NonEmptyString(*credential, "format"));
  ASSIGN_OR_RETURN(r.credential_type.type, NonEmptyString(*credential, "type"));
  ASSIGN_OR_RETURN(r.issuer, NonEmptyString(*credential, "issuer"));
  ASSIGN_OR_RETURN(r.status_age_seconds, GetOptionalInt(claims, "status_age_seconds"));
  if (r.status_age_seconds && *r.status_age_seconds < 0) return Invalid("status_age_seconds", "is negative");
  ASSIGN_OR_RETURN(r.retention.rule, GetString(claims, "retention_rule"));
  ASSIGN_OR_RETURN(r.retention.retain_until, GetOptionalString(claims, "retain_until"));
  auto expected = RetentionFor(r.check, r.checked_at);
  if (!expected.ok() || *expected != r.retention)
    return Invalid("retention", "does not follow the check's rule");
  return r;
}

}  // namespace

Result<Retention> RetentionFor(std::string_view check, int64_t checked_at) {
  if (registry::FindPurpose(check) == nullptr) {
    return Error(StatusCode::kNotFound, "unknown check \"" + std::string(check) + "\"");
  }
  int years = 0;
  Retention retention;
  if (check == "right_to_work") {
    retention.rule = kRetentionEmploymentPlus2Years;
    years = 2;
  } else if (check == "right_to_rent") {
    retention.rule = kRetentionTenancyPlus1Year;
    years = 1;
  } else {
    retention.rule = kRetentionNoStatutoryPeriod;
    return retention;
  }
  auto date = cbor::FormatFullDate(checked_at);
  if (!date.ok()) return Error(StatusCode::kInvalidArgument, "checked_at is out of range");
  ASSIGN_OR_RETURN(retention.retain_until, AddYears(*date, years));
  return retention;
}

Result<SignedCheckRecord> CreateCheckRecord(CheckRecord record, const crypto::Signer& signer,
                                            std::string_view kid) {
  if (record.check.empty() || record.checker_client_id.empty() || record.checker_name.empty() ||
      record.session_id.empty() || record.issuer.empty()) {
    return Error(StatusCode::kInvalidArgument,
                 "check record: check, checker, session_id and issuer are required");
  }
  if (record.decision.check != record.check) {
    return Error(StatusCode::kInvalidArgument, "check record: the decision is of another check");
  }
  if (record.checked_at < 0 || (record.status_age_seconds && *record.status_age_seconds < 0)) {
    return Error(StatusCode::kInvalidArgument, "check record: negative time");
  }
  if (!registry::IsKnownFormat(record.credential_type.format) || record.credential_type.type.empty()) {
    return Error(StatusCode::kInvalidArgument, "check record: unknown credential type");
  }
  if (signer.alg() != crypto::SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "check records are signed with ES256");
  }
  ASSIGN_OR_RETURN(record.retention, RetentionFor(record.check, record.checked_at));
  Json header = {{"typ", kCheckRecordTyp}};
  if (!kid.empty()) header["kid"] = kid;
  ASSIGN_OR_RETURN(std::string jwt, jose::SignJwt(header, RecordClaims(record), signer));
  return SignedCheckRecord{std::move(jwt), std::move(record)};
}

Result<CheckRecord> VerifyCheckRecord(std::string_view jwt, const crypto::PublicKey& key) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws unverified, jose::UnverifiedJws::Parse(jwt));
  if (key.alg() != crypto::SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "check records are verified with a P-256 key");
  }
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(unverified, key));
  const Json* typ = Find(verified.header(), "typ");
  if (typ == nullptr || !typ->is_string() || typ->get<std::string>() != kCheckRecordTyp) {
    return Error(StatusCode::kInvalidType, "typ is not " + std::string(kCheckRecordTyp));
  }
  ASSIGN_OR_RETURN(Json claims, ParseJsonObject(AsStringView(verified.payload())));
  return RecordFromClaims(claims);
}

}  // namespace bonafide::verifier
