// sdjwt/sdjwt.h: Selective Disclosure for JWTs (RFC 9901): issuance, holder presentation with a
// Key Binding JWT, and verification.
//
// Trust boundary: UnverifiedSdJwt is what came over the wire; nothing in it is trusted. Only
// VerifySdJwt constructs a VerifiedSdJwt, and the disclosed claims are reachable only through it.
// Verification is strict (RFC 9901 section 7): the issuer signature is checked with a key the
// caller chose, every disclosure must be referenced exactly once, a digest may appear only once,
// `_sd` / `...` are reserved, a Key Binding JWT is mandatory when the credential carries `cnf`,
// and its typ, signature, iat freshness, nonce, audience and sd_hash are all checked.
//
// Thread safety: functions are pure apart from the injected Random / Clock; types are values.
#ifndef BONAFIDE_SDJWT_SDJWT_H_
#define BONAFIDE_SDJWT_SDJWT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace bonafide::sdjwt {

// ClaimPath addresses a claim: object member names and array indices, e.g. address.locality or
// nationalities.0. An index addresses the element's position in the issued array.
class ClaimPath {
 public:
  using Component = std::variant<std::string, size_t>;
  ClaimPath() = default;
  explicit ClaimPath(std::vector<Component> components) : components_(std::move(components)) {}

  // Parse reads a dotted path. A component of digits is an array index when the value at that
  // point is an array, otherwise a member name. kInvalidArgument for empty paths or components.
  static Result<ClaimPath> Parse(std::string_view dotted);
  // ParseList reads a comma-separated list of dotted paths.
  static Result<std::vector<ClaimPath>> ParseList(std::string_view csv);

  const std::vector<Component>& components() const { return components_; }
  ClaimPath Child(Component c) const;
  std::string ToString() const;
  bool operator==(const ClaimPath& o) const { return components_ == o.components_; }

 private:
  std::vector<Component> components_;
};

// Disclosure is one decoded disclosure (RFC 9901 section 4.2): salt, claim name (absent for array
// elements), value, plus the exact encoded string and its digest.
struct Disclosure {
  std::string encoded;
  std::string salt;
  std::optional<std::string> name;
  Json value;
  std::string digest;  // base64url(hash(encoded))
};

// ParseDisclosure decodes `encoded` and computes its digest. kMalformed for bad base64url, JSON
// that is not a 2- or 3-element array, a non-string salt or name; kReservedClaimName for `_sd`,
// `...` or `_sd_alg` as the name.
Result<Disclosure> ParseDisclosure(std::string_view encoded, crypto::HashAlg alg);

// UnverifiedSdJwt is a parsed SD-JWT or SD-JWT+KB in compact form (RFC 9901 section 4):
// <issuer JWT>~<disclosure>~...~[<KB-JWT>].
class UnverifiedSdJwt {
 public:
  // Parse splits `text` (compact form) without verifying anything. kMalformed if there is no
  // `~`, an empty disclosure, or more than the limit of disclosures (kLimitExceeded).
  static Result<UnverifiedSdJwt> Parse(std::string_view text);
  // ParseJsonSerialization reads the flattened or general JWS JSON serialization form (RFC 9901
  // section 8). For the general form the first signature is used for the compact equivalent.
  static Result<UnverifiedSdJwt> ParseJsonSerialization(std::string_view text);

  const std::string& issuer_jwt() const { return issuer_jwt_; }
  const std::vector<std::string>& disclosures() const { return disclosures_; }
  const std::optional<std::string>& kb_jwt() const { return kb_jwt_; }
  // SdHashInput is the text the KB-JWT sd_hash covers: issuer JWT and disclosures, each
  // followed by `~`.
  std::string SdHashInput() const;
  // Serialize rebuilds the compact form.
  std::string Serialize() const;
  // Extra signatures of the general JSON serialization: (protected header b64, signature b64).
  const std::vector<std::pair<std::string, std::string>>& extra_signatures() const { return extra_sigs_; }

 private:
  std::string issuer_jwt_;
  std::vector<std::string> disclosures_;
  std::optional<std::string> kb_jwt_;
  std::vector<std::pair<std::string, std::string>> extra_sigs_;
};

// ---- Issuance ----

