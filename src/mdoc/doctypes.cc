// mdoc/doctypes.cc: the doctype catalogue and the claim conversions declared in mdoc/doctypes.h.
#include "mdoc/doctypes.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"

namespace bonafide::mdoc {

namespace {

using cbor::Value;

constexpr std::string_view kTypedFullDate = "$full-date";
constexpr std::string_view kTypedTDate = "$tdate";
constexpr std::string_view kTypedBytes = "$bytes";

// ---------------------------------------------------------------------------------------------
// The catalogue.

ElementSpec El(std::string_view ns, std::string_view name, ElementType type, bool mandatory,
               std::vector<std::string_view> allowed = {}) {
  ElementSpec spec;
  spec.name_space = ns;
  spec.name = name;
  spec.type = type;
  spec.mandatory = mandatory;
  spec.allowed_values = std::move(allowed);
  return spec;
}

ElementSpec AgeOverPattern(std::string_view ns) {
  ElementSpec spec = El(ns, "age_over_NN", ElementType::kBool, false);
  spec.is_pattern = true;
  return spec;
}

constexpr bool kM = true;   // mandatory at issuance
constexpr bool kO = false;  // optional

DoctypeProfile MakeMdl() {
  using T = ElementType;
  const std::string_view ns = kMdlNameSpace;
  const std::string_view gb = kMdlGbNamespace;
  DoctypeProfile p;
  p.doctype = kMdlDocType;
  p.namespaces = {ns, gb};
  p.elements = {
      // ISO/IEC 18013-5:2021 Table 5, mandatory elements.
      El(ns, "family_name", T::kText, kM),
      El(ns, "given_name", T::kText, kM),
      El(ns, "birth_date", T::kFullDate, kM),
      El(ns, "issue_date", T::kDate, kM),
      El(ns, "expiry_date", T::kDate, kM),
      El(ns, "issuing_country", T::kCountry, kM),
      El(ns, "issuing_authority", T::kText, kM),
      El(ns, "document_number", T::kText, kM),
      El(ns, "portrait", T::kJpeg, kM),
      El(ns, "driving_privileges", T::kDrivingPrivileges, kM),
      El(ns, "un_distinguishing_sign", T::kText, kM),
      // Table 5, optional elements.
      El(ns, "administrative_number", T::kText, kO),
      El(ns, "sex", T::kSex, kO),
      El(ns, "height", T::kUint, kO),
      El(ns, "weight", T::kUint, kO),
      El(ns, "eye_colour", T::kEnumText, kO,
         {"black", "blue", "brown", "dichromatic", "grey", "green", "hazel", "maroon", "pink", "unknown"}),
      El(ns, "hair_colour", T::kEnumText, kO,
         {"bald", "black", "blond", "brown", "grey", "red", "auburn", "sandy", "white", "unknown"}),
      El(ns, "birth_place", T::kText, kO),
      El(ns, "resident_address", T::kText, kO),
      El(ns, "portrait_capture_date", T::kTDate, kO),
      El(ns, "age_in_years", T::kUint, kO),
      El(ns, "age_birth_year", T::kUint, kO),
      El(ns, "age_over_18", T::kBool, kO),
      El(ns, "age_over_21", T::kBool, kO),
      El(ns, "age_over_25", T::kBool, kO),
      AgeOverPattern(ns),
      El(ns, "issuing_jurisdiction", T::kText, kO),
      El(ns, "nationality", T::kCountry, kO),
      El(ns, "resident_city", T::kText, kO),
      El(ns, "resident_state", T::kText, kO),
      El(ns, "resident_postal_code", T::kText, kO),
      El(ns, "resident_country", T::kCountry, kO),
      El(ns, "family_name_national_character", T::kText, kO),
      El(ns, "given_name_national_character", T::kText, kO),
      El(ns, "signature_usual_mark", T::kBytes, kO),
      // DVLA's domestic namespace.
      El(gb, "welsh_licence", T::kBool, kO),
      El(gb, "title", T::kText, kO),
      El(gb, "provisional_driving_privileges", T::kDrivingPrivileges, kO),
  };
  return p;
}

DoctypeProfile MakeDigitalId() {
  using T = ElementType;
  const std::string_view ns = kDigitalIdDoctype;
  DoctypeProfile p;
  p.doctype = kDigitalIdDoctype;
  p.namespaces = {ns};
  p.elements = {
      El(ns, "family_name", T::kText, kM),
      El(ns, "given_name", T::kText, kM),
      El(ns, "birth_date", T::kFullDate, kM),
      El(ns, "portrait", T::kJpeg, kM),
      El(ns, "nationality", T::kCountry, kO),
      El(ns, "residency_status", T::kEnumText, kM,
         {"british_citizen", "irish_citizen", "settled", "pre_settled", "limited_leave"}),
      El(ns, "age_over_16", T::kBool, kO),
      El(ns, "age_over_18", T::kBool, kO),
      El(ns, "age_over_21", T::kBool, kO),
      El(ns, "age_over_25", T::kBool, kO),
      AgeOverPattern(ns),
      El(ns, "document_number", T::kText, kM),
      El(ns, "issue_date", T::kFullDate, kM),
      El(ns, "expiry_date", T::kFullDate, kM),
      El(ns, "issuing_authority", T::kText, kM),
      El(ns, "issuing_country", T::kCountry, kM, {"GB"}),
  };
  return p;
}

DoctypeProfile MakeEvisa() {
  using T = ElementType;
  const std::string_view ns = kEvisaDoctype;
  DoctypeProfile p;
  p.doctype = kEvisaDoctype;
  p.namespaces = {ns};
  p.elements = {
      El(ns, "family_name", T::kText, kM),
      El(ns, "given_name", T::kText, kM),
      El(ns, "birth_date", T::kFullDate, kM),
      El(ns, "nationality", T::kCountry, kM),
      El(ns, "portrait", T::kJpeg, kM),
      El(ns, "document_number", T::kText, kM),
      El(ns, "status_type", T::kText, kM),
      El(ns, "valid_from", T::kFullDate, kM),
      El(ns, "valid_until", T::kFullDate, kO),
      El(ns, "right_to_work", T::kEnumText, kM, {"unrestricted", "restricted", "none"}),
      El(ns, "work_conditions", T::kText, kO),
      El(ns, "right_to_rent", T::kBool, kM),
      El(ns, "issue_date", T::kFullDate, kM),
      El(ns, "expiry_date", T::kFullDate, kM),
  };
  return p;
}

DoctypeProfile MakeMarriage() {
  using T = ElementType;
  const std::string_view ns = kMarriageDoctype;
  DoctypeProfile p;
  p.doctype = kMarriageDoctype;
  p.namespaces = {ns};
  p.elements = {
      El(ns, "party_1_family_name", T::kText, kM),   El(ns, "party_1_given_name", T::kText, kM),
      El(ns, "party_2_family_name", T::kText, kM),   El(ns, "party_2_given_name", T::kText, kM),
      El(ns, "date_of_marriage", T::kFullDate, kM),  El(ns, "place_of_marriage", T::kText, kM),
      El(ns, "registration_district", T::kText, kM), El(ns, "entry_number", T::kText, kM),
      El(ns, "certificate_number", T::kText, kM),    El(ns, "issuing_authority", T::kText, kM),
  };
  return p;
}

bool MatchesAgeOver(std::string_view name) {
  constexpr std::string_view kPrefix = "age_over_";
  if (name.size() != kPrefix.size() + 2 || name.substr(0, kPrefix.size()) != kPrefix) return false;
  const char a = name[kPrefix.size()];
  const char b = name[kPrefix.size() + 1];
  return a >= '0' && a <= '9' && b >= '0' && b <= '9';
}

// ---------------------------------------------------------------------------------------------
// Errors and small checks.

std::string PathOf(const ElementSpec& spec) {
  std::string path(spec.name_space);
  path += '/';
  path += spec.name;
  return path;
}

// Named returns `spec` with a pattern's name replaced by the concrete `name` it matched (so that
// messages name "age_over_16", not "age_over_NN"); `name` must outlive the result.
ElementSpec Named(const ElementSpec& spec, std::string_view name) {
  ElementSpec named = spec;
  if (named.is_pattern) named.name = name;
  return named;
}

Status Invalid(std::string_view path, std::string_view what) {
  std::string msg = "mdoc: ";
  msg += path;
  msg += ": ";
  msg += what;
  return Error(StatusCode::kInvalidClaims, std::move(msg));
}

bool IsCountryCode(std::string_view s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

bool InList(const std::vector<std::string_view>& list, std::string_view s) {
  for (std::string_view v : list) {
    if (v == s) return true;
  }
  return false;
}

// DateSeconds returns the Unix time of a valid full-date or tdate value, or nullopt.
std::optional<int64_t> DateSeconds(const Value& v) {
  if (v.is_tag(cbor::kTagFullDate) && v.tagged().is_text()) {
    const std::string_view text = v.tagged().text();
    Result<int64_t> t = cbor::ParseFullDate(text);
    if (t.ok()) return *t;
  } else if (v.is_tag(cbor::kTagTDate) && v.tagged().is_text()) {
    Result<int64_t> t = cbor::ParseTDate(v.tagged().text());
    if (t.ok()) return *t;
  }
  return std::nullopt;
}

Status CheckFullDate(std::string_view path, const Value& v) {
  if (!v.is_tag(cbor::kTagFullDate) || !v.tagged().is_text()) {
    return Invalid(path, "not a full-date (tag 1004 over text)");
  }
  if (!cbor::ParseFullDate(v.tagged().text()).ok()) {
    return Invalid(path, "not a valid YYYY-MM-DD calendar date");
  }
  return OkStatus();
}

Status CheckTDate(std::string_view path, const Value& v) {
  if (!v.is_tag(cbor::kTagTDate) || !v.tagged().is_text()) {
    return Invalid(path, "not a tdate (tag 0 over text)");
  }
  const std::string_view text = v.tagged().text();
  Result<int64_t> t = cbor::ParseTDate(text);
  if (!t.ok()) return Invalid(path, "not a valid RFC 3339 date-time");
  // 18013-5 clause 7.2.1: UTC ("Z") and no fraction of seconds, i.e. the normalised form.
  Result<std::string> normal = cbor::FormatTDate(*t);
  if (!normal.ok() || *normal != text) {
    return Invalid(path, "tdate is not in the form YYYY-MM-DDThh:mm:ssZ");
  }
  return OkStatus();
}

Status CheckText(std::string_view path, const Value& v, bool non_empty) {
  if (!v.is_text()) return Invalid(path, "not a text string");
  if (non_empty && v.text().empty()) return Invalid(path, "empty text");
  return OkStatus();
}

// CheckCodes validates the codes array of a driving privilege (18013-5 clause 7.2.4).
Status CheckCodes(const std::string& path, const Value& v) {
  if (!v.is_array()) return Invalid(path, "not an array");
  for (size_t i = 0; i < v.array().size(); ++i) {
    const Value& code = v.array()[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!code.is_map()) return Invalid(at, "not a map");
    bool has_code = false;
    for (const auto& [key, val] : code.map()) {
      if (!key.is_text()) return Invalid(at, "key is not a text string");
      const std::string_view k = key.text();
      const std::string member = at + "." + std::string(k);
      if (k == "code") {
        RETURN_IF_ERROR(CheckText(member, val, /*non_empty=*/true));
        has_code = true;
      } else if (k == "sign" || k == "value") {
        RETURN_IF_ERROR(CheckText(member, val, /*non_empty=*/false));
      } else {
        return Invalid(at, "unknown key \"" + std::string(k.substr(0, 40)) + "\"");
      }
    }
    if (!has_code) return Invalid(at, "code missing");
  }
  return OkStatus();
}

Status CheckDrivingPrivileges(const std::string& path, const Value& v) {
  if (!v.is_array()) return Invalid(path, "not an array of driving privileges");
  for (size_t i = 0; i < v.array().size(); ++i) {
    const Value& entry = v.array()[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!entry.is_map()) return Invalid(at, "not a map");
    bool has_category = false;
    for (const auto& [key, val] : entry.map()) {
      if (!key.is_text()) return Invalid(at, "key is not a text string");
      const std::string_view k = key.text();
      const std::string member = at + "." + std::string(k);
      if (k == "vehicle_category_code") {
        RETURN_IF_ERROR(CheckText(member, val, /*non_empty=*/true));
        has_category = true;
      } else if (k == "issue_date" || k == "expiry_date") {
        RETURN_IF_ERROR(CheckFullDate(member, val));
      } else if (k == "codes") {
        RETURN_IF_ERROR(CheckCodes(member, val));
      } else {
        return Invalid(at, "unknown key \"" + std::string(k.substr(0, 40)) + "\"");
      }
    }
    if (!has_category) return Invalid(at, "vehicle_category_code missing");
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// JSON -> CBOR.

// IsUtf8 is true for well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF). JSON from ParseJson already is; a Json built in code might not be.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// DecodeBase64Any decodes padded standard base64 when the text uses '+', '/' or '=', and strict
// unpadded base64url otherwise (the two agree on every text without those characters).
Result<Bytes> DecodeBase64Any(std::string_view text) {
  if (text.find_first_of("+/=") != std::string_view::npos) return Base64Decode(text);
  return Base64UrlDecode(text);
}

// TypedFormName returns the member name if `j` is one of the $-typed forms ({"$full-date": ..},
// {"$tdate": ..}, {"$bytes": ..}); nullopt otherwise.
std::optional<std::string_view> TypedFormName(const Json& j) {
  if (!j.is_object() || j.size() != 1) return std::nullopt;
  const std::string& key = j.begin().key();
  if (key == kTypedFullDate) return kTypedFullDate;
  if (key == kTypedTDate) return kTypedTDate;
  if (key == kTypedBytes) return kTypedBytes;
  return std::nullopt;
}

Result<Value> FullDateFromString(std::string_view path, const std::string& s) {
  if (!cbor::ParseFullDate(s).ok()) return Invalid(path, "not a valid YYYY-MM-DD calendar date");
  return Value::FullDate(s);
}

Result<Value> TDateFromString(std::string_view path, const std::string& s) {
  Result<int64_t> t = cbor::ParseTDate(s);
  if (!t.ok()) return Invalid(path, "not a valid RFC 3339 date-time");
  Result<std::string> normal = cbor::FormatTDate(*t);
  if (!normal.ok()) return Invalid(path, "date-time outside years 0001-9999");
  return Value::TDate(*normal);
}

Result<Value> BytesFromString(std::string_view path, const std::string& s) {
  Result<Bytes> b = DecodeBase64Any(s);
  if (!b.ok()) return Invalid(path, "not strict base64 or base64url");
  return Value::ByteString(std::move(*b));
}

Result<Value> TypedFromJson(std::string_view path, std::string_view form, const Json& j) {
  const Json& inner = j.begin().value();
  if (!inner.is_string()) return Invalid(path, std::string(form) + " needs a string");
  const std::string& s = inner.get_ref<const std::string&>();
  if (form == kTypedFullDate) return FullDateFromString(path, s);
  if (form == kTypedTDate) return TDateFromString(path, s);
  return BytesFromString(path, s);
}

// GenericFromJson converts any JSON value (the unknown-doctype rules in doctypes.h).
Result<Value> GenericFromJson(const std::string& path, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return Value::Null();
    case Json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case Json::value_t::number_unsigned:
      return Value::Uint(j.get<uint64_t>());
    case Json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case Json::value_t::number_float:
      return Value::Float(j.get<double>());
    case Json::value_t::string:
      if (!IsUtf8(j.get_ref<const std::string&>())) return Invalid(path, "text is not UTF-8");
      return Value::Text(j.get_ref<const std::string&>());
    case Json::value_t::array: {
      cbor::Array items;
      items.reserve(j.size());
      size_t i = 0;
      for (const Json& item : j) {
        ASSIGN_OR_RETURN(Value v, GenericFromJson(path + "[" + std::to_string(i) + "]", item));
        items.push_back(std::move(v));
        ++i;
      }
      return Value::MakeArray(std::move(items));
    }
    case Json::value_t::object: {
      if (std::optional<std::string_view> form = TypedFormName(j)) {
        return TypedFromJson(path, *form, j);
      }
      cbor::Map entries;
      entries.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (!key.empty() && key[0] == '$') {
          return Invalid(path,
                         "member names starting with '$' are reserved for the typed forms "
                         "$full-date, $tdate and $bytes (alone in their object)");
        }
        if (!IsUtf8(key)) return Invalid(path, "member name is not UTF-8");
        ASSIGN_OR_RETURN(Value v, GenericFromJson(path + "." + key, it.value()));
        entries.emplace_back(Value::Text(key), std::move(v));
      }
      return Value::MakeMap(std::move(entries));
    }
    default:
      return Invalid(path, "unsupported JSON value");
  }
}

// DrivingPrivilegesFromJson converts the array form, turning date strings into full-dates; all
// other members convert generically and are judged by CheckDrivingPrivileges afterwards.
Result<Value> DrivingPrivilegesFromJson(const std::string& path, const Json& j) {
  if (!j.is_array()) return GenericFromJson(path, j);
  cbor::Array entries;
  entries.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const Json& entry = j[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!entry.is_object() || TypedFormName(entry)) {
      ASSIGN_OR_RETURN(Value v, GenericFromJson(at, entry));
      entries.push_back(std::move(v));
      continue;
    }
    cbor::Map map;
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      const std::string& key = it.key();
      const std::string member = at + "." + key;
      if ((key == "issue_date" || key == "expiry_date") && it.value().is_string()) {
        ASSIGN_OR_RETURN(Value d, FullDateFromString(member, it.value().get_ref<const std::string&>()));
        map.emplace_back(Value::Text(key), std::move(d));
      } else {
        if (!key.empty() && key[0] == '$') return Invalid(at, "unknown key starting with '$'");
        if (!IsUtf8(key)) return Invalid(at, "member name is not UTF-8");
        ASSIGN_OR_RETURN(Value v, GenericFromJson(member, it.value()));
        map.emplace_back(Value::Text(key), std::move(v));
      }
    }
    entries.push_back(Value::MakeMap(std::move(map)));
  }
  return Value::MakeArray(std::move(entries));
}

// ConvertForSpec converts without validating (ElementFromJson validates afterwards).
Result<Value> ConvertForSpec(const ElementSpec& spec, const std::string& path, const Json& j) {
  if (TypedFormName(j) || (!j.is_string() && spec.type != ElementType::kDrivingPrivileges)) {
    // Typed forms and non-strings: generic conversion; ValidateElement judges the result.
    return GenericFromJson(path, j);
  }
  switch (spec.type) {
    case ElementType::kFullDate:
      return FullDateFromString(path, j.get_ref<const std::string&>());
    case ElementType::kTDate:
      return TDateFromString(path, j.get_ref<const std::string&>());
    case ElementType::kDate: {
      const std::string& s = j.get_ref<const std::string&>();
      if (s.size() == 10) return FullDateFromString(path, s);
      return TDateFromString(path, s);
    }
    case ElementType::kBytes:
    case ElementType::kJpeg:
      return BytesFromString(path, j.get_ref<const std::string&>());
    case ElementType::kDrivingPrivileges:
      return DrivingPrivilegesFromJson(path, j);
    default:
      return GenericFromJson(path, j);  // text, with the UTF-8 check
  }
}

// ---------------------------------------------------------------------------------------------
// CBOR -> JSON.

Json KeyedMapToJson(const cbor::Map& map) {
  Json out = Json::object();
  // Text keys first, so they keep their names; other keys take their diagnostic text, prefixed
  // with '#' until it is unique.
  for (const auto& [key, val] : map) {
    if (key.is_text()) out[std::string(key.text())] = ElementToJson(val);
  }
  for (const auto& [key, val] : map) {
    if (key.is_text()) continue;
    std::string name = cbor::ToDiagnostic(key);
    while (out.contains(name)) name.insert(0, "#");
    out[name] = ElementToJson(val);
  }
  return out;
}

}  // namespace

