// sdjwt/sdjwt_vc.h: SD-JWT-based Verifiable Credentials (draft-ietf-oauth-sd-jwt-vc): the
// `dc+sd-jwt` profile of RFC 9901 with vct, iss, validity, cnf holder binding and a Token Status
// List reference, and the issuer-key resolution a verifier applies (x5c chain to a configured
// anchor, JWT VC Issuer Metadata, or a pinned key).
//
// Thread safety: pure functions apart from injected Clock / Random.
#ifndef BONAFIDE_SDJWT_SDJWT_VC_H_
#define BONAFIDE_SDJWT_SDJWT_VC_H_

#include <optional>
#include <string>
#include <vector>

#include "crypto/x509.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {

inline constexpr char kSdJwtVcTyp[] = "dc+sd-jwt";
inline constexpr char kLegacySdJwtVcTyp[] = "vc+sd-jwt";

// StatusListReference is the Referenced Token claim status.status_list (Token Status List 6.1).
struct StatusListReference {
  uint64_t idx = 0;
  std::string uri;
};

// SdJwtVcIssueRequest describes one credential to issue.
struct SdJwtVcIssueRequest {
  std::string iss;
  std::string vct;
  Json claims = Json::object();           // the subject's claims
  std::optional<crypto::PublicKey> holder_key;  // becomes cnf.jwk
  int64_t valid_seconds = 365 * 24 * 3600;
  std::optional<StatusListReference> status;
  std::vector<crypto::Certificate> x5c;   // issuer certificate chain, leaf first
  std::string kid;
  IssueOptions disclosure;                // which claims are selectively disclosable
};

// IssueSdJwtVc signs the credential: header typ dc+sd-jwt (+ kid / x5c), payload iss, iat, nbf,
// exp, vct, cnf, status and the claims. kInvalidArgument for missing iss/vct or claims that clash
// with the registered ones.
Result<std::string> IssueSdJwtVc(const SdJwtVcIssueRequest& request, const crypto::Signer& signer,
                                 const Clock& clock, Random& random);

// SdJwtVcTrust says which issuers a verifier accepts and how to find their keys.
struct SdJwtVcTrust {
  // A pinned issuer key: used as is (the CLI's --issuer-key).
  std::optional<crypto::PublicKey> issuer_key;
  // Roots for `x5c` chains. The leaf must name `iss` (SAN URI equal to iss, or SAN dNSName equal
  // to the host of an https iss).
  std::vector<crypto::Certificate> anchors;
  // JWT VC Issuer Metadata documents ({"issuer": ..., "jwks": {"keys": [...]}}), already fetched.
  std::vector<Json> issuer_metadata;
};

// VerifiedSdJwtVc is a verified SD-JWT VC: its disclosed claims, vct and iss.
class VerifiedSdJwtVc {
 public:
  const Json& claims() const { return inner_.claims(); }
  const Json& header() const { return inner_.header(); }
  const std::string& vct() const { return vct_; }
  const std::string& iss() const { return iss_; }
  bool key_bound() const { return inner_.key_bound(); }

 private:
  friend Result<VerifiedSdJwtVc> VerifySdJwtVc(const UnverifiedSdJwt&, const SdJwtVcTrust&, VerifyOptions,
                                               const std::optional<std::string>&);
  VerifiedSdJwtVc(VerifiedSdJwt inner, std::string vct, std::string iss)
      : inner_(std::move(inner)), vct_(std::move(vct)), iss_(std::move(iss)) {}
  VerifiedSdJwt inner_;
  std::string vct_;
  std::string iss_;
};

// ResolveIssuerKey picks the key that must have signed `sdjwt` according to `trust`:
// kUntrustedIssuer when no configured source vouches for the issuer, kInvalidCertificate /
// kExpired for a bad x5c chain.
Result<crypto::PublicKey> ResolveIssuerKey(const UnverifiedSdJwt& sdjwt, const SdJwtVcTrust& trust,
                                           const Clock& clock);

// VerifySdJwtVc resolves the issuer key, runs VerifySdJwt with typ dc+sd-jwt enforced (unless the
// options already name accepted typs), and checks vct (equal to `expected_vct` when given,
// kInvalidType otherwise) and iss.
Result<VerifiedSdJwtVc> VerifySdJwtVc(const UnverifiedSdJwt& sdjwt, const SdJwtVcTrust& trust,
                                      VerifyOptions options,
                                      const std::optional<std::string>& expected_vct = std::nullopt);

}  // namespace bonafide::sdjwt

#endif  // BONAFIDE_SDJWT_SDJWT_VC_H_
