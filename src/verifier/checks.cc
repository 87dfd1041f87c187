#include "verifier/checks.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

#include "base/encoding.h"
#include "cbor/cbor.h"

namespace bonafide::verifier {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// The credential types the checks accept (src/issuer/uk_catalogue.json) with their Credential
// Query id and, for mdoc, the namespace the checks read.
struct TypeInfo {
  std::string_view format;
  std::string_view type;
  std::string_view query_id;
  std::string_view mdoc_namespace;  // empty for the JSON formats
};

constexpr std::string_view kDigitalIdVct = "urn:uk:gov:digital-id:1";
constexpr std::string_view kDigitalIdDoctype = "uk.gov.digital-id.1";
constexpr std::string_view kEvisaDoctype = "uk.gov.homeoffice.evisa.1";
constexpr std::string_view kMdlDoctype = "org.iso.18013.5.1.mDL";
constexpr std::string_view kMdlNamespace = "org.iso.18013.5.1";
constexpr std::string_view kVeteranType = "DigitalVeteranCard";
constexpr std::string_view kDbsType = "BasicDisclosureCredential";

constexpr TypeInfo kTypes[] = {
    {registry::kFormatSdJwtVc, kDigitalIdVct, kQueryIdDigitalIdSdJwt, ""},
    {registry::kFormatMsoMdoc, kDigitalIdDoctype, kQueryIdDigitalIdMdoc, kDigitalIdDoctype},
    {registry::kFormatMsoMdoc, kEvisaDoctype, kQueryIdEvisa, kEvisaDoctype},
    {registry::kFormatMsoMdoc, kMdlDoctype, kQueryIdMdl, kMdlNamespace},
    {registry::kFormatJwtVcJson, kVeteranType, kQueryIdVeteranCard, ""},
    {registry::kFormatJwtVcJson, kDbsType, kQueryIdDbs, ""},
};

const TypeInfo* FindType(const registry::CredentialType& type) {
  for (const TypeInfo& t : kTypes) {
    if (t.format == type.format && t.type == type.type) return &t;
  }
  return nullptr;
}

// Elements that some credentials of a type lack (see the file comment of checks.h): the eVisa of
// indefinite leave has no valid_until, and one with unrestricted work no work_conditions.
struct OptionalElement {
  std::string_view type;
  std::string_view element;
};
constexpr OptionalElement kOptionalElements[] = {
    {kEvisaDoctype, "valid_until"},
    {kEvisaDoctype, "work_conditions"},
};
// At most this many optional claims per Credential Query (2^n claim_sets options).
constexpr size_t kMaxOptionalClaims = 4;

// LastName returns the last string component of `path` (the element or member name).
std::string LastName(const registry::ClaimPath& path) {
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (const auto* s = std::get_if<std::string>(&*it)) return *s;
  }
  return {};
}

bool IsOptional(const registry::CredentialType& type, std::string_view element) {
  for (const OptionalElement& o : kOptionalElements) {
    if (o.type == type.type && o.element == element) return true;
  }
  return false;
}

// IsRetained: the elements whose values the check record keeps (checks.h, intent_to_retain).
bool IsRetained(std::string_view check, std::string_view element) {
  if (check != "right_to_work" && check != "right_to_rent") return false;
  return element == "family_name" || element == "given_name" || element == "birth_date" ||
         element == "portrait" || element == "valid_until" || element == "work_conditions";
}

oid4vp::ClaimsPath ToDcqlPath(const registry::ClaimPath& path) {
  oid4vp::ClaimsPath out;
  for (const registry::ClaimPathElement& e : path) {
    if (const auto* s = std::get_if<std::string>(&e)) {
      out.emplace_back(*s);
    } else if (const auto* i = std::get_if<uint64_t>(&e)) {
      out.emplace_back(*i);
    } else {
      out.emplace_back(oid4vp::AllArrayElements{});
    }
  }
  return out;
}

