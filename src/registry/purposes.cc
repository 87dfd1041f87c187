#include "registry/purposes.h"

#include <initializer_list>
#include <set>
#include <utility>

namespace bonafide::registry {
namespace {

constexpr size_t kMaxPathLength = 16;

// P builds a claim path from string literals; nullptr stands for the null (every element) wildcard.
ClaimPath P(std::initializer_list<const char*> elements) {
  ClaimPath path;
  for (const char* e : elements) {
    if (e == nullptr) {
      path.emplace_back(nullptr);
    } else {
      path.emplace_back(std::string(e));
    }
  }
  return path;
}

// Mdoc builds [namespace, element] paths for each element of `elements` in namespace `ns`.
std::vector<ClaimPath> Mdoc(const char* ns, std::initializer_list<const char*> elements) {
  std::vector<ClaimPath> out;
  for (const char* e : elements) out.push_back(P({ns, e}));
  return out;
}

// Top builds one-element paths (SD-JWT VC claims at the payload root).
std::vector<ClaimPath> Top(std::initializer_list<const char*> claims) {
  std::vector<ClaimPath> out;
  for (const char* c : claims) out.push_back(P({c}));
  return out;
}

CredentialType T(std::string_view format, const char* type) { return {std::string(format), type}; }

// The credential types bonafide issues (src/issuer/uk_catalogue.json).
constexpr const char* kDigitalIdVct = "urn:uk:gov:digital-id:1";
constexpr const char* kDigitalIdDoctype = "uk.gov.digital-id.1";
constexpr const char* kMdlDoctype = "org.iso.18013.5.1.mDL";
constexpr const char* kMdlNamespace = "org.iso.18013.5.1";
constexpr const char* kEvisaDoctype = "uk.gov.homeoffice.evisa.1";
constexpr const char* kVeteranType = "DigitalVeteranCard";
constexpr const char* kDbsType = "BasicDisclosureCredential";

std::vector<Purpose> BuildTable() {
  std::vector<Purpose> t;
  // right_to_work: Digital ID or eVisa; names, birth_date, portrait, residency_status (Digital ID)
  // or right_to_work, work_conditions, valid_until and status_type (eVisa: the status says whether
  // the leave is indefinite, so a holder cannot pass time-limited leave off as indefinite by
  // withholding valid_until).
  t.push_back(Purpose{
      "right_to_work",
      "Right to work check (employer)",
      {{T(kFormatSdJwtVc, kDigitalIdVct),
        Top({"family_name", "given_name", "birth_date", "portrait", "residency_status"})},
       {T(kFormatMsoMdoc, kDigitalIdDoctype),
        Mdoc(kDigitalIdDoctype, {"family_name", "given_name", "birth_date", "portrait", "residency_status"})},
       {T(kFormatMsoMdoc, kEvisaDoctype),
        Mdoc(kEvisaDoctype, {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_work",
                             "work_conditions", "valid_until"})}}});
  // right_to_rent: as right_to_work with right_to_rent instead of right_to_work / work_conditions.
  t.push_back(Purpose{
      "right_to_rent",
      "Right to rent check (landlord or letting agent)",
      {{T(kFormatSdJwtVc, kDigitalIdVct),
        Top({"family_name", "given_name", "birth_date", "portrait", "residency_status"})},
       {T(kFormatMsoMdoc, kDigitalIdDoctype),
        Mdoc(kDigitalIdDoctype, {"family_name", "given_name", "birth_date", "portrait", "residency_status"})},
       {T(kFormatMsoMdoc, kEvisaDoctype),
        Mdoc(kEvisaDoctype,
             {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_rent", "valid_until"})}}});
  // age_over_18: age_over_18 only.
  t.push_back(Purpose{"age_over_18",
                      "Proof of age: over 18",
                      {{T(kFormatSdJwtVc, kDigitalIdVct), Top({"age_over_18"})},
                       {T(kFormatMsoMdoc, kDigitalIdDoctype), Mdoc(kDigitalIdDoctype, {"age_over_18"})},
                       {T(kFormatMsoMdoc, kMdlDoctype), Mdoc(kMdlNamespace, {"age_over_18"})}}});
  // veteran_status: name, serviceBranch, expiryDate, photo of the Veteran Card.
  t.push_back(Purpose{"veteran_status",
                      "HM Armed Forces veteran status",
                      {{T(kFormatJwtVcJson, kVeteranType),
                        {P({"credentialSubject", "name"}),
                         P({"credentialSubject", "veteranCard", nullptr, "serviceBranch"}),
                         P({"credentialSubject", "veteranCard", nullptr, "expiryDate"}),
                         P({"credentialSubject", "veteranCard", nullptr, "photo"})}}}});
  // driving_entitlement: names, portrait, driving_privileges, expiry_date of the mDL.
  t.push_back(Purpose{"driving_entitlement",
                      "Driving entitlement (vehicle categories)",
                      {{T(kFormatMsoMdoc, kMdlDoctype),
                        Mdoc(kMdlNamespace,
                             {"family_name", "given_name", "portrait", "driving_privileges", "expiry_date"})}}});
  // dbs_basic: name, birthDate, basicCheckRecord of the Basic DBS check.
  t.push_back(Purpose{"dbs_basic",
                      "Basic DBS (criminal record) check",
                      {{T(kFormatJwtVcJson, kDbsType),
                        {P({"credentialSubject", "name"}), P({"credentialSubject", "birthDate"}),
                         P({"credentialSubject", "basicCheckRecord"})}}}});
  return t;
}

bool ElementMatches(const ClaimPathElement& permitted, const ClaimPathElement& requested) {
  if (std::holds_alternative<std::nullptr_t>(permitted)) {
    return !std::holds_alternative<std::string>(requested);
  }
  return permitted == requested;
}

Result<PermittedClaim> PermittedClaimFromJson(const Json& j) {
  if (!j.is_object()) return Error(StatusCode::kInvalidClaims, "a purpose claim is not an object");
  PermittedClaim c;
  ASSIGN_OR_RETURN(c.format, GetString(j, "format"));
  ASSIGN_OR_RETURN(c.type, GetString(j, "type"));
  const Json* path = Find(j, "path");
  if (path == nullptr) return Error(StatusCode::kInvalidClaims, "a purpose claim has no path");
  ASSIGN_OR_RETURN(c.path, ClaimPathFromJson(*path));
  return c;
}

}  // namespace

bool IsKnownFormat(std::string_view format) {
  return format == kFormatSdJwtVc || format == kFormatMsoMdoc || format == kFormatJwtVcJson;
}

Json ClaimPathToJson(const ClaimPath& path) {
  Json out = Json::array();
  for (const ClaimPathElement& e : path) {
    if (const auto* s = std::get_if<std::string>(&e)) {
      out.push_back(*s);
    } else if (const auto* i = std::get_if<uint64_t>(&e)) {
      out.push_back(*i);
    } else {
      out.push_back(nullptr);
    }
  }
  return out;
}

Result<ClaimPath> ClaimPathFromJson(const Json& json) {
  if (!json.is_array() || json.empty()) {
    return Error(StatusCode::kInvalidClaims, "a claims path is not a non-empty array");
  }
  if (json.size() > kMaxPathLength) return Error(StatusCode::kInvalidClaims, "a claims path is too long");
  ClaimPath path;
  for (const Json& e : json) {
    if (e.is_string()) {
      path.emplace_back(e.get<std::string>());
    } else if (e.is_null()) {
      path.emplace_back(nullptr);
    } else if (e.is_number_unsigned()) {
      path.emplace_back(e.get<uint64_t>());
    } else if (e.is_number_integer() && e.get<int64_t>() >= 0) {
      path.emplace_back(static_cast<uint64_t>(e.get<int64_t>()));
    } else {
      return Error(StatusCode::kInvalidClaims, "a claims path element is not a string, index or null");
    }
  }
  return path;
}

bool ClaimPathMatches(const ClaimPath& permitted, const ClaimPath& requested) {
  if (permitted.size() != requested.size() || permitted.empty()) return false;
  for (size_t i = 0; i < permitted.size(); ++i) {
    if (!ElementMatches(permitted[i], requested[i])) return false;
  }
  return true;
}

const std::vector<Purpose>& Purposes() {
  static const std::vector<Purpose>* table = new std::vector<Purpose>(BuildTable());
  return *table;
}

const Purpose* FindPurpose(std::string_view id) {
  for (const Purpose& p : Purposes()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

bool IsPermitted(std::string_view purpose, const CredentialType& type, const ClaimPath& path) {
  const Purpose* p = FindPurpose(purpose);
  if (p == nullptr) return false;
  for (const AcceptedCredential& a : p->accepts) {
    if (a.type != type) continue;
    for (const ClaimPath& permitted : a.claims) {
      if (ClaimPathMatches(permitted, path)) return true;
    }
  }
  return false;
}

Result<std::vector<PurposeGrant>> GrantsFor(const std::vector<std::string>& purpose_ids) {
  if (purpose_ids.empty()) return Error(StatusCode::kInvalidArgument, "no purpose given");
  std::set<std::string, std::less<>> seen;
  std::vector<PurposeGrant> out;
  for (const std::string& id : purpose_ids) {
    const Purpose* p = FindPurpose(id);
    if (p == nullptr) return Error(StatusCode::kInvalidArgument, "unknown purpose \"" + id + "\"");
    if (!seen.insert(id).second) return Error(StatusCode::kInvalidArgument, "purpose \"" + id + "\" given twice");
    PurposeGrant g;
    g.id = id;
    for (const AcceptedCredential& a : p->accepts) {
      for (const ClaimPath& path : a.claims) g.claims.push_back({a.type.format, a.type.type, path});
    }
    out.push_back(std::move(g));
  }
  return out;
}

Json GrantsToJson(const std::vector<PurposeGrant>& grants) {
  Json out = Json::array();
  for (const PurposeGrant& g : grants) {
    Json claims = Json::array();
    for (const PermittedClaim& c : g.claims) {
      claims.push_back({{"format", c.format}, {"type", c.type}, {"path", ClaimPathToJson(c.path)}});
    }
    out.push_back({{"id", g.id}, {"claims", std::move(claims)}});
  }
  return out;
}

Result<std::vector<PurposeGrant>> GrantsFromJson(const Json& json) {
  if (!json.is_array()) return Error(StatusCode::kInvalidClaims, "purposes is not an array");
  std::vector<PurposeGrant> out;
  for (const Json& g : json) {
    if (!g.is_object()) return Error(StatusCode::kInvalidClaims, "a purpose is not an object");
    PurposeGrant grant;
    ASSIGN_OR_RETURN(grant.id, GetString(g, "id"));
    ASSIGN_OR_RETURN(const Json* claims, GetArray(g, "claims"));
    for (const Json& c : *claims) {
      ASSIGN_OR_RETURN(PermittedClaim claim, PermittedClaimFromJson(c));
      grant.claims.push_back(std::move(claim));
    }
    out.push_back(std::move(grant));
  }
  return out;
}

}  // namespace bonafide::registry