// -----------------------------------------------------------------------------------------------

std::string_view ElementTypeName(ElementType type) {
  switch (type) {
    case ElementType::kText:
      return "text";
    case ElementType::kFullDate:
      return "full-date";
    case ElementType::kTDate:
      return "tdate";
    case ElementType::kDate:
      return "full-date-or-tdate";
    case ElementType::kBool:
      return "bool";
    case ElementType::kUint:
      return "uint";
    case ElementType::kBytes:
      return "bytes";
    case ElementType::kJpeg:
      return "jpeg";
    case ElementType::kCountry:
      return "country";
    case ElementType::kEnumText:
      return "enum-text";
    case ElementType::kSex:
      return "sex";
    case ElementType::kDrivingPrivileges:
      return "driving_privileges";
  }
  return "unknown";
}

const ElementSpec* DoctypeProfile::FindElement(std::string_view name_space, std::string_view name) const {
  const ElementSpec* pattern = nullptr;
  for (const ElementSpec& spec : elements) {
    if (spec.name_space != name_space) continue;
    if (!spec.is_pattern && spec.name == name) return &spec;
    if (spec.is_pattern && pattern == nullptr && MatchesAgeOver(name)) pattern = &spec;
  }
  return pattern;
}

bool DoctypeProfile::HasNamespace(std::string_view name_space) const {
  return InList(namespaces, name_space);
}

