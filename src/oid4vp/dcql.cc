// oid4vp/dcql.cc: DCQL parsing, validation, matching and selection (OpenID4VP 1.0 sections 6, 7).
#include "oid4vp/dcql.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <utility>

namespace bonafide::oid4vp {
namespace {

Status Malformed(const std::string& where, std::string_view what) {
  return Error(StatusCode::kMalformed, "dcql_query: " + where + " " + std::string(what));
}

std::string Index(const std::string& where, size_t i) { return where + "[" + std::to_string(i) + "]"; }
std::string Member(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

bool IsSupportedFormat(std::string_view format) {
  return format == kFormatSdJwtVc || format == kFormatMsoMdoc || format == kFormatJwtVcJson;
}

// IsValidId: non-empty, only ASCII alphanumerics, '_' and '-' (sections 6.1 and 6.3).
bool IsValidId(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// ---- Typed readers: every wrong JSON type is kMalformed naming the member. ----

Result<std::string> ReadString(const Json& v, const std::string& where) {
  if (!v.is_string()) return Malformed(where, "must be a string");
  return v.get<std::string>();
}

Result<bool> ReadBool(const Json& v, const std::string& where) {
  if (!v.is_boolean()) return Malformed(where, "must be a boolean");
  return v.get<bool>();
}

Result<std::vector<std::string>> ReadStringArray(const Json& v, const std::string& where) {
  if (!v.is_array()) return Malformed(where, "must be an array of strings");
  std::vector<std::string> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    ASSIGN_OR_RETURN(std::string s, ReadString(v[i], Index(where, i)));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> ReadStringArrayArray(const Json& v, const std::string& where) {
  if (!v.is_array()) return Malformed(where, "must be an array of arrays of strings");
  std::vector<std::vector<std::string>> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    ASSIGN_OR_RETURN(std::vector<std::string> inner, ReadStringArray(v[i], Index(where, i)));
    out.push_back(std::move(inner));
  }
  return out;
}

Result<const Json*> Required(const Json& obj, std::string_view key, const std::string& where) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Malformed(Member(where, key), "is required");
  return v;
}

Result<ClaimValue> ReadClaimValue(const Json& v, const std::string& where) {
  if (v.is_string()) return ClaimValue(v.get<std::string>());
  if (v.is_boolean()) return ClaimValue(v.get<bool>());
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Malformed(where, "is an integer outside the int64 range");
    }
    return ClaimValue(static_cast<int64_t>(u));
  }
  if (v.is_number_integer()) return ClaimValue(v.get<int64_t>());
  return Malformed(where, "must be a string, an integer or a boolean");
}

Result<ClaimsPath> ReadClaimsPath(const Json& v, const std::string& where) {
  if (!v.is_array()) return Malformed(where, "must be an array (a claims path pointer)");
  ClaimsPath path;
  path.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const Json& e = v[i];
    if (e.is_string()) {
      path.emplace_back(e.get<std::string>());
    } else if (e.is_null()) {
      path.emplace_back(AllArrayElements{});
    } else if (e.is_number_unsigned()) {
      path.emplace_back(e.get<uint64_t>());
    } else if (e.is_number_integer()) {
      // base/json.h stores small non-negative integers as signed: check the sign, not the kind.
      const int64_t index = e.get<int64_t>();
      if (index < 0) return Malformed(Index(where, i), "must not be a negative integer");
      path.emplace_back(static_cast<uint64_t>(index));
    } else {
      return Malformed(Index(where, i), "must be a string, null or a non-negative integer");
    }
  }
  return path;
}

Result<CredentialMeta> ReadMeta(const Json& v, const std::string& format, const std::string& where) {
  if (!v.is_object()) return Malformed(where, "must be an object");
  CredentialMeta meta;
  meta.other = v;
  if (format == kFormatSdJwtVc) {
    if (const Json* m = Find(v, "vct_values")) {
      ASSIGN_OR_RETURN(meta.vct_values, ReadStringArray(*m, Member(where, "vct_values")));
      meta.other.erase("vct_values");
    }
  } else if (format == kFormatMsoMdoc) {
    if (const Json* m = Find(v, "doctype_value")) {
      ASSIGN_OR_RETURN(meta.doctype_value, ReadString(*m, Member(where, "doctype_value")));
      meta.other.erase("doctype_value");
    }
  } else if (format == kFormatJwtVcJson) {
    if (const Json* m = Find(v, "type_values")) {
      ASSIGN_OR_RETURN(meta.type_values, ReadStringArrayArray(*m, Member(where, "type_values")));
      meta.other.erase("type_values");
    }
  }
  return meta;
}

