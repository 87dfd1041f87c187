// crypto/hash.h: SHA-2 digests, HMAC (RFC 2104), HKDF (RFC 5869) and the Concat KDF (NIST SP
// 800-56A single-step KDF, as JWE ECDH-ES uses it) over OpenSSL 3 EVP.
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

inline constexpr size_t kMaxConcatKdfLength = 1024;

// ConcatKdfSha256 returns `length` bytes of the NIST SP 800-56A (rev. 3, section 5.8.2.1)
// single-step KDF with SHA-256: the first `length` bytes of SHA-256(counter || z || other_info)
// for counter = 1, 2, ... as a 32-bit big-endian integer (OpenSSL's "SSKDF"). This is the
// Concat KDF of RFC 7518 section 4.6.2; building OtherInfo is the caller's business.
// kInvalidArgument for an empty `z`, or a length of 0 or above kMaxConcatKdfLength (32 blocks;
// far beyond any key).
Result<SecretBytes> ConcatKdfSha256(ByteView z, ByteView other_info, size_t length);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_HASH_H_
