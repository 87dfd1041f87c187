// oid4vp/dcql.h: the Digital Credentials Query Language (DCQL) of OpenID for Verifiable
// Presentations 1.0 (final), section 6 (queries, selecting claims and credentials) and section 7
// (claims path pointers), with the format parameters of appendix B (B.1.1 jwt_vc_json
// `type_values`, B.2.3 / B.2.4 mso_mdoc `doctype_value` / `intent_to_retain`, B.3.5 dc+sd-jwt
// `vct_values`).
//
// Three layers, each usable alone:
//   1. ParseDcqlQuery / ParseDcqlQueryText turn an untrusted `dcql_query` into a DcqlQuery and
//      enforce every rule of section 6 (ValidateDcqlQuery); DcqlQuery::ToJson goes back, so a
//      verifier can build a query in C++, validate it and send it.
//   2. Match evaluates a query against the wallet's credentials, given as format-neutral
//      CandidateCredential values: per Credential Query, which candidates satisfy it and which
//      claims each would disclose (section 6.4.1).
//   3. Select resolves `credential_sets` (section 6.4.2) into one presentation plan, small enough
//      to show on a consent screen: credential query id, candidate id, claim paths.
//
// Error codes (the stable vocabulary of base/status.h):
//   kMalformed      the query breaks a rule of section 6/7 or appendix B: wrong JSON type, missing
//                   required member, empty array where a non-empty one is required, bad id
//                   characters, duplicate or dangling ids, mdoc path not [namespace, element].
//                   Every rule of the query itself is kMalformed, whether the query came from JSON
//                   or was built in C++.
//   kLimitExceeded  the query text exceeds DcqlLimits::max_bytes or nests deeper than max_depth.
//   kInvalidArgument a caller-supplied input other than the query is wrong: candidates with
//                   duplicate ids or non-object claims, a MatchResult that is not of this query.
//   kNotFound       Select: a Credential Query (no credential_sets) or a required Credential Set
//                   cannot be satisfied; the message names it. ProcessClaimsPath: nothing selected.
//   kInvalidClaims  ProcessClaimsPath: a path component meets a value of the wrong JSON type.
// Unknown members are ignored everywhere (section 6: "Implementations MUST ignore any unknown
// properties"); members of the wrong type are errors, also when the member is optional.
//
// Thread safety: plain values and pure functions; safe to use from several threads.
// Ownership: results own their data; nothing points into the inputs.
#ifndef BONAFIDE_OID4VP_DCQL_H_
#define BONAFIDE_OID4VP_DCQL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vp {

// Credential Format Identifiers this module matches (appendix B). Queries for other formats parse
// and round-trip, but no candidate ever matches them.
inline constexpr std::string_view kFormatSdJwtVc = "dc+sd-jwt";    // B.3.1
inline constexpr std::string_view kFormatMsoMdoc = "mso_mdoc";     // B.2
inline constexpr std::string_view kFormatJwtVcJson = "jwt_vc_json";  // B.1.3.1.1

// DcqlLimits bounds what ParseDcqlQueryText accepts (and the depth ParseDcqlQuery accepts).
// A `dcql_query` of real use is a few KiB and at most 6 levels deep.
struct DcqlLimits {
  size_t max_bytes = 64 * 1024;  // kLimitExceeded above this; exactly max_bytes is accepted.
  size_t max_depth = 16;         // JsonDepth; kLimitExceeded above this.
};

// AllArrayElements is the `null` component of a claims path pointer (section 7): it selects every
// element of the currently selected array(s).
struct AllArrayElements {
  bool operator==(const AllArrayElements&) const = default;
};

// ClaimsPathElement is one component of a claims path pointer (section 7): an object member name,
// `null` (all array elements) or a non-negative array index.
using ClaimsPathElement = std::variant<std::string, AllArrayElements, uint64_t>;

// ClaimsPath is a claims path pointer (section 7), e.g. ["address", "street_address"],
// ["nationalities", null], ["degrees", 0, "type"]. For mso_mdoc it is [namespace, element].
using ClaimsPath = std::vector<ClaimsPathElement>;

// ParseClaimsPath reads a claims path pointer; kMalformed unless `json` is a non-empty array of
// strings, nulls and non-negative integers (floats such as 1.0 are not integers here).
Result<ClaimsPath> ParseClaimsPath(const Json& json);

