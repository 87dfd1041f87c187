// oid4vp/response.cc: Authorization Responses (see response.h).
#include "oid4vp/response.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "crypto/constant_time.h"
#include "jose/jwe.h"
#include "oid4vp/internal/form.h"

namespace bonafide::oid4vp {
namespace {

constexpr size_t kMaxResponseParams = 16;

Status CheckError(const AuthorizationError& error) {
  if (error.error.empty() || !internal::IsErrorText(error.error)) {
    return Error(StatusCode::kInvalidArgument, "error must be non-empty RFC 6749 error text");
  }
  if (error.error_description && !internal::IsErrorText(*error.error_description)) {
    return Error(StatusCode::kInvalidArgument, "error_description has characters RFC 6749 forbids");
  }
  return OkStatus();
}

Result<std::string> Encrypt(const Json& payload, const VerifiedRequest& request, Random& random) {
  if (request.response_mode() != ResponseMode::kDirectPostJwt || !request.encryption_key()) {
    return Error(StatusCode::kInvalidArgument, "the request did not ask for direct_post.jwt");
  }
  jose::JweEncryptOptions options;
  options.enc = request.enc();
  options.kid = request.encryption_kid();
  ASSIGN_OR_RETURN(std::string jwe, jose::EncryptEcdhEs(*request.encryption_key(), AsBytes(DumpJson(payload)),
                                                        options, random));
  return internal::EncodeForm({{"response", jwe}});
}

bool IsFormContentType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  std::string_view media = content_type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.size() != kFormContentType.size()) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kFormContentType[i]) return false;
  }
  return true;
}

// ReadError fills an error response from `error` / `error_description` strings.
Result<AuthorizationError> ReadError(const std::string& error, const std::string* description) {
  AuthorizationError out{.error = error, .error_description = std::nullopt};
  if (description != nullptr) out.error_description = *description;
  if (!CheckError(out).ok()) return Error(StatusCode::kMalformed, "error response with bad error text");
  return out;
}

// FromJsonPayload reads the decrypted JSON payload of a direct_post.jwt response.
Status FromJsonPayload(const Json& payload, AuthorizationResponse& out) {
  const Json* vp_token = Find(payload, "vp_token");
  const Json* error = Find(payload, "error");
  if ((vp_token == nullptr) == (error == nullptr)) {
    return Error(StatusCode::kMalformed, "response needs exactly one of vp_token and error");
  }
  if (vp_token != nullptr) {
    if (!vp_token->is_object()) return Error(StatusCode::kMalformed, "vp_token is not a JSON object");
    out.vp_token = *vp_token;
  } else {
    const Json* description = Find(payload, "error_description");
    if (!error->is_string() || (description != nullptr && !description->is_string())) {
      return Error(StatusCode::kMalformed, "error / error_description is not a string");
    }
    std::string desc_text = description != nullptr ? description->get<std::string>() : std::string();
    ASSIGN_OR_RETURN(out.error, ReadError(error->get<std::string>(), description != nullptr ? &desc_text : nullptr));
  }
  if (const Json* state = Find(payload, "state")) {
    if (!state->is_string()) return Error(StatusCode::kMalformed, "state is not a string");
    out.state = state->get<std::string>();
  }
  return OkStatus();
}

}  // namespace

Result<Json> BuildVpToken(const std::map<std::string, std::vector<std::string>>& presentations) {
  if (presentations.empty()) return Error(StatusCode::kInvalidArgument, "vp_token needs at least one entry");
  Json out = Json::object();
  for (const auto& [id, list] : presentations) {
    if (id.empty() || list.empty()) return Error(StatusCode::kInvalidArgument, "empty query id or presentation list");
    Json array = Json::array();
    for (const std::string& p : list) {
      if (p.empty()) return Error(StatusCode::kInvalidArgument, "empty presentation");
      array.push_back(p);
    }
    out[id] = std::move(array);
  }
  return out;
}

Result<std::string> EncodeDirectPost(const Json& vp_token, const std::optional<std::string>& state) {
  if (!vp_token.is_object()) return Error(StatusCode::kInvalidArgument, "vp_token is not an object");
  internal::FormParams params = {{"vp_token", DumpJson(vp_token)}};
  if (state) {
    if (!internal::IsUrlSafe(*state)) return Error(StatusCode::kInvalidArgument, "state is not URL safe");
    params.emplace_back("state", *state);
  }
  return internal::EncodeForm(params);
}

