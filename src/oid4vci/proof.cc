#include "oid4vci/proof.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "crypto/constant_time.h"
#include "jose/did.h"
#include "jose/jws.h"

namespace bonafide::oid4vci {
namespace {

constexpr int64_t kMaxIatWindow = 3600;
// Private or symmetric JWK members (RFC 7518 sections 6.2.2, 6.3.2, 6.4.1; RFC 8037 section 2).
constexpr std::string_view kPrivateJwkMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

bool IsAllowed(const std::vector<crypto::SignatureAlg>& allowed, crypto::SignatureAlg alg) {
  return std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
}

}  // namespace

Result<ProofVerifier> ProofVerifier::Create(ProofVerifierOptions options, const Clock& clock) {
  if (options.credential_issuer.empty()) return Error(StatusCode::kInvalidArgument, "credential_issuer is required");
  if (options.expected_nonce.empty() && !options.no_nonce_endpoint) {
    return Error(StatusCode::kInvalidArgument, "expected_nonce is required (or set no_nonce_endpoint)");
  }
  if (!options.expected_nonce.empty() && options.no_nonce_endpoint) {
    return Error(StatusCode::kInvalidArgument, "expected_nonce given with no_nonce_endpoint");
  }
  if (options.iat_window_seconds < 0 || options.iat_window_seconds > kMaxIatWindow) {
    return Error(StatusCode::kInvalidArgument, "iat_window_seconds must be within 0..3600");
  }
  if (options.max_proofs == 0) return Error(StatusCode::kInvalidArgument, "max_proofs must be at least 1");
  if (options.allowed_algs.empty()) return Error(StatusCode::kInvalidArgument, "allowed_algs is empty");
  if (options.expected_client_id.has_value() && options.expected_client_id->empty()) {
    return Error(StatusCode::kInvalidArgument, "expected_client_id is empty");
  }
  return ProofVerifier(std::move(options), clock);
}

Result<crypto::PublicKey> ProofVerifier::ResolveHeaderKey(const Json& header, std::optional<std::string>& kid) const {
  const Json* jwk = Find(header, "jwk");
  const Json* kid_member = Find(header, "kid");
  const Json* x5c = Find(header, "x5c");
  const int named = (jwk != nullptr) + (kid_member != nullptr) + (x5c != nullptr);
  if (named > 1) return Error(StatusCode::kMalformed, "a proof names its key by exactly one of jwk, kid, x5c");
  if (x5c != nullptr) return Error(StatusCode::kInvalidKey, "x5c proof keys are not supported");
  if (jwk != nullptr) {
    if (!jwk->is_object()) return Error(StatusCode::kInvalidKey, "jwk must be an object");
    for (std::string_view member : kPrivateJwkMembers) {
      if (Find(*jwk, member) != nullptr) {
        return Error(StatusCode::kInvalidKey, "jwk carries private key material");
      }
    }
    return crypto::PublicKey::FromJwk(*jwk);
  }
  if (kid_member == nullptr) return Error(StatusCode::kInvalidKey, "proof names no key (jwk or kid)");
  if (!kid_member->is_string() || kid_member->get_ref<const std::string&>().empty()) {
    return Error(StatusCode::kInvalidKey, "kid must be a non-empty string");
  }
  const std::string& value = kid_member->get_ref<const std::string&>();
  kid = value;
  if (value.starts_with("did:key:") || value.starts_with("did:jwk:")) {
    auto key = jose::ResolveDidKey(value);
    if (!key.ok()) return Error(StatusCode::kInvalidKey, "kid does not resolve: " + key.status().message());
    return key;
  }
  if (!options_.kid_resolver) return Error(StatusCode::kInvalidKey, "kid must be a did:key or did:jwk");
  auto key = options_.kid_resolver(value);
  if (!key.ok()) return Error(StatusCode::kInvalidKey, "kid does not resolve: " + key.status().message());
  return key;
}

Result<VerifiedProof> ProofVerifier::VerifyProof(std::string_view jwt) const {
  if (jwt.size() > kMaxProofJwtBytes) return Error(StatusCode::kLimitExceeded, "proof JWT too long");
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(jwt));
  const Json& header = jws.unverified_header();
  const Json* typ = Find(header, "typ");
  if (typ == nullptr || !typ->is_string() || typ->get_ref<const std::string&>() != kProofJwtType) {
    return Error(StatusCode::kInvalidType, "proof typ must be openid4vci-proof+jwt");
  }
  const std::optional<crypto::SignatureAlg> alg = crypto::ParseJwsAlg(jws.alg());
  if (!alg.has_value() || !IsAllowed(options_.allowed_algs, *alg)) {
    return Error(StatusCode::kUnsupportedAlgorithm, "proof alg not allowed");
  }
  std::optional<std::string> kid;
  ASSIGN_OR_RETURN(crypto::PublicKey key, ResolveHeaderKey(header, kid));
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(jws, key));

  auto parsed = ParseJsonObject(AsStringView(verified.payload()), JsonLimits{kMaxProofJwtBytes, 8});
  if (!parsed.ok()) return Error(StatusCode::kMalformed, "proof payload: " + parsed.status().message());
  Json claims = std::move(parsed).value();

  const Json* aud = Find(claims, "aud");
  if (aud == nullptr) return Error(StatusCode::kAudienceMismatch, "proof has no aud");
  if (!aud->is_string()) return Error(StatusCode::kInvalidClaims, "proof aud must be a string");
  if (aud->get_ref<const std::string&>() != options_.credential_issuer) {
    return Error(StatusCode::kAudienceMismatch, "proof aud is not this credential issuer");
  }

  const Json* iat_member = Find(claims, "iat");
  if (iat_member == nullptr) return Error(StatusCode::kInvalidClaims, "proof has no iat");
  const std::optional<int64_t> iat = AsInt(*iat_member);
  if (!iat.has_value()) return Error(StatusCode::kInvalidClaims, "proof iat must be an integer");
  const int64_t now = clock_->NowSeconds();
  const int64_t w = options_.iat_window_seconds;
  int64_t diff = 0;
  if (__builtin_sub_overflow(*iat, now, &diff)) {
    return *iat > now ? Error(StatusCode::kNotYetValid, "proof iat is in the future")
                      : Error(StatusCode::kExpired, "proof iat is too old");
  }
  if (diff > w) return Error(StatusCode::kNotYetValid, "proof iat is in the future");
  if (diff < -w) return Error(StatusCode::kExpired, "proof iat is too old");

  if (!options_.no_nonce_endpoint) {
    const Json* nonce = Find(claims, "nonce");
    if (nonce == nullptr) return Error(StatusCode::kInvalidClaims, "proof has no nonce");
    if (!nonce->is_string()) return Error(StatusCode::kInvalidClaims, "proof nonce must be a string");
    if (!crypto::ConstantTimeEquals(nonce->get_ref<const std::string&>(), options_.expected_nonce)) {
      return Error(StatusCode::kNonceMismatch, "proof nonce is not the expected c_nonce");
    }
  }

  if (const Json* iss = Find(claims, "iss"); iss != nullptr) {
    if (!options_.expected_client_id.has_value()) {
      return Error(StatusCode::kInvalidClaims, "proof carries iss but the token was obtained anonymously");
    }
    if (!iss->is_string() || iss->get_ref<const std::string&>() != *options_.expected_client_id) {
      return Error(StatusCode::kInvalidClaims, "proof iss is not the client_id");
    }
  }
  return VerifiedProof(std::move(key), std::move(kid), *iat);
}

