#include "crypto/aead.h"

#include <openssl/evp.h>

#include <climits>

#include "crypto/internal/openssl_util.h"

namespace bonafide::crypto {
namespace {

// GcmCipher is the cipher for a key of `key_size` bytes (16 or 32); Seal and Open below are shared
// by the AES-256 and AES-128 entry points. `cipher` is a function so the tables below are
// constant-initialised (no static initialisation order to get wrong).
struct GcmCipher {
  const EVP_CIPHER* (*cipher)();
  size_t key_size;
  const char* key_error;
};
constexpr GcmCipher kAes256Gcm = {EVP_aes_256_gcm, kAesGcmKeySize, "AES-256-GCM key must be 32 bytes"};
constexpr GcmCipher kAes128Gcm = {EVP_aes_128_gcm, kAes128GcmKeySize, "AES-128-GCM key must be 16 bytes"};

Result<Bytes> Seal(const GcmCipher& gcm, ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  if (key.size() != gcm.key_size) return Error(StatusCode::kInvalidArgument, gcm.key_error);
  if (iv.size() != kAesGcmIvSize) return Error(StatusCode::kInvalidArgument, "AES-GCM IV must be 12 bytes");
  if (plaintext.size() > static_cast<size_t>(INT_MAX) || aad.size() > static_cast<size_t>(INT_MAX)) {
    return Error(StatusCode::kInvalidArgument, "AES-GCM input too large");
  }
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error(StatusCode::kInternal, "out of memory");
  Bytes out(plaintext.size() + kAesGcmTagSize);
  int len = 0, total = 0;
  if (EVP_EncryptInit_ex(ctx.get(), gcm.cipher(), nullptr, key.data(), iv.data()) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
    return Error(StatusCode::kInternal, internal::OpenSslError());
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAesGcmTagSize),
                          out.data() + plaintext.size()) != 1) {
    return Error(StatusCode::kInternal, internal::OpenSslError());
  }
  return out;
}

Result<Bytes> Open(const GcmCipher& gcm, ByteView key, ByteView iv, ByteView aad, ByteView sealed) {
  if (key.size() != gcm.key_size) return Error(StatusCode::kInvalidArgument, gcm.key_error);
  if (iv.size() != kAesGcmIvSize) return Error(StatusCode::kInvalidArgument, "AES-GCM IV must be 12 bytes");
  if (sealed.size() < kAesGcmTagSize) return Error(StatusCode::kMalformed, "ciphertext shorter than the tag");
  if (sealed.size() > static_cast<size_t>(INT_MAX) || aad.size() > static_cast<size_t>(INT_MAX)) {
    return Error(StatusCode::kInvalidArgument, "AES-GCM input too large");
  }
  size_t ct_len = sealed.size() - kAesGcmTagSize;
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error(StatusCode::kInternal, "out of memory");
  Bytes out(ct_len);
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), gcm.cipher(), nullptr, key.data(), iv.data()) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(), static_cast<int>(ct_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAesGcmTagSize),
                          const_cast<uint8_t*>(sealed.data() + ct_len)) != 1) {
    ERR_clear_error();
    return Error(StatusCode::kInternal, "AES-GCM setup failed");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
    ERR_clear_error();
    OPENSSL_cleanse(out.data(), out.size());
    return Error(StatusCode::kInvalidSignature, "AES-GCM authentication tag does not verify");
  }
  return out;
}

}  // namespace

Result<Bytes> Aes256GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  return Seal(kAes256Gcm, key, iv, aad, plaintext);
}
Result<Bytes> Aes256GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed) {
  return Open(kAes256Gcm, key, iv, aad, sealed);
}
Result<Bytes> Aes128GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  return Seal(kAes128Gcm, key, iv, aad, plaintext);
}
Result<Bytes> Aes128GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed) {
  return Open(kAes128Gcm, key, iv, aad, sealed);
}

}  // namespace bonafide::crypto
