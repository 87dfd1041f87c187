#include "sdjwt/sdjwt_vc.h"

#include <algorithm>

#include "base/encoding.h"
#include "jose/jws.h"
#include "sdjwt/internal/sdjwt_internal.h"

namespace bonafide::sdjwt {
namespace {

constexpr const char* kRegistered[] = {"iss", "iat", "nbf", "exp", "vct", "cnf", "status", "_sd", "_sd_alg", "..."};

// HostOf returns the host of an https URL ("https://host[:port]/path" -> "host").
std::string HostOf(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) return "";
  std::string rest = url.substr(kScheme.size());
  size_t end = rest.find_first_of(":/?#");
  return rest.substr(0, end);
}

Result<crypto::PublicKey> KeyFromMetadata(const Json& metadata, const std::string& iss, const std::string& kid) {
  ASSIGN_OR_RETURN(const Json* jwks, GetObject(metadata, "jwks"));
  ASSIGN_OR_RETURN(const Json* keys, GetArray(*jwks, "keys"));
  const Json* chosen = nullptr;
  for (const Json& k : *keys) {
    const Json* k_kid = Find(k, "kid");
    if (!kid.empty()) {
      if (k_kid != nullptr && k_kid->is_string() && k_kid->get_ref<const std::string&>() == kid) chosen = &k;
    } else if (keys->size() == 1) {
      chosen = &k;
    }
  }
  if (chosen == nullptr) {
    return Error(StatusCode::kUntrustedIssuer, "issuer metadata of " + iss + " has no key " + (kid.empty() ? "(no kid given)" : kid));
  }
  if (Find(*chosen, "d") != nullptr) return Error(StatusCode::kInvalidKey, "issuer metadata publishes a private key");
  return crypto::PublicKey::FromJwk(*chosen);
}

}  // namespace