// ClaimsPathToJson renders `path` as its JSON array (null for AllArrayElements). DumpJson of it is
// an unambiguous text form for logs and consent screens.
Json ClaimsPathToJson(const ClaimsPath& path);

// SelectedClaim is one JSON value a claims path pointer selected, with its concrete path (every
// `null` replaced by the index it expanded to).
struct SelectedClaim {
  ClaimsPath path{};
  Json value{};
  bool operator==(const SelectedClaim&) const = default;
};

// ProcessClaimsPath applies `path` to `credential` as section 7 prescribes: start at the
// top-level object; a string selects that member of every selected object (dropping those that
// lack it), null selects every element of every selected array, an integer selects that index of
// every selected array (dropping arrays too short). Returns the selected values in document order.
// kInvalidClaims when `credential` is not an object, or a string component meets a selected value
// that is not an object, or a null/integer component meets one that is not an array (the spec's
// "abort processing and return an error"); kNotFound when the selection becomes empty.
Result<std::vector<SelectedClaim>> ProcessClaimsPath(const ClaimsPath& path, const Json& credential);

// ClaimValue is one element of a Claims Query's `values` (section 6.3): a string, an integer or a
// boolean. Integers outside int64 are rejected by the parser (kMalformed).
using ClaimValue = std::variant<std::string, int64_t, bool>;

// ClaimsQuery (section 6.3; B.2.4 for intent_to_retain).
struct ClaimsQuery {
  // id: required when the Credential Query has claim_sets; only [A-Za-z0-9_-], non-empty, unique
  // within the Credential Query's claims.
  std::optional<std::string> id{};
  // path: non-empty; for mso_mdoc exactly [namespace, element_identifier], both strings.
  ClaimsPath path{};
  // values: when set, non-empty; the claim matches only if it equals one of them in JSON type and
  // value (the string "18" never equals the integer 18; true never equals 1).
  std::optional<std::vector<ClaimValue>> values{};
  // intent_to_retain: mso_mdoc only (B.2.4). The parser ignores the member for other formats.
  std::optional<bool> intent_to_retain{};

  bool operator==(const ClaimsQuery&) const = default;
};

// TrustedAuthoritiesQuery (section 6.1.1): `type` (e.g. "aki", "etsi_tl", "openid_federation")
// and a non-empty list of type-specific `values`. Parsed and kept; Match does not evaluate it
// (the wallet filters candidates by issuer trust before calling Match; for "aki" the values are
// base64url AuthorityKeyIdentifiers to compare with the credential's X.509 chain).
struct TrustedAuthoritiesQuery {
  std::string type{};
  std::vector<std::string> values{};

  bool operator==(const TrustedAuthoritiesQuery&) const = default;
};

// CredentialMeta is the `meta` object of a Credential Query (section 6.1), with the members this
// module understands typed and every other member kept verbatim in `other`:
//   dc+sd-jwt:   vct_values   REQUIRED non-empty array of strings (B.3.5).
//   mso_mdoc:    doctype_value REQUIRED string (B.2.3).
//   jwt_vc_json: type_values  REQUIRED non-empty array of non-empty arrays of strings (B.1.1).
// A typed member is set only for its own format; for any other format (including unknown ones)
// the parser keeps the whole object in `other`, so it round-trips through ToJson.
struct CredentialMeta {
  std::optional<std::vector<std::string>> vct_values{};
  std::optional<std::string> doctype_value{};
  std::optional<std::vector<std::vector<std::string>>> type_values{};
  Json other = Json::object();  // Members not modelled above; must be a JSON object.

  bool operator==(const CredentialMeta&) const = default;
};

// CredentialQuery (section 6.1).
struct CredentialQuery {
  std::string id{};      // Non-empty, [A-Za-z0-9_-], unique among the query's credentials.
  std::string format{};  // Non-empty Credential Format Identifier.
  bool multiple = false;
  CredentialMeta meta{};  // REQUIRED in JSON (may be {} for formats without required members).
  std::optional<std::vector<TrustedAuthoritiesQuery>> trusted_authorities{};  // Non-empty if set.
  bool require_cryptographic_holder_binding = true;
  std::optional<std::vector<ClaimsQuery>> claims{};  // Non-empty if set.
  // claim_sets: only with claims (every claim then needs an id); non-empty; each option a
  // non-empty list of claim ids of this query, in the verifier's order of preference.
  std::optional<std::vector<std::vector<std::string>>> claim_sets{};

