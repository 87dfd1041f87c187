// vcjwt/vc_jwt.h: W3C Verifiable Credentials Data Model 2.0 credentials secured as JWT
// (`jwt_vc_json`, the format of the GOV.UK Wallet Veteran Card and DBS credentials).
//
// A VC-JWT is a compact JWS (RFC 7515) whose header is
//   {alg, typ: "vc+jwt", cty: "vc", kid: "did:web:HOST#KEYID"}
// and whose payload is the credential itself (VCDM 2.0 section 4) plus the JWT claims
//   iss (= issuer, a did:web DID), sub (= credentialSubject.id, the holder's did:key), iat, nbf, exp.
// The issuer's keys are published in its did:web DID document (`/.well-known/did.json`,
// JsonWebKey2020 methods). This module never fetches it: the verifier is given the documents
// of the issuers it trusts. Status (VC Bitstring Status List v1.0) is checked through a
// caller-supplied callback, so this module does not depend on any status-list implementation.
//
// Thread safety: IssueVcJwt and VerifyVcJwt are pure functions of their arguments (the Clock and
// the status callback must themselves be safe to call from the calling thread). VerifyOptions and
// VerifiedVcJwt are values.
#ifndef BONAFIDE_VCJWT_VC_JWT_H_
#define BONAFIDE_VCJWT_VC_JWT_H_

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

namespace bonafide::vcjwt {

// kVcJwtType is the JOSE `typ` of a VC-JWT; kVcJwtContentType its `cty`.
inline constexpr std::string_view kVcJwtType = "vc+jwt";
inline constexpr std::string_view kVcJwtContentType = "vc";
// kCredentialsV2Context is the base context every VCDM 2.0 credential lists first.
inline constexpr std::string_view kCredentialsV2Context = "https://www.w3.org/ns/credentials/v2";
// kVerifiableCredential is the base type every credential lists.
inline constexpr std::string_view kVerifiableCredential = "VerifiableCredential";
// kBitstringStatusListEntryType is the `type` of a BitstringStatusListEntry.
inline constexpr std::string_view kBitstringStatusListEntryType = "BitstringStatusListEntry";

// BitstringStatusListEntry is a `credentialStatus` entry (VC Bitstring Status List v1.0,
// section 2.1): where the credential's bit lives and what setting it means.
struct BitstringStatusListEntry {
  std::string id;                      // optional URL of the entry; omitted when empty
  std::string status_purpose;          // "revocation", "suspension", "refresh" or "message"
  uint64_t status_list_index = 0;      // rendered as a base-10 string, as the spec requires
  std::string status_list_credential;  // URL of the BitstringStatusListCredential

  // ToJson returns the entry as the JSON object placed in `credentialStatus`.
  Json ToJson() const;
};

// VcJwtIssueRequest is everything the issuer decides about one credential.
struct VcJwtIssueRequest {
  std::string issuer;       // the issuer's did:web DID, e.g. "did:web:veterans.example.gov.uk"
  std::string kid;          // "did:web:HOST#KEYID" under `issuer`, "#KEYID" or just "KEYID"
  std::string type;         // the specific credential type, e.g. "DigitalVeteranCard"
  std::string name;         // VCDM `name`; omitted when empty
  std::string description;  // VCDM `description`; omitted when empty
  // subject_claims is the JSON object of `credentialSubject` without `id` (added from the holder
  // key). An `id` member different from the holder's DID is an error.
  Json subject_claims = Json::object();
  // holder_key is the holder's public key; its did:key becomes `sub` and `credentialSubject.id`.
  std::optional<crypto::PublicKey> holder_key;
  int64_t validity_seconds = 0;  // validUntil = exp = now + validity_seconds; must be positive
  std::optional<BitstringStatusListEntry> status;  // becomes `credentialStatus` when set
  // expected_update_seconds, when set, adds `expectedUpdate` = now + this many seconds.
  std::optional<int64_t> expected_update_seconds;
  // extra_contexts are appended to `@context` after kCredentialsV2Context.
  std::vector<std::string> extra_contexts;
};

// IssueVcJwt returns a signed compact VC-JWT for `request`, stamped iat = nbf = validFrom = now.
// The header alg comes from `signer` (ES256, ES384 or EdDSA). Returns kInvalidArgument for an
// inconsistent request (issuer not did:web, kid under another DID, empty type, non-object
// subject claims, missing holder key, validity outside 1 s..100 years), the error of deriving
// the holder's did:key, or the signer's error.
Result<std::string> IssueVcJwt(const VcJwtIssueRequest& request, const crypto::Signer& signer,
                               const Clock& clock);

// StatusCheck is called with one `credentialStatus` entry of a credential whose signature and
// claims already verified. It returns OK when the status permits use, kRevoked / kSuspended when
// the status list says so, kStatusUnavailable when the list cannot be obtained or checked.
using StatusCheck = std::function<Status(const Json& credential_status_entry)>;

// VerifyOptions configures VerifyVcJwt. Strict by default: the single relaxation is named.
struct VerifyOptions {
  // trusted_issuers holds the did:web DID documents of the issuers the verifier accepts. The
  // credential's kid must name a verification method of the document whose `id` is its DID.
  std::vector<Json> trusted_issuers;
  // expected_type, when not empty, must appear in the credential's `type`.
  std::string expected_type;
  // max_skew_seconds is the allowed clock difference for every time check (capped at 300 s).
  int64_t max_skew_seconds = 60;
  // check_status is called for each credentialStatus entry. Without it a credential that has
  // status fails with kStatusUnavailable unless AllowUncheckedStatus() was called.
  StatusCheck check_status;

