// jose/jwt.h: JWT claim validation (RFC 7519) with an injected clock and bounded skew.
//
// Strict by default: `exp` is required, `iat` / `nbf` in the future (beyond the skew) are
// rejected, time claims must be integers. Relaxations are named calls.
//
// Thread safety: JwtTimeValidator is immutable after configuration.
#ifndef BONAFIDE_JOSE_JWT_H_
#define BONAFIDE_JOSE_JWT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"

namespace bonafide::jose {

class JwtTimeValidator {
 public:
  // max_skew_seconds is the allowed clock difference (default 60 s, clamped to [0, 300] s).
  explicit JwtTimeValidator(const Clock& clock, int64_t max_skew_seconds = 60);

  // AllowMissingExpiry accepts tokens without `exp`.
  JwtTimeValidator& AllowMissingExpiry() { require_exp_ = false; return *this; }
  // RequireIssuedAt makes a missing `iat` an error (kInvalidClaims).
  JwtTimeValidator& RequireIssuedAt() { require_iat_ = true; return *this; }
  // MaxAge rejects tokens whose `iat` is older than `seconds` (kStaleKeyBinding is returned by
  // KB-JWT callers; here kExpired). A negative value turns the check off.
  JwtTimeValidator& MaxAge(int64_t seconds) { max_age_ = seconds; return *this; }

  // Validate checks exp / nbf / iat in `claims`, with s = skew():
  //   exp: valid while now < exp + s, kExpired from now == exp + s on;
  //   nbf, iat: valid from now >= value - s, kNotYetValid before;
  //   MaxAge(m): kExpired once now - s > iat + m (checked only when iat is present; combine with
  //   RequireIssuedAt to demand it).
  // Time claims must be JSON integers (or floats with an exact integer value); anything else,
  // and a missing exp unless AllowMissingExpiry, is kInvalidClaims. Arithmetic saturates, so
  // extreme claim values cannot overflow.
  Status Validate(const Json& claims) const;

  int64_t now() const { return clock_.NowSeconds(); }
  int64_t skew() const { return skew_; }

 private:
  const Clock& clock_;
  int64_t skew_;
  bool require_exp_ = true;
  bool require_iat_ = false;
  int64_t max_age_ = -1;
};

// CheckAudience returns OK if `aud` (string or array of strings) contains `expected`;
// kAudienceMismatch otherwise (also when aud is absent).
Status CheckAudience(const Json& claims, std::string_view expected);

}  // namespace bonafide::jose

#endif  // BONAFIDE_JOSE_JWT_H_