  bool operator==(const CredentialQuery&) const = default;
};

// CredentialSetQuery (section 6.2): `options` is a non-empty list of non-empty lists of Credential
// Query ids (each must exist); any one option satisfies the set.
struct CredentialSetQuery {
  std::vector<std::vector<std::string>> options{};
  bool required = true;

  bool operator==(const CredentialSetQuery&) const = default;
};

// DcqlQuery is the `dcql_query` request parameter (section 6).
struct DcqlQuery {
  std::vector<CredentialQuery> credentials{};                     // Non-empty.
  std::optional<std::vector<CredentialSetQuery>> credential_sets{};  // Non-empty if set.

  // FindCredential returns the Credential Query with `id`, or nullptr (pointer into *this).
  const CredentialQuery* FindCredential(std::string_view id) const;

  // ToJson renders the query as a `dcql_query` object. Defaults are left out (multiple=false,
  // require_cryptographic_holder_binding=true, required=true); unknown members other than those of
  // `meta` are not kept by the parser and so do not come back. For a valid query,
  // ParseDcqlQuery(ToJson()) returns an equal query. Call ValidateDcqlQuery first on a query
  // built in C++: ToJson does not check it.
  Json ToJson() const;

  bool operator==(const DcqlQuery&) const = default;
};

// ValidateDcqlQuery checks every rule of section 6, section 7 and appendix B listed on the members
// above; kMalformed naming the first violated rule and where it is. ParseDcqlQuery and Match call
// it; verifiers building queries in C++ call it before sending.
Status ValidateDcqlQuery(const DcqlQuery& query);

// ParseDcqlQuery reads a `dcql_query` JSON object and validates it. kMalformed for a wrong type or
// a violated rule; kLimitExceeded when `json` nests deeper than limits.max_depth. Unknown members
// are ignored (those of `meta` are kept in CredentialMeta::other).
Result<DcqlQuery> ParseDcqlQuery(const Json& json, const DcqlLimits& limits = {});

// ParseDcqlQueryText parses `text` with the strict parser of base/json.h (duplicate keys, invalid
// UTF-8 and trailing data are kMalformed), then as ParseDcqlQuery. kLimitExceeded when `text` is
// longer than limits.max_bytes or deeper than limits.max_depth.
Result<DcqlQuery> ParseDcqlQueryText(std::string_view text, const DcqlLimits& limits = {});

// CandidateCredential is one credential the wallet holds, described format-neutrally for Match.
//   id:      the wallet's handle for the credential (unique among the candidates passed to Match).
//   format:  its Credential Format Identifier (kFormatSdJwtVc, kFormatMsoMdoc, kFormatJwtVcJson).
//   vct:     dc+sd-jwt only: the `vct` claim. Matched exactly against vct_values (type
//            inheritance via SD-JWT VC Type Metadata `extends` is not followed).
//   doctype: mso_mdoc only: the document type.
//   types:   jwt_vc_json only: the VC's `type` array (taken as fully expanded; no JSON-LD).
//   claims:  the JSON object claims path pointers are applied to:
//            dc+sd-jwt:   the SD-JWT VC payload with every disclosure applied (all disclosed);
//            mso_mdoc:    {namespace: {element_identifier: value}}, CBOR converted to JSON per
//                         RFC 8949 section 6.1 (B.2 / section 6.3);
//            jwt_vc_json: the VC object itself, i.e. the `vc` claim of a VCDM 1.1 JWT payload (or
//                         the payload of a VCDM 2.0 one), so paths read ["credentialSubject",
//                         "given_name"] as in the B.1.3.1.4 example (B.1.2: paths match on the
//                         root of the Verifiable Credential, not the presentation or the JWT).
//   holder_binding: whether the credential supports cryptographic holder binding (an SD-JWT VC
//            with `cnf`, an mdoc with a device key, a VC with a bound subject).
struct CandidateCredential {
  std::string id{};
  std::string format{};
  std::string vct{};
  std::string doctype{};
  std::vector<std::string> types{};
  Json claims = Json::object();
  bool holder_binding = true;
};

// ClaimMatch is one Claims Query a candidate satisfied.
struct ClaimMatch {
  std::optional<std::string> claim_id{};
  ClaimsPath requested_path{};  // As in the query (may contain null wildcards).
  // disclosed_paths: the concrete paths of the values the query selected and that passed the
  // `values` filter, with each null expanded to its index, in document order. Never empty.
  std::vector<ClaimsPath> disclosed_paths{};

