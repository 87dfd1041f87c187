#include "jose/jwt.h"

#include <algorithm>

namespace bonafide::jose {

JwtTimeValidator::JwtTimeValidator(const Clock& clock, int64_t max_skew_seconds)
    : clock_(clock), skew_(std::clamp<int64_t>(max_skew_seconds, 0, 300)) {}

Status JwtTimeValidator::Validate(const Json& claims) const {
  const int64_t now = clock_.NowSeconds();
  ASSIGN_OR_RETURN(auto exp, GetOptionalInt(claims, "exp"));
  ASSIGN_OR_RETURN(auto nbf, GetOptionalInt(claims, "nbf"));
  ASSIGN_OR_RETURN(auto iat, GetOptionalInt(claims, "iat"));
  if (!exp && require_exp_) return Error(StatusCode::kInvalidClaims, "missing \"exp\"");
  if (!iat && require_iat_) return Error(StatusCode::kInvalidClaims, "missing \"iat\"");
  if (exp && now - skew_ >= *exp) return Error(StatusCode::kExpired, "token expired at " + std::to_string(*exp));
  if (nbf && now + skew_ < *nbf) return Error(StatusCode::kNotYetValid, "token not valid before " + std::to_string(*nbf));
  if (iat && now + skew_ < *iat) return Error(StatusCode::kNotYetValid, "token issued in the future");
  if (iat && max_age_ >= 0 && now - skew_ > *iat + max_age_) {
    return Error(StatusCode::kExpired, "token older than " + std::to_string(max_age_) + " seconds");
  }
  return OkStatus();
}

Status CheckAudience(const Json& claims, std::string_view expected) {
  const Json* aud = Find(claims, "aud");
  if (aud != nullptr && aud->is_string() && aud->get_ref<const std::string&>() == expected) return OkStatus();
  if (aud != nullptr && aud->is_array()) {
    for (const Json& a : *aud) {
      if (a.is_string() && a.get_ref<const std::string&>() == expected) return OkStatus();
    }
  }
  return Error(StatusCode::kAudienceMismatch, "audience does not include \"" + std::string(expected) + "\"");
}

}  // namespace bonafide::jose
