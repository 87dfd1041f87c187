// crypto/random.h: the operating-system CSPRNG (OpenSSL RAND_bytes) as a bonafide::Random.
//
// Thread safety: SystemRandom() is safe for concurrent use.
#ifndef BONAFIDE_CRYPTO_RANDOM_H_
#define BONAFIDE_CRYPTO_RANDOM_H_

#include "base/random.h"

namespace bonafide::crypto {

// SystemRandom returns the process-wide CSPRNG. Fill aborts the process if OpenSSL cannot produce
// random bytes.
Random& SystemRandom();

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_RANDOM_H_
