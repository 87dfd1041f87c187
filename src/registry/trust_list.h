// registry/trust_list.h: the trust registry's data model (trusted issuers and registered relying
// parties) and the signed trust list that verifiers and wallets load, with the checks they run
// against it: the list's own signature, access certificates and registration JWTs.
//
// Modelled on the UK register of certified digital verification services (DVS) and EU wallet
// relying-party registration (Commission Implementing Regulation (EU) 2025/848): a registrar
// operates a root CA; it signs the trust list and each registration with a trust-list signer
// certificate issued by that root, and issues every relying party an access certificate naming
// its client_id host. See docs/registry.md.
//
// Trust list: a compact JWS (RFC 7515), header {"alg": "ES256", "typ": "trust-list+jwt", "x5c":
// [signer certificate]}, payload
//   {"iss": registry id, "name": registry name, "sequence": n, "iat": t, "next_update": t',
//    "registrar_root": base64 DER of the root, "issuers": [TrustedIssuer...],
//    "relying_parties": [RelyingParty...]}
// with the member shapes of TrustedIssuerToJson / RelyingPartyToJson.
//
// Staleness: a list past next_update is still returned, with stale() true; the caller decides
// whether to keep using it (a wallet offline for a day should; a verifier can refuse). A list
// older than a sequence the caller has already seen is refused (rollback).
//
// Thread safety: values and pure functions; TrustList is immutable once verified.
#ifndef BONAFIDE_REGISTRY_TRUST_LIST_H_
#define BONAFIDE_REGISTRY_TRUST_LIST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "crypto/x509.h"
#include "registry/purposes.h"

namespace bonafide::registry {

// JWS typ values.
inline constexpr std::string_view kTrustListTyp = "trust-list+jwt";
inline constexpr std::string_view kRegistrationTyp = "rp-registration+jwt";

// IssuerCredential is one credential type a trusted issuer issues and the anchors that verify
// it: IACA root certificates (PEM) for mso_mdoc, the issuer's published JWKs ({"keys": [...]},
// SD-JWT VC section 5) for dc+sd-jwt, its did:web DID document for jwt_vc_json. Only the member
// of the type's format is set.
struct IssuerCredential {
  CredentialType type;
  std::vector<std::string> iaca_pems;  // mso_mdoc
  Json jwks;                           // dc+sd-jwt: {"keys": [public JWK, ...]}
  Json did_document;                   // jwt_vc_json
};

// TrustedIssuer is an issuer on the register.
struct TrustedIssuer {
  std::string id;    // the Credential Issuer Identifier (URL)
  std::string name;  // display name
  std::vector<IssuerCredential> credentials;
  int64_t added_at = 0;
};

// RpStatus is a relying party's registration status.
enum class RpStatus { kActive, kSuspended };
std::string_view RpStatusName(RpStatus status);  // "active" / "suspended"

// RelyingParty is a registered relying party (verifier).
struct RelyingParty {
  std::string client_id;            // the client_id host (DNS name), e.g. "verifier.example.co.uk"
  std::string name;                 // legal name
  std::string registration_number;  // e.g. Companies House number; may be empty
  std::vector<PurposeGrant> purposes;  // the purposes and the claims they permit
  std::string access_certificate_serial;  // hex
  std::string access_certificate_sha256;  // hex SHA-256 of the certificate's DER
  int64_t registered_at = 0;
  RpStatus status = RpStatus::kActive;
};

// ValidateHost checks that `host` is a lower-case DNS name of at least two labels (letters,
// digits, hyphens; no label starting or ending with a hyphen; labels of 1..63 characters, at
// most 253 in all; a top-level label that is not all digits), or exactly "localhost" (RFC 6761:
// always this machine; the one host OpenID4VP requests may use over plain http, for local demos
// and tests; registering it takes RpRequest::allow_localhost). kInvalidArgument otherwise.
Status ValidateHost(std::string_view host);

// ValidateTrustedIssuer checks an issuer entry: id and name non-empty, at least one credential,
// no credential type twice, every type of a known format with non-empty type, and anchors that
// parse: every IACA a CA certificate, every JWK a public key (kInvalidKey for a private member
// "d"), the DID document a did:web document whose methods carry public JWKs. kInvalidArgument,
// kMalformed or kInvalidKey naming the problem.
Status ValidateTrustedIssuer(const TrustedIssuer& issuer);

// JSON forms, shared by the registry state file and the trust list. FromJson returns
// kInvalidClaims for a missing or mistyped member and ValidateTrustedIssuer / ValidateHost errors.
Json TrustedIssuerToJson(const TrustedIssuer& issuer);
Result<TrustedIssuer> TrustedIssuerFromJson(const Json& json);
Json RelyingPartyToJson(const RelyingParty& rp);
Result<RelyingParty> RelyingPartyFromJson(const Json& json);

// VerifyOptions are the caller's requirements on a trust list.
struct VerifyOptions {
  // min_sequence: a list whose sequence is lower is refused (rollback, kInvalidArgument). Pass
  // the highest sequence already accepted.
  int64_t min_sequence = 0;
  // expected_registry_id: when set, the list's iss must equal it (kUntrustedIssuer otherwise).
  std::optional<std::string> expected_registry_id;
  // max_skew_seconds: tolerated clock difference for iat in the future.
  int64_t max_skew_seconds = 60;
};

// TrustList is a verified trust list. Only VerifyTrustList constructs one.
class TrustList {
 public:
  const std::string& registry_id() const { return registry_id_; }
  const std::string& name() const { return name_; }
  int64_t sequence() const { return sequence_; }
  int64_t issued_at() const { return issued_at_; }
  int64_t next_update() const { return next_update_; }
  // stale is true when the list was verified at a time after next_update.
  bool stale() const { return stale_; }
  // registrar_root is the pinned root (the list carries the same certificate).
  const crypto::Certificate& registrar_root() const { return root_; }
  // signer is the certificate that signed the list (x5c[0]).
  const crypto::Certificate& signer() const { return signer_; }
  const std::vector<TrustedIssuer>& issuers() const { return issuers_; }
  const std::vector<RelyingParty>& relying_parties() const { return relying_parties_; }
  // jws is the compact JWS the list was verified from (what a cache stores).
  const std::string& jws() const { return jws_; }