Result<ClaimsQuery> ReadClaimsQuery(const Json& v, const std::string& format, const std::string& where) {
  if (!v.is_object()) return Malformed(where, "must be an object");
  ClaimsQuery claim;
  if (const Json* m = Find(v, "id")) {
    ASSIGN_OR_RETURN(claim.id, ReadString(*m, Member(where, "id")));
  }
  ASSIGN_OR_RETURN(const Json* path, Required(v, "path", where));
  ASSIGN_OR_RETURN(claim.path, ReadClaimsPath(*path, Member(where, "path")));
  if (const Json* m = Find(v, "values")) {
    const std::string at = Member(where, "values");
    if (!m->is_array()) return Malformed(at, "must be an array");
    std::vector<ClaimValue> values;
    values.reserve(m->size());
    for (size_t i = 0; i < m->size(); ++i) {
      ASSIGN_OR_RETURN(ClaimValue value, ReadClaimValue((*m)[i], Index(at, i)));
      values.push_back(std::move(value));
    }
    claim.values = std::move(values);
  }
  // intent_to_retain is defined for mso_mdoc only (B.2.4); elsewhere it is an unknown member.
  if (format == kFormatMsoMdoc) {
    if (const Json* m = Find(v, "intent_to_retain")) {
      ASSIGN_OR_RETURN(claim.intent_to_retain, ReadBool(*m, Member(where, "intent_to_retain")));
    }
  }
  return claim;
}

Result<TrustedAuthoritiesQuery> ReadTrustedAuthority(const Json& v, const std::string& where) {
  if (!v.is_object()) return Malformed(where, "must be an object");
  TrustedAuthoritiesQuery ta;
  ASSIGN_OR_RETURN(const Json* type, Required(v, "type", where));
  ASSIGN_OR_RETURN(ta.type, ReadString(*type, Member(where, "type")));
  ASSIGN_OR_RETURN(const Json* values, Required(v, "values", where));
  ASSIGN_OR_RETURN(ta.values, ReadStringArray(*values, Member(where, "values")));
  return ta;
}

Result<CredentialQuery> ReadCredentialQuery(const Json& v, const std::string& where) {
  if (!v.is_object()) return Malformed(where, "must be an object");
  CredentialQuery q;
  ASSIGN_OR_RETURN(const Json* id, Required(v, "id", where));
  ASSIGN_OR_RETURN(q.id, ReadString(*id, Member(where, "id")));
  ASSIGN_OR_RETURN(const Json* format, Required(v, "format", where));
  ASSIGN_OR_RETURN(q.format, ReadString(*format, Member(where, "format")));
  if (const Json* m = Find(v, "multiple")) {
    ASSIGN_OR_RETURN(q.multiple, ReadBool(*m, Member(where, "multiple")));
  }
  ASSIGN_OR_RETURN(const Json* meta, Required(v, "meta", where));
  ASSIGN_OR_RETURN(q.meta, ReadMeta(*meta, q.format, Member(where, "meta")));
  if (const Json* m = Find(v, "trusted_authorities")) {
    const std::string at = Member(where, "trusted_authorities");
    if (!m->is_array()) return Malformed(at, "must be an array");
    std::vector<TrustedAuthoritiesQuery> list;
    for (size_t i = 0; i < m->size(); ++i) {
      ASSIGN_OR_RETURN(TrustedAuthoritiesQuery ta, ReadTrustedAuthority((*m)[i], Index(at, i)));
      list.push_back(std::move(ta));
    }
    q.trusted_authorities = std::move(list);
  }
  if (const Json* m = Find(v, "require_cryptographic_holder_binding")) {
    ASSIGN_OR_RETURN(q.require_cryptographic_holder_binding,
                     ReadBool(*m, Member(where, "require_cryptographic_holder_binding")));
  }
  if (const Json* m = Find(v, "claims")) {
    const std::string at = Member(where, "claims");
    if (!m->is_array()) return Malformed(at, "must be an array");
    std::vector<ClaimsQuery> claims;
    for (size_t i = 0; i < m->size(); ++i) {
      ASSIGN_OR_RETURN(ClaimsQuery claim, ReadClaimsQuery((*m)[i], q.format, Index(at, i)));
      claims.push_back(std::move(claim));
    }
    q.claims = std::move(claims);
  }
  if (const Json* m = Find(v, "claim_sets")) {
    ASSIGN_OR_RETURN(q.claim_sets, ReadStringArrayArray(*m, Member(where, "claim_sets")));
  }
  return q;
}

