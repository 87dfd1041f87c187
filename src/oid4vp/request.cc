// oid4vp/request.cc: Request Objects and Wallet invocation URLs (see request.h).
#include "oid4vp/request.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "base/encoding.h"
#include "crypto/x509.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "oid4vp/internal/form.h"

namespace bonafide::oid4vp {
namespace {

using internal::FindParam;
using internal::IsUrlSafe;

constexpr int64_t kMaxLifetimeSeconds = 3600;
constexpr size_t kMaxUriParams = 32;

Status InvalidClaims(std::string message) { return Error(StatusCode::kInvalidClaims, std::move(message)); }

// SplitClientId returns the host of "x509_san_dns:<host>": kUntrustedIssuer for another prefix,
// kMalformed for no prefix or a host that is not a DNS name.
Result<std::string> ClientHost(std::string_view client_id) {
  const size_t colon = client_id.find(':');
  if (colon == std::string_view::npos) {
    return Error(StatusCode::kMalformed, "client_id has no Client Identifier Prefix");
  }
  if (client_id.substr(0, colon) != kX509SanDnsPrefix) {
    return Error(StatusCode::kUntrustedIssuer,
                 "unsupported Client Identifier Prefix " + std::string(client_id.substr(0, colon)));
  }
  const std::string_view host = client_id.substr(colon + 1);
  if (!internal::IsDnsName(host)) return Error(StatusCode::kMalformed, "x509_san_dns client_id is not a DNS name");
  return std::string(host);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool CertificateNamesHost(const crypto::Certificate& cert, std::string_view host) {
  for (const std::string& name : cert.dns_names()) {
    if (EqualsIgnoreCase(name, host)) return true;
  }
  return false;
}

Json DefaultVpFormats(const DcqlQuery& query) {
  Json formats = Json::object();
  for (const CredentialQuery& q : query.credentials) {
    if (q.format == kFormatSdJwtVc) {
      formats[q.format] = {{"sd-jwt_alg_values", {"ES256"}}, {"kb-jwt_alg_values", {"ES256"}}};
    } else if (q.format == kFormatMsoMdoc) {
      formats[q.format] = {{"issuerauth_alg_values", {-7}}, {"deviceauth_alg_values", {-7}}};
    } else if (q.format == kFormatJwtVcJson) {
      formats[q.format] = {{"alg_values", {"ES256"}}};
    }
  }
  return formats;
}

Status CheckNonce(std::string_view nonce, StatusCode code) {
  if (nonce.size() < kMinNonceLength || nonce.size() > kMaxNonceLength || !IsUrlSafe(nonce)) {
    return Error(code, "nonce must be " + std::to_string(kMinNonceLength) + ".." + std::to_string(kMaxNonceLength) +
                           " URL-safe characters");
  }
  return OkStatus();
}

// ReadEncryptionKey picks the response encryption key of client_metadata.jwks (section 8.3).
Status ReadEncryptionKey(const Json& metadata, std::optional<crypto::PublicKey>& key, std::string& kid) {
  const Json* jwks = Find(metadata, "jwks");
  if (jwks == nullptr) return Error(StatusCode::kInvalidKey, "direct_post.jwt without client_metadata.jwks");
  const Json* keys = Find(*jwks, "keys");
  if (keys == nullptr || !keys->is_array() || keys->empty()) {
    return Error(StatusCode::kInvalidKey, "client_metadata.jwks.keys is not a non-empty array");
  }
  for (const Json& jwk : *keys) {
    if (!jwk.is_object()) return Error(StatusCode::kInvalidKey, "JWK is not an object");
    if (Find(jwk, "d") != nullptr) return Error(StatusCode::kInvalidKey, "client_metadata JWK holds a private key");
    const Json* k = Find(jwk, "kid");
    if (k == nullptr || !k->is_string() || k->get_ref<const std::string&>().empty()) {
      return Error(StatusCode::kInvalidKey, "client_metadata JWK without a kid");
    }
    const Json* alg = Find(jwk, "alg");
    const Json* use = Find(jwk, "use");
    const Json* kty = Find(jwk, "kty");
    const Json* crv = Find(jwk, "crv");
    if (alg == nullptr || *alg != jose::kJweAlgEcdhEs) continue;
    if (use != nullptr && *use != "enc") continue;
    if (kty == nullptr || *kty != "EC" || crv == nullptr || *crv != "P-256") continue;
    auto parsed = crypto::PublicKey::FromJwk(jwk);
    if (!parsed.ok()) return parsed.status();
    key = std::move(*parsed);
    kid = k->get<std::string>();
    return OkStatus();
  }
  return Error(StatusCode::kInvalidKey, "no P-256 ECDH-ES encryption key in client_metadata.jwks");
}

Result<std::vector<VerifierInfo>> ReadVerifierInfo(const Json& value, const DcqlQuery& query) {
  if (!value.is_array() || value.empty()) return InvalidClaims("verifier_info is not a non-empty array");
  std::vector<VerifierInfo> out;
  for (const Json& entry : value) {
    if (!entry.is_object()) return InvalidClaims("verifier_info entry is not an object");
    auto format = GetString(entry, "format");
    if (!format.ok() || format->empty()) return InvalidClaims("verifier_info entry without a format");
    const Json* data = Find(entry, "data");
    if (data == nullptr || !(data->is_string() || data->is_object())) {
      return InvalidClaims("verifier_info data is not a string or object");
    }
    VerifierInfo info{.format = *format, .data = *data, .credential_ids = std::nullopt};
    if (const Json* ids = Find(entry, "credential_ids")) {
      if (!ids->is_array() || ids->empty()) return InvalidClaims("verifier_info credential_ids is not a non-empty array");
      std::vector<std::string> list;
      for (const Json& id : *ids) {
        if (!id.is_string() || query.FindCredential(id.get_ref<const std::string&>()) == nullptr) {
          return InvalidClaims("verifier_info credential_ids names no Credential Query");
        }
        list.push_back(id.get<std::string>());
      }
      info.credential_ids = std::move(list);
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

std::string_view ResponseModeName(ResponseMode mode) {
  return mode == ResponseMode::kDirectPost ? "direct_post" : "direct_post.jwt";
}

std::string NewNonce(Random& random) { return Base64UrlEncode(random.Generate(16)); }

Result<AccessChain> CheckAccessChain(std::vector<Bytes> x5c_der, const crypto::PublicKey& access_key) {
  auto invalid = [](std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); };
  if (x5c_der.empty()) return invalid("empty certificate chain");
  auto leaf = crypto::Certificate::FromDer(x5c_der.front());
  if (!leaf.ok()) return invalid("leaf certificate does not parse");
  auto leaf_key = leaf->public_key();
  if (!leaf_key.ok() || !leaf_key->Equals(access_key)) {
    return invalid("the access key is not the leaf certificate's key");
  }
  Json x5c = Json::array();
  for (const Bytes& der : x5c_der) x5c.push_back(Base64Encode(der));
  return AccessChain(std::move(x5c_der), std::move(x5c), leaf->dns_names(), std::move(*leaf_key));
}

Result<std::string> CreateRequestObject(const RequestParams& params, const crypto::Signer& access_key,
                                        const std::vector<Bytes>& x5c_der, const Clock& clock) {
  if (!internal::IsDnsName(params.host)) return Error(StatusCode::kInvalidArgument, "host is not a DNS name");
  ASSIGN_OR_RETURN(AccessChain chain, CheckAccessChain(x5c_der, access_key.public_key()));
  return CreateRequestObject(params, access_key, chain, clock);
}

Result<std::string> CreateRequestObject(const RequestParams& params, const crypto::Signer& access_key,
                                        const AccessChain& chain, const Clock& clock) {
  auto invalid = [](std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); };
  if (!internal::IsDnsName(params.host)) return invalid("host is not a DNS name");
  auto url = internal::ParseHttpUrl(params.response_uri, "response_uri", true);
  if (!url.ok()) return invalid(url.status().message());
  if (!EqualsIgnoreCase(url->host, params.host)) return invalid("response_uri is not on the client_id host");
  if (!CheckNonce(params.nonce, StatusCode::kInvalidArgument).ok()) return invalid("bad nonce");
  if (params.state && !IsUrlSafe(*params.state)) return invalid("state is not URL safe");
  if (Status s = ValidateDcqlQuery(params.dcql_query); !s.ok()) return invalid("dcql_query: " + s.message());
  if (params.lifetime_seconds < 1 || params.lifetime_seconds > kMaxLifetimeSeconds) {
    return invalid("lifetime must be 1 s .. 1 hour");
  }
  if (std::none_of(chain.dns_names().begin(), chain.dns_names().end(),
                   [&](const std::string& name) { return EqualsIgnoreCase(name, params.host); })) {
    return invalid("leaf certificate has no dNSName " + params.host);
  }
  // The chain was matched to its key once; the signer must hold that key (compared by encoding,
  // which both keys cache).
  if (access_key.public_key().alg() != chain.key().alg() ||
      access_key.public_key().EncodedPoint(false) != chain.key().EncodedPoint(false)) {
    return invalid("the access key is not the leaf certificate's key");
  }

  const std::string client_id = std::string(kX509SanDnsPrefix) + ":" + params.host;
  Json metadata = Json::object();
  metadata["vp_formats_supported"] =
      params.vp_formats_supported.is_null() ? DefaultVpFormats(params.dcql_query) : params.vp_formats_supported;
  if (params.response_mode == ResponseMode::kDirectPostJwt) {
    if (!params.encryption_key || params.encryption_kid.empty()) {
      return invalid("direct_post.jwt needs an encryption key and kid");
    }
    if (params.encryption_key->alg() != crypto::SignatureAlg::kES256) return invalid("encryption key is not P-256");
    if (params.enc_values.empty()) return invalid("no enc values");
    Json jwk = params.encryption_key->ToJwk();
    jwk["kid"] = params.encryption_kid;
    jwk["use"] = "enc";
    jwk["alg"] = jose::kJweAlgEcdhEs;
    metadata["jwks"] = {{"keys", Json::array({jwk})}};
    metadata["encrypted_response_enc_values_supported"] = params.enc_values;
  }

  const int64_t now = clock.NowSeconds();
  Json claims = {{"client_id", client_id},
                 {"response_type", "vp_token"},
                 {"response_mode", ResponseModeName(params.response_mode)},
                 {"response_uri", params.response_uri},
                 {"nonce", params.nonce},
                 {"dcql_query", params.dcql_query.ToJson()},
                 {"client_metadata", std::move(metadata)},
                 {"aud", kSelfIssuedAudience},
                 {"iat", now},
                 {"exp", now + params.lifetime_seconds}};
  if (params.state) claims["state"] = *params.state;
  if (!params.verifier_info.empty()) {
    Json infos = Json::array();
    for (const VerifierInfo& info : params.verifier_info) {
      if (info.format.empty() || !(info.data.is_string() || info.data.is_object())) {
        return invalid("verifier_info needs a format and string or object data");
      }
      Json entry = {{"format", info.format}, {"data", info.data}};
      if (info.credential_ids) entry["credential_ids"] = *info.credential_ids;
      infos.push_back(std::move(entry));
    }
    claims["verifier_info"] = std::move(infos);
  }
  Json header = {{"typ", kRequestObjectTyp}, {"x5c", chain.x5c()}};
  return jose::SignJwt(std::move(header), claims, access_key);
}

Result<std::string> BuildRequestUri(std::string_view base, const WalletInvocation& invocation) {
  auto invalid = [](std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); };
  const bool custom = base == "openid4vp://" || base == "mdoc-openid4vp://";
  if (!custom) {
    auto url = internal::ParseHttpUrl(base, "base", false);
    if (!url.ok() || base.find('?') != std::string_view::npos) return invalid("base must be openid4vp://, mdoc-openid4vp:// or an https URL without a query");
  }
  if (invocation.client_id.empty()) return invalid("client_id is required");
  if (invocation.request_uri.has_value() == invocation.request.has_value()) {
    return invalid("exactly one of request_uri and request is required");
  }
  if (invocation.request_uri_method && !invocation.request_uri) return invalid("request_uri_method without request_uri");
  internal::FormParams params = {{"client_id", invocation.client_id}};
  if (invocation.request_uri) params.emplace_back("request_uri", *invocation.request_uri);
  if (invocation.request_uri_method) {
    params.emplace_back("request_uri_method", *invocation.request_uri_method == RequestUriMethod::kPost ? "post" : "get");
  }
  if (invocation.request) params.emplace_back("request", *invocation.request);
  return std::string(base) + "?" + internal::EncodeForm(params);
}

Result<WalletInvocation> ParseRequestUri(std::string_view text, const RequestUriOptions& options) {
  if (text.size() > options.max_bytes) return Error(StatusCode::kLimitExceeded, "invocation URL too long");
  std::string_view rest;
  if (text.substr(0, 12) == "openid4vp://") {
    rest = text.substr(12);
  } else if (text.substr(0, 17) == "mdoc-openid4vp://") {
    rest = text.substr(17);
  } else if (text.substr(0, 8) == "https://") {
    rest = text.substr(8);
  } else {
    return Error(StatusCode::kMalformed, "invocation URL scheme is not openid4vp, mdoc-openid4vp or https");
  }
  if (rest.find('#') != std::string_view::npos) return Error(StatusCode::kMalformed, "invocation URL has a fragment");
  const size_t q = rest.find('?');
  if (q == std::string_view::npos) return Error(StatusCode::kMalformed, "invocation URL has no query");
  ASSIGN_OR_RETURN(internal::FormParams params, internal::ParseForm(rest.substr(q + 1), kMaxUriParams));

  WalletInvocation out;
  const std::string* client_id = FindParam(params, "client_id");
  if (client_id == nullptr || client_id->empty()) return Error(StatusCode::kMalformed, "invocation URL has no client_id");
  out.client_id = *client_id;
  const std::string* request_uri = FindParam(params, "request_uri");
  const std::string* request = FindParam(params, "request");
  const std::string* method = FindParam(params, "request_uri_method");
  if (request_uri == nullptr && request == nullptr) {
    for (const char* name : {"response_type", "dcql_query", "nonce", "response_uri", "response_mode", "scope"}) {
      if (FindParam(params, name) != nullptr) {
        return Error(StatusCode::kMalformed, "unsigned request refused: x509_san_dns requires a signed Request Object");
      }
    }
    return Error(StatusCode::kMalformed, "invocation URL has neither request_uri nor request");
  }
  if (request_uri != nullptr && request != nullptr) {
    return Error(StatusCode::kMalformed, "invocation URL has both request_uri and request");
  }
  if (method != nullptr) {
    if (request_uri == nullptr) return Error(StatusCode::kMalformed, "request_uri_method without request_uri");
    if (*method == "get") {
      out.request_uri_method = RequestUriMethod::kGet;
    } else if (*method == "post") {
      out.request_uri_method = RequestUriMethod::kPost;
    } else {
      return Error(StatusCode::kMalformed, "invalid_request_uri_method: " + *method);
    }
  }
  if (request_uri != nullptr) {
    auto url = internal::ParseHttpUrl(*request_uri, "request_uri", options.insecure_allow_http_loopback);
    if (!url.ok()) return Error(StatusCode::kMalformed, url.status().message());
    out.request_uri = *request_uri;
  }
  if (request != nullptr) {
    if (request->empty()) return Error(StatusCode::kMalformed, "empty request");
    out.request = *request;
  }
  return out;
}

PresentationBinding VerifiedRequest::binding() const {
  return PresentationBinding{.client_id = client_id_,
                             .nonce = nonce_,
                             .response_uri = response_uri_,
                             .encryption_jwk_thumbprint = encryption_jwk_thumbprint_};
}

Result<VerifiedRequest> VerifyRequestObject(std::string_view jws_text, std::string_view expected_client_id,
                                            const RequestVerifyOptions& options) {
  if (options.clock == nullptr) return Error(StatusCode::kInvalidArgument, "RequestVerifyOptions.clock is required");
  if (jws_text.size() > options.max_bytes) return Error(StatusCode::kLimitExceeded, "Request Object too large");
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(jws_text));

  const std::string typ = jws.typ();
  if (!EqualsIgnoreCase(typ, kRequestObjectTyp) &&
      !EqualsIgnoreCase(typ, "application/" + std::string(kRequestObjectTyp))) {
    return Error(StatusCode::kInvalidType, "Request Object typ is not oauth-authz-req+jwt");
  }
  const auto alg = crypto::ParseJwsAlg(jws.alg());
  if (!alg || std::find(options.allowed_algs.begin(), options.allowed_algs.end(), *alg) == options.allowed_algs.end()) {
    return Error(StatusCode::kUnsupportedAlgorithm, "Request Object alg " + jws.alg() + " is not allowed");
  }

  ASSIGN_OR_RETURN(std::string host, ClientHost(expected_client_id));
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, jose::ParseX5c(jws.unverified_header()));
  if (chain.empty()) return Error(StatusCode::kInvalidCertificate, "x509_san_dns Request Object without x5c");
  if (!CertificateNamesHost(chain.front(), host)) {
    return Error(StatusCode::kInvalidCertificate, "leaf certificate has no dNSName SAN " + host);
  }
  ASSIGN_OR_RETURN(crypto::PublicKey leaf_key, chain.front().public_key());
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(jws, leaf_key));

