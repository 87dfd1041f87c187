// oid4vci/proof.h: the `jwt` key proof of a Credential Request (OpenID4VCI 1.0 Appendix F.1,
// checked as Appendix F.4 lists) on both sides: ProofVerifier for the issuer, BuildProofJwt for
// the wallet.
//
// A proof JWT has header {typ: "openid4vci-proof+jwt", alg, jwk | kid} and claims
// {aud: Credential Issuer Identifier, iat, nonce: c_nonce, iss?: client_id}. The verifier
// returns the holder public key each proof names, once its signature, type, audience, time and
// nonce have been checked. Consuming the nonce (single use) is the caller's: it looks the nonce
// up in storage, passes it here as expected, and deletes it atomically.
//
// Thread safety: ProofVerifier is immutable after Create and safe to share; the Clock and the
// kid resolver must be safe to call concurrently.
#ifndef BONAFIDE_OID4VCI_PROOF_H_
#define BONAFIDE_OID4VCI_PROOF_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace bonafide::oid4vci {

// kProofJwtType is the JOSE typ of a key proof JWT.
inline constexpr std::string_view kProofJwtType = "openid4vci-proof+jwt";
// kMaxProofJwtBytes bounds one proof JWT.
inline constexpr size_t kMaxProofJwtBytes = 16 * 1024;

// KidResolver resolves a `kid` that is neither did:key nor did:jwk to a public key, or fails.
using KidResolver = std::function<Result<crypto::PublicKey>(std::string_view kid)>;

// ProofVerifierOptions configures ProofVerifier. The issuer identifier and nonce are required:
// an issuer that does not say what it expects gets kInvalidArgument from Create, never a skip.
struct ProofVerifierOptions {
  // credential_issuer is the Credential Issuer Identifier every proof's `aud` must equal.
  std::string credential_issuer;
  // expected_nonce is the c_nonce the proofs must carry. Leave it empty only with
  // no_nonce_endpoint (an issuer without a Nonce Endpoint, section 7), never by accident.
  std::string expected_nonce;
  bool no_nonce_endpoint = false;
  // expected_client_id: when set, a proof's `iss`, if present, must equal it. When unset (a
  // Pre-Authorized Code Flow with anonymous access) a proof must not carry `iss` (F.1).
  std::optional<std::string> expected_client_id;
  // iat_window_seconds: a proof is accepted while now - w <= iat <= now + w (0..3600, default
  // 300); older is kExpired, later kNotYetValid.
  int64_t iat_window_seconds = 300;
  // max_proofs is batch_size (or 1 without batch issuance); VerifyProofs refuses more.
  size_t max_proofs = 1;
  // allowed_algs is proof_signing_alg_values_supported; a subset of ES256, ES384, EdDSA.
  std::vector<crypto::SignatureAlg> allowed_algs = {crypto::SignatureAlg::kES256, crypto::SignatureAlg::kES384,
                                                    crypto::SignatureAlg::kEdDSA};
  // kid_resolver, when set, resolves kid values other than did:key / did:jwk; without it such
  // a kid is kInvalidKey.
  KidResolver kid_resolver;
};

// VerifiedProof is a proof whose checks passed; only ProofVerifier constructs it.
class VerifiedProof {
 public:
  // holder_key returns the key the credential is to be bound to.
  const crypto::PublicKey& holder_key() const { return holder_key_; }
  // kid returns the header kid (e.g. the holder's did:key DID URL) when the key was named that way.
  const std::optional<std::string>& kid() const { return kid_; }
  int64_t issued_at() const { return issued_at_; }

 private:
  friend class ProofVerifier;
  VerifiedProof(crypto::PublicKey key, std::optional<std::string> kid, int64_t iat)
      : holder_key_(std::move(key)), kid_(std::move(kid)), issued_at_(iat) {}
  crypto::PublicKey holder_key_;
  std::optional<std::string> kid_;
  int64_t issued_at_;
};

// ProofVerifier checks `jwt` key proofs against one Credential Request's expectations.
class ProofVerifier {
 public:
  // Create validates `options`: kInvalidArgument for an empty credential_issuer, an empty
  // expected_nonce without no_nonce_endpoint, an iat window outside 0..3600, max_proofs of 0 or
  // an empty or unsupported allowed_algs. `clock` must outlive the verifier.
  static Result<ProofVerifier> Create(ProofVerifierOptions options, const Clock& clock);

  // VerifyProof checks one proof JWT (Appendix F.1 and F.4). Failures:
  //   kLimitExceeded  longer than kMaxProofJwtBytes;
  //   kMalformed      not a compact JWS, a payload that is not a JSON object, both jwk and kid,
  //                   or x5c with either;
  //   kInvalidType    typ missing or not exactly "openid4vci-proof+jwt";
  //   kUnsupportedAlgorithm  alg none, HMAC, unknown, or not in allowed_algs;
  //   kInvalidKey     no key (neither jwk nor kid), x5c (not supported), a jwk that is not an
  //                   object or carries private members, an unresolvable kid, or a kid that is
  //                   not did:key / did:jwk without a resolver;
  //   kAlgorithmMismatch  alg differs from the key's; kUnknownCritical  crit present;
  //   kInvalidSignature   the signature does not verify with the named key;
  //   kAudienceMismatch   aud missing or not the issuer; kInvalidClaims  aud not a string, iat
  //                   missing or not an integer, nonce missing or not a string (when expected),
  //                   iss unexpected or not the expected client_id;
  //   kExpired / kNotYetValid  iat outside the window;  kNonceMismatch  wrong nonce.
  Result<VerifiedProof> VerifyProof(std::string_view jwt) const;

  // VerifyProofs checks every proof of one request and returns them in order. Besides the
  // errors of VerifyProof: kInvalidClaims for no proofs, kLimitExceeded for more than
  // max_proofs, kInvalidKey when two proofs name the same key.
  Result<std::vector<VerifiedProof>> VerifyProofs(const std::vector<std::string>& jwts) const;

  const ProofVerifierOptions& options() const { return options_; }

 private:
  ProofVerifier(ProofVerifierOptions options, const Clock& clock) : options_(std::move(options)), clock_(&clock) {}
  Result<crypto::PublicKey> ResolveHeaderKey(const Json& header, std::optional<std::string>& kid) const;
  ProofVerifierOptions options_;
  const Clock* clock_;
};

// ProofKeyForm says how BuildProofJwt names the holder key in the header.
enum class ProofKeyForm {
  kJwk,     // header `jwk`: the public JWK
  kDidKey,  // header `kid`: "did:key:z...#z..." (the key's did:key DID URL)
};

// ProofJwtParams are the claims of a proof the wallet builds.
struct ProofJwtParams {
  std::string credential_issuer;          // aud; required
  std::optional<std::string> nonce;       // the c_nonce from the Nonce Endpoint
  int64_t issued_at = 0;                  // iat
  std::optional<std::string> client_id;   // iss; omit for anonymous pre-authorized access
  ProofKeyForm key_form = ProofKeyForm::kJwk;
};

// BuildProofJwt returns a compact proof JWT signed by `signer` (the holder key the credential
// will be bound to). kInvalidArgument for an empty credential_issuer or an empty nonce / client_id
// given; the signer's or did:key's error otherwise.
Result<std::string> BuildProofJwt(const crypto::Signer& signer, const ProofJwtParams& params);

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_PROOF_H_
