// mdoc/doctypes.h: the catalogue of mdoc document types bonafide knows (their namespaces and data
// elements, with each element's type and whether it is mandatory at issuance), the conversion of
// a JSON claims file into CBOR data element values, the validation of such values on issuance and
// on receipt, and the conversion of received values back to JSON for verifier output.
//
// Doctypes (docs/credentials.md describes each element):
// - "org.iso.18013.5.1.mDL", the mobile driving licence of ISO/IEC 18013-5:2021 clause 7.2
//   (Table 5 for namespace "org.iso.18013.5.1"), with the DVLA's domestic namespace
//   "org.iso.18013.5.1.GB" (welsh_licence, title, provisional_driving_privileges).
// - "uk.gov.digital-id.1", "uk.gov.homeoffice.evisa.1", "uk.gov.gro.marriage.1": bonafide's own
//   UK profiles (../shared/UK-CREDENTIALS.md); each has one namespace named like its doctype.
//
// Value rules (ElementType):
// - kText: a CBOR text string.  kBool: true / false.  kUint: an unsigned integer.
// - kFullDate: tag 1004 over "YYYY-MM-DD" (RFC 8943), a real calendar date.
// - kTDate: tag 0 over "YYYY-MM-DDThh:mm:ssZ" exactly (18013-5 clause 7.2.1: UTC, no fraction).
// - kDate: kFullDate or kTDate (18013-5 Table 5 allows either for the mDL's issue_date and
//   expiry_date). From JSON, "YYYY-MM-DD" gives a full-date and a date-time gives a tdate.
// - kBytes: a byte string.  kJpeg: a byte string of at least 5 bytes starting FF D8 FF (SOI and
//   the next marker's FF) and ending FF D9 (EOI).
// - kCountry: ISO 3166-1 alpha-2 text, exactly two upper-case ASCII letters (the form only).
// - kEnumText: text equal to one of ElementSpec::allowed_values.
// - kSex: an unsigned integer in {0, 1, 2, 9} (ISO/IEC 5218).
// - kDrivingPrivileges: 18013-5 clause 7.2.4, an array of maps, each with text keys only:
//   vehicle_category_code (non-empty text, required), issue_date? and expiry_date? (full-date),
//   codes? (array of maps {code: non-empty text, sign?: text, value?: text}); no other keys.
// Any element may also carry non-empty allowed_values, restricting its text to that list (the
// digital ID's issuing_country is "GB").
//
// JSON claims (the CLI's --claims file) are an object keyed by namespace, then by element
// identifier. Full-dates and tdates are JSON strings, bytes are standard base64 (padded, RFC 4648
// section 4) or base64url (unpadded, section 5), strictly decoded. A value may also be written in
// an explicit typed form, accepted for known and unknown doctypes and at any depth:
//   {"$full-date": "2020-01-01"}  -> tag 1004 over the text (validated)
//   {"$tdate": "2020-01-01T10:00:00+01:00"} -> tag 0 over the normalised "2020-01-01T09:00:00Z"
//   {"$bytes": "<base64 or base64url>"} -> a byte string
// An object with exactly one member named like that is the typed form; any other object with a
// member name starting with '$' is rejected (kInvalidClaims), so the forms cannot be mistyped
// silently.
//
// Errors: every rejection of a claim value is kInvalidClaims with a message naming
// "namespace/element" (values themselves are not echoed: they may be personal data).
//
// Thread safety: the catalogue is immutable static data (built on first use, thread-safely);
// every function here is pure. Ownership: FindDoctype returns pointers to static storage, valid
// for the life of the program.
#ifndef BONAFIDE_MDOC_DOCTYPES_H_
#define BONAFIDE_MDOC_DOCTYPES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "mdoc/mdoc.h"  // NameSpaces

namespace bonafide::mdoc {

// Doctypes and namespaces of the catalogue (the mDL's kMdlDocType / kMdlNameSpace are in mdoc.h).
inline constexpr char kMdlGbNamespace[] = "org.iso.18013.5.1.GB";
inline constexpr char kDigitalIdDoctype[] = "uk.gov.digital-id.1";
inline constexpr char kEvisaDoctype[] = "uk.gov.homeoffice.evisa.1";
inline constexpr char kMarriageDoctype[] = "uk.gov.gro.marriage.1";

// ElementType is the value rule of a data element (see the top of this file).
enum class ElementType {
  kText,
  kFullDate,
  kTDate,
  kDate,  // full-date or tdate
  kBool,
  kUint,
  kBytes,
  kJpeg,
  kCountry,
  kEnumText,
  kSex,
  kDrivingPrivileges,
};

// ElementTypeName returns a short stable name of `type` ("text", "full-date", "tdate",
// "full-date-or-tdate", "bool", "uint", "bytes", "jpeg", "country", "enum-text", "sex",
// "driving_privileges"), for messages and docs.
std::string_view ElementTypeName(ElementType type);

// ElementSpec describes one data element of a doctype.
struct ElementSpec {
  std::string_view name_space;  // e.g. "org.iso.18013.5.1"
  // name is the element identifier; for a pattern element (is_pattern) it is "age_over_NN" and
  // stands for every "age_over_" followed by exactly two ASCII digits.
  std::string_view name;
  ElementType type = ElementType::kText;
  bool mandatory = false;  // must be present at issuance (never true for a pattern)
  // allowed_values: for kEnumText the allowed texts; for other text types, when non-empty, a
  // restriction of the text to these values; otherwise empty.
  std::vector<std::string_view> allowed_values;
  bool is_pattern = false;
};

// DoctypeProfile is the catalogue entry of one doctype.
struct DoctypeProfile {
  std::string_view doctype;
  std::vector<std::string_view> namespaces;
  std::vector<ElementSpec> elements;  // in document order (docs/credentials.md)

