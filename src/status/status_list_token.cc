#include "status/status_list_token.h"

#include <string>
#include <utility>

#include "jose/jws.h"
#include "jose/jwt.h"
#include "status/internal/media_type.h"

namespace bonafide::status {

Result<std::string> IssueStatusListToken(const StatusListTokenParams& params, const StatusList& list,
                                         const crypto::Signer& signer) {
  if (params.sub.empty()) return Error(StatusCode::kInvalidArgument, "status list token needs a sub (list URI)");
  if (params.ttl && *params.ttl <= 0) return Error(StatusCode::kInvalidArgument, "ttl must be positive");
  if (params.exp && *params.exp <= params.iat) return Error(StatusCode::kInvalidArgument, "exp must be after iat");

  Json header = Json::object();
  header["typ"] = std::string(kStatusListJwtType);
  if (params.kid) header["kid"] = *params.kid;

  ASSIGN_OR_RETURN(Json status_list, list.EncodeJson(params.aggregation_uri
                                                         ? std::optional<std::string_view>(*params.aggregation_uri)
                                                         : std::nullopt));
  Json claims = Json::object();
  claims["sub"] = params.sub;
  claims["iat"] = params.iat;
  if (params.exp) claims["exp"] = *params.exp;
  if (params.ttl) claims["ttl"] = *params.ttl;
  if (params.iss) claims["iss"] = *params.iss;
  claims["status_list"] = std::move(status_list);
  return jose::SignJwt(header, claims, signer);
}

Result<VerifiedStatusListToken> StatusListTokenVerifier::Verify(std::string_view compact) const {
  if (!subject_configured_) {
    return Error(StatusCode::kInvalidArgument, "no expected status list URI: call ExpectSubject or AllowAnySubject");
  }
  ASSIGN_OR_RETURN(jose::UnverifiedJws unverified, jose::UnverifiedJws::Parse(compact));
  ASSIGN_OR_RETURN(jose::VerifiedJws jws, jose::VerifyJws(unverified, key_));

  const Json* typ = Find(jws.header(), "typ");
  if (typ == nullptr || !typ->is_string() ||
      !internal::MediaTypeMatches(typ->get_ref<const std::string&>(), kStatusListJwtType)) {
    return Error(StatusCode::kInvalidType, "JWT typ is not statuslist+jwt");
  }

  ASSIGN_OR_RETURN(Json claims, ParseJsonObject(AsStringView(jws.payload())));
  ASSIGN_OR_RETURN(std::string sub, GetString(claims, "sub"));
  ASSIGN_OR_RETURN(int64_t iat, GetInt(claims, "iat"));
  ASSIGN_OR_RETURN(std::optional<int64_t> exp, GetOptionalInt(claims, "exp"));
  ASSIGN_OR_RETURN(std::optional<int64_t> ttl, GetOptionalInt(claims, "ttl"));
  if (ttl && *ttl <= 0) return Error(StatusCode::kInvalidClaims, "\"ttl\" must be a positive integer");
  ASSIGN_OR_RETURN(std::optional<std::string> iss, GetOptionalString(claims, "iss"));
  ASSIGN_OR_RETURN(const Json* status_list_json, GetObject(claims, "status_list"));

  if (expected_sub_ && sub != *expected_sub_) {
    return Error(StatusCode::kStatusUnavailable, "status list token sub \"" + sub + "\" is not the expected URI \"" +
                                                     *expected_sub_ + "\"");
  }

  jose::JwtTimeValidator time(clock_, skew_);
  time.AllowMissingExpiry().RequireIssuedAt();
  RETURN_IF_ERROR(time.Validate(claims));

  ASSIGN_OR_RETURN(StatusList list, StatusList::DecodeJson(*status_list_json, limits_));
  std::optional<std::string> aggregation_uri;
  if (const Json* agg = Find(*status_list_json, "aggregation_uri"); agg != nullptr) {
    aggregation_uri = agg->get<std::string>();  // DecodeJson checked it is a string
  }
  return VerifiedStatusListToken(std::move(sub), iat, exp, ttl, std::move(iss), std::move(aggregation_uri),
                                 std::move(list));
}

Result<StatusReference> StatusReference::FromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kMalformed, "status_list reference is not a JSON object");
  const Json* idx = Find(json, "idx");
  if (idx == nullptr || !idx->is_number_integer()) {
    return Error(StatusCode::kMalformed, "status_list.idx missing or not an integer");
  }
  if (!idx->is_number_unsigned() && idx->get<int64_t>() < 0) {
    return Error(StatusCode::kMalformed, "status_list.idx is negative");
  }
  const Json* uri = Find(json, "uri");
  if (uri == nullptr || !uri->is_string() || uri->get_ref<const std::string&>().empty()) {
    return Error(StatusCode::kMalformed, "status_list.uri missing or not a non-empty string");
  }
  StatusReference ref;
  ref.idx = idx->get<uint64_t>();
  ref.uri = uri->get<std::string>();
  return ref;
}

Result<StatusReference> StatusReference::FromStatusClaim(const Json& status) {
  if (!status.is_object()) return Error(StatusCode::kMalformed, "status claim is not a JSON object");
  const Json* status_list = Find(status, "status_list");
  if (status_list == nullptr) return Error(StatusCode::kNotFound, "status claim has no status_list");
  return FromJson(*status_list);
}

Status CheckStatus(const StatusList& list, uint64_t idx) {
  ASSIGN_OR_RETURN(StatusType value, list.Get(idx));
  switch (value) {
    case StatusType::kValid:
      return OkStatus();
    case StatusType::kInvalid:
      return Error(StatusCode::kRevoked, "status list entry " + std::to_string(idx) + " is INVALID");
    case StatusType::kSuspended:
      return Error(StatusCode::kSuspended, "status list entry " + std::to_string(idx) + " is SUSPENDED");
  }
  return Error(StatusCode::kRevoked, "status list entry " + std::to_string(idx) + " has status value " +
                                         std::to_string(static_cast<unsigned>(value)) +
                                         ", which is not VALID; treated as not valid");
}

}  // namespace bonafide::status