  // AllowUncheckedStatus accepts credentials with credentialStatus when no check_status is set;
  // their revocation is then not known. Use only where status is checked elsewhere.
  VerifyOptions& AllowUncheckedStatus() {
    allow_unchecked_status_ = true;
    return *this;
  }
  bool allow_unchecked_status() const { return allow_unchecked_status_; }

 private:
  bool allow_unchecked_status_ = false;
};

// VerifiedVcJwt is a credential whose signature, issuer, type, validity and status passed
// VerifyVcJwt. Only VerifyVcJwt constructs it.
class VerifiedVcJwt {
 public:
  // credential returns the whole JWT payload (the VCDM credential plus the JWT claims).
  const Json& credential() const { return credential_; }
  // header returns the protected JOSE header.
  const Json& header() const { return header_; }
  // credential_subject returns the `credentialSubject` object (including `id`).
  const Json& credential_subject() const { return credential_["credentialSubject"]; }
  // issuer returns the issuer's did:web DID (equal to `iss`, `issuer` and the kid's DID).
  const std::string& issuer() const { return issuer_; }
  // subject returns the holder's DID (`sub`, equal to `credentialSubject.id`).
  const std::string& subject() const { return subject_; }
  // type returns the specific type: the expected type if one was asked for, otherwise the
  // first entry of `type` other than VerifiableCredential (empty if there is none).
  const std::string& type() const { return type_; }
  // types returns every entry of `type`.
  const std::vector<std::string>& types() const { return types_; }
  // valid_from / valid_until return `validFrom` / `validUntil` as Unix seconds.
  int64_t valid_from() const { return valid_from_; }
  int64_t valid_until() const { return valid_until_; }
  // expected_update returns `expectedUpdate` as Unix seconds when present.
  std::optional<int64_t> expected_update() const { return expected_update_; }
  // has_status is true when the credential carries credentialStatus; status_checked is true
  // when every entry was passed to the status callback and accepted.
  bool has_status() const { return has_status_; }
  bool status_checked() const { return status_checked_; }

 private:
  friend Result<VerifiedVcJwt> VerifyVcJwt(std::string_view, const VerifyOptions&, const Clock&);
  VerifiedVcJwt() = default;

  Json header_;
  Json credential_;
  std::string issuer_;
  std::string subject_;
  std::string type_;
  std::vector<std::string> types_;
  int64_t valid_from_ = 0;
  int64_t valid_until_ = 0;
  std::optional<int64_t> expected_update_;
  bool has_status_ = false;
  bool status_checked_ = false;
};

// VerifyVcJwt verifies the compact VC-JWT `compact` at the time of `clock`. The signature is
// checked before any payload claim is read. Failures:
//   kLimitExceeded     input over 2 MiB, or payload JSON over 1 MiB / nesting 32;
//   kMalformed         not a compact JWS, header/payload not JSON objects, kid missing or not a
//                      DID URL "did:web:...#fragment";
//   kInvalidType       typ is not "vc+jwt";
//   kUnsupportedAlgorithm / kAlgorithmMismatch   alg none/HMAC/unknown, or not the key's alg;
//   kUntrustedIssuer   no trusted DID document for the kid's DID, the kid is not a verification
//                      method of that document (jose's kNotFound is reported as untrusted: a
//                      key the issuer does not publish is not trusted), or `iss` / `issuer`
//                      differ from the kid's DID;
//   kInvalidSignature  the signature does not verify (e.g. a tampered payload);
//   kInvalidType       @context does not start with the VCDM 2.0 context, `type` lacks
//                      VerifiableCredential or the expected type;
//   kInvalidClaims     a required claim (sub, iat, exp, validFrom, validUntil, credentialSubject.id)
//                      is missing or of the wrong form, or sub != credentialSubject.id;
//   kExpired / kNotYetValid   exp / nbf / iat or validUntil / validFrom against the clock with
//                      options.max_skew_seconds of tolerance;
//   status             the check_status callback's error, or kStatusUnavailable when the
//                      credential has credentialStatus and no callback is set (unless
//                      AllowUncheckedStatus()).
Result<VerifiedVcJwt> VerifyVcJwt(std::string_view compact, const VerifyOptions& options,
                                  const Clock& clock);

}  // namespace bonafide::vcjwt

#endif  // BONAFIDE_VCJWT_VC_JWT_H_
