// bench/floor.h: the crypto floor the HTTP benchmarks divide by (docs/performance.md, "How it is
// measured"): the cost of the signatures a unit of work cannot avoid, measured on this machine in
// the same run, so that ratios stay comparable on shared, noisy machines.
#ifndef BONAFIDE_BENCH_FLOOR_H_
#define BONAFIDE_BENCH_FLOOR_H_

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "crypto/keys.h"

namespace bonafide::bench {

// CpuSeconds reads one of the kernel's CPU clocks (CLOCK_THREAD_CPUTIME_ID,
// CLOCK_PROCESS_CPUTIME_ID).
inline double CpuSeconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

enum class FloorClock { kWall, kThreadCpu };

// Es256FloorMicros returns the median over 15 rounds of (`verifies` ES256 verifications +
// `signs` ES256 signatures) of a 600-byte message (about a JWT's signing input), in µs, on the
// wall clock or on this thread's CPU clock. The CPU-clock figure is what a cpu ratio divides by:
// unlike wall-clock time it does not grow when other processes take turns on the cores.
inline double Es256FloorMicros(int verifies, int signs, FloorClock clock = FloorClock::kWall) {
  crypto::PrivateKey key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  const std::string message(600, 'm');
  const Bytes sig = *key.Sign(AsBytes(message));
  auto now = [clock] {
    if (clock == FloorClock::kThreadCpu) return CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  std::vector<double> rounds;
  for (int r = 0; r < 15; ++r) {
    constexpr int kOps = 100;
    const double start = now();
    for (int i = 0; i < kOps; ++i) {
      for (int v = 0; v < verifies; ++v) {
        if (!key.public_key().Verify(AsBytes(message), sig).ok()) std::abort();
      }
      for (int s = 0; s < signs; ++s) {
        if (!key.Sign(AsBytes(message)).ok()) std::abort();
      }
    }
    rounds.push_back((now() - start) * 1e6 / kOps);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

}  // namespace bonafide::bench

#endif  // BONAFIDE_BENCH_FLOOR_H_