const std::vector<DoctypeProfile>& KnownDoctypes() {
  static const std::vector<DoctypeProfile>* const kProfiles =
      new std::vector<DoctypeProfile>{MakeMdl(), MakeDigitalId(), MakeEvisa(), MakeMarriage()};
  return *kProfiles;
}

const DoctypeProfile* FindDoctype(std::string_view doctype) {
  for (const DoctypeProfile& p : KnownDoctypes()) {
    if (p.doctype == doctype) return &p;
  }
  return nullptr;
}

Status ValidateElement(const ElementSpec& spec, const Value& value) {
  const std::string path = PathOf(spec);
  switch (spec.type) {
    case ElementType::kText:
      RETURN_IF_ERROR(CheckText(path, value, /*non_empty=*/false));
      break;
    case ElementType::kEnumText:
      RETURN_IF_ERROR(CheckText(path, value, /*non_empty=*/false));
      if (!InList(spec.allowed_values, value.text())) return Invalid(path, "not an allowed value");
      return OkStatus();
    case ElementType::kCountry:
      RETURN_IF_ERROR(CheckText(path, value, /*non_empty=*/false));
      if (!IsCountryCode(value.text())) {
        return Invalid(path, "not an ISO 3166-1 alpha-2 code (two upper-case letters)");
      }
      break;
    case ElementType::kFullDate:
      return CheckFullDate(path, value);
    case ElementType::kTDate:
      return CheckTDate(path, value);
    case ElementType::kDate:
      if (value.is_tag(cbor::kTagTDate)) return CheckTDate(path, value);
      if (value.is_tag(cbor::kTagFullDate)) return CheckFullDate(path, value);
      return Invalid(path, "not a full-date (tag 1004) or tdate (tag 0)");
    case ElementType::kBool:
      if (!value.is_bool()) return Invalid(path, "not a boolean");
      return OkStatus();
    case ElementType::kUint:
      if (!value.is_uint()) return Invalid(path, "not an unsigned integer");
      return OkStatus();
    case ElementType::kSex: {
      if (!value.is_uint()) return Invalid(path, "not an unsigned integer");
      const uint64_t s = value.uint_value();
      if (s != 0 && s != 1 && s != 2 && s != 9) return Invalid(path, "not an ISO/IEC 5218 code");
      return OkStatus();
    }
    case ElementType::kBytes:
      if (!value.is_bytes()) return Invalid(path, "not a byte string");
      return OkStatus();
    case ElementType::kJpeg: {
      if (!value.is_bytes()) return Invalid(path, "not a byte string");
      const ByteView b = value.bytes();
      if (b.size() < 5 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF) {
        return Invalid(path, "not a JPEG: no SOI marker (FF D8 FF) at the start");
      }
      if (b[b.size() - 2] != 0xFF || b[b.size() - 1] != 0xD9) {
        return Invalid(path, "not a JPEG: no EOI marker (FF D9) at the end");
      }
      return OkStatus();
    }
    case ElementType::kDrivingPrivileges:
      return CheckDrivingPrivileges(path, value);
  }
  // Text-valued types with a restricted list (e.g. the digital ID's issuing_country "GB").
  if (!spec.allowed_values.empty() && !InList(spec.allowed_values, value.text())) {
    return Invalid(path, "not an allowed value");
  }
  return OkStatus();
}