Result<CredentialSetQuery> ReadCredentialSet(const Json& v, const std::string& where) {
  if (!v.is_object()) return Malformed(where, "must be an object");
  CredentialSetQuery set;
  ASSIGN_OR_RETURN(const Json* options, Required(v, "options", where));
  ASSIGN_OR_RETURN(set.options, ReadStringArrayArray(*options, Member(where, "options")));
  if (const Json* m = Find(v, "required")) {
    ASSIGN_OR_RETURN(set.required, ReadBool(*m, Member(where, "required")));
  }
  return set;
}

// ---- Validation of the rules beyond JSON types. ----

Status ValidateMeta(const CredentialQuery& q, const std::string& where) {
  const CredentialMeta& meta = q.meta;
  if (!meta.other.is_object()) return Malformed(where, "must be an object");
  const bool sd_jwt = q.format == kFormatSdJwtVc;
  const bool mdoc = q.format == kFormatMsoMdoc;
  const bool vc = q.format == kFormatJwtVcJson;
  if (meta.vct_values && !sd_jwt) return Malformed(Member(where, "vct_values"), "is only defined for dc+sd-jwt");
  if (meta.doctype_value && !mdoc) return Malformed(Member(where, "doctype_value"), "is only defined for mso_mdoc");
  if (meta.type_values && !vc) return Malformed(Member(where, "type_values"), "is only defined for jwt_vc_json");
  if (sd_jwt) {
    if (!meta.vct_values) return Malformed(Member(where, "vct_values"), "is required for dc+sd-jwt");
    if (meta.vct_values->empty()) return Malformed(Member(where, "vct_values"), "must not be empty");
  }
  if (mdoc) {
    if (!meta.doctype_value) return Malformed(Member(where, "doctype_value"), "is required for mso_mdoc");
    if (meta.doctype_value->empty()) return Malformed(Member(where, "doctype_value"), "must not be empty");
  }
  if (vc) {
    const std::string at = Member(where, "type_values");
    if (!meta.type_values) return Malformed(at, "is required for jwt_vc_json");
    if (meta.type_values->empty()) return Malformed(at, "must not be empty");
    for (size_t i = 0; i < meta.type_values->size(); ++i) {
      if ((*meta.type_values)[i].empty()) return Malformed(Index(at, i), "must not be empty");
    }
  }
  return OkStatus();
}

