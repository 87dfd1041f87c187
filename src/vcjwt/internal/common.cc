#include "vcjwt/internal/common.h"

#include "vcjwt/vc_jwt.h"

namespace bonafide::vcjwt::internal {

Status CheckBaseContext(const Json& obj) {
  const Json* ctx = Find(obj, "@context");
  if (ctx == nullptr) return Error(StatusCode::kInvalidType, "missing \"@context\"");
  if (!ctx->is_array() || ctx->empty()) {
    return Error(StatusCode::kInvalidClaims, "\"@context\" is not a non-empty array");
  }
  for (const Json& entry : *ctx) {
    if (!entry.is_string() && !entry.is_object()) {
      return Error(StatusCode::kInvalidClaims, "\"@context\" entries must be strings or objects");
    }
  }
  const Json& first = (*ctx)[0];
  if (!first.is_string() || first.get_ref<const std::string&>() != kCredentialsV2Context) {
    return Error(StatusCode::kInvalidType,
                 "\"@context\" does not start with " + std::string(kCredentialsV2Context));
  }
  return OkStatus();
}

Result<std::vector<std::string>> GetTypes(const Json& obj, std::string_view required) {
  const Json* type = Find(obj, "type");
  if (type == nullptr) return Error(StatusCode::kInvalidType, "missing \"type\"");
  std::vector<std::string> types;
  if (type->is_string()) {
    types.push_back(type->get<std::string>());
  } else if (type->is_array()) {
    for (const Json& t : *type) {
      if (!t.is_string()) return Error(StatusCode::kInvalidClaims, "\"type\" entries must be strings");
      types.push_back(t.get<std::string>());
    }
  } else {
    return Error(StatusCode::kInvalidClaims, "\"type\" is not a string or an array");
  }
  if (!HasType(types, required)) {
    return Error(StatusCode::kInvalidType, "\"type\" does not include " + std::string(required));
  }
  return types;
}

bool HasType(const std::vector<std::string>& types, std::string_view type) {
  for (const auto& t : types) {
    if (t == type) return true;
  }
  return false;
}

Result<std::string> DidOfDidUrl(std::string_view did_url) {
  const size_t hash = did_url.find('#');
  if (!did_url.starts_with("did:") || hash == std::string_view::npos || hash + 1 == did_url.size() ||
      did_url.find('#', hash + 1) != std::string_view::npos) {
    return Error(StatusCode::kMalformed, "kid is not a DID URL \"did:...#fragment\"");
  }
  return std::string(did_url.substr(0, hash));
}

}  // namespace bonafide::vcjwt::internal