Result<Value> ElementFromJson(const ElementSpec& spec, const Json& json) {
  const std::string path = PathOf(spec);
  ASSIGN_OR_RETURN(Value value, ConvertForSpec(spec, path, json));
  RETURN_IF_ERROR(ValidateElement(spec, value));
  return value;
}

Status ValidateNameSpaces(std::string_view doctype, const NameSpaces& name_spaces, bool require_mandatory) {
  const DoctypeProfile* profile = FindDoctype(doctype);
  if (require_mandatory && name_spaces.empty()) {
    return Invalid(doctype, "a document needs at least one namespace");
  }
  std::set<std::string_view> seen_ns;
  for (const auto& [ns, elements] : name_spaces) {
    if (!seen_ns.insert(ns).second) return Invalid(ns, "namespace listed twice");
    if (elements.empty()) return Invalid(ns, "namespace has no elements");
    const bool known_ns = profile != nullptr && profile->HasNamespace(ns);
    if (profile != nullptr && !known_ns && require_mandatory) {
      return Invalid(ns, "unknown namespace for " + std::string(doctype));
    }
    std::set<std::string_view> seen;
    for (const auto& [name, value] : elements) {
      if (!seen.insert(name).second) return Invalid(ns + "/" + name, "element listed twice");
      if (!known_ns) continue;
      const ElementSpec* spec = profile->FindElement(ns, name);
      if (spec == nullptr) {
        if (require_mandatory) return Invalid(ns + "/" + name, "unknown element");
        continue;
      }
      RETURN_IF_ERROR(ValidateElement(Named(*spec, name), value));
    }
  }
  if (profile == nullptr || !require_mandatory) return OkStatus();

  // Mandatory elements.
  auto find = [&](std::string_view ns, std::string_view name) -> const Value* {
    for (const auto& [n, elements] : name_spaces) {
      if (n != ns) continue;
      for (const auto& [e, value] : elements) {
        if (e == name) return &value;
      }
    }
    return nullptr;
  };
  for (const ElementSpec& spec : profile->elements) {
    if (spec.mandatory && find(spec.name_space, spec.name) == nullptr) {
      return Invalid(PathOf(spec), "mandatory element missing");
    }
  }

  // Consistency rules.
  auto ordered = [](const std::string& path, const Value& earlier, const Value& later,
                    std::string_view earlier_name) -> Status {
    const std::optional<int64_t> a = DateSeconds(earlier);
    const std::optional<int64_t> b = DateSeconds(later);
    if (a && b && *b <= *a) return Invalid(path, "not after " + std::string(earlier_name));
    return OkStatus();
  };
  for (const std::string_view ns : profile->namespaces) {
    for (const auto& [first, second] :
         {std::pair<std::string_view, std::string_view>{"issue_date", "expiry_date"},
          std::pair<std::string_view, std::string_view>{"valid_from", "valid_until"}}) {
      const Value* a = find(ns, first);
      const Value* b = find(ns, second);
      if (a != nullptr && b != nullptr) {
        RETURN_IF_ERROR(ordered(std::string(ns) + "/" + std::string(second), *a, *b, first));
      }
    }
  }
  for (const ElementSpec& spec : profile->elements) {
    if (spec.type != ElementType::kDrivingPrivileges) continue;
    const Value* privileges = find(spec.name_space, spec.name);
    if (privileges == nullptr) continue;
    for (size_t i = 0; i < privileges->array().size(); ++i) {
      const Value& entry = privileges->array()[i];
      const Value* issue = entry.Find("issue_date");
      const Value* expiry = entry.Find("expiry_date");
      if (issue != nullptr && expiry != nullptr) {
        RETURN_IF_ERROR(
            ordered(PathOf(spec) + "[" + std::to_string(i) + "].expiry_date", *issue, *expiry, "issue_date"));
      }
    }
  }
  return OkStatus();
}

