// verifier/checks.h: the verifier's named checks (the "Checks" table of ../shared/UK-CREDENTIALS.md):
// the DCQL query each check sends (OpenID4VP 1.0 section 6) and the decision it takes from the
// verified claims.
//
// Queries are built from the purpose table of registry/purposes.h, the single source of truth for
// which credential types a check accepts and which claims it may request: BuildCheckQuery never
// asks for a claim that registry::IsPermitted refuses. Per accepted credential type it makes one
// Credential Query (ids kQueryIdDigitalIdMdoc ... kQueryIdDbs) and one required `credential_sets`
// entry with one option per Credential Query, so the wallet presents any ONE of them.
//
// Optional claims. Some elements are absent from some credentials of a type: the eVisa has no
// `valid_until` for indefinite leave and no `work_conditions` when work is unrestricted. A Credential
// Query requiring them would never match such an eVisa, so when the requested claims include
// optional elements the query carries `claim_sets` listing every subset of the optional claims
// (with all mandatory claims), largest first, ties in the order of the purpose's claims: for
// right_to_work on the eVisa [[..., work_conditions, valid_until], [..., work_conditions],
// [..., valid_until], [...]] (each option lists its claim ids in the purpose's order). A wallet
// picks the first option its credential satisfies (section 6.4.1), so an eVisa holding
// valid_until discloses it, and one of indefinite leave still matches the last option.
// Limitation: a wallet may still choose a later option and withhold valid_until; the verifier
// cannot tell that from indefinite leave (the eVisa's `status_type`, which would tell, is not in the
// purpose table). Decide therefore treats an eVisa without valid_until as indefinite and says so in
// `reasons`; a `restricted` eVisa without valid_until or work_conditions is kInvalidClaims.
//
// intent_to_retain (mso_mdoc, appendix B.2.4) is true exactly for the elements whose values the
// check record (verifier/check_record.h) keeps as evidence: for right_to_work and right_to_rent the
// names, birth_date, portrait, valid_until and work_conditions; false for everything else (the
// status elements residency_status / right_to_work / right_to_rent are kept only as the derived
// outcome).
//
// Decisions. Decide takes the presented credential type and its verified claims and applies the
// check's rule. Dates are compared as calendar days: `today` is the checker's date "YYYY-MM-DD"
// (cbor::FormatFullDate(clock.NowSeconds()) gives the UTC date; a UK checker should pass the
// Europe/London date). A date claim is the last day it covers: valid_until == today is still
// permitted, valid_until == yesterday is not. The rules, per check:
//   right_to_work   Digital ID residency_status british_citizen, irish_citizen or settled ->
//                   "unrestricted"; pre_settled or limited_leave -> "not_permitted" (the Digital ID
//                   does not show the end date or conditions: "check the eVisa"). eVisa: valid_until
//                   before today -> "not_permitted"; right_to_work "none" -> "not_permitted";
//                   "unrestricted" without valid_until -> "unrestricted"; "unrestricted" with
//                   valid_until -> "permitted_until" (time-limited, no conditions); "restricted" ->
//                   "permitted_until" with conditions = work_conditions. Time-limited permission
//                   sets until = valid_until and follow_up_due = valid_until: Home Office guidance
//                   asks for the follow-up check before the permission ends, and valid_until is the
//                   last day on which a check still shows it.
//   right_to_rent   Digital ID as right_to_work. eVisa: right_to_rent false or valid_until before
//                   today -> "not_permitted"; true without valid_until -> "unrestricted"; true with
//                   valid_until -> "permitted_until", follow_up_due = the later of valid_until and
//                   today plus 12 months (the right-to-rent follow-up rule; 29 February plus a year is
//                   28 February).
//   age_over_18     age_over_18 true -> "pass", false -> "fail"; facts hold only age_over_18.
//   veteran_status  a veteranCard entry whose expiryDate >= today -> "veteran" (the entry with the
//                   latest expiryDate is shown); none -> "not_veteran".
//   driving_entitlement  licence expiry_date before today -> "not_entitled"; otherwise the
//                   driving_privileges whose issue_date (if any) <= today and expiry_date (if any)
//                   >= today are listed in facts.categories: "entitled" if any, else "not_entitled".
//   dbs_basic       "outcome": facts carry the certificate number, type and outcome of the first
//                   basicCheckRecord entry (bonafide issues exactly one).
//
// Error codes: kNotFound for an unknown check; kInvalidType when the presented credential type is
// not one the check accepts; kInvalidArgument when `today` is not a full-date; kInvalidClaims when
// a claim the rule needs is missing, of the wrong JSON type, or has a value outside its vocabulary
// (never a silent pass).
//
// Thread safety: pure functions over the immutable purpose table.
#ifndef BONAFIDE_VERIFIER_CHECKS_H_
#define BONAFIDE_VERIFIER_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "oid4vp/dcql.h"
#include "registry/purposes.h"

