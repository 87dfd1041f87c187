#include "wallet/internal/argon2id.h"

#include <sodium.h>

namespace bonafide::wallet::internal {

static_assert(kArgon2idSaltSize == crypto_pwhash_SALTBYTES);

Status CheckArgon2idParams(uint64_t opslimit, uint64_t memlimit) {
  static_assert(kArgon2idMinMemLimit >= crypto_pwhash_MEMLIMIT_MIN);
  if (opslimit < kArgon2idMinOpsLimit || opslimit > kArgon2idMaxOpsLimit ||
      opslimit < crypto_pwhash_OPSLIMIT_MIN) {
    return Error(StatusCode::kInvalidArgument, "Argon2id opslimit out of range");
  }
  if (memlimit < kArgon2idMinMemLimit || memlimit > kArgon2idMaxMemLimit) {
    return Error(StatusCode::kInvalidArgument, "Argon2id memlimit out of range");
  }
  return OkStatus();
}

Result<SecretBytes> DeriveArgon2id(std::string_view password, ByteView salt, uint64_t opslimit,
                                   uint64_t memlimit, size_t out_size) {
  if (salt.size() != kArgon2idSaltSize)
    return Error(StatusCode::kInvalidArgument, "Argon2id salt must be 16 bytes");
  RETURN_IF_ERROR(CheckArgon2idParams(opslimit, memlimit));
  if (sodium_init() < 0) return Error(StatusCode::kInternal, "libsodium initialisation failed");
  SecretBytes out(out_size);
  if (crypto_pwhash(out.mutable_data(), out.size(), password.data(), password.size(), salt.data(),
                    static_cast<unsigned long long>(opslimit), static_cast<size_t>(memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(StatusCode::kInternal, "Argon2id derivation failed (out of memory?)");
  }
  return out;
}

}  // namespace bonafide::wallet::internal
