// base/random.h: the randomness seam.
//
// Code that needs random bytes (salts, nonces, codes, status indices) takes a Random& so tests can
// substitute a deterministic source. The production source is crypto::SystemRandom() (OpenSSL's
// CSPRNG). Thread safety: implementations must be safe for concurrent Fill calls.
#ifndef BONAFIDE_BASE_RANDOM_H_
#define BONAFIDE_BASE_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/bytes.h"

namespace bonafide {

class Random {
 public:
  virtual ~Random() = default;
  // Fill writes random bytes over `out`. A failing source aborts: running on without entropy is
  // never safe.
  virtual void Fill(std::span<uint8_t> out) = 0;

  Bytes Generate(size_t n) {
    Bytes b(n);
    Fill(b);
    return b;
  }
  // Uniform returns a uniformly distributed integer in [0, bound), bound > 0 (rejection sampling).
  uint64_t Uniform(uint64_t bound);
  // Identifier returns the unpadded base64url encoding of `bytes` random bytes (bytes > 0), drawn
  // again while it would start with '-': identifiers are typed into command lines, where a
  // leading '-' reads as an option (`bonafide wallet show -Xy...`). This costs log2(64/63), about
  // 0.02 bits of entropy.
  std::string Identifier(size_t bytes);
};

}  // namespace bonafide

#endif  // BONAFIDE_BASE_RANDOM_H_
