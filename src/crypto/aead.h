// crypto/aead.h: AES-256-GCM and AES-128-GCM (NIST SP 800-38D) with 12-byte IVs and 16-byte tags.
//
// Thread safety: safe to call concurrently.
#ifndef BONAFIDE_CRYPTO_AEAD_H_
#define BONAFIDE_CRYPTO_AEAD_H_

#include "base/bytes.h"
#include "base/status.h"

namespace bonafide::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAes128GcmKeySize = 16;
inline constexpr size_t kAesGcmIvSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// Aes256GcmSeal returns ciphertext || tag; kInvalidArgument for a wrong key or IV size.
Result<Bytes> Aes256GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);

// Aes256GcmOpen returns the plaintext of ciphertext || tag; kInvalidSignature if the tag does not
// verify (nothing is returned then; a changed key, IV, AAD, ciphertext or tag all land here),
// kMalformed if `sealed` is shorter than the tag, kInvalidArgument for wrong key or IV sizes.
Result<Bytes> Aes256GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed);

// Aes128GcmSeal is Aes256GcmSeal with a 16-byte key (JWE "A128GCM", RFC 7518 section 5.3).
Result<Bytes> Aes128GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);

// Aes128GcmOpen is Aes256GcmOpen with a 16-byte key; the same error codes.
Result<Bytes> Aes128GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_AEAD_H_