Status ValidateClaims(const CredentialQuery& q, const std::string& where) {
  const std::string claims_at = Member(where, "claims");
  std::set<std::string> claim_ids;
  if (q.claims) {
    if (q.claims->empty()) return Malformed(claims_at, "must not be empty");
    for (size_t i = 0; i < q.claims->size(); ++i) {
      const ClaimsQuery& claim = (*q.claims)[i];
      const std::string at = Index(claims_at, i);
      if (claim.id) {
        if (!IsValidId(*claim.id)) {
          return Malformed(Member(at, "id"), "must be a non-empty string of [A-Za-z0-9_-]");
        }
        if (!claim_ids.insert(*claim.id).second) {
          return Malformed(Member(at, "id"), "repeats the id '" + *claim.id + "'");
        }
      }
      if (claim.path.empty()) return Malformed(Member(at, "path"), "must not be empty");
      if (q.format == kFormatMsoMdoc) {
        if (claim.path.size() != 2 || !std::holds_alternative<std::string>(claim.path[0]) ||
            !std::holds_alternative<std::string>(claim.path[1])) {
          return Malformed(Member(at, "path"), "must be [namespace, element_identifier] for mso_mdoc");
        }
      } else if (claim.intent_to_retain) {
        return Malformed(Member(at, "intent_to_retain"), "is only defined for mso_mdoc");
      }
      if (claim.values && claim.values->empty()) return Malformed(Member(at, "values"), "must not be empty");
    }
  }
  if (q.claim_sets) {
    const std::string at = Member(where, "claim_sets");
    if (!q.claims) return Malformed(at, "must not be present without claims");
    if (q.claim_sets->empty()) return Malformed(at, "must not be empty");
    for (size_t i = 0; i < q.claims->size(); ++i) {
      if (!(*q.claims)[i].id) return Malformed(Member(Index(claims_at, i), "id"), "is required with claim_sets");
    }
    for (size_t i = 0; i < q.claim_sets->size(); ++i) {
      const std::vector<std::string>& option = (*q.claim_sets)[i];
      if (option.empty()) return Malformed(Index(at, i), "must not be empty");
      for (size_t j = 0; j < option.size(); ++j) {
        if (claim_ids.count(option[j]) == 0) {
          return Malformed(Index(Index(at, i), j), "names no claim of this query: '" + option[j] + "'");
        }
      }
    }
  }
  return OkStatus();
}

Status ValidateCredentialQuery(const CredentialQuery& q, const std::string& where) {
  if (!IsValidId(q.id)) return Malformed(Member(where, "id"), "must be a non-empty string of [A-Za-z0-9_-]");
  if (q.format.empty()) return Malformed(Member(where, "format"), "must not be empty");
  RETURN_IF_ERROR(ValidateMeta(q, Member(where, "meta")));
  if (q.trusted_authorities) {
    const std::string at = Member(where, "trusted_authorities");
    if (q.trusted_authorities->empty()) return Malformed(at, "must not be empty");
    for (size_t i = 0; i < q.trusted_authorities->size(); ++i) {
      const TrustedAuthoritiesQuery& ta = (*q.trusted_authorities)[i];
      if (ta.type.empty()) return Malformed(Member(Index(at, i), "type"), "must not be empty");
      if (ta.values.empty()) return Malformed(Member(Index(at, i), "values"), "must not be empty");
    }
  }
  return ValidateClaims(q, where);
}

// ---- Claims path processing (section 7). ----

struct Selected {
  ClaimsPath path;
  const Json* value;
};

Status SelectPointers(const ClaimsPath& path, const Json& root, std::vector<Selected>& out) {
  if (!root.is_object()) return Error(StatusCode::kInvalidClaims, "claims path: the credential is not an object");
  std::vector<Selected> current;
  current.push_back(Selected{{}, &root});
  for (const ClaimsPathElement& element : path) {
    std::vector<Selected> next;
    if (const std::string* key = std::get_if<std::string>(&element)) {
      for (const Selected& s : current) {
        if (!s.value->is_object()) {
          return Error(StatusCode::kInvalidClaims, "claims path: member '" + *key + "' of a non-object");
        }
      }
      for (Selected& s : current) {
        const Json* child = Find(*s.value, *key);
        if (child == nullptr) continue;
        s.path.emplace_back(*key);
        next.push_back(Selected{std::move(s.path), child});
      }
    } else {
      for (const Selected& s : current) {
        if (!s.value->is_array()) return Error(StatusCode::kInvalidClaims, "claims path: index into a non-array");
      }
      const uint64_t* index = std::get_if<uint64_t>(&element);
      for (const Selected& s : current) {
        const uint64_t size = s.value->size();
        for (uint64_t i = 0; i < size; ++i) {
          if (index != nullptr && *index != i) continue;
          ClaimsPath child_path = s.path;
          child_path.emplace_back(i);
          next.push_back(Selected{std::move(child_path), &(*s.value)[static_cast<size_t>(i)]});
        }
      }
    }
    if (next.empty()) return Error(StatusCode::kNotFound, "claims path selects nothing");
    current = std::move(next);
  }
  out = std::move(current);
  return OkStatus();
}