Result<NameSpaces> ClaimsFromJson(std::string_view doctype, const Json& claims) {
  if (doctype.empty()) return Error(StatusCode::kInvalidArgument, "mdoc: empty doctype");
  if (!claims.is_object()) {
    return Invalid("claims", "must be an object keyed by namespace, then element identifier");
  }
  const DoctypeProfile* profile = FindDoctype(doctype);
  NameSpaces out;
  for (auto ns_it = claims.begin(); ns_it != claims.end(); ++ns_it) {
    const std::string& ns = ns_it.key();
    const Json& elements = ns_it.value();
    if (ns.empty()) return Invalid("claims", "empty namespace name");
    if (!elements.is_object() || TypedFormName(elements)) {
      return Invalid(ns, "must be an object keyed by element identifier");
    }
    if (elements.empty()) return Invalid(ns, "namespace has no elements");
    if (profile != nullptr && !profile->HasNamespace(ns)) {
      return Invalid(ns, "unknown namespace for " + std::string(doctype));
    }
    std::vector<std::pair<std::string, Value>> items;
    items.reserve(elements.size());
    for (auto it = elements.begin(); it != elements.end(); ++it) {
      const std::string& name = it.key();
      const std::string path = ns + "/" + name;
      if (name.empty()) return Invalid(path, "empty element identifier");
      if (profile != nullptr) {
        const ElementSpec* spec = profile->FindElement(ns, name);
        if (spec == nullptr) return Invalid(path, "unknown element");
        ASSIGN_OR_RETURN(Value v, ElementFromJson(Named(*spec, name), it.value()));
        items.emplace_back(name, std::move(v));
      } else {
        ASSIGN_OR_RETURN(Value v, GenericFromJson(path, it.value()));
        items.emplace_back(name, std::move(v));
      }
    }
    out.emplace_back(ns, std::move(items));
  }
  RETURN_IF_ERROR(ValidateNameSpaces(doctype, out, /*require_mandatory=*/true));
  return out;
}

