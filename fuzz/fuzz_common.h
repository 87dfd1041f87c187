// fuzz/fuzz_common.h: what the fuzz targets share: the invariant check that turns a violated
// property into a crash libFuzzer records, and the published example keys the seeds are signed
// with (so seeds pass signature checks and reach the code behind them).
#ifndef BONAFIDE_FUZZ_FUZZ_COMMON_H_
#define BONAFIDE_FUZZ_FUZZ_COMMON_H_

#include <errno.h>  // program_invocation_short_name (glibc)

#include <cstdio>
#include <cstdlib>

#include "base/json.h"
#include "crypto/keys.h"

namespace bonafide::fuzz {

// Check aborts with a message naming the target when an invariant does not hold.
inline void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "%s: invariant violated: %s\n", program_invocation_short_name, what);
    std::abort();
  }
}

// PublicKeyFromJwk loads a fixed public key, aborting if it does not load.
inline crypto::PublicKey PublicKeyFromJwk(const char* x, const char* y) {
  auto key = crypto::PublicKey::FromJwk(Json{{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", y}});
  Check(key.ok(), "example key loads");
  return *key;
}

// SdJwtExampleIssuerKey is the RFC 9901 examples' issuer key (tests/vectors/sd-jwt/keys.json).
inline const crypto::PublicKey& SdJwtExampleIssuerKey() {
  static const crypto::PublicKey key = PublicKeyFromJwk("b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
                                                        "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8");
  return key;
}

// StatusListExampleKey is the Token Status List draft's signing key, kid 12
// (tests/vectors/status-list/keys.json).
inline const crypto::PublicKey& StatusListExampleKey() {
  static const crypto::PublicKey key = PublicKeyFromJwk("I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo",
                                                        "6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M");
  return key;
}

}  // namespace bonafide::fuzz

#endif  // BONAFIDE_FUZZ_FUZZ_COMMON_H_