// ValueEquals: section 6.3, "the type and value of the claim both match exactly".
bool ValueEquals(const Json& claim, const ClaimValue& expected) {
  if (const std::string* s = std::get_if<std::string>(&expected)) {
    return claim.is_string() && claim.get_ref<const std::string&>() == *s;
  }
  if (const bool* b = std::get_if<bool>(&expected)) return claim.is_boolean() && claim.get<bool>() == *b;
  const int64_t i = std::get<int64_t>(expected);
  if (claim.is_number_unsigned()) return i >= 0 && claim.get<uint64_t>() == static_cast<uint64_t>(i);
  if (claim.is_number_integer()) return claim.get<int64_t>() == i;
  return false;
}

std::optional<ClaimMatch> EvaluateClaim(const ClaimsQuery& claim, const Json& credential) {
  std::vector<Selected> selected;
  if (!SelectPointers(claim.path, credential, selected).ok()) return std::nullopt;
  ClaimMatch match;
  match.claim_id = claim.id;
  match.requested_path = claim.path;
  for (Selected& s : selected) {
    if (claim.values) {
      const bool any = std::any_of(claim.values->begin(), claim.values->end(),
                                   [&](const ClaimValue& v) { return ValueEquals(*s.value, v); });
      if (!any) continue;
    }
    match.disclosed_paths.push_back(std::move(s.path));
  }
  if (match.disclosed_paths.empty()) return std::nullopt;
  return match;
}

bool MetaMatches(const CredentialQuery& q, const CandidateCredential& c) {
  if (q.format == kFormatSdJwtVc) {
    return q.meta.vct_values &&
           std::find(q.meta.vct_values->begin(), q.meta.vct_values->end(), c.vct) != q.meta.vct_values->end();
  }
  if (q.format == kFormatMsoMdoc) return q.meta.doctype_value && *q.meta.doctype_value == c.doctype;
  if (q.format == kFormatJwtVcJson) {
    if (!q.meta.type_values) return false;
    return std::any_of(q.meta.type_values->begin(), q.meta.type_values->end(), [&](const auto& required) {
      return std::all_of(required.begin(), required.end(), [&](const std::string& t) {
        return std::find(c.types.begin(), c.types.end(), t) != c.types.end();
      });
    });
  }
  return false;
}

std::optional<CandidateMatch> MatchCandidate(const CredentialQuery& q, const CandidateCredential& c, size_t index) {
  if (c.format != q.format || !IsSupportedFormat(q.format)) return std::nullopt;
  if (!MetaMatches(q, c)) return std::nullopt;
  if (q.require_cryptographic_holder_binding && !c.holder_binding) return std::nullopt;
  CandidateMatch match;
  match.candidate_index = index;
  match.candidate_id = c.id;
  if (!q.claims) return match;

  std::vector<std::optional<ClaimMatch>> evaluated;
  evaluated.reserve(q.claims->size());
  for (const ClaimsQuery& claim : *q.claims) evaluated.push_back(EvaluateClaim(claim, c.claims));

  if (!q.claim_sets) {
    for (std::optional<ClaimMatch>& e : evaluated) {
      if (!e) return std::nullopt;
    }
    for (std::optional<ClaimMatch>& e : evaluated) match.claims.push_back(std::move(*e));
    return match;
  }
  for (size_t k = 0; k < q.claim_sets->size(); ++k) {
    const std::vector<std::string>& option = (*q.claim_sets)[k];
    std::vector<bool> wanted(q.claims->size(), false);
    bool satisfiable = true;
    for (const std::string& id : option) {
      for (size_t i = 0; i < q.claims->size(); ++i) {
        if ((*q.claims)[i].id == id) {
          wanted[i] = true;
          if (!evaluated[i]) satisfiable = false;
        }
      }
    }
    if (!satisfiable) continue;
    match.claim_set_index = k;
    for (size_t i = 0; i < q.claims->size(); ++i) {
      if (wanted[i]) match.claims.push_back(*evaluated[i]);
    }
    return match;
  }
  return std::nullopt;
}

