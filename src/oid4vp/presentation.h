// oid4vp/presentation.h: the per-format presentations of an OpenID4VP 1.0 `vp_token` (appendix
// B), bound to one Authorization Request, on both sides:
//   holder:   PresentSdJwtVc (B.3.6: KB-JWT with aud = client_id, nonce, sd_hash),
//             PresentMdoc (B.2.6.1: DeviceResponse over the OpenID4VPHandover SessionTranscript,
//             base64url without padding), PresentJwtVc (B.1.3.1.5: VP JWT with aud = client_id,
//             nonce);
//   verifier: VerifyPresentations checks a whole vp_token against the DCQL query (sections 6.4
//             and 8.6) and returns, per Credential Query, only the claims the query asked for.
// The cryptography lives in src/sdjwt, src/mdoc and src/vcjwt; this file binds them to the
// request (client_id, nonce, response_uri, encryption key thumbprint) and to DCQL.
//
// VerifyPresentations error codes, in the order they are checked:
//   kInvalidArgument  the context lacks client_id, nonce, response_uri, the clock, or the trust
//                     source of a format the presented query uses; the query is invalid.
//   kMalformed        vp_token is not an object; a key is not a Credential Query id of the query
//                     ("unknown vp_token key"); a value is not a non-empty array of strings; more
//                     than one presentation for a query with multiple = false; a presentation of
//                     the wrong shape (bad base64url, not a DeviceResponse with one document,
//                     not a VP with exactly one credential).
//   kNotFound         the presented queries do not satisfy the query: without credential_sets a
//                     Credential Query has no presentation; with them, a required set has no
//                     option whose queries are all presented (section 6.4.2).
//   per format        every error of sdjwt::VerifySdJwtVc (kNonceMismatch, kAudienceMismatch,
//                     kInvalidSignature, kDigestMismatch, kMissingKeyBinding, ...),
//                     mdoc::DeviceResponseVerifier::Verify (kInvalidSignature for a device
//                     signature over another transcript, ...) and vcjwt::VerifyVpJwt.
//   kInvalidType      the credential's vct / doctype / type is not one the query accepts.
//   kInvalidClaims    the disclosed claims do not satisfy the query's claims / claim_sets /
//                     values (section 6.4.1), or holder binding is required but absent.
// Any failing presentation fails the whole vp_token (stricter than section 8.6's "discard").
//
// Status: the presentations' status references are RETURNED, not checked (sdjwt
// AllowUncheckedStatus, mdoc SkipStatusCheck, vcjwt AllowUncheckedStatus): the caller checks them
// with src/status before accepting the result. VerifiedCredential::status lists them.
//
// Thread safety: pure functions of their arguments (the trust store and clock must allow
// concurrent use if shared).
#ifndef BONAFIDE_OID4VP_PRESENTATION_H_
#define BONAFIDE_OID4VP_PRESENTATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "oid4vp/dcql.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"