  // FindElement returns the spec of element `name` in namespace `name_space` (an exact entry
  // first, then a pattern entry such as age_over_NN), or nullptr if the catalogue has none.
  const ElementSpec* FindElement(std::string_view name_space, std::string_view name) const;
  // HasNamespace is true if `name_space` is one of this doctype's namespaces.
  bool HasNamespace(std::string_view name_space) const;
};

// FindDoctype returns the catalogue entry of `doctype`, or nullptr if bonafide does not know it.
const DoctypeProfile* FindDoctype(std::string_view doctype);

// KnownDoctypes returns every catalogue entry, in a fixed order (mDL, digital ID, eVisa,
// marriage certificate).
const std::vector<DoctypeProfile>& KnownDoctypes();

// ElementFromJson converts the JSON claim `json` into the CBOR value of element `spec` and
// validates it with ValidateElement: strings become text; "YYYY-MM-DD" becomes tag 1004 for
// full-date (and for kDate); a date-time becomes tag 0 normalised to "YYYY-MM-DDThh:mm:ssZ"
// for tdate (and for kDate when the string is longer than a date); base64 / base64url strings
// become byte strings for bytes and jpeg; JSON integers >= 0 become unsigned integers for uint
// and sex; driving privileges come from an array of objects whose date strings become tag 1004.
// The $-typed forms are accepted wherever their type fits. Returns kInvalidClaims, naming
// "namespace/element", when the JSON has the wrong type or the value breaks the element's rule.
Result<cbor::Value> ElementFromJson(const ElementSpec& spec, const Json& json);

// ValidateElement checks a CBOR value (issued or received) against `spec`'s rule; kInvalidClaims
// naming "namespace/element" on any mismatch.
Status ValidateElement(const ElementSpec& spec, const cbor::Value& value);

// ClaimsFromJson converts the JSON claims (namespace -> element -> value) of a document of type
// `doctype` for issuance. Namespaces and elements come out in the JSON object's order (sorted by
// key). For a known doctype: every namespace and element must be in the catalogue, values are
// converted with ElementFromJson, and the result must pass ValidateNameSpaces(doctype, result,
// /*require_mandatory=*/true). For an unknown doctype the conversion is generic: strings stay
// text, booleans, integers, non-integral numbers (as floats) and null as they are, arrays and
// objects recursively (object keys become text keys), and the $-typed forms become their typed
// values. Errors: kInvalidArgument for an empty doctype; kInvalidClaims when `claims` is not an
// object of non-empty objects, for an unknown namespace or element, a missing mandatory element,
// a bad value or a failed consistency rule.
Result<NameSpaces> ClaimsFromJson(std::string_view doctype, const Json& claims);

// ValidateNameSpaces checks the data of a document of type `doctype`. Always (both modes): no
// namespace is empty or listed twice, no element appears twice in a namespace, and each element
// the catalogue knows passes ValidateElement. With require_mandatory (issuance) the check is
// strict: namespaces and elements not in the catalogue are rejected, every mandatory element must
// be present, and the consistency rules hold: expiry_date after issue_date (mDL, digital ID,
// eVisa), valid_until after valid_from (eVisa), and in each driving_privileges /
// provisional_driving_privileges entry expiry_date after issue_date when both are given. Without
// it (a verifier's returned subset) elements and namespaces outside the catalogue are left to the
// caller (18013-5 lets issuers add domestic namespaces and later editions add elements) and
// consistency is not judged. For an unknown doctype only the structural checks apply.
// kInvalidClaims on any failure.
Status ValidateNameSpaces(std::string_view doctype, const NameSpaces& name_spaces, bool require_mandatory);

// ElementToJson renders a CBOR element value for verifier output: text, booleans and integers as
// JSON (a negative integer below INT64_MIN as its decimal text), tag 1004 and tag 0 over text as
// that text, byte strings as base64url text, arrays and maps recursively (text keys as is, other
// keys as their RFC 8949 diagnostic text, prefixed with '#' until unique if that text is already a
// key), finite floats as numbers, null as null; anything else (undefined, other simple values,
// non-finite floats, other tags) as its diagnostic text. Never fails.
Json ElementToJson(const cbor::Value& value);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_DOCTYPES_H_