  bool operator==(const ClaimMatch&) const = default;
};

// CandidateMatch is one candidate that satisfies a Credential Query.
struct CandidateMatch {
  size_t candidate_index = 0;  // Index into the span passed to Match.
  std::string candidate_id{};
  // claim_set_index: the claim_sets option chosen (the first the candidate can satisfy);
  // nullopt when the query has no claim_sets.
  std::optional<size_t> claim_set_index{};
  // claims: the Claims Queries to disclose, in the order of the query's `claims` (the chosen
  // option's claims when claim_sets is present). Empty when the query has no `claims`: the
  // verifier then asks for no selectively disclosable claim (section 6.4.1).
  std::vector<ClaimMatch> claims{};

  bool operator==(const CandidateMatch&) const = default;
};

// CredentialQueryMatch lists the candidates that satisfy one Credential Query, in candidate order.
struct CredentialQueryMatch {
  std::string query_id{};
  std::vector<CandidateMatch> candidates{};

  bool operator==(const CredentialQueryMatch&) const = default;
};

// MatchResult has one CredentialQueryMatch per Credential Query, in the query's order.
struct MatchResult {
  std::vector<CredentialQueryMatch> queries{};

  // Find returns the entry for `query_id`, or nullptr (pointer into *this).
  const CredentialQueryMatch* Find(std::string_view query_id) const;
};

// Match evaluates `query` against `candidates`. A candidate satisfies a Credential Query when its
// format equals the query's and is one this module supports; the format's meta constraint holds
// (vct in vct_values; doctype == doctype_value; for jwt_vc_json, `types` contains every type of at
// least one type_values entry); it supports holder binding if the query requires it; and its
// claims satisfy the query (section 6.4.1): no `claims` -> nothing to disclose; `claims` without
// `claim_sets` -> every Claims Query must select at least one value that passes `values`;
// `claim_sets` -> the first option (verifier preference) whose claims all do. Claims Queries that
// repeat a path (which section 6.1 forbids verifiers to send) are each evaluated; the duplicate
// disclosure is dropped in PlannedPresentation::claims. trusted_authorities is not evaluated (see
// TrustedAuthoritiesQuery). kMalformed when ValidateDcqlQuery fails; kInvalidArgument when two
// candidates share an id or a candidate's `claims` is not a JSON object.
Result<MatchResult> Match(const DcqlQuery& query, std::span<const CandidateCredential> candidates);

// PlannedPresentation is one credential to present: for the consent screen, which Credential
// Query it answers, which credential, and which claims it reveals.
struct PlannedPresentation {
  std::string query_id{};
  std::string candidate_id{};
  size_t candidate_index = 0;
  std::optional<size_t> claim_set_index{};
  // claims: the concrete claim paths to disclose, without duplicates, in query order.
  std::vector<ClaimsPath> claims{};

  bool operator==(const PlannedPresentation&) const = default;
};

// Selection is the resolved plan for a response.
struct Selection {
  // query_ids: the Credential Queries answered, in the order of `credentials`.
  std::vector<std::string> query_ids{};
  // presentations: for each of query_ids in order, its first matching candidate, or every
  // matching candidate when the query has multiple = true.
  std::vector<PlannedPresentation> presentations{};
  // set_options: one entry per credential_sets entry: the index of the option used (the first
  // whose Credential Queries all have a match), or nullopt for an optional set that cannot be
  // met. Empty when the query has no credential_sets.
  std::vector<std::optional<size_t>> set_options{};
};

// Select resolves the credential selection rules of section 6.4.2 over `matches` (which must be
// Match's result for `query`). Without credential_sets every Credential Query must have a match;
// with them, every required set needs an option whose queries all have a match, and optional sets
// contribute their first such option when there is one. kNotFound naming the unmet Credential Query
// or credential set (by index); kMalformed when ValidateDcqlQuery fails; kInvalidArgument when
// `matches` does not list exactly the query's Credential Queries in order.
Result<Selection> Select(const DcqlQuery& query, const MatchResult& matches);

// Select runs Match and then Select; its errors are theirs.
Result<Selection> Select(const DcqlQuery& query, std::span<const CandidateCredential> candidates);

}  // namespace bonafide::oid4vp

#endif  // BONAFIDE_OID4VP_DCQL_H_