// ClaimSets returns the claim_sets of checks.h: mandatory ids plus every subset of the optional
// ones, largest first, ties in claim order. `optional[i]` says whether claim i is optional.
std::vector<std::vector<std::string>> ClaimSets(const std::vector<std::string>& ids,
                                                const std::vector<bool>& optional) {
  std::vector<size_t> optional_index;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (optional[i]) optional_index.push_back(i);
  }
  const size_t n = optional_index.size();
  // Subsets as bit masks over optional_index, generated include-first (bit 0 = the first
  // optional claim), then stably ordered by size.
  std::vector<uint32_t> masks;
  const auto generate = [&](auto&& self, size_t k, uint32_t mask) -> void {
    if (k == n) {
      masks.push_back(mask);
      return;
    }
    self(self, k + 1, mask | (uint32_t{1} << k));
    self(self, k + 1, mask);
  };
  generate(generate, 0, 0);
  std::stable_sort(masks.begin(), masks.end(),
                   [](uint32_t a, uint32_t b) { return std::popcount(a) > std::popcount(b); });
  std::vector<std::vector<std::string>> sets;
  for (uint32_t mask : masks) {
    std::vector<std::string> option;
    size_t k = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!optional[i]) {
        option.push_back(ids[i]);
        continue;
      }
      if ((mask & (uint32_t{1} << k)) != 0) option.push_back(ids[i]);
      ++k;
    }
    sets.push_back(std::move(option));
  }
  return sets;
}

Result<oid4vp::CredentialQuery> BuildCredentialQuery(std::string_view check,
                                                     const registry::AcceptedCredential& a) {
  ASSIGN_OR_RETURN(std::string id, QueryIdForType(a.type));
  oid4vp::CredentialQuery q;
  q.id = std::move(id);
  q.format = a.type.format;
  if (a.type.format == registry::kFormatSdJwtVc) {
    q.meta.vct_values = std::vector<std::string>{a.type.type};
  } else if (a.type.format == registry::kFormatMsoMdoc) {
    q.meta.doctype_value = a.type.type;
  } else {
    q.meta.type_values = std::vector<std::vector<std::string>>{{"VerifiableCredential", a.type.type}};
  }
  const bool mdoc = a.type.format == registry::kFormatMsoMdoc;
  std::vector<oid4vp::ClaimsQuery> claims;
  std::vector<std::string> ids;
  std::vector<bool> optional;
  for (const registry::ClaimPath& path : a.claims) {
    const std::string name = LastName(path);
    oid4vp::ClaimsQuery c;
    c.id = name;
    c.path = ToDcqlPath(path);
    if (mdoc) c.intent_to_retain = IsRetained(check, name);
    claims.push_back(std::move(c));
    ids.push_back(name);
    optional.push_back(IsOptional(a.type, name));
  }
  const size_t optional_count = static_cast<size_t>(std::count(optional.begin(), optional.end(), true));
  if (optional_count > kMaxOptionalClaims) {
    return Error(StatusCode::kInternal, "too many optional claims for " + a.type.ToString());
  }
  if (optional_count > 0) q.claim_sets = ClaimSets(ids, optional);
  q.claims = std::move(claims);
  return q;
}

// ---- Claim readers (kInvalidClaims for anything missing or ill-typed) ----

Status Invalid(std::string_view what, std::string_view problem) {
  return Error(StatusCode::kInvalidClaims, std::string(what) + " " + std::string(problem));
}

// Day is a calendar date: its canonical text and its day number since 1970-01-01.
struct Day {
  std::string text;
  int64_t number = 0;
};

Result<Day> DayFromNumber(int64_t number) {
  auto text = cbor::FormatFullDate(number * kSecondsPerDay);
  if (!text.ok()) return Error(StatusCode::kInvalidArgument, "date out of range");
  return Day{std::move(text).value(), number};
}

// ParseDay reads a full-date "YYYY-MM-DD" (or, with allow_tdate, an RFC 3339 date-time, whose UTC
// day is taken).
Result<Day> ParseDay(std::string_view text, bool allow_tdate) {
  auto seconds = cbor::ParseFullDate(text);
  if (!seconds.ok() && allow_tdate) seconds = cbor::ParseTDate(text);
  if (!seconds.ok()) return Error(StatusCode::kInvalidClaims, "not a date");
  int64_t s = *seconds;
  int64_t day = s / kSecondsPerDay;
  if (s % kSecondsPerDay < 0) --day;
  return DayFromNumber(day);
}

// AddOneYear returns the same calendar day a year later (AddYears).
Result<Day> AddOneYear(const Day& day) {
  ASSIGN_OR_RETURN(std::string text, AddYears(day.text, 1));
  return ParseDay(text, /*allow_tdate=*/false);
}

const Json* Member(const Json& obj, std::string_view key) { return Find(obj, key); }

Result<std::string> ReadString(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (!v->is_string()) return Invalid(key, "is not a string");
  return v->get<std::string>();
}

