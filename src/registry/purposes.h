// registry/purposes.h: the named checks a relying party may register for (the "Checks" table of
// ../shared/UK-CREDENTIALS.md), the credential types each accepts and, per type, the exact claims
// it may request.
//
// The table is data, not code: a verifier builds its DCQL queries (OpenID4VP 1.0 section 6) from
// it, the registrar copies it into registration JWTs and the trust list, and a wallet checks a
// request against it. Claim paths are OpenID4VP claims path pointers (OpenID4VP 1.0 section 7):
//   mso_mdoc     [namespace, element identifier];
//   dc+sd-jwt    from the root of the SD-JWT VC payload, e.g. ["given_name"];
//   jwt_vc_json  from the VC object, e.g. ["credentialSubject", "veteranCard", null, "serviceBranch"]
//                (null selects every element of an array).
// A credential type is (format, type): type is the vct (dc+sd-jwt), the doctype (mso_mdoc) or the
// VCDM type after "VerifiableCredential" (jwt_vc_json), as src/issuer/uk_catalogue.json issues them.
//
// Thread safety: the table is immutable and built once (thread-safe static initialisation).
#ifndef BONAFIDE_REGISTRY_PURPOSES_H_
#define BONAFIDE_REGISTRY_PURPOSES_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::registry {

// Credential format identifiers (OpenID4VCI 1.0 Appendix A).
inline constexpr std::string_view kFormatSdJwtVc = "dc+sd-jwt";
inline constexpr std::string_view kFormatMsoMdoc = "mso_mdoc";
inline constexpr std::string_view kFormatJwtVcJson = "jwt_vc_json";

// IsKnownFormat is true for the three formats above.
bool IsKnownFormat(std::string_view format);

// CredentialType identifies what an issuer issues and a check accepts: (format, type).
struct CredentialType {
  std::string format;  // kFormatSdJwtVc, kFormatMsoMdoc or kFormatJwtVcJson
  std::string type;    // vct, doctype or VCDM type

  auto operator<=>(const CredentialType&) const = default;
  bool operator==(const CredentialType&) const = default;
  // ToString renders "format:type" for messages.
  std::string ToString() const { return format + ":" + type; }
};

// ClaimPathElement is one element of a claims path pointer: an object member name, an array
// index, or null (every element of an array).
using ClaimPathElement = std::variant<std::string, uint64_t, std::nullptr_t>;
using ClaimPath = std::vector<ClaimPathElement>;

// ClaimPathToJson returns the JSON array form of `path` (strings, integers, nulls).
Json ClaimPathToJson(const ClaimPath& path);
// ClaimPathFromJson parses a claims path pointer: a non-empty array of strings, non-negative
// integers and nulls, at most 16 elements. kInvalidClaims otherwise.
Result<ClaimPath> ClaimPathFromJson(const Json& json);

// ClaimPathMatches says whether a requested path is allowed by a permitted one: same length, each
// string equal, and a null in the permitted path matching any index or null in the requested one.
// A string in the permitted path never matches an index or null, and a shorter requested path
// (which would disclose everything below it) never matches.
bool ClaimPathMatches(const ClaimPath& permitted, const ClaimPath& requested);

// AcceptedCredential is one credential type a purpose accepts and the claims it may request.
struct AcceptedCredential {
  CredentialType type;
  std::vector<ClaimPath> claims;
};

// Purpose is one named check.
struct Purpose {
  std::string id;           // e.g. "right_to_work"
  std::string description;  // English, for listings
  std::vector<AcceptedCredential> accepts;
};

// Purposes returns the six checks of UK-CREDENTIALS.md, in the order of its table: right_to_work,
// right_to_rent, age_over_18, veteran_status, driving_entitlement, dbs_basic.
const std::vector<Purpose>& Purposes();

// FindPurpose returns the check named `id`, or nullptr when there is none.
const Purpose* FindPurpose(std::string_view id);

// IsPermitted says whether check `purpose` may request `path` of a credential of `type`: the
// purpose exists, accepts `type`, and one of its permitted paths matches (ClaimPathMatches).
// False for an unknown purpose or type.
bool IsPermitted(std::string_view purpose, const CredentialType& type, const ClaimPath& path);

// PermittedClaim is one (credential type, claim path) a relying party may request.
struct PermittedClaim {
  std::string format;
  std::string type;
  ClaimPath path;

  bool operator==(const PermittedClaim&) const = default;
};

// PurposeGrant is a purpose with the claims it permits, as registration JWTs and the trust list
// carry it: {"id": ..., "claims": [{"format", "type", "path"}, ...]}.
struct PurposeGrant {
  std::string id;
  std::vector<PermittedClaim> claims;

  bool operator==(const PurposeGrant&) const = default;
};

// GrantsFor returns the grants of `purpose_ids` (in the given order) from the table.
// kInvalidArgument naming the first unknown or repeated purpose, or when the list is empty.
Result<std::vector<PurposeGrant>> GrantsFor(const std::vector<std::string>& purpose_ids);

// GrantsToJson / GrantsFromJson convert the "purposes" array. GrantsFromJson returns
// kInvalidClaims for anything but an array of {id: string, claims: [{format, type, path}]}.
Json GrantsToJson(const std::vector<PurposeGrant>& grants);
Result<std::vector<PurposeGrant>> GrantsFromJson(const Json& json);

}  // namespace bonafide::registry

#endif  // BONAFIDE_REGISTRY_PURPOSES_H_
