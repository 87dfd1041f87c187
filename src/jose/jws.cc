#include "jose/jws.h"

#include "base/encoding.h"

namespace bonafide::jose {
namespace {

// Registered JOSE header parameters that may never be listed in crit (RFC 7515 4.1.11).
bool IsRegisteredHeader(std::string_view name) {
  static constexpr std::string_view kNames[] = {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t",
                                                "x5t#S256", "typ", "cty", "crit"};
  for (auto n : kNames) if (n == name) return true;
  return false;
}

Status CheckCrit(const Json& header, const std::vector<std::string>& understood) {
  const Json* crit = Find(header, "crit");
  if (crit == nullptr) return OkStatus();
  if (!crit->is_array() || crit->empty()) {
    return Error(StatusCode::kMalformed, "crit must be a non-empty array");
  }
  for (const Json& c : *crit) {
    if (!c.is_string()) return Error(StatusCode::kMalformed, "crit entries must be strings");
    const std::string& name = c.get_ref<const std::string&>();
    if (IsRegisteredHeader(name)) return Error(StatusCode::kMalformed, "crit lists registered header \"" + name + "\"");
    if (Find(header, name) == nullptr) return Error(StatusCode::kMalformed, "crit names absent header \"" + name + "\"");
    bool known = false;
    for (const auto& u : understood) known = known || u == name;
    if (!known) return Error(StatusCode::kUnknownCritical, "unsupported critical header \"" + name + "\"");
  }
  return OkStatus();
}

}  // namespace

Result<UnverifiedJws> UnverifiedJws::Parse(std::string_view compact) {
  size_t d1 = compact.find('.');
  if (d1 == std::string_view::npos) return Error(StatusCode::kMalformed, "JWS needs three dot-separated parts");
  size_t d2 = compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos) {
    return Error(StatusCode::kMalformed, "JWS needs three dot-separated parts");
  }
  UnverifiedJws out;
  auto header_bytes = Base64UrlDecode(compact.substr(0, d1));
  if (!header_bytes.ok()) return Error(StatusCode::kMalformed, "JWS header: " + header_bytes.status().message());
  auto header = ParseJson(AsStringView(*header_bytes), JsonLimits{64 * 1024, 8});
  if (!header.ok()) return Error(StatusCode::kMalformed, "JWS header: " + header.status().message());
  if (!header->is_object()) return Error(StatusCode::kMalformed, "JWS header is not a JSON object");
  out.header_ = std::move(*header);
  auto payload = Base64UrlDecode(compact.substr(d1 + 1, d2 - d1 - 1));
  if (!payload.ok()) return Error(StatusCode::kMalformed, "JWS payload: " + payload.status().message());
  out.payload_ = std::move(*payload);
  auto sig = Base64UrlDecode(compact.substr(d2 + 1));
  if (!sig.ok()) return Error(StatusCode::kMalformed, "JWS signature: " + sig.status().message());
  out.signature_ = std::move(*sig);
  out.signing_input_ = std::string(compact.substr(0, d2));
  const Json* alg = Find(out.header_, "alg");
  if (alg == nullptr || !alg->is_string()) return Error(StatusCode::kMalformed, "JWS header has no string \"alg\"");
  out.alg_ = alg->get<std::string>();
  return out;
}

std::string UnverifiedJws::typ() const {
  const Json* t = Find(header_, "typ");
  return t != nullptr && t->is_string() ? t->get<std::string>() : std::string();
}

Status CheckAlgForKey(std::string_view alg, const crypto::PublicKey& key) {
  auto parsed = crypto::ParseJwsAlg(alg);
  if (!parsed) return Error(StatusCode::kUnsupportedAlgorithm, "JWS alg \"" + std::string(alg) + "\" is not allowed");
  if (*parsed != key.alg()) {
    return Error(StatusCode::kAlgorithmMismatch, "JWS alg " + std::string(alg) + " does not match the " +
                                                     std::string(crypto::JwsAlgName(key.alg())) + " key");
  }
  return OkStatus();
}

Result<VerifiedJws> VerifyJws(const UnverifiedJws& jws, const crypto::PublicKey& key,
                              const std::vector<std::string>& understood_crit) {
  RETURN_IF_ERROR(CheckAlgForKey(jws.alg(), key));
  RETURN_IF_ERROR(CheckCrit(jws.unverified_header(), understood_crit));
  RETURN_IF_ERROR(key.Verify(AsBytes(jws.signing_input()), jws.signature()));
  return VerifiedJws(jws.unverified_header(), jws.unverified_payload());
}

Result<std::vector<crypto::Certificate>> ParseX5c(const Json& header, size_t max_chain) {
  std::vector<crypto::Certificate> chain;
  const Json* x5c = Find(header, "x5c");
  if (x5c == nullptr) return chain;
  if (!x5c->is_array() || x5c->empty() || x5c->size() > max_chain) {
    return Error(StatusCode::kMalformed, "x5c must be a non-empty array of at most " + std::to_string(max_chain));
  }
  for (const Json& c : *x5c) {
    if (!c.is_string()) return Error(StatusCode::kMalformed, "x5c entry is not a string");
    auto der = Base64Decode(c.get_ref<const std::string&>());
    if (!der.ok()) return Error(StatusCode::kMalformed, "x5c entry is not base64");
    ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(*der));
    chain.push_back(std::move(cert));
  }
  return chain;
}

Result<std::string> SignJws(Json header, ByteView payload, const crypto::Signer& signer) {
  Json h = header.is_object() ? std::move(header) : Json::object();
  h["alg"] = std::string(crypto::JwsAlgName(signer.alg()));
  const std::string header_json = DumpJson(h);
  std::string input;
  // One allocation for the whole token: header, payload and a signature of up to 132 bytes.
  input.reserve((header_json.size() + payload.size()) * 4 / 3 + 180);
  Base64UrlAppend(input, AsBytes(header_json));
  input.push_back('.');
  Base64UrlAppend(input, payload);
  ASSIGN_OR_RETURN(Bytes sig, signer.Sign(AsBytes(input)));
  input.push_back('.');
  Base64UrlAppend(input, sig);
  return input;
}

Result<std::string> SignJwt(Json header, const Json& claims, const crypto::Signer& signer) {
  std::string body = DumpJson(claims);
  return SignJws(std::move(header), AsBytes(body), signer);
}

}  // namespace bonafide::jose