Result<std::optional<std::string>> ReadOptionalString(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Invalid(key, "is not a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<bool> ReadBool(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (!v->is_boolean()) return Invalid(key, "is not a boolean");
  return v->get<bool>();
}

Result<Day> ReadDay(const Json& obj, std::string_view key, bool allow_tdate = false) {
  ASSIGN_OR_RETURN(std::string text, ReadString(obj, key));
  auto day = ParseDay(text, allow_tdate);
  if (!day.ok()) return Invalid(key, "is not a date");
  return day;
}

Result<std::optional<Day>> ReadOptionalDay(const Json& obj, std::string_view key, bool allow_tdate = false) {
  if (Member(obj, key) == nullptr) return std::optional<Day>();
  ASSIGN_OR_RETURN(Day day, ReadDay(obj, key, allow_tdate));
  return std::optional<Day>(std::move(day));
}

Result<const Json*> ReadArray(const Json& obj, std::string_view key, bool non_empty) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (!v->is_array()) return Invalid(key, "is not an array");
  if (non_empty && v->empty()) return Invalid(key, "is empty");
  return v;
}

// ReadImage reads a portrait or photo: base64url or standard base64 text, or JSON binary (an mdoc
// byte string). Returns it as base64url.
Result<std::string> ReadImage(const Json& obj, std::string_view key) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (v->is_binary()) {
    const auto& bin = v->get_binary();
    if (bin.empty()) return Invalid(key, "is empty");
    return Base64UrlEncode(ByteView(bin));
  }
  if (!v->is_string()) return Invalid(key, "is not an image");
  const std::string& text = v->get_ref<const std::string&>();
  auto bytes = Base64UrlDecode(text);
  if (!bytes.ok()) bytes = Base64Decode(text);
  if (!bytes.ok() || bytes->empty()) return Invalid(key, "is not base64 image data");
  return Base64UrlEncode(*bytes);
}

// ReadNames reads a VCDM `name` array ([{nameParts: [{type, value}]}]) into facts given_name /
// family_name (the values of each type joined with spaces; the first name entry).
Status ReadNames(const Json& subject, Json& facts) {
  ASSIGN_OR_RETURN(const Json* names, ReadArray(subject, "name", /*non_empty=*/true));
  const Json& first = names->front();
  if (!first.is_object()) return Invalid("name", "entry is not an object");
  ASSIGN_OR_RETURN(const Json* parts, ReadArray(first, "nameParts", /*non_empty=*/true));
  std::string given;
  std::string family;
  for (const Json& part : *parts) {
    if (!part.is_object()) return Invalid("nameParts", "entry is not an object");
    ASSIGN_OR_RETURN(std::string type, ReadString(part, "type"));
    ASSIGN_OR_RETURN(std::string value, ReadString(part, "value"));
    std::string* target = type == "GivenName" ? &given : type == "FamilyName" ? &family : nullptr;
    if (target == nullptr) continue;  // other name parts (titles, ...) are not shown
    if (!target->empty()) *target += ' ';
    *target += value;
  }
  if (given.empty() && family.empty()) return Invalid("name", "has no given or family name");
  if (!given.empty()) facts["given_name"] = given;
  if (!family.empty()) facts["family_name"] = family;
  return OkStatus();
}

// ---- Per-check rules ----

// ReadPersonFacts reads the identity facts of a right-to-work / right-to-rent check.
Result<Json> ReadPersonFacts(const Json& root) {
  Json facts = Json::object();
  ASSIGN_OR_RETURN(std::string family, ReadString(root, "family_name"));
  ASSIGN_OR_RETURN(std::string given, ReadString(root, "given_name"));
  ASSIGN_OR_RETURN(Day birth, ReadDay(root, "birth_date"));
  ASSIGN_OR_RETURN(std::string portrait, ReadImage(root, "portrait"));
  facts["family_name"] = family;
  facts["given_name"] = given;
  facts["birth_date"] = birth.text;
  facts["portrait"] = portrait;
  return facts;
}