Result<std::string> IssueSdJwtVc(const SdJwtVcIssueRequest& request, const crypto::Signer& signer,
                                 const Clock& clock, Random& random) {
  if (request.iss.empty()) return Error(StatusCode::kInvalidArgument, "iss is required");
  if (request.vct.empty()) return Error(StatusCode::kInvalidArgument, "vct is required");
  if (!request.claims.is_object()) return Error(StatusCode::kInvalidArgument, "claims must be a JSON object");
  constexpr int64_t kMaxValidity = int64_t{100} * 366 * 86400;  // 100 years
  constexpr int64_t kLatest = 253402300799;                      // 9999-12-31T23:59:59Z
  if (request.valid_seconds <= 0 || request.valid_seconds > kMaxValidity) {
    return Error(StatusCode::kInvalidArgument, "validity must be between 1 second and 100 years");
  }
  for (const char* name : kRegistered) {
    if (request.claims.contains(name)) {
      return Error(StatusCode::kInvalidArgument, std::string("claim \"") + name + "\" is set by the issuer, not the claims file");
    }
  }
  const int64_t now = clock.NowSeconds();
  if (now < 0 || now > kLatest - request.valid_seconds) {
    return Error(StatusCode::kInvalidArgument, "issuance time and validity must fall between 1970 and 9999");
  }
  Json payload = Json::object();  // the registered claims, added to the subject's claims
  payload["iss"] = request.iss;
  payload["iat"] = now;
  payload["nbf"] = now;
  payload["exp"] = now + request.valid_seconds;
  payload["vct"] = request.vct;
  if (request.holder_key) payload["cnf"] = Json{{"jwk", request.holder_key->ToJwk()}};
  if (request.status) {
    payload["status"] = Json{{"status_list", {{"idx", request.status->idx}, {"uri", request.status->uri}}}};
  }
  Json header = {{"typ", kSdJwtVcTyp}};
  if (!request.kid.empty()) header["kid"] = request.kid;
  if (!request.x5c.empty()) {
    Json chain = Json::array();
    for (const auto& cert : request.x5c) chain.push_back(Base64Encode(cert.der()));
    header["x5c"] = std::move(chain);
  }
  // SD-JWT VC 3.2.2: these claims are never selectively disclosable, whatever the caller's
  // IssueOptions say.
  static constexpr const char* kNeverDisclosable[] = {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"};
  return internal::IssueSdJwtWith(request.claims, &payload, kNeverDisclosable, header, request.disclosure, signer,
                                  random);
}

Result<crypto::PublicKey> ResolveIssuerKey(const UnverifiedSdJwt& sdjwt, const SdJwtVcTrust& trust,
                                           const Clock& clock) {
  if (trust.issuer_key) return *trust.issuer_key;
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(sdjwt.issuer_jwt()));
  auto payload = ParseJsonObject(AsStringView(jws.unverified_payload()));
  if (!payload.ok()) return Error(StatusCode::kMalformed, "issuer JWT payload: " + payload.status().message());
  auto iss = GetString(*payload, "iss");
  if (!iss.ok()) return Error(StatusCode::kInvalidClaims, "SD-JWT VC has no iss");
  const Json& header = jws.unverified_header();
  if (Find(header, "x5c") != nullptr && !trust.anchors.empty()) {
    ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, jose::ParseX5c(header));
    ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::VerifyChain(chain, trust.anchors, clock.NowSeconds()));
    const crypto::Certificate& leaf = chain.front();
    bool names_iss = false;
    for (const auto& uri : leaf.uris()) names_iss = names_iss || uri == *iss;
    std::string host = HostOf(*iss);
    for (const auto& dns : leaf.dns_names()) names_iss = names_iss || (!host.empty() && dns == host);
    if (!names_iss) return Error(StatusCode::kUntrustedIssuer, "x5c leaf certificate does not name the issuer " + *iss);
    return key;
  }
  for (const Json& md : trust.issuer_metadata) {
    const Json* issuer = Find(md, "issuer");
    if (issuer == nullptr || !issuer->is_string() || issuer->get_ref<const std::string&>() != *iss) continue;
    const Json* kid = Find(header, "kid");
    return KeyFromMetadata(md, *iss, kid != nullptr && kid->is_string() ? kid->get<std::string>() : "");
  }
  return Error(StatusCode::kUntrustedIssuer, "no trusted key for issuer " + *iss);
}

Result<VerifiedSdJwtVc> VerifySdJwtVc(const UnverifiedSdJwt& sdjwt, const SdJwtVcTrust& trust,
                                      VerifyOptions options, const std::optional<std::string>& expected_vct) {
  ASSIGN_OR_RETURN(crypto::PublicKey key, ResolveIssuerKey(sdjwt, trust, options.clock()));
  if (options.typs().empty()) options.ExpectTyp({kSdJwtVcTyp});
  ASSIGN_OR_RETURN(VerifiedSdJwt verified, VerifySdJwt(sdjwt, key, options));
  // The registered claims must be in the clear (SD-JWT VC section 3.2.2): a credential that hides
  // vct or iss in a disclosure is not a conforming SD-JWT VC, whatever the holder reveals.
  for (const std::string& name : verified.disclosed_claim_names()) {
    for (const char* reg : {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}) {
      if (name == reg) {
        return Error(StatusCode::kInvalidClaims, "claim \"" + name + "\" must not be selectively disclosable");
      }
    }
  }
  auto vct = GetString(verified.claims(), "vct");
  if (!vct.ok()) return Error(StatusCode::kInvalidClaims, "SD-JWT VC has no vct");
  auto iss = GetString(verified.claims(), "iss");
  if (!iss.ok()) return Error(StatusCode::kInvalidClaims, "SD-JWT VC has no iss");
  if (expected_vct && *vct != *expected_vct) {
    return Error(StatusCode::kInvalidType, "credential type " + *vct + " is not the expected " + *expected_vct);
  }
  return VerifiedSdJwtVc(std::move(verified), std::move(*vct), std::move(*iss));
}

}  // namespace bonafide::sdjwt
