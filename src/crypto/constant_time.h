// crypto/constant_time.h: the one constant-time comparison bonafide uses for secrets.
#ifndef BONAFIDE_CRYPTO_CONSTANT_TIME_H_
#define BONAFIDE_CRYPTO_CONSTANT_TIME_H_

#include <string_view>

#include "base/bytes.h"

namespace bonafide::crypto {

// ConstantTimeEquals returns whether `a` equals `b`; time depends only on the lengths
// (CRYPTO_memcmp). Use it for MAC tags, codes, PINs and bearer tokens.
bool ConstantTimeEquals(ByteView a, ByteView b);
inline bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return ConstantTimeEquals(AsBytes(a), AsBytes(b));
}

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_CONSTANT_TIME_H_