// DecideDigitalIdResidency: right_to_work and right_to_rent on a Digital ID.
Status DecideDigitalIdResidency(const Json& root, std::string_view activity, CheckDecision& d) {
  ASSIGN_OR_RETURN(std::string status, ReadString(root, "residency_status"));
  if (status == "british_citizen" || status == "irish_citizen") {
    d.outcome = kOutcomeUnrestricted;
    d.reasons.push_back(std::string(status == "british_citizen" ? "British" : "Irish") +
                        " citizen: unrestricted right to " + std::string(activity));
  } else if (status == "settled") {
    d.outcome = kOutcomeUnrestricted;
    d.reasons.push_back("settled status: unrestricted right to " + std::string(activity));
  } else if (status == "pre_settled" || status == "limited_leave") {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("check the eVisa: the Digital ID shows " + status +
                        ", which is time-limited and does not show its end date or conditions");
  } else {
    return Invalid("residency_status", "has an unknown value");
  }
  return OkStatus();
}

// IsIndefiniteStatus says whether an eVisa status_type is leave without a time limit (it then has
// no valid_until). Anything else is time-limited: shown without valid_until, the end date was
// withheld (a wallet may pick a claim set without it), so the status cannot count as indefinite.
bool IsIndefiniteStatus(std::string_view status_type) {
  return status_type.starts_with("Indefinite leave") || status_type == "EU Settlement Scheme: settled" ||
         status_type == "No time limit" || status_type == "Right of abode";
}

// CheckIndefinite is the rule above for an eVisa shown without valid_until.
Status CheckIndefinite(const Json& root, CheckDecision& d, bool& indefinite) {
  ASSIGN_OR_RETURN(std::string status_type, ReadString(root, "status_type"));
  indefinite = IsIndefiniteStatus(status_type);
  if (!indefinite) {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("the eVisa shows time-limited leave (" + status_type +
                        ") without its end date: ask the person to share it");
  }
  return OkStatus();
}

Status DecideEvisaWork(const Json& root, const Day& today, CheckDecision& d) {
  ASSIGN_OR_RETURN(std::string right, ReadString(root, "right_to_work"));
  ASSIGN_OR_RETURN(std::optional<Day> until, ReadOptionalDay(root, "valid_until"));
  ASSIGN_OR_RETURN(std::optional<std::string> conditions, ReadOptionalString(root, "work_conditions"));
  if (right != "unrestricted" && right != "restricted" && right != "none") {
    return Invalid("right_to_work", "has an unknown value");
  }
  if (until && until->number < today.number) {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("the eVisa permission ended on " + until->text);
    return OkStatus();
  }
  if (right == "none") {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("the eVisa shows no right to work");
    return OkStatus();
  }
  if (right == "restricted") {
    if (!until) return Invalid("valid_until", "is missing for a restricted right to work");
    if (!conditions) return Invalid("work_conditions", "is missing for a restricted right to work");
    d.conditions = *conditions;
  }
  if (!until) {
    bool indefinite = false;
    RETURN_IF_ERROR(CheckIndefinite(root, d, indefinite));
    if (!indefinite) return OkStatus();
    d.outcome = kOutcomeUnrestricted;
    d.reasons.push_back(
        "the eVisa shows an unrestricted right to work and no valid_until (indefinite leave)");
    return OkStatus();
  }
  d.outcome = kOutcomePermittedUntil;
  d.until = until->text;
  d.follow_up_due = until->text;
  d.reasons.push_back(std::string("the eVisa shows a ") + right + " right to work until " + until->text +
                      "; a follow-up check is due by then");
  return OkStatus();
}

Status DecideEvisaRent(const Json& root, const Day& today, CheckDecision& d) {
  ASSIGN_OR_RETURN(bool right, ReadBool(root, "right_to_rent"));
  ASSIGN_OR_RETURN(std::optional<Day> until, ReadOptionalDay(root, "valid_until"));
  if (until && until->number < today.number) {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("the eVisa permission ended on " + until->text);
    return OkStatus();
  }
  if (!right) {
    d.outcome = kOutcomeNotPermitted;
    d.reasons.push_back("the eVisa shows no right to rent");
    return OkStatus();
  }
  if (!until) {
    bool indefinite = false;
    RETURN_IF_ERROR(CheckIndefinite(root, d, indefinite));
    if (!indefinite) return OkStatus();
    d.outcome = kOutcomeUnrestricted;
    d.reasons.push_back("the eVisa shows a right to rent and no valid_until (indefinite leave)");
    return OkStatus();
  }
  ASSIGN_OR_RETURN(Day year_on, AddOneYear(today));
  const Day& follow_up = year_on.number > until->number ? year_on : *until;
  d.outcome = kOutcomePermittedUntil;
  d.until = until->text;
  d.follow_up_due = follow_up.text;
  d.reasons.push_back("the eVisa shows a time-limited right to rent until " + until->text +
                      "; a follow-up check is due by " + follow_up.text);
  return OkStatus();
}