struct IssueOptions {
  // Paths made selectively disclosable. A path inside a disclosable object or array element
  // gives a nested (recursive) disclosure.
  std::vector<ClaimPath> disclosable;
  // AllDisclosable makes every claim disclosable (recursively: members of nested objects and
  // array elements too) except those in `never_disclosable`.
  bool all_disclosable = false;
  // Top-level claims kept in the clear whatever the options say (SD-JWT VC: iss, nbf, exp, cnf,
  // vct, vct#integrity, status; always also _sd_alg).
  std::vector<std::string> never_disclosable = {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"};
  // Decoy digests: each `_sd` array gets between 0 and max_decoys random extra digests.
  size_t max_decoys = 2;
  crypto::HashAlg hash_alg = crypto::HashAlg::kSha256;
};

// IssueSdJwt builds and signs an SD-JWT over `claims` (a JSON object). `header` supplies typ,
// kid, x5c...; alg comes from `signer`. Returns the issuance form `JWT~d1~...~dn~`.
// kInvalidArgument if a disclosable path does not exist or names a reserved claim.
Result<std::string> IssueSdJwt(const Json& claims, const Json& header, const IssueOptions& options,
                               const crypto::Signer& signer, Random& random);

// ---- Presentation (holder) ----

struct KeyBindingRequest {
  const crypto::Signer* holder = nullptr;  // must match the credential's cnf.jwk
  std::string audience;
  std::string nonce;
  int64_t issued_at = 0;
};

// DisclosureMap lists, for an issued SD-JWT, each disclosure with the claim path it reveals.
struct DisclosedClaim {
  ClaimPath path;
  size_t disclosure_index;  // into UnverifiedSdJwt::disclosures()
  std::optional<size_t> parent;  // index of the enclosing disclosure, if nested
};
// MapDisclosures walks the issuer payload and returns where each disclosure belongs. kMalformed
// for disclosures that cannot be placed. Does not verify the issuer signature: the holder
// received the credential from its issuer and checked it on receipt.
Result<std::vector<DisclosedClaim>> MapDisclosures(const UnverifiedSdJwt& sdjwt);

// HeldSdJwt is an SD-JWT as a holder's wallet keeps it: the issued credential plus what the
// wallet works out once, on receipt: which disclosure reveals which claim path, the digest
// algorithm and the bound key. Each presentation then only selects disclosures and signs a Key
// Binding JWT. Nothing here is verified: the wallet verifies the issuer signature on receipt.
// Thread safety: immutable after FromIssuance; Present may be called concurrently.
class HeldSdJwt {
 public:
  // FromIssuance parses the issuance form `JWT~d1~...~dn~` and maps its disclosures.
  // kMalformed for a bad SD-JWT or one carrying a KB-JWT, kUnreferencedDisclosure for a
  // disclosure that belongs nowhere, kUnsupportedAlgorithm for an unknown _sd_alg.
  static Result<HeldSdJwt> FromIssuance(std::string_view text);

  const UnverifiedSdJwt& sdjwt() const { return sdjwt_; }
  const std::vector<DisclosedClaim>& disclosures() const { return map_; }
  // unverified_payload is the issuer-signed payload as received (digests, not claims).
  const Json& unverified_payload() const { return payload_; }

  // Present is the function below, on the prepared credential.
  Result<std::string> Present(const std::vector<ClaimPath>& reveal, const std::optional<KeyBindingRequest>& kb) const;

 private:
  friend Result<std::vector<DisclosedClaim>> MapDisclosures(const UnverifiedSdJwt&);
  friend Result<std::string> Present(const UnverifiedSdJwt&, const std::vector<ClaimPath>&,
                                     const std::optional<KeyBindingRequest>&);
  // Hold maps an already parsed SD-JWT (its KB-JWT, if any, is not used).
  static Result<HeldSdJwt> Hold(UnverifiedSdJwt sdjwt);
  HeldSdJwt() = default;
  UnverifiedSdJwt sdjwt_;
  Json payload_;
  crypto::HashAlg alg_ = crypto::HashAlg::kSha256;
  std::vector<DisclosedClaim> map_;
};

// Present selects the disclosures needed to reveal `reveal` (each path reveals its whole subtree;
// enclosing disclosures follow automatically) and appends a KB-JWT when `kb` is given (typ
// kb+jwt, iat, aud, nonce, sd_hash). kNotFound when a path is not disclosable in the credential
// and not plainly visible either.
Result<std::string> Present(const UnverifiedSdJwt& issued, const std::vector<ClaimPath>& reveal,
                            const std::optional<KeyBindingRequest>& kb);

// ---- Verification ----

// VerifyOptions configures VerifySdJwt. Strict by default; relaxations are named.
class VerifyOptions {
 public:
  explicit VerifyOptions(const Clock& clock) : clock_(&clock) {}

