#include "vcjwt/vp_jwt.h"

#include <algorithm>

#include "jose/did.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "vcjwt/internal/common.h"

namespace bonafide::vcjwt {
namespace {

constexpr size_t kMaxCompactBytes = 8 << 20;
constexpr JsonLimits kPayloadLimits{8 << 20, 16};
constexpr int64_t kMaxSkewSeconds = 300;
constexpr int64_t kMaxLifetimeSeconds = 3600;

Status KeyBindingError(std::string message) {
  return Error(StatusCode::kMissingKeyBinding, std::move(message));
}

// HolderOf returns the holder DID named by the VP header kid, or by the (still unverified)
// payload iss when there is no kid.
Result<std::string> HolderOf(const jose::UnverifiedJws& jws, std::string& key_ref) {
  if (const Json* kid = Find(jws.unverified_header(), "kid"); kid != nullptr) {
    if (!kid->is_string()) return Error(StatusCode::kMalformed, "VP-JWT kid is not a string");
    key_ref = kid->get<std::string>();
    return internal::DidOfDidUrl(key_ref);
  }
  auto payload = ParseJsonObject(AsStringView(jws.unverified_payload()), kPayloadLimits);
  if (!payload.ok()) return Error(payload.status().code(), "VP-JWT payload: " + payload.status().message());
  auto iss = GetString(*payload, "iss");
  if (!iss.ok()) return Error(StatusCode::kMalformed, "VP-JWT has neither kid nor iss");
  key_ref = *iss;
  return *iss;
}

}  // namespace

Result<std::string> CreateVpJwt(const VpJwtRequest& request, const crypto::Signer& holder,
                                const Clock& clock) {
  if (request.credentials.empty()) return Error(StatusCode::kInvalidArgument, "no credentials to present");
  if (request.credentials.size() > kMaxCredentialsPerPresentation) {
    return Error(StatusCode::kInvalidArgument, "too many credentials in one presentation");
  }
  if (request.audience.empty()) return Error(StatusCode::kInvalidArgument, "audience is required");
  if (request.nonce.empty()) return Error(StatusCode::kInvalidArgument, "nonce is required");
  if (request.lifetime_seconds <= 0 || request.lifetime_seconds > kMaxLifetimeSeconds) {
    return Error(StatusCode::kInvalidArgument, "presentation lifetime must be 1 s to 1 hour");
  }
  for (const std::string& credential : request.credentials) {
    auto jws = jose::UnverifiedJws::Parse(credential);
    if (!jws.ok()) return Error(StatusCode::kMalformed, "a credential to present is not a JWS: " + jws.status().message());
    if (jws->typ() != kVcJwtType) return Error(StatusCode::kInvalidType, "a credential to present is not a vc+jwt");
  }
  ASSIGN_OR_RETURN(std::string did, jose::DidKeyFromPublicKey(holder.public_key()));
  const std::string kid = did + "#" + did.substr(std::string_view("did:key:").size());

  const int64_t now = clock.NowSeconds();
  Json vp = Json::object();
  vp["@context"] = Json::array({std::string(kCredentialsV2Context)});
  vp["type"] = Json::array({std::string(kVerifiablePresentation)});
  vp["holder"] = did;
  vp["verifiableCredential"] = request.credentials;

  Json payload = Json::object();
  payload["iss"] = did;
  payload["aud"] = request.audience;
  payload["nonce"] = request.nonce;
  payload["iat"] = now;
  payload["exp"] = now + request.lifetime_seconds;
  payload["vp"] = std::move(vp);
  Json header = {{"typ", std::string(kVpJwtType)}, {"kid", kid}};
  return jose::SignJwt(header, payload, holder);
}

Result<VerifiedVpJwt> VerifyVpJwt(std::string_view compact, const VpVerifyOptions& options,
                                  const Clock& clock) {
  if (options.expected_nonce.empty()) return Error(StatusCode::kInvalidArgument, "expected nonce is required");
  if (options.expected_audience.empty()) {
    return Error(StatusCode::kInvalidArgument, "expected audience is required");
  }
  if (options.max_age_seconds < 0) return Error(StatusCode::kInvalidArgument, "max age must not be negative");
  if (compact.size() > kMaxCompactBytes) return Error(StatusCode::kLimitExceeded, "VP-JWT too large");

  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(compact));
  if (jws.typ() != kVpJwtType) {
    return Error(StatusCode::kInvalidType, "typ is \"" + jws.typ() + "\", expected vp+jwt");
  }
  if (!crypto::ParseJwsAlg(jws.alg())) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWS alg \"" + jws.alg() + "\" is not allowed");
  }
  std::string key_ref;
  ASSIGN_OR_RETURN(std::string holder, HolderOf(jws, key_ref));
  ASSIGN_OR_RETURN(crypto::PublicKey key, jose::ResolveDidKey(key_ref));
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(jws, key));

  auto parsed = ParseJsonObject(AsStringView(verified.payload()), kPayloadLimits);
  if (!parsed.ok()) return Error(parsed.status().code(), "VP-JWT payload: " + parsed.status().message());
  Json payload = std::move(*parsed);

  ASSIGN_OR_RETURN(std::string iss, GetString(payload, "iss"));
  if (iss != holder) return KeyBindingError("iss " + iss + " is not the signing holder " + holder);

  const Json* nonce = Find(payload, "nonce");
  if (nonce == nullptr || !nonce->is_string() || nonce->get_ref<const std::string&>() != options.expected_nonce) {
    return Error(StatusCode::kNonceMismatch, "presentation nonce does not match the request");
  }
  RETURN_IF_ERROR(jose::CheckAudience(payload, options.expected_audience));

  // Freshness before expiry: an old presentation is reported as stale even if its exp is also past.
  const int64_t skew = std::clamp<int64_t>(options.credential_options.max_skew_seconds, 0, kMaxSkewSeconds);
  const int64_t now = clock.NowSeconds();
  ASSIGN_OR_RETURN(int64_t iat, GetInt(payload, "iat"));
  if (iat > now + skew) return Error(StatusCode::kNotYetValid, "presentation issued in the future");
  if (now - skew > iat + options.max_age_seconds) {
    return Error(StatusCode::kStaleKeyBinding,
                 "presentation older than " + std::to_string(options.max_age_seconds) + " seconds");
  }
  RETURN_IF_ERROR(jose::JwtTimeValidator(clock, skew).Validate(payload));

  ASSIGN_OR_RETURN(const Json* vp, GetObject(payload, "vp"));
  RETURN_IF_ERROR(internal::CheckBaseContext(*vp));
  RETURN_IF_ERROR(internal::GetTypes(*vp, kVerifiablePresentation));
  ASSIGN_OR_RETURN(std::optional<std::string> vp_holder, GetOptionalString(*vp, "holder"));
  if (vp_holder && *vp_holder != holder) {
    return KeyBindingError("vp.holder " + *vp_holder + " is not the signing holder " + holder);
  }
  const Json* vcs = Find(*vp, "verifiableCredential");
  if (vcs == nullptr || !vcs->is_array() || vcs->empty()) {
    return Error(StatusCode::kInvalidClaims, "vp.verifiableCredential is not a non-empty array");
  }
  if (vcs->size() > kMaxCredentialsPerPresentation) {
    return Error(StatusCode::kLimitExceeded, "too many credentials in one presentation");
  }

  std::vector<VerifiedVcJwt> credentials;
  credentials.reserve(vcs->size());
  for (const Json& vc : *vcs) {
    if (!vc.is_string()) return Error(StatusCode::kInvalidClaims, "vp.verifiableCredential entries must be VC-JWT strings");
    ASSIGN_OR_RETURN(VerifiedVcJwt credential,
                     VerifyVcJwt(vc.get_ref<const std::string&>(), options.credential_options, clock));
    if (credential.subject() != holder) {
      return KeyBindingError("credential was issued to " + credential.subject() + ", not to the presenting holder " + holder);
    }
    credentials.push_back(std::move(credential));
  }

  VerifiedVpJwt out;
  out.holder_ = std::move(holder);
  out.header_ = verified.header();
  out.claims_ = std::move(payload);
  out.issued_at_ = iat;
  out.credentials_ = std::move(credentials);
  return out;
}

}  // namespace bonafide::vcjwt