  VerifiedRequest out;
  for (const crypto::Certificate& cert : chain) out.x5c_.push_back(cert.der());
  if (options.check_chain) RETURN_IF_ERROR(options.check_chain(out.x5c_, host));

  auto payload = ParseJsonObject(AsStringView(verified.payload()));
  if (!payload.ok()) return Error(StatusCode::kMalformed, "Request Object payload: " + payload.status().message());
  const Json& claims = *payload;

  auto client_id = GetString(claims, "client_id");
  if (!client_id.ok() || *client_id != expected_client_id) {
    return InvalidClaims("Request Object client_id differs from the invocation URL's");
  }
  if (const Json* iss = Find(claims, "iss"); iss != nullptr && *iss != *client_id) {
    return InvalidClaims("Request Object iss differs from client_id");
  }
  RETURN_IF_ERROR(jose::CheckAudience(claims, kSelfIssuedAudience));
  jose::JwtTimeValidator time(*options.clock, options.max_skew_seconds);
  time.RequireIssuedAt();
  RETURN_IF_ERROR(time.Validate(claims));

  auto response_type = GetString(claims, "response_type");
  if (!response_type.ok() || *response_type != "vp_token") return InvalidClaims("response_type is not vp_token");
  auto mode = GetString(claims, "response_mode");
  if (!mode.ok()) return InvalidClaims("response_mode missing");
  if (*mode == "direct_post") {
    out.response_mode_ = ResponseMode::kDirectPost;
  } else if (*mode == "direct_post.jwt") {
    out.response_mode_ = ResponseMode::kDirectPostJwt;
  } else {
    return InvalidClaims("unsupported response_mode " + *mode);
  }
  if (Find(claims, "redirect_uri") != nullptr) return InvalidClaims("redirect_uri with direct_post");
  for (const char* unsupported : {"scope", "transaction_data", "request", "request_uri"}) {
    if (Find(claims, unsupported) != nullptr) return InvalidClaims(std::string(unsupported) + " is not supported");
  }
  auto response_uri = GetString(claims, "response_uri");
  if (!response_uri.ok()) return InvalidClaims("response_uri missing");
  ASSIGN_OR_RETURN(internal::HttpsUrl url,
                   internal::ParseHttpUrl(*response_uri, "response_uri", options.insecure_allow_http_loopback));
  if (!EqualsIgnoreCase(url.host, host)) return InvalidClaims("response_uri host is not the client_id host " + host);