Json ElementToJson(const Value& value) {
  switch (value.type()) {
    case cbor::Type::kUnsigned:
      return Json(value.uint_value());
    case cbor::Type::kNegative: {
      const uint64_t n = value.negative_argument();
      if (n <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Json(-1 - static_cast<int64_t>(n));
      }
      return Json(cbor::ToDiagnostic(value));
    }
    case cbor::Type::kBytes:
      return Json(Base64UrlEncode(value.bytes()));
    case cbor::Type::kText:
      return Json(std::string(value.text()));
    case cbor::Type::kArray: {
      Json out = Json::array();
      for (const Value& item : value.array()) out.push_back(ElementToJson(item));
      return out;
    }
    case cbor::Type::kMap:
      return KeyedMapToJson(value.map());
    case cbor::Type::kTag:
      if ((value.is_tag(cbor::kTagFullDate) || value.is_tag(cbor::kTagTDate)) && value.tagged().is_text()) {
        return Json(std::string(value.tagged().text()));
      }
      return Json(cbor::ToDiagnostic(value));
    case cbor::Type::kSimple:
      if (value.is_bool()) {
        Result<bool> b = value.AsBool();
        return Json(b.ok() && *b);
      }
      if (value.is_null()) return Json(nullptr);
      return Json(cbor::ToDiagnostic(value));
    case cbor::Type::kFloat: {
      Result<double> d = value.AsFloat();
      if (d.ok() && std::isfinite(*d)) return Json(*d);
      return Json(cbor::ToDiagnostic(value));
    }
  }
  return Json(cbor::ToDiagnostic(value));
}

}  // namespace bonafide::mdoc