namespace bonafide::verifier {

// Credential Query ids of the queries BuildCheckQuery makes, one per credential type.
inline constexpr std::string_view kQueryIdDigitalIdSdJwt = "digital_id_sdjwt";
inline constexpr std::string_view kQueryIdDigitalIdMdoc = "digital_id_mdoc";
inline constexpr std::string_view kQueryIdEvisa = "evisa";
inline constexpr std::string_view kQueryIdMdl = "mdl";
inline constexpr std::string_view kQueryIdVeteranCard = "veteran_card";
inline constexpr std::string_view kQueryIdDbs = "dbs";

// Outcomes of CheckDecision::outcome, per check (see the file comment for the rules).
inline constexpr std::string_view kOutcomeUnrestricted = "unrestricted";       // right_to_work/rent
inline constexpr std::string_view kOutcomePermittedUntil = "permitted_until";  // right_to_work/rent
inline constexpr std::string_view kOutcomeNotPermitted = "not_permitted";      // right_to_work/rent
inline constexpr std::string_view kOutcomePass = "pass";                       // age_over_18
inline constexpr std::string_view kOutcomeFail = "fail";                       // age_over_18
inline constexpr std::string_view kOutcomeVeteran = "veteran";                 // veteran_status
inline constexpr std::string_view kOutcomeNotVeteran = "not_veteran";          // veteran_status
inline constexpr std::string_view kOutcomeEntitled = "entitled";               // driving_entitlement
inline constexpr std::string_view kOutcomeNotEntitled = "not_entitled";        // driving_entitlement
inline constexpr std::string_view kOutcomeReported = "outcome";                // dbs_basic

// AddYears returns the full-date `years` calendar years after `date` ("YYYY-MM-DD"); 29 February
// becomes 28 February in a common year. kInvalidArgument when `date` is not a full-date or the
// result falls outside years 0001-9999. Used by the right-to-rent follow-up rule and the check
// record's retention.
Result<std::string> AddYears(std::string_view date, int years);

// QueryIdForType returns the Credential Query id BuildCheckQuery uses for `type`, or kNotFound for
// a type no check accepts.
Result<std::string> QueryIdForType(const registry::CredentialType& type);

// BuildCheckQuery returns the DCQL query of check `check` (a registry::Purposes() id). kNotFound for
// an unknown check. The result passes oid4vp::ValidateDcqlQuery (kInternal if the table ever made
// one that does not).
Result<oid4vp::DcqlQuery> BuildCheckQuery(std::string_view check);

// VerifiedPresentation is one verified credential as Decide reads it: its type and its verified,
// disclosed claims:
//   dc+sd-jwt    the disclosed claims object, e.g. {"given_name": ..., "residency_status": ...};
//   mso_mdoc     {namespace: {element: value}}, dates as "YYYY-MM-DD" text (the mDL's dates may also
//                be tdate text), byte strings (portrait) as base64url text or JSON binary;
//   jwt_vc_json  the VC object, e.g. {"credentialSubject": {...}}.
// oid4vp::VerifiedCredential's `type`, `format` and `claims` map onto it directly.
struct VerifiedPresentation {
  registry::CredentialType type{};
  Json claims = Json::object();
};

// CheckDecision is the result of a check.
struct CheckDecision {
  std::string check{};
  std::string outcome{};                       // one of the kOutcome... values of the check
  std::optional<std::string> until{};          // "YYYY-MM-DD": end of time-limited permission
  std::optional<std::string> follow_up_due{};  // "YYYY-MM-DD": latest date of the follow-up check
  std::optional<std::string> conditions{};     // eVisa work_conditions of a restricted right to work
  std::vector<std::string> reasons{};          // English, for people; never branch on them
  // facts: the few claims the decision shows. right_to_work / right_to_rent: family_name,
  // given_name, birth_date, portrait (base64url); age_over_18: age_over_18 only; veteran_status:
  // given_name, family_name, serviceBranch, expiryDate, photo; driving_entitlement: family_name,
  // given_name, portrait, expiry_date, categories; dbs_basic: given_name, family_name, birthDate,
  // certificateNumber, certificateType, outcome.
  Json facts = Json::object();

  // ToJson returns {"check", "outcome", "until"?, "follow_up_due"?, "conditions"?, "reasons",
  // "facts"}.
  Json ToJson() const;

  bool operator==(const CheckDecision&) const = default;
};

// CheckDecisionFromJson reads what ToJson writes; kInvalidClaims for anything else (missing or
// ill-typed members, facts not an object).
Result<CheckDecision> CheckDecisionFromJson(const Json& json);

// Decide applies the rule of `check` to `presented` on day `today` ("YYYY-MM-DD"). Errors: see the
// file comment (kNotFound, kInvalidType, kInvalidArgument, kInvalidClaims).
Result<CheckDecision> Decide(std::string_view check, const VerifiedPresentation& presented,
                             std::string_view today);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_CHECKS_H_
