#include "jose/jwt.h"

#include <algorithm>
#include <cstdint>

namespace bonafide::jose {

namespace {

// Saturating arithmetic: claim values are attacker-chosen int64s, so exp + skew must not overflow.
int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}
int64_t SatSub(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

JwtTimeValidator::JwtTimeValidator(const Clock& clock, int64_t max_skew_seconds)
    : clock_(clock), skew_(std::clamp<int64_t>(max_skew_seconds, 0, 300)) {}

Status JwtTimeValidator::Validate(const Json& claims) const {
  const int64_t now = clock_.NowSeconds();
  ASSIGN_OR_RETURN(auto exp, GetOptionalInt(claims, "exp"));
  ASSIGN_OR_RETURN(auto nbf, GetOptionalInt(claims, "nbf"));
  ASSIGN_OR_RETURN(auto iat, GetOptionalInt(claims, "iat"));
  if (!exp && require_exp_) return Error(StatusCode::kInvalidClaims, "missing \"exp\"");
  if (!iat && require_iat_) return Error(StatusCode::kInvalidClaims, "missing \"iat\"");
  // Valid while now < exp + skew (RFC 7519 4.1.4: "on or after" exp is expired).
  if (exp && now >= SatAdd(*exp, skew_)) return Error(StatusCode::kExpired, "token expired at " + std::to_string(*exp));
  // Valid from now >= nbf - skew (RFC 7519 4.1.5).
  if (nbf && now < SatSub(*nbf, skew_)) {
    return Error(StatusCode::kNotYetValid, "token not valid before " + std::to_string(*nbf));
  }
  if (iat && now < SatSub(*iat, skew_)) return Error(StatusCode::kNotYetValid, "token issued in the future");
  // Too old once now - skew > iat + max_age.
  if (iat && max_age_ >= 0 && SatSub(now, skew_) > SatAdd(*iat, max_age_)) {
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