  // ExpectKeyBinding sets the nonce and audience a KB-JWT must carry. Without it, any SD-JWT
  // that needs key binding is rejected (the verifier cannot check freshness).
  VerifyOptions& ExpectKeyBinding(std::string nonce, std::string audience) {
    nonce_ = std::move(nonce);
    audience_ = std::move(audience);
    return *this;
  }
  // RequireKeyBinding rejects presentations without a KB-JWT even when the credential has no cnf.
  VerifyOptions& RequireKeyBinding() { require_kb_ = true; return *this; }
  // AllowMissingKeyBindingOnIssuance accepts a credential with cnf and no KB-JWT: for a holder
  // checking an issued credential on receipt, when no presentation exists yet. A KB-JWT that is
  // present is still verified. Never for verifiers of presentations.
  VerifyOptions& AllowMissingKeyBindingOnIssuance() { allow_missing_kb_ = true; return *this; }
  // AllowMissingExpiry accepts credentials without `exp`.
  VerifyOptions& AllowMissingExpiry() { allow_missing_exp_ = true; return *this; }
  // KeyBindingMaxAge bounds how old a KB-JWT iat may be (default 300 s).
  VerifyOptions& KeyBindingMaxAge(int64_t seconds) { kb_max_age_ = seconds; return *this; }
  VerifyOptions& MaxClockSkew(int64_t seconds) { skew_ = seconds; return *this; }
  // ExpectTyp requires the issuer JWT typ to equal one of `typs`.
  VerifyOptions& ExpectTyp(std::vector<std::string> typs) { typs_ = std::move(typs); return *this; }
  // CheckStatus is called with the verified `status` claim when the credential has one; without
  // it such a credential is rejected (kStatusUnavailable) unless AllowUncheckedStatus.
  VerifyOptions& CheckStatus(std::function<Status(const Json& status_claim)> fn) {
    check_status_ = std::move(fn);
    return *this;
  }
  VerifyOptions& AllowUncheckedStatus() { allow_unchecked_status_ = true; return *this; }
  // MaxDisclosures bounds the work an attacker can cause (default 1024).
  VerifyOptions& MaxDisclosures(size_t n) { max_disclosures_ = n; return *this; }

  const Clock& clock() const { return *clock_; }
  const std::optional<std::string>& nonce() const { return nonce_; }
  const std::optional<std::string>& audience() const { return audience_; }
  bool require_kb() const { return require_kb_; }
  bool allow_missing_kb() const { return allow_missing_kb_; }
  bool allow_missing_exp() const { return allow_missing_exp_; }
  int64_t kb_max_age() const { return kb_max_age_; }
  int64_t skew() const { return skew_; }
  const std::vector<std::string>& typs() const { return typs_; }
  const std::function<Status(const Json&)>& status_checker() const { return check_status_; }
  bool allow_unchecked_status() const { return allow_unchecked_status_; }
  size_t max_disclosures() const { return max_disclosures_; }

 private:
  const Clock* clock_;
  std::optional<std::string> nonce_;
  std::optional<std::string> audience_;
  bool require_kb_ = false;
  bool allow_missing_kb_ = false;
  bool allow_missing_exp_ = false;
  int64_t kb_max_age_ = 300;
  int64_t skew_ = 60;
  std::vector<std::string> typs_;
  std::function<Status(const Json&)> check_status_;
  bool allow_unchecked_status_ = false;
  size_t max_disclosures_ = 1024;
};

// VerifiedSdJwt holds the issuer header and the processed payload: disclosed claims in place,
// `_sd`, `_sd_alg` and undisclosed array entries removed.
class VerifiedSdJwt {
 public:
  const Json& header() const { return header_; }
  const Json& claims() const { return claims_; }
  // disclosed_claim_names lists the top-level claims that came from disclosures (the rest were
  // in the clear in the issuer-signed JWT).
  const std::vector<std::string>& disclosed_claim_names() const { return disclosed_; }
  bool key_bound() const { return key_bound_; }

 private:
  friend Result<VerifiedSdJwt> VerifySdJwt(const UnverifiedSdJwt&, const crypto::PublicKey&,
                                           const VerifyOptions&);
  VerifiedSdJwt(Json header, Json claims, std::vector<std::string> disclosed, bool key_bound)
      : header_(std::move(header)), claims_(std::move(claims)), disclosed_(std::move(disclosed)), key_bound_(key_bound) {}
  Json header_;
  Json claims_;
  std::vector<std::string> disclosed_;
  bool key_bound_;
};

// VerifySdJwt verifies `sdjwt` with the issuer key `issuer_key` (chosen by the caller from its
// trust configuration). Error codes: kInvalidSignature, kUnsupportedAlgorithm,
// kAlgorithmMismatch, kInvalidType, kMalformed, kDigestMismatch, kDuplicateDisclosure,
// kUnreferencedDisclosure, kReservedClaimName, kExpired, kNotYetValid, kMissingKeyBinding,
// kNonceMismatch, kAudienceMismatch, kStaleKeyBinding, kRevoked / kSuspended /
// kStatusUnavailable (from the status checker), kInvalidArgument (options incomplete).
Result<VerifiedSdJwt> VerifySdJwt(const UnverifiedSdJwt& sdjwt, const crypto::PublicKey& issuer_key,
                                  const VerifyOptions& options);

// ProcessPayload applies `disclosures` to an issuer-signed payload (RFC 9901 section 7.1 step 3
// onwards), without signature checks. Exposed for tests of the Section 6 unsigned examples.
Result<Json> ProcessPayload(const Json& payload, const std::vector<std::string>& disclosures,
                            size_t max_disclosures = 1024);

}  // namespace bonafide::sdjwt

#endif  // BONAFIDE_SDJWT_SDJWT_H_
