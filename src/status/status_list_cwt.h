// status/status_list_cwt.h: the Status List Token in CWT format and the Referenced Token's status
// claim in a CWT (draft-ietf-oauth-status-list-20, sections 5.2 and 6.3).
//
// A Status List Token CWT is a COSE_Sign1 (cose/cose_sign1.h) whose protected header carries
// typ (label 16) "application/statuslist+cwt" and whose payload is a CWT claims map (RFC 8392):
//   2 sub (text, the list URI), 6 iat (uint), 4 exp (uint, optional), 1 iss (text, optional),
//   65534 ttl (uint, optional, positive), 65533 status_list {"bits": uint, "lst": bstr (zlib),
//   "aggregation_uri"?: text}.
// Claim keys 65533-65535 are the values draft-20 requests from IANA (kCwtClaim* below); they are
// not final until the RFC is published.
//
// StatusListCwtVerifier checks, in the order of the JWT verifier (status_list_token.h): the
// COSE_Sign1 (alg from the key, signature), typ, the claims, sub against the expected URI,
// exp / iat with an injected clock (exp optional), and decodes the list with bounded inflation.
// It returns the same VerifiedStatusListToken as the JWT verifier.
//
// Thread safety: a configured StatusListCwtVerifier may be shared across threads for Verify. The
// Clock given to it must outlive it. StatusReferenceFromCwtClaims is a pure function.
#ifndef BONAFIDE_STATUS_STATUS_LIST_CWT_H_
#define BONAFIDE_STATUS_STATUS_LIST_CWT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "cbor/cbor.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "status/internal/token_verifier_base.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"

namespace bonafide::status {

// kStatusListCwtType is the COSE typ (label 16) of a Status List Token (draft-20 section 5.2).
inline constexpr std::string_view kStatusListCwtType = "application/statuslist+cwt";

// CWT claim keys (RFC 8392 section 4 and draft-20 section 14.3, requested values).
inline constexpr int64_t kCwtClaimIss = 1;
inline constexpr int64_t kCwtClaimSub = 2;
inline constexpr int64_t kCwtClaimExp = 4;
inline constexpr int64_t kCwtClaimIat = 6;
inline constexpr int64_t kCwtClaimStatusList = 65533;
inline constexpr int64_t kCwtClaimTtl = 65534;
inline constexpr int64_t kCwtClaimStatus = 65535;

// IssueStatusListCwt returns a Status List Token in CWT format: a tagged (18) COSE_Sign1 of
// `list` signed by `signer`, protected header {1: alg, 16: "application/statuslist+cwt"},
// unprotected kid (label 4, the UTF-8 bytes of params.kid) when given, and the claims map
// {2: sub, 6: iat, 4?: exp, 65534?: ttl, 1?: iss, 65533: {"bits", "lst", "aggregation_uri"?}}
// encoded deterministically. The same params as the JWT form (status_list_token.h) and the same
// errors: kInvalidArgument if sub is empty, ttl is not positive, exp is not after iat, or iat is
// negative; kInternal if signing fails.
Result<Bytes> IssueStatusListCwt(const StatusListTokenParams& params, const StatusList& list,
                                 const crypto::Signer& signer);

// StatusListCwtVerifier verifies Status List Tokens in CWT format against one key.
// Either ExpectSubject or AllowAnySubject must be called before Verify.
class StatusListCwtVerifier : public internal::TokenVerifierBase<StatusListCwtVerifier> {
 public:
  using TokenVerifierBase::TokenVerifierBase;

  // Verify checks the COSE_Sign1 `cose`. Returns kInvalidArgument if no subject expectation was
  // configured; kMalformed / kLimitExceeded for bad CBOR or COSE structure, a payload that is not
  // a CBOR map, or a bad status_list {bits, lst}; kUnsupportedAlgorithm / kAlgorithmMismatch /
  // kInvalidSignature / kUnknownCritical from the COSE check; kInvalidType unless the protected
  // typ (label 16) is application/statuslist+cwt (ASCII case-insensitive); kInvalidClaims for a
  // missing or mistyped sub, iat, exp, ttl, iss or status_list, a non-positive ttl, or times past
  // 2^63 - 1; kStatusUnavailable if sub differs from the expected URI; kExpired / kNotYetValid
  // from the clock; kLimitExceeded for a list inflating past the limits.
  Result<VerifiedStatusListToken> Verify(ByteView cose) const;
};

// StatusReferenceFromCwtClaims reads claim 65535 (status) {"status_list": {"idx": uint, "uri":
// text}} from the CWT claims map `cwt_claims` (the payload of an already verified COSE_Sign1).
// kMalformed if the claims are not a CBOR map, `status` is not a map, idx is not a uint or uri is
// not a non-empty text string; kNotFound if there is no status claim or it has no status_list.
Result<StatusReference> StatusReferenceFromCwtClaims(ByteView cwt_claims);

// StatusReferenceFromStatusMap reads {"status_list": {"idx": uint, "uri": text}} from a decoded
// status map (CWT claim 65535, or the `status` member of an mdoc MobileSecurityObject). Errors as
// for StatusReferenceFromCwtClaims.
Result<StatusReference> StatusReferenceFromStatusMap(const cbor::Value& status);

}  // namespace bonafide::status

#endif  // BONAFIDE_STATUS_STATUS_LIST_CWT_H_
