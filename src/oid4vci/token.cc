#include "oid4vci/token.h"

#include "crypto/constant_time.h"
#include "oid4vci/internal/url.h"
#include "oid4vci/offer.h"

namespace bonafide::oid4vci {
namespace {

// Lookup returns the parameter `name`, or nullptr.
const std::string* Lookup(const FormParams& form, std::string_view name) {
  const auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

Result<FormParams> ParseFormUrlEncoded(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.max_bytes) return Error(StatusCode::kLimitExceeded, "form body too large");
  if (body.empty()) return Error(StatusCode::kMalformed, "form body is empty");
  ASSIGN_OR_RETURN(internal::QueryParams params, internal::ParseQuery(body, limits.max_params));
  FormParams form;
  for (auto& [name, value] : params) form.emplace(std::move(name), std::move(value));
  return form;
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += internal::PercentEncode(name);
    out += '=';
    out += internal::PercentEncode(value);
  }
  return out;
}

Result<TokenRequest> TokenRequest::FromForm(const FormParams& form) {
  const std::string* grant_type = Lookup(form, "grant_type");
  if (grant_type == nullptr || grant_type->empty()) {
    return Error(StatusCode::kInvalidClaims, "grant_type is missing");
  }
  if (*grant_type != kPreAuthorizedCodeGrantType) {
    return Error(StatusCode::kInvalidType, "only the pre-authorized_code grant type is supported");
  }
  TokenRequest request;
  const std::string* code = Lookup(form, "pre-authorized_code");
  if (code == nullptr || code->empty()) return Error(StatusCode::kInvalidClaims, "pre-authorized_code is missing");
  request.pre_authorized_code = *code;
  if (const std::string* tx = Lookup(form, "tx_code"); tx != nullptr) {
    if (tx->empty()) return Error(StatusCode::kInvalidClaims, "tx_code is empty");
    request.tx_code = *tx;
  }
  if (const std::string* client = Lookup(form, "client_id"); client != nullptr) {
    if (client->empty()) return Error(StatusCode::kInvalidClaims, "client_id is empty");
    request.client_id = *client;
  }
  return request;
}

Result<TokenRequest> TokenRequest::Parse(std::string_view body, const FormLimits& limits) {
  ASSIGN_OR_RETURN(FormParams form, ParseFormUrlEncoded(body, limits));
  return FromForm(form);
}

std::string TokenRequest::ToForm() const {
  FormParams form;
  form.emplace("grant_type", std::string(kPreAuthorizedCodeGrantType));
  form.emplace("pre-authorized_code", pre_authorized_code);
  if (tx_code.has_value()) form.emplace("tx_code", *tx_code);
  if (client_id.has_value()) form.emplace("client_id", *client_id);
  return EncodeForm(form);
}

Status CheckTxCode(const TokenRequest& request, const std::optional<std::string>& expected) {
  if (!expected.has_value()) {
    if (request.tx_code.has_value()) return Error(StatusCode::kInvalidClaims, "tx_code sent but not expected");
    return OkStatus();
  }
  if (!request.tx_code.has_value()) return Error(StatusCode::kInvalidClaims, "tx_code required");
  if (!crypto::ConstantTimeEquals(*request.tx_code, *expected)) {
    return Error(StatusCode::kInvalidSignature, "tx_code does not match");
  }
  return OkStatus();
}

Json TokenResponse::ToJson() const {
  Json body = Json::object();
  body["access_token"] = access_token;
  body["token_type"] = token_type;
  if (expires_in.has_value()) body["expires_in"] = *expires_in;
  return body;
}

Result<TokenResponse> TokenResponse::FromJson(const Json& body) {
  if (!body.is_object()) return Error(StatusCode::kInvalidClaims, "token response must be an object");
  TokenResponse response;
  ASSIGN_OR_RETURN(response.access_token, internal::GetNonEmptyString(body, "access_token"));
  ASSIGN_OR_RETURN(response.token_type, GetString(body, "token_type"));
  if (!EqualsIgnoreAsciiCase(response.token_type, "Bearer")) {
    return Error(StatusCode::kInvalidClaims, "token_type must be Bearer");
  }
  ASSIGN_OR_RETURN(response.expires_in, GetOptionalInt(body, "expires_in"));
  if (response.expires_in.has_value() && *response.expires_in <= 0) {
    return Error(StatusCode::kInvalidClaims, "expires_in must be positive");
  }
  return response;
}

Json NonceResponse::ToJson() const { return Json::object({{"c_nonce", c_nonce}}); }

Result<NonceResponse> NonceResponse::FromJson(const Json& body) {
  if (!body.is_object()) return Error(StatusCode::kInvalidClaims, "nonce response must be an object");
  NonceResponse response;
  ASSIGN_OR_RETURN(response.c_nonce, internal::GetNonEmptyString(body, "c_nonce"));
  return response;
}

}  // namespace bonafide::oid4vci