void AppendStringArray(Json& obj, std::string_view key, const std::vector<std::string>& values) {
  Json arr = Json::array();
  for (const std::string& v : values) arr.push_back(v);
  obj[std::string(key)] = std::move(arr);
}

Json StringArrayArrayToJson(const std::vector<std::vector<std::string>>& values) {
  Json arr = Json::array();
  for (const std::vector<std::string>& inner : values) {
    Json a = Json::array();
    for (const std::string& v : inner) a.push_back(v);
    arr.push_back(std::move(a));
  }
  return arr;
}

Json ClaimValueToJson(const ClaimValue& value) {
  if (const std::string* s = std::get_if<std::string>(&value)) return Json(*s);
  if (const bool* b = std::get_if<bool>(&value)) return Json(*b);
  return Json(std::get<int64_t>(value));
}

}  // namespace

Result<ClaimsPath> ParseClaimsPath(const Json& json) {
  ASSIGN_OR_RETURN(ClaimsPath path, ReadClaimsPath(json, "path"));
  if (path.empty()) return Malformed("path", "must not be empty");
  return path;
}

Json ClaimsPathToJson(const ClaimsPath& path) {
  Json arr = Json::array();
  for (const ClaimsPathElement& e : path) {
    if (const std::string* key = std::get_if<std::string>(&e)) {
      arr.push_back(*key);
    } else if (const uint64_t* index = std::get_if<uint64_t>(&e)) {
      arr.push_back(*index);
    } else {
      arr.push_back(nullptr);
    }
  }
  return arr;
}

Result<std::vector<SelectedClaim>> ProcessClaimsPath(const ClaimsPath& path, const Json& credential) {
  std::vector<Selected> selected;
  RETURN_IF_ERROR(SelectPointers(path, credential, selected));
  std::vector<SelectedClaim> out;
  out.reserve(selected.size());
  for (Selected& s : selected) out.push_back(SelectedClaim{std::move(s.path), *s.value});
  return out;
}