  auto nonce = GetString(claims, "nonce");
  if (!nonce.ok()) return InvalidClaims("nonce missing");
  RETURN_IF_ERROR(CheckNonce(*nonce, StatusCode::kInvalidClaims));
  if (const Json* state = Find(claims, "state")) {
    if (!state->is_string() || !IsUrlSafe(state->get_ref<const std::string&>())) {
      return InvalidClaims("state is not a URL-safe string");
    }
    out.state_ = state->get<std::string>();
  }

  const Json* dcql = Find(claims, "dcql_query");
  if (dcql == nullptr) return InvalidClaims("dcql_query missing");
  ASSIGN_OR_RETURN(out.dcql_query_, ParseDcqlQuery(*dcql, options.dcql_limits));

  const Json* metadata = Find(claims, "client_metadata");
  if (metadata != nullptr && !metadata->is_object()) return InvalidClaims("client_metadata is not an object");
  out.accepted_enc_ = {std::string(jose::kJweEncA128Gcm)};
  if (metadata != nullptr) {
    if (const Json* formats = Find(*metadata, "vp_formats_supported")) {
      if (!formats->is_object()) return InvalidClaims("vp_formats_supported is not an object");
      out.vp_formats_supported_ = *formats;
    }
    if (const Json* encs = Find(*metadata, "encrypted_response_enc_values_supported")) {
      if (!encs->is_array() || encs->empty()) {
        return InvalidClaims("encrypted_response_enc_values_supported is not a non-empty array");
      }
      out.accepted_enc_.clear();
      for (const Json& e : *encs) {
        if (!e.is_string()) return InvalidClaims("enc value is not a string");
        out.accepted_enc_.push_back(e.get<std::string>());
      }
    }
  }
  if (out.response_mode_ == ResponseMode::kDirectPostJwt) {
    if (metadata == nullptr) return Error(StatusCode::kInvalidKey, "direct_post.jwt without client_metadata");
    RETURN_IF_ERROR(ReadEncryptionKey(*metadata, out.encryption_key_, out.encryption_kid_));
    ASSIGN_OR_RETURN(out.encryption_jwk_thumbprint_, Base64UrlDecode(jose::JwkThumbprint(*out.encryption_key_)));
    const auto& acc = out.accepted_enc_;
    if (std::find(acc.begin(), acc.end(), jose::kJweEncA256Gcm) != acc.end()) {
      out.enc_ = std::string(jose::kJweEncA256Gcm);
    } else if (std::find(acc.begin(), acc.end(), jose::kJweEncA128Gcm) != acc.end()) {
      out.enc_ = std::string(jose::kJweEncA128Gcm);
    } else {
      return Error(StatusCode::kUnsupportedAlgorithm, "no supported enc in encrypted_response_enc_values_supported");
    }
  }
  if (const Json* info = Find(claims, "verifier_info")) {
    ASSIGN_OR_RETURN(out.verifier_info_, ReadVerifierInfo(*info, out.dcql_query_));
  }

  out.client_id_ = *client_id;
  out.host_ = host;
  out.response_uri_ = *response_uri;
  out.nonce_ = *nonce;
  const Json* iat = Find(claims, "iat");
  const Json* exp = Find(claims, "exp");
  out.issued_at_ = iat != nullptr ? AsInt(*iat).value_or(0) : 0;
  out.expires_at_ = exp != nullptr ? AsInt(*exp).value_or(0) : 0;
  out.claims_ = claims;
  return out;
}

}  // namespace bonafide::oid4vp
