#include "base/random.h"

#include "base/encoding.h"

namespace bonafide {

uint64_t Random::Uniform(uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject values in the top partial range so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  for (;;) {
    uint64_t v = 0;
    Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
    if (v < limit) return v % bound;
  }
}

std::string Random::Identifier(size_t bytes) {
  for (;;) {
    std::string id = Base64UrlEncode(Generate(bytes));
    if (id.empty() || id.front() != '-') return id;
  }
}

}  // namespace bonafide