Status DecideResidence(std::string_view check, const TypeInfo& type, const Json& root, const Day& today,
                       CheckDecision& d) {
  ASSIGN_OR_RETURN(d.facts, ReadPersonFacts(root));
  const bool work = check == "right_to_work";
  if (type.query_id == kQueryIdDigitalIdSdJwt || type.query_id == kQueryIdDigitalIdMdoc) {
    return DecideDigitalIdResidency(root, work ? "work" : "rent", d);
  }
  return work ? DecideEvisaWork(root, today, d) : DecideEvisaRent(root, today, d);
}

Status DecideAge(const Json& root, CheckDecision& d) {
  ASSIGN_OR_RETURN(bool over, ReadBool(root, "age_over_18"));
  d.outcome = over ? kOutcomePass : kOutcomeFail;
  d.reasons.push_back(over ? "age_over_18 is true" : "age_over_18 is false");
  d.facts = Json{{"age_over_18", over}};
  return OkStatus();
}

Status DecideVeteran(const Json& subject, const Day& today, CheckDecision& d) {
  Json facts = Json::object();
  RETURN_IF_ERROR(ReadNames(subject, facts));
  ASSIGN_OR_RETURN(const Json* cards, ReadArray(subject, "veteranCard", /*non_empty=*/true));
  const Json* best = nullptr;
  Day best_expiry;
  for (const Json& card : *cards) {
    if (!card.is_object()) return Invalid("veteranCard", "entry is not an object");
    ASSIGN_OR_RETURN(Day expiry, ReadDay(card, "expiryDate"));
    RETURN_IF_ERROR(ReadString(card, "serviceBranch"));
    RETURN_IF_ERROR(ReadImage(card, "photo"));
    if (best == nullptr || expiry.number > best_expiry.number) {
      best = &card;
      best_expiry = std::move(expiry);
    }
  }
  ASSIGN_OR_RETURN(facts["serviceBranch"], ReadString(*best, "serviceBranch"));
  ASSIGN_OR_RETURN(facts["photo"], ReadImage(*best, "photo"));
  facts["expiryDate"] = best_expiry.text;
  d.facts = std::move(facts);
  if (best_expiry.number >= today.number) {
    d.outcome = kOutcomeVeteran;
    d.reasons.push_back("Veteran Card valid until " + best_expiry.text);
  } else {
    d.outcome = kOutcomeNotVeteran;
    d.reasons.push_back("the Veteran Card expired on " + best_expiry.text);
  }
  return OkStatus();
}

Status DecideDriving(const Json& root, const Day& today, CheckDecision& d) {
  Json facts = Json::object();
  ASSIGN_OR_RETURN(facts["family_name"], ReadString(root, "family_name"));
  ASSIGN_OR_RETURN(facts["given_name"], ReadString(root, "given_name"));
  ASSIGN_OR_RETURN(facts["portrait"], ReadImage(root, "portrait"));
  ASSIGN_OR_RETURN(Day licence_expiry, ReadDay(root, "expiry_date", /*allow_tdate=*/true));
  facts["expiry_date"] = licence_expiry.text;
  ASSIGN_OR_RETURN(const Json* privileges, ReadArray(root, "driving_privileges", /*non_empty=*/false));
  // Every entry is read (and must be well-formed) before any is listed.
  Json categories = Json::array();
  std::vector<std::string> excluded;
  for (const Json& p : *privileges) {
    if (!p.is_object()) return Invalid("driving_privileges", "entry is not an object");
    ASSIGN_OR_RETURN(std::string code, ReadString(p, "vehicle_category_code"));
    if (code.empty()) return Invalid("vehicle_category_code", "is empty");
    ASSIGN_OR_RETURN(std::optional<Day> issued, ReadOptionalDay(p, "issue_date", /*allow_tdate=*/true));
    ASSIGN_OR_RETURN(std::optional<Day> expires, ReadOptionalDay(p, "expiry_date", /*allow_tdate=*/true));
    const Json* codes = Member(p, "codes");
    if (codes != nullptr && !codes->is_array()) return Invalid("codes", "is not an array");
    if (issued && issued->number > today.number) {
      excluded.push_back("category " + code + " is valid only from " + issued->text);
      continue;
    }
    if (expires && expires->number < today.number) {
      excluded.push_back("category " + code + " expired on " + expires->text);
      continue;
    }
    Json entry = {{"vehicle_category_code", code}};
    if (issued) entry["issue_date"] = issued->text;
    if (expires) entry["expiry_date"] = expires->text;
    if (codes != nullptr) entry["codes"] = *codes;
    categories.push_back(std::move(entry));
  }
  if (licence_expiry.number < today.number) {
    d.outcome = kOutcomeNotEntitled;
    d.reasons.push_back("the driving licence expired on " + licence_expiry.text);
    facts["categories"] = Json::array();
  } else {
    d.outcome = categories.empty() ? kOutcomeNotEntitled : kOutcomeEntitled;
    if (categories.empty()) d.reasons.push_back("no vehicle category is valid today");
    for (std::string& r : excluded) d.reasons.push_back(std::move(r));
    facts["categories"] = std::move(categories);
  }
  d.facts = std::move(facts);
  return OkStatus();
}

