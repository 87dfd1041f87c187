// bench/floor.h: the crypto floor the HTTP benchmarks divide by (docs/performance.md, "How it is
// measured"): the cost of the signatures a unit of work cannot avoid, measured on this machine in
// the same run, so that ratios stay comparable on shared, noisy machines.
#ifndef BONAFIDE_BENCH_FLOOR_H_
#define BONAFIDE_BENCH_FLOOR_H_

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/keys.h"

namespace bonafide::bench {

// Es256FloorMicros returns the median over 15 rounds of (`verifies` ES256 verifications +
// `signs` ES256 signatures) of a 600-byte message (about a JWT's signing input), in µs.
inline double Es256FloorMicros(int verifies, int signs) {
  crypto::PrivateKey key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  const std::string message(600, 'm');
  const Bytes sig = *key.Sign(AsBytes(message));
  std::vector<double> rounds;
  for (int r = 0; r < 15; ++r) {
    constexpr int kOps = 100;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kOps; ++i) {
      for (int v = 0; v < verifies; ++v) {
        if (!key.public_key().Verify(AsBytes(message), sig).ok()) std::abort();
      }
      for (int s = 0; s < signs; ++s) {
        if (!key.Sign(AsBytes(message)).ok()) std::abort();
      }
    }
    rounds.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
                     kOps);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

}  // namespace bonafide::bench

#endif  // BONAFIDE_BENCH_FLOOR_H_
