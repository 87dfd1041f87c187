// wallet/internal/argon2id.h: PIN-to-key derivation with Argon2id (RFC 9106) via libsodium.
//
// libsodium is used here and nowhere else in bonafide: OpenSSL 3.0 (our crypto library) has no
// Argon2. This is a thin call into libsodium's crypto_pwhash with ALG_ARGON2ID13, not an
// implementation. Thread safety: safe to call concurrently.
#ifndef BONAFIDE_WALLET_INTERNAL_ARGON2ID_H_
#define BONAFIDE_WALLET_INTERNAL_ARGON2ID_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status.h"

namespace bonafide::wallet::internal {

// kArgon2idSaltSize is libsodium's crypto_pwhash_SALTBYTES (16).
inline constexpr size_t kArgon2idSaltSize = 16;
// Bounds accepted for the cost parameters. The lower ones are libsodium's minimums; the upper
// ones stop a tampered vault file from making Unlock allocate or spin without limit.
inline constexpr uint64_t kArgon2idMinOpsLimit = 1;
inline constexpr uint64_t kArgon2idMaxOpsLimit = 32;
inline constexpr uint64_t kArgon2idMinMemLimit = 8192;
inline constexpr uint64_t kArgon2idMaxMemLimit = uint64_t{1} << 30;  // 1 GiB

// CheckArgon2idParams returns kInvalidArgument when a parameter is outside the bounds above.
Status CheckArgon2idParams(uint64_t opslimit, uint64_t memlimit);

// DeriveArgon2id returns `out_size` bytes of Argon2id(password, salt). kInvalidArgument for a
// salt of the wrong size or parameters out of bounds; kInternal if libsodium fails (out of
// memory).
Result<SecretBytes> DeriveArgon2id(std::string_view password, ByteView salt, uint64_t opslimit,
                                   uint64_t memlimit, size_t out_size);

}  // namespace bonafide::wallet::internal

#endif  // BONAFIDE_WALLET_INTERNAL_ARGON2ID_H_