Status DecideDbs(const Json& subject, CheckDecision& d) {
  Json facts = Json::object();
  RETURN_IF_ERROR(ReadNames(subject, facts));
  ASSIGN_OR_RETURN(const Json* births, ReadArray(subject, "birthDate", /*non_empty=*/true));
  if (!births->front().is_object()) return Invalid("birthDate", "entry is not an object");
  ASSIGN_OR_RETURN(Day birth, ReadDay(births->front(), "value"));
  facts["birthDate"] = birth.text;
  ASSIGN_OR_RETURN(const Json* records, ReadArray(subject, "basicCheckRecord", /*non_empty=*/true));
  const Json& record = records->front();
  if (!record.is_object()) return Invalid("basicCheckRecord", "entry is not an object");
  ASSIGN_OR_RETURN(std::string number, ReadString(record, "certificateNumber"));
  ASSIGN_OR_RETURN(std::string type, ReadString(record, "certificateType"));
  ASSIGN_OR_RETURN(std::string outcome, ReadString(record, "outcome"));
  if (type != "BASIC") return Invalid("certificateType", "is not BASIC");
  if (number.empty() || outcome.empty())
    return Invalid("basicCheckRecord", "has an empty certificate number or outcome");
  facts["certificateNumber"] = number;
  facts["certificateType"] = type;
  facts["outcome"] = outcome;
  d.facts = std::move(facts);
  d.outcome = kOutcomeReported;
  d.reasons.push_back("basic DBS certificate " + number + ": " + outcome);
  return OkStatus();
}

// ClaimsRoot returns the object the check's claims are read from: the SD-JWT VC claims, the mdoc
// namespace, or the VC's credentialSubject.
Result<const Json*> ClaimsRoot(const TypeInfo& type, const Json& claims) {
  if (!claims.is_object()) return Invalid("claims", "is not an object");
  std::string_view key;
  if (type.format == registry::kFormatMsoMdoc) {
    key = type.mdoc_namespace;
  } else if (type.format == registry::kFormatJwtVcJson) {
    key = "credentialSubject";
  } else {
    return &claims;
  }
  const Json* root = Member(claims, key);
  if (root == nullptr) return Invalid(key, "is missing");
  if (!root->is_object()) return Invalid(key, "is not an object");
  return root;
}

bool Accepts(const registry::Purpose& purpose, const registry::CredentialType& type) {
  for (const registry::AcceptedCredential& a : purpose.accepts) {
    if (a.type == type) return true;
  }
  return false;
}

}  // namespace

Result<std::string> AddYears(std::string_view date, int years) {
  if (!cbor::ParseFullDate(date).ok()) return Error(StatusCode::kInvalidArgument, "not a YYYY-MM-DD date");
  int year = 0;
  for (size_t i = 0; i < 4; ++i) year = year * 10 + (date[i] - '0');
  year += years;
  if (year < 1 || year > 9999) return Error(StatusCode::kInvalidArgument, "date out of range");
  std::string y = std::to_string(year);
  std::string text = std::string(4 - y.size(), '0') + y + std::string(date.substr(4));
  if (text.substr(5) == "02-29" && !cbor::ParseFullDate(text).ok()) text.replace(8, 2, "28");
  if (!cbor::ParseFullDate(text).ok()) return Error(StatusCode::kInternal, "date arithmetic failed");
  return text;
}