Result<std::string> EncryptResponse(const Json& vp_token, const VerifiedRequest& request, Random& random) {
  if (!vp_token.is_object()) return Error(StatusCode::kInvalidArgument, "vp_token is not an object");
  Json payload = {{"vp_token", vp_token}};
  if (request.state()) payload["state"] = *request.state();
  return Encrypt(payload, request, random);
}

Result<std::string> EncodeErrorResponse(const AuthorizationError& error, const std::optional<std::string>& state) {
  RETURN_IF_ERROR(CheckError(error));
  internal::FormParams params = {{"error", error.error}};
  if (error.error_description) params.emplace_back("error_description", *error.error_description);
  if (state) {
    if (!internal::IsUrlSafe(*state)) return Error(StatusCode::kInvalidArgument, "state is not URL safe");
    params.emplace_back("state", *state);
  }
  return internal::EncodeForm(params);
}

Result<std::string> EncryptErrorResponse(const AuthorizationError& error, const VerifiedRequest& request,
                                         Random& random) {
  RETURN_IF_ERROR(CheckError(error));
  Json payload = {{"error", error.error}};
  if (error.error_description) payload["error_description"] = *error.error_description;
  if (request.state()) payload["state"] = *request.state();
  return Encrypt(payload, request, random);
}

Result<AuthorizationResponse> ParseAuthorizationResponse(std::string_view body, std::string_view content_type,
                                                         const ResponseParseOptions& options) {
  const bool want_jwt = options.expected_mode == ResponseMode::kDirectPostJwt;
  if (want_jwt && (options.decryption_key == nullptr || options.expected_kid.empty())) {
    return Error(StatusCode::kInvalidArgument, "direct_post.jwt needs the decryption key and kid");
  }
  if (body.size() > options.max_bytes) return Error(StatusCode::kLimitExceeded, "response body too large");
  if (!IsFormContentType(content_type)) {
    return Error(StatusCode::kMalformed, "content type is not application/x-www-form-urlencoded");
  }
  ASSIGN_OR_RETURN(internal::FormParams params, internal::ParseForm(body, kMaxResponseParams));

  AuthorizationResponse out;
  const std::string* response = internal::FindParam(params, "response");
  const std::string* vp_token = internal::FindParam(params, "vp_token");
  const std::string* error = internal::FindParam(params, "error");
  const int present = (response != nullptr) + (vp_token != nullptr) + (error != nullptr);
  if (present != 1) return Error(StatusCode::kMalformed, "response needs exactly one of response, vp_token, error");

  if (response != nullptr) {
    if (!want_jwt) return Error(StatusCode::kInvalidType, "encrypted response to a direct_post request");
    jose::JweDecryptOptions jwe_options;
    jwe_options.accepted_enc = options.accepted_enc;
    jwe_options.max_bytes = options.max_bytes;
    jwe_options.expected_kid = options.expected_kid;
    ASSIGN_OR_RETURN(jose::DecryptedJwe decrypted, jose::DecryptEcdhEs(*response, *options.decryption_key, jwe_options));
    auto payload = ParseJsonObject(AsStringView(decrypted.plaintext), options.json_limits);
    if (!payload.ok()) {
      if (payload.status().code() == StatusCode::kLimitExceeded) return payload.status();
      return Error(StatusCode::kMalformed, "decrypted response is not a JSON object");
    }
    RETURN_IF_ERROR(FromJsonPayload(*payload, out));
    out.encrypted = true;
  } else if (vp_token != nullptr) {
    if (want_jwt) return Error(StatusCode::kInvalidType, "unencrypted vp_token to a direct_post.jwt request");
    auto parsed = ParseJsonObject(*vp_token, options.json_limits);
    if (!parsed.ok()) {
      if (parsed.status().code() == StatusCode::kLimitExceeded) return parsed.status();
      return Error(StatusCode::kMalformed, "vp_token is not a JSON object");
    }
    out.vp_token = std::move(*parsed);
  } else {
    ASSIGN_OR_RETURN(out.error, ReadError(*error, internal::FindParam(params, "error_description")));
  }
  if (!out.encrypted) {
    if (const std::string* state = internal::FindParam(params, "state")) out.state = *state;
  }
  if (options.expected_state) {
    if (!out.state || !crypto::ConstantTimeEquals(*out.state, *options.expected_state)) {
      return Error(StatusCode::kNonceMismatch, "state does not match the request");
    }
  }
  return out;
}

}  // namespace bonafide::oid4vp
