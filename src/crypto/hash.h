// crypto/hash.h: SHA-2 digests, HMAC (RFC 2104) and HKDF (RFC 5869) over OpenSSL 3 EVP.
//
// Thread safety: all functions are safe to call concurrently.
#ifndef BONAFIDE_CRYPTO_HASH_H_
#define BONAFIDE_CRYPTO_HASH_H_

#include <optional>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status.h"

namespace bonafide::crypto {

enum class HashAlg { kSha256, kSha384, kSha512 };

// HashAlgName returns the IANA name ("sha-256", "sha-384", "sha-512") used by `_sd_alg`.
std::string_view HashAlgName(HashAlg alg);
// ParseHashAlgName maps "sha-256" / "sha-384" / "sha-512" (also the upper-case "SHA-256" spelling
// mdoc uses) to HashAlg.
std::optional<HashAlg> ParseHashAlgName(std::string_view name);
size_t DigestSize(HashAlg alg);

inline constexpr size_t kMaxDigestSize = 64;

// Digest returns the hash of `data`. Cannot fail for supported algorithms.
Bytes Digest(HashAlg alg, ByteView data);
// DigestInto writes the hash of `data` to the front of `out` and returns its length; for hot
// paths that would otherwise allocate a buffer per digest.
size_t DigestInto(HashAlg alg, ByteView data, std::span<uint8_t, kMaxDigestSize> out);
inline Bytes Sha256(ByteView data) { return Digest(HashAlg::kSha256, data); }
inline Bytes Sha384(ByteView data) { return Digest(HashAlg::kSha384, data); }
inline Bytes Sha512(ByteView data) { return Digest(HashAlg::kSha512, data); }

// Hmac returns HMAC(key, data); kInvalidArgument for an empty key.
Result<Bytes> Hmac(HashAlg alg, ByteView key, ByteView data);

// Hkdf returns `length` bytes of HKDF-Extract-and-Expand; kInvalidArgument if length is too large.
Result<SecretBytes> Hkdf(HashAlg alg, ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_HASH_H_