Result<std::string> QueryIdForType(const registry::CredentialType& type) {
  const TypeInfo* t = FindType(type);
  if (t == nullptr) return Error(StatusCode::kNotFound, "no check accepts " + type.ToString());
  return std::string(t->query_id);
}

Result<oid4vp::DcqlQuery> BuildCheckQuery(std::string_view check) {
  const registry::Purpose* purpose = registry::FindPurpose(check);
  if (purpose == nullptr) return Error(StatusCode::kNotFound, "unknown check \"" + std::string(check) + "\"");
  oid4vp::DcqlQuery query;
  oid4vp::CredentialSetQuery set;
  for (const registry::AcceptedCredential& a : purpose->accepts) {
    auto q = BuildCredentialQuery(check, a);
    if (!q.ok()) return Error(StatusCode::kInternal, "check " + purpose->id + ": " + q.status().message());
    set.options.push_back({q->id});
    query.credentials.push_back(std::move(q).value());
  }
  set.required = true;
  query.credential_sets = std::vector<oid4vp::CredentialSetQuery>{std::move(set)};
  if (Status s = oid4vp::ValidateDcqlQuery(query); !s.ok()) {
    return Error(StatusCode::kInternal, "check " + purpose->id + " makes an invalid query: " + s.message());
  }
  return query;
}

Json CheckDecision::ToJson() const {
  Json j = {{"check", check}, {"outcome", outcome}, {"reasons", reasons}, {"facts", facts}};
  if (until) j["until"] = *until;
  if (follow_up_due) j["follow_up_due"] = *follow_up_due;
  if (conditions) j["conditions"] = *conditions;
  return j;
}

Result<CheckDecision> CheckDecisionFromJson(const Json& json) {
  if (!json.is_object()) return Invalid("decision", "is not an object");
  CheckDecision d;
  ASSIGN_OR_RETURN(d.check, ReadString(json, "check"));
  ASSIGN_OR_RETURN(d.outcome, ReadString(json, "outcome"));
  ASSIGN_OR_RETURN(d.until, ReadOptionalString(json, "until"));
  ASSIGN_OR_RETURN(d.follow_up_due, ReadOptionalString(json, "follow_up_due"));
  ASSIGN_OR_RETURN(d.conditions, ReadOptionalString(json, "conditions"));
  ASSIGN_OR_RETURN(const Json* reasons, ReadArray(json, "reasons", /*non_empty=*/false));
  for (const Json& r : *reasons) {
    if (!r.is_string()) return Invalid("reasons", "entry is not a string");
    d.reasons.push_back(r.get<std::string>());
  }
  const Json* facts = Member(json, "facts");
  if (facts == nullptr || !facts->is_object()) return Invalid("facts", "is missing or not an object");
  d.facts = *facts;
  return d;
}

Result<CheckDecision> Decide(std::string_view check, const VerifiedPresentation& presented,
                             std::string_view today) {
  const registry::Purpose* purpose = registry::FindPurpose(check);
  if (purpose == nullptr) return Error(StatusCode::kNotFound, "unknown check \"" + std::string(check) + "\"");
  const TypeInfo* type = FindType(presented.type);
  if (type == nullptr || !Accepts(*purpose, presented.type)) {
    return Error(StatusCode::kInvalidType,
                 "check " + purpose->id + " does not accept " + presented.type.ToString());
  }
  auto day = ParseDay(today, /*allow_tdate=*/false);
  if (!day.ok()) return Error(StatusCode::kInvalidArgument, "today is not a YYYY-MM-DD date");
  ASSIGN_OR_RETURN(const Json* root, ClaimsRoot(*type, presented.claims));

  CheckDecision d;
  d.check = purpose->id;
  Status s;
  if (check == "right_to_work" || check == "right_to_rent") {
    s = DecideResidence(check, *type, *root, *day, d);
  } else if (check == "age_over_18") {
    s = DecideAge(*root, d);
  } else if (check == "veteran_status") {
    s = DecideVeteran(*root, *day, d);
  } else if (check == "driving_entitlement") {
    s = DecideDriving(*root, *day, d);
  } else if (check == "dbs_basic") {
    s = DecideDbs(*root, d);
  } else {
    return Error(StatusCode::kInternal, "check " + purpose->id + " has no decision rule");
  }
  RETURN_IF_ERROR(s);
  return d;
}

}  // namespace bonafide::verifier
