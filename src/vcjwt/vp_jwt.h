// vcjwt/vp_jwt.h: W3C VCDM 2.0 Verifiable Presentations secured as JWT, signed by the holder.
//
// A VP-JWT is a compact JWS with header {alg, typ: "vp+jwt", kid: "<holder did:key>#<fragment>"}
// and payload
//   {iss: holder DID, aud, nonce, iat, exp,
//    vp: {@context: [VCDM 2.0 context], type: [VerifiablePresentation], holder: holder DID,
//         verifiableCredential: ["<VC-JWT>", ...]}}
// The holder's key comes from its did:key (or did:jwk), the nonce and audience bind the
// presentation to one verifier's request, and every embedded VC-JWT must have been issued to
// the presenting holder (its `sub` equals the VP's holder DID).
//
// Thread safety: CreateVpJwt and VerifyVpJwt are pure functions of their arguments; the types
// are values.
#ifndef BONAFIDE_VCJWT_VP_JWT_H_
#define BONAFIDE_VCJWT_VP_JWT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "vcjwt/vc_jwt.h"

namespace bonafide::vcjwt {

// kVpJwtType is the JOSE `typ` of a VP-JWT.
inline constexpr std::string_view kVpJwtType = "vp+jwt";
// kVerifiablePresentation is the base type every presentation lists.
inline constexpr std::string_view kVerifiablePresentation = "VerifiablePresentation";
// kMaxCredentialsPerPresentation bounds how many VC-JWTs one presentation may carry.
inline constexpr size_t kMaxCredentialsPerPresentation = 16;

// VpJwtRequest is what the holder's wallet puts in one presentation.
struct VpJwtRequest {
  std::vector<std::string> credentials;  // compact VC-JWTs issued to the holder; at least one
  std::string audience;                  // the verifier's client_id; required
  std::string nonce;                     // the verifier's nonce; required
  int64_t lifetime_seconds = 300;        // exp = iat + lifetime_seconds; 1 s to 1 hour
};

// CreateVpJwt returns a compact VP-JWT over `request` signed by `holder`, whose did:key is the
// presentation's `iss` and `vp.holder`. Returns kInvalidArgument for an empty credential list,
// audience or nonce, too many credentials or a lifetime outside 1 s..1 h; the error of deriving
// the holder's did:key; or the signer's error. The credentials are not verified here.
Result<std::string> CreateVpJwt(const VpJwtRequest& request, const crypto::Signer& holder,
                                const Clock& clock);

// VpVerifyOptions configures VerifyVpJwt. The nonce and audience are required: a verifier that
// does not say what it expects gets kInvalidArgument, never a silent skip.
struct VpVerifyOptions {
  std::string expected_nonce;
  std::string expected_audience;
  // max_age_seconds bounds how old the presentation's `iat` may be (plus clock skew).
  int64_t max_age_seconds = 300;
  // credential_options verifies each embedded VC-JWT; its max_skew_seconds also applies to the
  // presentation's own time checks.
  VerifyOptions credential_options;
};

// VerifiedVpJwt is a presentation whose holder signature, nonce, audience, freshness and every
// embedded credential passed VerifyVpJwt. Only VerifyVpJwt constructs it.
class VerifiedVpJwt {
 public:
  // holder returns the presenting holder's DID (`iss`, the kid's DID, and each VC's `sub`).
  const std::string& holder() const { return holder_; }
  // header / claims return the presentation's protected header and payload.
  const Json& header() const { return header_; }
  const Json& claims() const { return claims_; }
  // issued_at returns the presentation's `iat`.
  int64_t issued_at() const { return issued_at_; }
  // credentials returns the verified embedded credentials in presentation order.
  const std::vector<VerifiedVcJwt>& credentials() const { return credentials_; }

 private:
  friend Result<VerifiedVpJwt> VerifyVpJwt(std::string_view, const VpVerifyOptions&, const Clock&);
  VerifiedVpJwt() = default;

  std::string holder_;
  Json header_;
  Json claims_;
  int64_t issued_at_ = 0;
  std::vector<VerifiedVcJwt> credentials_;
};

// VerifyVpJwt verifies the compact VP-JWT `compact` at the time of `clock`. Failures:
//   kInvalidArgument   options lack expected_nonce or expected_audience, or max_age is negative;
//   kLimitExceeded     input over 8 MiB, payload JSON over 8 MiB, or more than
//                      kMaxCredentialsPerPresentation credentials;
//   kMalformed         not a compact JWS, kid not a string, holder DID neither did:key nor did:jwk;
//   kInvalidType       typ is not "vp+jwt"; vp.@context or vp.type wrong;
//   kUnsupportedAlgorithm / kAlgorithmMismatch / kInvalidSignature   the holder signature;
//   kMissingKeyBinding the presentation is not bound to one holder: `iss` differs from the kid's
//                      DID, `vp.holder` differs from `iss`, or an embedded credential was issued
//                      to someone else (its `sub` is not the presenting holder). The signature
//                      itself is valid in these cases, so kInvalidSignature would mislead;
//                      what is missing is the binding between credential and presenter;
//   kNonceMismatch     nonce absent or different;
//   kAudienceMismatch  aud absent or not including the expected audience;
//   kNotYetValid       iat (or nbf) in the future beyond the skew;
//   kStaleKeyBinding   iat older than max_age_seconds (plus skew);
//   kExpired           exp passed;
//   kInvalidClaims     iss, iat, exp, vp or vp.verifiableCredential missing or of the wrong form;
//   any VerifyVcJwt failure of an embedded credential.
Result<VerifiedVpJwt> VerifyVpJwt(std::string_view compact, const VpVerifyOptions& options,
                                  const Clock& clock);

}  // namespace bonafide::vcjwt

#endif  // BONAFIDE_VCJWT_VP_JWT_H_