Result<std::vector<VerifiedProof>> ProofVerifier::VerifyProofs(const std::vector<std::string>& jwts) const {
  if (jwts.empty()) return Error(StatusCode::kInvalidClaims, "the credential request carries no proof");
  if (jwts.size() > options_.max_proofs) {
    return Error(StatusCode::kLimitExceeded, "more proofs than batch_size allows");
  }
  std::vector<VerifiedProof> out;
  out.reserve(jwts.size());
  // The keys so far, by their one canonical encoding (whose length also tells the algorithm): a
  // batch of 100 proofs makes 100 lookups instead of 4,950 comparisons.
  std::unordered_set<std::string_view> seen;
  seen.reserve(jwts.size());
  for (const std::string& jwt : jwts) {
    ASSIGN_OR_RETURN(VerifiedProof proof, VerifyProof(jwt));
    out.push_back(std::move(proof));
    if (!seen.insert(AsStringView(out.back().holder_key().EncodedPointView())).second) {
      return Error(StatusCode::kInvalidKey, "two proofs name the same key");
    }
  }
  return out;
}

Result<std::string> BuildProofJwt(const crypto::Signer& signer, const ProofJwtParams& params) {
  if (params.credential_issuer.empty()) return Error(StatusCode::kInvalidArgument, "credential_issuer is required");
  if (params.nonce.has_value() && params.nonce->empty()) return Error(StatusCode::kInvalidArgument, "nonce is empty");
  if (params.client_id.has_value() && params.client_id->empty()) {
    return Error(StatusCode::kInvalidArgument, "client_id is empty");
  }
  Json header = Json::object();
  header["typ"] = std::string(kProofJwtType);
  if (params.key_form == ProofKeyForm::kJwk) {
    header["jwk"] = signer.public_key().ToJwk();
  } else {
    ASSIGN_OR_RETURN(std::string did, jose::DidKeyFromPublicKey(signer.public_key()));
    header["kid"] = did + "#" + did.substr(std::string_view("did:key:").size());
  }
  Json claims = Json::object();
  claims["aud"] = params.credential_issuer;
  claims["iat"] = params.issued_at;
  if (params.nonce.has_value()) claims["nonce"] = *params.nonce;
  if (params.client_id.has_value()) claims["iss"] = *params.client_id;
  return jose::SignJwt(std::move(header), claims, signer);
}

}  // namespace bonafide::oid4vci
