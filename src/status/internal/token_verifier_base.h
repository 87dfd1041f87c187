// status/internal/token_verifier_base.h: the configuration shared by the Status List Token
// verifiers (JWT and CWT forms): the key, the clock, the subject expectation, the skew and the
// decoding limits, with chaining setters that return the concrete verifier.
#ifndef BONAFIDE_STATUS_INTERNAL_TOKEN_VERIFIER_BASE_H_
#define BONAFIDE_STATUS_INTERNAL_TOKEN_VERIFIER_BASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/clock.h"
#include "crypto/keys.h"
#include "status/token_status_list.h"

namespace bonafide::status::internal {

template <typename Derived>
class TokenVerifierBase {
 public:
  // `key` is copied; `clock` is borrowed and must outlive the verifier.
  TokenVerifierBase(crypto::PublicKey key, const Clock& clock) : key_(std::move(key)), clock_(clock) {}

  // ExpectSubject requires `sub` to equal `uri` (the Referenced Token's status_list.uri).
  Derived& ExpectSubject(std::string uri) {
    expected_sub_ = std::move(uri);
    subject_configured_ = true;
    return static_cast<Derived&>(*this);
  }
  // AllowAnySubject accepts any `sub` (still required to be a string). For tools, not verifiers.
  Derived& AllowAnySubject() {
    expected_sub_.reset();
    subject_configured_ = true;
    return static_cast<Derived&>(*this);
  }
  // MaxSkew sets the allowed clock difference for exp / iat (default 60 s, capped at 300 s).
  Derived& MaxSkew(int64_t seconds) {
    skew_ = seconds;
    return static_cast<Derived&>(*this);
  }
  // WithLimits sets the bounds for decoding the list.
  Derived& WithLimits(const DecodeLimits& limits) {
    limits_ = limits;
    return static_cast<Derived&>(*this);
  }

 protected:
  crypto::PublicKey key_;
  const Clock& clock_;
  std::optional<std::string> expected_sub_;
  bool subject_configured_ = false;
  int64_t skew_ = 60;
  DecodeLimits limits_;
};

}  // namespace bonafide::status::internal

#endif  // BONAFIDE_STATUS_INTERNAL_TOKEN_VERIFIER_BASE_H_
