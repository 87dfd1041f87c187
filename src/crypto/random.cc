#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace bonafide::crypto {
namespace {

class OpenSslRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    while (!out.empty()) {
      size_t n = out.size() > INT_MAX ? INT_MAX : out.size();
      if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
        std::fputs("bonafide: the system CSPRNG failed; aborting\n", stderr);
        std::abort();
      }
      out = out.subspan(n);
    }
  }
};

}  // namespace

Random& SystemRandom() {
  static OpenSslRandom instance;
  return instance;
}

}  // namespace bonafide::crypto