const CredentialQuery* DcqlQuery::FindCredential(std::string_view id) const {
  for (const CredentialQuery& q : credentials) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

Json DcqlQuery::ToJson() const {
  Json out = Json::object();
  Json creds = Json::array();
  for (const CredentialQuery& q : credentials) {
    Json c = Json::object();
    c["id"] = q.id;
    c["format"] = q.format;
    if (q.multiple) c["multiple"] = true;
    Json meta = q.meta.other.is_object() ? q.meta.other : Json::object();
    if (q.meta.vct_values) AppendStringArray(meta, "vct_values", *q.meta.vct_values);
    if (q.meta.doctype_value) meta["doctype_value"] = *q.meta.doctype_value;
    if (q.meta.type_values) meta["type_values"] = StringArrayArrayToJson(*q.meta.type_values);
    c["meta"] = std::move(meta);
    if (q.trusted_authorities) {
      Json list = Json::array();
      for (const TrustedAuthoritiesQuery& ta : *q.trusted_authorities) {
        Json t = Json::object();
        t["type"] = ta.type;
        AppendStringArray(t, "values", ta.values);
        list.push_back(std::move(t));
      }
      c["trusted_authorities"] = std::move(list);
    }
    if (!q.require_cryptographic_holder_binding) c["require_cryptographic_holder_binding"] = false;
    if (q.claims) {
      Json claims = Json::array();
      for (const ClaimsQuery& claim : *q.claims) {
        Json j = Json::object();
        if (claim.id) j["id"] = *claim.id;
        j["path"] = ClaimsPathToJson(claim.path);
        if (claim.values) {
          Json values = Json::array();
          for (const ClaimValue& v : *claim.values) values.push_back(ClaimValueToJson(v));
          j["values"] = std::move(values);
        }
        if (claim.intent_to_retain) j["intent_to_retain"] = *claim.intent_to_retain;
        claims.push_back(std::move(j));
      }
      c["claims"] = std::move(claims);
    }
    if (q.claim_sets) c["claim_sets"] = StringArrayArrayToJson(*q.claim_sets);
    creds.push_back(std::move(c));
  }
  out["credentials"] = std::move(creds);
  if (credential_sets) {
    Json sets = Json::array();
    for (const CredentialSetQuery& set : *credential_sets) {
      Json s = Json::object();
      s["options"] = StringArrayArrayToJson(set.options);
      if (!set.required) s["required"] = false;
      sets.push_back(std::move(s));
    }
    out["credential_sets"] = std::move(sets);
  }
  return out;
}

Status ValidateDcqlQuery(const DcqlQuery& query) {
  if (query.credentials.empty()) return Malformed("credentials", "must not be empty");
  std::set<std::string> ids;
  for (size_t i = 0; i < query.credentials.size(); ++i) {
    const std::string where = Index("credentials", i);
    RETURN_IF_ERROR(ValidateCredentialQuery(query.credentials[i], where));
    if (!ids.insert(query.credentials[i].id).second) {
      return Malformed(Member(where, "id"), "repeats the id '" + query.credentials[i].id + "'");
    }
  }
  if (query.credential_sets) {
    if (query.credential_sets->empty()) return Malformed("credential_sets", "must not be empty");
    for (size_t i = 0; i < query.credential_sets->size(); ++i) {
      const std::string at = Member(Index("credential_sets", i), "options");
      const CredentialSetQuery& set = (*query.credential_sets)[i];
      if (set.options.empty()) return Malformed(at, "must not be empty");
      for (size_t j = 0; j < set.options.size(); ++j) {
        if (set.options[j].empty()) return Malformed(Index(at, j), "must not be empty");
        for (size_t k = 0; k < set.options[j].size(); ++k) {
          if (ids.count(set.options[j][k]) == 0) {
            return Malformed(Index(Index(at, j), k), "names no credential query: '" + set.options[j][k] + "'");
          }
        }
      }
    }
  }
  return OkStatus();
}

Result<DcqlQuery> ParseDcqlQuery(const Json& json, const DcqlLimits& limits) {
  if (!json.is_object()) return Malformed("dcql_query", "must be an object");
  if (JsonDepth(json) > limits.max_depth) {
    return Error(StatusCode::kLimitExceeded, "dcql_query nests deeper than " + std::to_string(limits.max_depth));
  }
  DcqlQuery query;
  ASSIGN_OR_RETURN(const Json* creds, Required(json, "credentials", ""));
  if (!creds->is_array()) return Malformed("credentials", "must be an array");
  for (size_t i = 0; i < creds->size(); ++i) {
    ASSIGN_OR_RETURN(CredentialQuery q, ReadCredentialQuery((*creds)[i], Index("credentials", i)));
    query.credentials.push_back(std::move(q));
  }
  if (const Json* sets = Find(json, "credential_sets")) {
    if (!sets->is_array()) return Malformed("credential_sets", "must be an array");
    std::vector<CredentialSetQuery> list;
    for (size_t i = 0; i < sets->size(); ++i) {
      ASSIGN_OR_RETURN(CredentialSetQuery set, ReadCredentialSet((*sets)[i], Index("credential_sets", i)));
      list.push_back(std::move(set));
    }
    query.credential_sets = std::move(list);
  }
  RETURN_IF_ERROR(ValidateDcqlQuery(query));
  return query;
}

Result<DcqlQuery> ParseDcqlQueryText(std::string_view text, const DcqlLimits& limits) {
  ASSIGN_OR_RETURN(Json json, ParseJson(text, JsonLimits{.max_bytes = limits.max_bytes, .max_depth = limits.max_depth}));
  return ParseDcqlQuery(json, limits);
}

const CredentialQueryMatch* MatchResult::Find(std::string_view query_id) const {
  for (const CredentialQueryMatch& q : queries) {
    if (q.query_id == query_id) return &q;
  }
  return nullptr;
}

Result<MatchResult> Match(const DcqlQuery& query, std::span<const CandidateCredential> candidates) {
  RETURN_IF_ERROR(ValidateDcqlQuery(query));
  std::set<std::string_view> ids;
  for (const CandidateCredential& c : candidates) {
    if (!ids.insert(c.id).second) {
      return Error(StatusCode::kInvalidArgument, "dcql: two candidate credentials have the id '" + c.id + "'");
    }
    if (!c.claims.is_object()) {
      return Error(StatusCode::kInvalidArgument, "dcql: claims of candidate '" + c.id + "' is not a JSON object");
    }
  }
  MatchResult result;
  result.queries.reserve(query.credentials.size());
  for (const CredentialQuery& q : query.credentials) {
    CredentialQueryMatch qm;
    qm.query_id = q.id;
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::optional<CandidateMatch> m = MatchCandidate(q, candidates[i], i);
      if (m) qm.candidates.push_back(std::move(*m));
    }
    result.queries.push_back(std::move(qm));
  }
  return result;
}

