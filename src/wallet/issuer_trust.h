// wallet/issuer_trust.h: how the wallet decides that a credential it receives was really signed by
// the Credential Issuer it asked (issue 4, section 3): the IssuerTrust seam, its default policy
// PublishedIssuerTrust, and VerifyIssuedCredential, which checks one issued credential with the
// format's own verifier before the wallet stores anything.
//
// What is verified, per format (VerifyIssuedCredential):
//   dc+sd-jwt    the issuer JWT's `iss` equals the offer's credential_issuer; the key is the one
//                the policy's SD-JWT VC trust names (by default the issuer's JWT VC Issuer
//                Metadata, SD-JWT VC section 5, selected by the JWS `kid`); then
//                sdjwt::VerifySdJwtVc: typ dc+sd-jwt, signature, every disclosure's digest,
//                registered claims in the clear, iat / nbf / exp, and the configuration's vct.
//                No KB-JWT exists at receipt (AllowMissingKeyBindingOnIssuance) and the status is
//                not checked at receipt (a credential revoked in the seconds since issuance is
//                found at the next presentation).
//   mso_mdoc     the issuerAuth x5chain validates to one of the policy's IACA roots (Annex B
//                profile, validity), the COSE_Sign1 verifies with the document signer key, the
//                MSO's digests cover every IssuerSignedItem, validity and the configuration's
//                docType (mdoc::DeviceResponseVerifier::VerifyIssuerSigned; no device
//                authentication and no status check at receipt).
//   jwt_vc_json  `iss` is a did:web DID the policy accepts for the issuer (by default the
//                did:web of the issuer's own host), whose DID document the policy supplies; then
//                vcjwt::VerifyVcJwt: typ vc+jwt, kid a verification method of that document,
//                signature, VCDM 2.0 shape, validity and the configuration's type (status not
//                checked at receipt).
//
// PublishedIssuerTrust, the default policy until a trust registry exists, trusts what the
// Credential Issuer publishes at its own origin, fetched through the same HttpTransport (so over
// the same TLS-authenticated connection as the metadata): the JWT VC Issuer Metadata at
// scheme://host/.well-known/jwt-vc-issuer/<issuer path> (its `issuer` must equal the Credential
// Issuer Identifier; `jwks` inline or at `jwks_uri`), the IACA roots at <credential_issuer>/iacas
// (a PEM bundle) unless the wallet configured its own anchors (then only those), and the did:web
// document of did:web:<host>[%3A<port>][:<path segments>] at the did:web location
// (https://host/.well-known/did.json, or https://host/<path>/did.json; http only for loopback
// issuers when insecure_allow_http_loopback). Documents are fetched once per policy object.
//
// Errors: kUntrustedIssuer when the credential names another issuer, or nothing the policy trusts
// vouches for its signer (no such kid, a chain to no trusted root, a DID the issuer does not own,
// the issuer publishes no keys or roots: a non-2xx answer); kInvalidSignature when the signature
// does not verify with the trusted key; the verifiers' codes otherwise (kExpired, kNotYetValid,
// kDigestMismatch, kInvalidType, kInvalidCertificate, kMalformed, ...); kIoError when the
// transport got no response. Every message names the format and what failed.
//
// Thread safety: PublishedIssuerTrust is not thread-safe (it caches); use one per receipt.
// Ownership: PublishedIssuerTrust keeps a reference to its transport, which must outlive it.
#ifndef BONAFIDE_WALLET_ISSUER_TRUST_H_
#define BONAFIDE_WALLET_ISSUER_TRUST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/x509.h"
#include "oid4vci/metadata.h"
#include "sdjwt/sdjwt_vc.h"
#include "wallet/http_transport.h"

namespace bonafide::wallet {

// kJwtVcIssuerWellKnown is the well-known path of JWT VC Issuer Metadata (SD-JWT VC section 5).
inline constexpr std::string_view kJwtVcIssuerWellKnown = "/.well-known/jwt-vc-issuer";
// kIacasPath is appended to the Credential Issuer Identifier to fetch its IACA roots.
inline constexpr std::string_view kIacasPath = "/iacas";

// IssuerTrust supplies the trust material the wallet verifies received credentials against. A
// trust registry (a later issue) implements it; PublishedIssuerTrust is the default.
class IssuerTrust {
 public:
  virtual ~IssuerTrust() = default;
  // SdJwtVcTrustFor returns how to find the key of SD-JWT VCs issued by `credential_issuer`
  // (pinned key, x5c anchors, or JWT VC Issuer Metadata documents). kUntrustedIssuer when the
  // policy trusts no key of that issuer.
  virtual Result<sdjwt::SdJwtVcTrust> SdJwtVcTrustFor(std::string_view credential_issuer) = 0;
  // IacaRootsFor returns the IACA roots an mdoc of `credential_issuer` must chain to (never
  // empty on success). kUntrustedIssuer when the policy has none for that issuer.
  virtual Result<std::vector<crypto::Certificate>> IacaRootsFor(std::string_view credential_issuer) = 0;
  // DidDocumentFor returns the DID document of `did`, the `iss` of a jwt_vc_json credential from
  // `credential_issuer`. kUntrustedIssuer when the policy does not accept `did` for that issuer.
  virtual Result<Json> DidDocumentFor(std::string_view credential_issuer, std::string_view did) = 0;
};

// PublishedTrustOptions configures PublishedIssuerTrust.
struct PublishedTrustOptions {
  // iaca_anchors, when not empty, are the only IACA roots accepted (the issuer's /iacas is then
  // not fetched).
  std::vector<crypto::Certificate> iaca_anchors{};
  // insecure_allow_http_loopback lets an http://localhost issuer's did:web resolve over http.
  bool insecure_allow_http_loopback = false;
};

// PublishedIssuerTrust trusts what the Credential Issuer publishes at its origin (file comment).
class PublishedIssuerTrust final : public IssuerTrust {
 public:
  PublishedIssuerTrust(HttpTransport& transport, PublishedTrustOptions options)
      : transport_(transport), options_(std::move(options)) {}

  Result<sdjwt::SdJwtVcTrust> SdJwtVcTrustFor(std::string_view credential_issuer) override;
  Result<std::vector<crypto::Certificate>> IacaRootsFor(std::string_view credential_issuer) override;
  Result<Json> DidDocumentFor(std::string_view credential_issuer, std::string_view did) override;

 private:
  HttpTransport& transport_;
  PublishedTrustOptions options_;
  std::map<std::string, Json, std::less<>> jwt_vc_issuer_metadata_;
  std::map<std::string, std::vector<crypto::Certificate>, std::less<>> iacas_;
  std::map<std::string, Json, std::less<>> did_documents_;
};


// VerifyIssuedCredential verifies the issuer's signature on one credential `credential` (as the
// Credential Endpoint returned it) of configuration `config`, received from `credential_issuer`,
// against `trust` at the time of `clock`, as the file comment says. OK or the errors listed there.
Status VerifyIssuedCredential(const oid4vci::CredentialConfiguration& config, std::string_view credential_issuer,
                              std::string_view credential, IssuerTrust& trust, const Clock& clock);

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_ISSUER_TRUST_H_