namespace bonafide::oid4vp {

// PresentationBinding is what every presentation in a response is bound to: the request's
// client_id (with its prefix) and nonce, the response_uri (mdoc handover) and, for an encrypted
// response, the RFC 7638 SHA-256 thumbprint (raw bytes) of the verifier's encryption key.
struct PresentationBinding {
  std::string client_id{};
  std::string nonce{};
  std::string response_uri{};
  std::optional<Bytes> encryption_jwk_thumbprint{};
};

// MdocSessionTranscript returns the encoded SessionTranscript [null, null, OpenID4VPHandover]
// of B.2.6.1 for `binding`.
Bytes MdocSessionTranscript(const PresentationBinding& binding);

// ---- Holder side ----

// PresentSdJwtVc returns an SD-JWT+KB of `credential` revealing `paths` (concrete claims paths
// from the DCQL plan: PlannedPresentation::claims; no null components), with a KB-JWT signed by
// `holder`: aud = binding.client_id, nonce = binding.nonce, iat = now, sd_hash.
// kInvalidArgument for a path with a null component or an empty client_id / nonce;
// sdjwt::HeldSdJwt::Present's errors otherwise (kNotFound for a path the credential lacks).
Result<std::string> PresentSdJwtVc(const sdjwt::HeldSdJwt& credential, const std::vector<ClaimsPath>& paths,
                                   const crypto::Signer& holder, const PresentationBinding& binding,
                                   const Clock& clock);

// PresentMdoc returns the base64url (no padding) DeviceResponse releasing `paths` (each
// [namespace, element]) of `credential`, device-signed with `device_key` over
// MdocSessionTranscript(binding). kInvalidArgument for a path that is not two strings or for no
// paths; mdoc::HeldMdoc::Present's errors otherwise.
Result<std::string> PresentMdoc(const mdoc::HeldMdoc& credential, const std::vector<ClaimsPath>& paths,
                                const crypto::PrivateKey& device_key, const PresentationBinding& binding);

// PresentJwtVc returns a VP JWT (vcjwt::CreateVpJwt) carrying the one VC-JWT `vc_jwt`, with
// aud = binding.client_id and nonce = binding.nonce, signed by `holder`. Its errors.
Result<std::string> PresentJwtVc(const std::string& vc_jwt, const crypto::Signer& holder,
                                 const PresentationBinding& binding, const Clock& clock);

// ---- Verifier side ----

// VerificationContext is what VerifyPresentations checks against.
struct VerificationContext {
  PresentationBinding binding{};
  const Clock* clock = nullptr;
  // dc+sd-jwt: how issuer keys are found (pinned key, x5c anchors, issuer metadata).
  const sdjwt::SdJwtVcTrust* sd_jwt_trust = nullptr;
  // mso_mdoc: the IACA trust store.
  const mdoc::IacaTrustStore* iaca = nullptr;
  // jwt_vc_json: did:web documents of the trusted issuers.
  const std::vector<Json>* did_documents = nullptr;
  int64_t max_presentation_age_seconds = 300;  // KB-JWT / VP JWT iat freshness
};

// CredentialStatusReference is a status entry found in a verified credential, for the caller
// to check: a Token Status List reference (dc+sd-jwt `status.status_list`, mdoc MSO status) or a
// Bitstring Status List entry (jwt_vc_json `credentialStatus`, kept whole in `entry`).
struct CredentialStatusReference {
  std::string kind{};  // "token_status_list" or "bitstring_status_list"
  std::string uri{};
  uint64_t idx = 0;
  Json entry{};  // the credentialStatus entry (bitstring_status_list only)
};

// VerifiedCredential is one verified presentation, reduced to what the query asked for.
struct VerifiedCredential {
  std::string format{};
  // issuer: dc+sd-jwt `iss`; jwt_vc_json the issuer DID; mso_mdoc the document signer's
  // certificate subject CN (issuer_country its country, trust_anchor the IACA subject).
  std::string issuer{};
  std::string issuer_country{};
  std::string trust_anchor{};
  // type: vct, doctype, or the VC's specific type.
  std::string type{};
  // claims: ONLY the requested claims. dc+sd-jwt: a JSON object with each requested path's value
  // in place (an array reached by an index has null in the positions not requested);
  // jwt_vc_json: the same over the VC object (e.g. {"credentialSubject": {...}});
  // mso_mdoc: {namespace: {element: value}} with CBOR values as mdoc::ElementToJson renders them
  // (byte strings such as portrait as base64url text, full-date / tdate as their text).
  Json claims = Json::object();
  // disclosed: the same values as (concrete path, value) pairs, in query order.
  std::vector<SelectedClaim> disclosed{};
  // over_disclosed: claim paths the holder disclosed although the query did not ask for them
  // (dc+sd-jwt disclosures outside every requested path; mdoc elements not requested). They are
  // NOT in `claims`. A VC-JWT cannot disclose selectively, so jwt_vc_json never reports here.
  std::vector<ClaimsPath> over_disclosed{};
  std::vector<CredentialStatusReference> status{};  // NOT checked here
  std::optional<int64_t> valid_until{};
  bool holder_bound = false;
};

// VerifiedVpToken is the result of VerifyPresentations: per presented Credential Query id, its
// verified credentials in presentation order.
struct VerifiedVpToken {
  std::map<std::string, std::vector<VerifiedCredential>> credentials{};
  bool over_disclosed = false;  // some credential has a non-empty over_disclosed
};

// VerifyPresentations verifies `vp_token` (the JSON object of the response) against `query`
// and `context`. See the top of this file for the checks and their codes.
Result<VerifiedVpToken> VerifyPresentations(const Json& vp_token, const DcqlQuery& query,
                                            const VerificationContext& context);

}  // namespace bonafide::oid4vp

#endif  // BONAFIDE_OID4VP_PRESENTATION_H_