Result<Selection> Select(const DcqlQuery& query, const MatchResult& matches) {
  RETURN_IF_ERROR(ValidateDcqlQuery(query));
  const size_t n = query.credentials.size();
  if (matches.queries.size() != n) {
    return Error(StatusCode::kInvalidArgument, "dcql: the match result is not for this query");
  }
  std::map<std::string, size_t, std::less<>> index_of;
  for (size_t i = 0; i < n; ++i) {
    if (matches.queries[i].query_id != query.credentials[i].id) {
      return Error(StatusCode::kInvalidArgument, "dcql: the match result is not for this query");
    }
    index_of[query.credentials[i].id] = i;
  }
  auto satisfied = [&](size_t i) { return !matches.queries[i].candidates.empty(); };

  Selection selection;
  std::vector<bool> used(n, false);
  if (!query.credential_sets) {
    for (size_t i = 0; i < n; ++i) {
      if (!satisfied(i)) {
        return Error(StatusCode::kNotFound,
                     "dcql: no credential matches credential query '" + query.credentials[i].id + "'");
      }
      used[i] = true;
    }
  } else {
    for (size_t s = 0; s < query.credential_sets->size(); ++s) {
      const CredentialSetQuery& set = (*query.credential_sets)[s];
      std::optional<size_t> chosen;
      std::string first_unmet;
      for (size_t o = 0; o < set.options.size() && !chosen; ++o) {
        bool ok = true;
        for (const std::string& id : set.options[o]) {
          if (!satisfied(index_of.find(id)->second)) {
            if (first_unmet.empty()) first_unmet = id;
            ok = false;
            break;
          }
        }
        if (ok) chosen = o;
      }
      if (!chosen && set.required) {
        return Error(StatusCode::kNotFound, "dcql: required credential set " + std::to_string(s) +
                                                " cannot be met: no option has a match for every query (first "
                                                "unmet: '" + first_unmet + "')");
      }
      if (chosen) {
        for (const std::string& id : set.options[*chosen]) used[index_of.find(id)->second] = true;
      }
      selection.set_options.push_back(chosen);
    }
  }

  for (size_t i = 0; i < n; ++i) {
    if (!used[i]) continue;
    const CredentialQuery& q = query.credentials[i];
    selection.query_ids.push_back(q.id);
    const std::vector<CandidateMatch>& found = matches.queries[i].candidates;
    const size_t take = q.multiple ? found.size() : std::min<size_t>(found.size(), 1);
    for (size_t k = 0; k < take; ++k) {
      const CandidateMatch& m = found[k];
      PlannedPresentation p;
      p.query_id = q.id;
      p.candidate_id = m.candidate_id;
      p.candidate_index = m.candidate_index;
      p.claim_set_index = m.claim_set_index;
      for (const ClaimMatch& claim : m.claims) {
        for (const ClaimsPath& path : claim.disclosed_paths) {
          if (std::find(p.claims.begin(), p.claims.end(), path) == p.claims.end()) p.claims.push_back(path);
        }
      }
      selection.presentations.push_back(std::move(p));
    }
  }
  return selection;
}

Result<Selection> Select(const DcqlQuery& query, std::span<const CandidateCredential> candidates) {
  ASSIGN_OR_RETURN(MatchResult matches, Match(query, candidates));
  return Select(query, matches);
}

}  // namespace bonafide::oid4vp