  // FindIssuerAnchors returns every trusted issuer's entry for `type` (more than one issuer may
  // issue a type), with the issuer it belongs to; empty when none.
  std::vector<std::pair<const TrustedIssuer*, const IssuerCredential*>> FindIssuerAnchors(
      const CredentialType& type) const;
  // FindRelyingParty returns the entry whose client_id is `client_id`, or nullptr.
  const RelyingParty* FindRelyingParty(std::string_view client_id) const;

 private:
  friend Result<TrustList> VerifyTrustList(std::string_view, const crypto::Certificate&, int64_t,
                                           const VerifyOptions&);
  TrustList(crypto::Certificate root, crypto::Certificate signer)
      : root_(std::move(root)), signer_(std::move(signer)) {}
  std::string registry_id_;
  std::string name_;
  int64_t sequence_ = 0;
  int64_t issued_at_ = 0;
  int64_t next_update_ = 0;
  bool stale_ = false;
  crypto::Certificate root_;
  crypto::Certificate signer_;
  std::vector<TrustedIssuer> issuers_;
  std::vector<RelyingParty> relying_parties_;
  std::string jws_;
};

// kMaxTrustListBytes bounds the compact JWS VerifyTrustList accepts (8 MiB).
inline constexpr size_t kMaxTrustListBytes = 8 << 20;

// VerifyTrustList verifies `jws` against the pinned `registry_root` at `now` (Unix seconds):
// kLimitExceeded above kMaxTrustListBytes; kMalformed when it is not a compact JWS or its payload
// not a JSON object; kInvalidType for a typ other than "trust-list+jwt"; kInvalidCertificate
// without x5c or for a chain that does not validate, kUntrustedIssuer when it does not lead to
// `registry_root`, kExpired / kNotYetValid for a certificate outside its validity (crypto/x509.h
// VerifyChain); the signer certificate must not be a CA and must allow digitalSignature
// (kInvalidCertificate); JWS errors (kInvalidSignature, kUnsupportedAlgorithm,
// kAlgorithmMismatch, kUnknownCritical); kInvalidClaims for a missing or mistyped member or
// next_update <= iat; kUntrustedIssuer when registrar_root differs from `registry_root` or iss
// from options.expected_registry_id; kNotYetValid for iat in the future (beyond the skew);
// kInvalidArgument for sequence < options.min_sequence (rollback). A list past next_update is
// returned with stale() true.
Result<TrustList> VerifyTrustList(std::string_view jws, const crypto::Certificate& registry_root, int64_t now,
                                  const VerifyOptions& options = {});

// VerifyAccessCertificate checks a relying party's access certificate chain (leaf first; the
// root may be included) for client_id host `host` at `now` and returns its trust list entry:
// kInvalidCertificate for an empty chain, a leaf that is a CA or lacks digitalSignature, or whose
// subjectAltName dNSName entries do not include `host`; VerifyChain's errors against the list's
// root (kUntrustedIssuer for another CA, kExpired, kNotYetValid); kNotFound when no relying party
// has client_id `host`; kSuspended when it is suspended; kInvalidCertificate when the leaf's
// SHA-256 fingerprint is not the registered one (an older or foreign certificate).
Result<RelyingParty> VerifyAccessCertificate(const TrustList& list, const std::vector<crypto::Certificate>& chain,
                                             std::string_view host, int64_t now);
// VerifyAccessCertificatePem is VerifyAccessCertificate over a PEM bundle (kMalformed when it
// does not parse).
Result<RelyingParty> VerifyAccessCertificatePem(const TrustList& list, std::string_view chain_pem,
                                                std::string_view host, int64_t now);

// VerifiedRegistration is the content of a verified registration JWT.
struct VerifiedRegistration {
  std::string client_id;
  std::string name;
  std::string registration_number;
  std::vector<PurposeGrant> purposes;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// VerifyRegistration verifies a registration JWT (typ "rp-registration+jwt") against `list` at
// `now`: kMalformed / kInvalidType / chain and JWS errors as VerifyTrustList; kUntrustedIssuer
// when it was not signed by the list's signer key or its iss is not the list's registry;
// kExpired / kNotYetValid / kInvalidClaims for exp / iat (jose/jwt.h, exp required); kNotFound
// when its sub is not a registered relying party; kSuspended when that party is suspended;
// kInvalidClaims when name, registration_number or purposes differ from the trust list entry.
Result<VerifiedRegistration> VerifyRegistration(std::string_view jwt, const TrustList& list, int64_t now);

}  // namespace bonafide::registry

#endif  // BONAFIDE_REGISTRY_TRUST_LIST_H_
