// status/status_list_token.h: the Status List Token in JWT format, the Referenced Token's status
// claim, and the status check (draft-ietf-oauth-status-list-20, sections 5, 6 and 8).
//
// IssueStatusListToken signs a JWT with header typ "statuslist+jwt" and claims sub (the list URI),
// iat, optional exp, ttl and iss, and status_list {bits, lst}. StatusListTokenVerifier checks, in
// order: the JWS (alg from the key, signature), typ, the JSON claims, sub against the expected URI,
// exp / iat with an injected clock (exp optional, as the draft allows), and decodes the list with
// bounded inflation. Only the verifier builds a VerifiedStatusListToken.
//
// Thread safety: functions are pure; a configured StatusListTokenVerifier may be shared across
// threads for Verify. The Clock given to the verifier must outlive it.
#ifndef BONAFIDE_STATUS_STATUS_LIST_TOKEN_H_
#define BONAFIDE_STATUS_STATUS_LIST_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "status/internal/token_verifier_base.h"
#include "status/token_status_list.h"

namespace bonafide::status {

// kStatusListJwtType is the JWT typ of a Status List Token (draft-20 section 5.1).
inline constexpr std::string_view kStatusListJwtType = "statuslist+jwt";

// StatusListTokenParams are the contents of a Status List Token to issue (draft-20 section 5.1).
struct StatusListTokenParams {
  std::string sub;                             // URI of the list; equals the Referenced Tokens' `uri`.
  int64_t iat = 0;                             // issued at, Unix seconds.
  std::optional<int64_t> exp;                  // expiry, Unix seconds.
  std::optional<int64_t> ttl;                  // seconds a fetched copy may be cached (positive).
  std::optional<std::string> iss;              // issuer, when the ecosystem wants it.
  std::optional<std::string> kid;              // header kid.
  std::optional<std::string> aggregation_uri;  // status_list.aggregation_uri.
};

// IssueStatusListToken returns a compact JWS of `list` signed by `signer`. kInvalidArgument if sub
// is empty, ttl is not positive, or exp is not after iat; kInternal if signing fails.
Result<std::string> IssueStatusListToken(const StatusListTokenParams& params, const StatusList& list,
                                         const crypto::Signer& signer);

// VerifiedStatusListToken is a Status List Token whose signature, type, subject and validity
// period have been checked. Only StatusListTokenVerifier constructs it.
class VerifiedStatusListToken {
 public:
  const std::string& sub() const { return sub_; }
  int64_t iat() const { return iat_; }
  const std::optional<int64_t>& exp() const { return exp_; }
  const std::optional<int64_t>& ttl() const { return ttl_; }
  const std::optional<std::string>& iss() const { return iss_; }
  const std::optional<std::string>& aggregation_uri() const { return aggregation_uri_; }
  const StatusList& status_list() const { return list_; }

 private:
  friend class StatusListTokenVerifier;
  friend class StatusListCwtVerifier;
  VerifiedStatusListToken(std::string sub, int64_t iat, std::optional<int64_t> exp, std::optional<int64_t> ttl,
                          std::optional<std::string> iss, std::optional<std::string> aggregation_uri,
                          StatusList list)
      : sub_(std::move(sub)), iat_(iat), exp_(exp), ttl_(ttl), iss_(std::move(iss)),
        aggregation_uri_(std::move(aggregation_uri)), list_(std::move(list)) {}

  std::string sub_;
  int64_t iat_;
  std::optional<int64_t> exp_;
  std::optional<int64_t> ttl_;
  std::optional<std::string> iss_;
  std::optional<std::string> aggregation_uri_;
  StatusList list_;
};

// StatusListTokenVerifier verifies Status List Tokens in JWT format against one key.
// Either ExpectSubject or AllowAnySubject must be called before Verify.
class StatusListTokenVerifier : public internal::TokenVerifierBase<StatusListTokenVerifier> {
 public:
  using TokenVerifierBase::TokenVerifierBase;

  // Verify checks `compact`. Returns kInvalidArgument if no subject expectation was configured;
  // kMalformed for a bad JWS, payload or status_list; kUnsupportedAlgorithm / kAlgorithmMismatch /
  // kInvalidSignature / kUnknownCritical from the JWS check; kInvalidType unless typ is
  // statuslist+jwt (or application/statuslist+jwt); kInvalidClaims for a missing or mistyped
  // sub, iat, exp, ttl or status_list; kStatusUnavailable if sub differs from the expected URI;
  // kExpired / kNotYetValid from the clock; kLimitExceeded for a list inflating past the limits.
  Result<VerifiedStatusListToken> Verify(std::string_view compact) const;
};

// StatusReference is the Referenced Token's pointer into a Status List: the `status_list` member
// of its `status` claim (draft-20 section 6.1).
struct StatusReference {
  uint64_t idx = 0;
  std::string uri;

  // FromJson parses the `status_list` object {"idx", "uri"}. kMalformed unless `json` is an object
  // with `idx` a non-negative JSON integer and `uri` a non-empty string.
  static Result<StatusReference> FromJson(const Json& json);
  // FromStatusClaim parses the whole `status` claim and reads its `status_list` member.
  // kMalformed if `status` is not an object; kNotFound if it has no `status_list`; and as FromJson.
  static Result<StatusReference> FromStatusClaim(const Json& status);
};

// CheckStatus maps entry `idx` of `list` to a Status: VALID is OK, INVALID is kRevoked, SUSPENDED
// is kSuspended, any other value is kRevoked (the draft leaves them to the application; failing
// closed), and an index outside the list is kStatusUnavailable.
Status CheckStatus(const StatusList& list, uint64_t idx);

}  // namespace bonafide::status

#endif  // BONAFIDE_STATUS_STATUS_LIST_TOKEN_H_
