#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <array>
#include <cstdlib>

#include "crypto/internal/openssl_util.h"

namespace bonafide::crypto {
namespace internal {

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
const EVP_MD* Sha384Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  return md;
}

const EVP_MD* Sha512Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return md;
}

}  // namespace internal

namespace {
const EVP_MD* Md(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return internal::Sha256Md();
    case HashAlg::kSha384: return internal::Sha384Md();
    case HashAlg::kSha512: return internal::Sha512Md();
  }
  return internal::Sha256Md();
}
const char* MdName(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return "SHA256";
    case HashAlg::kSha384: return "SHA384";
    case HashAlg::kSha512: return "SHA512";
  }
  return "SHA256";
}
}  // namespace

std::string_view HashAlgName(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return "sha-256";
    case HashAlg::kSha384: return "sha-384";
    case HashAlg::kSha512: return "sha-512";
  }
  return "sha-256";
}

std::optional<HashAlg> ParseHashAlgName(std::string_view name) {
  if (name == "sha-256" || name == "SHA-256") return HashAlg::kSha256;
  if (name == "sha-384" || name == "SHA-384") return HashAlg::kSha384;
  if (name == "sha-512" || name == "SHA-512") return HashAlg::kSha512;
  return std::nullopt;
}

size_t DigestSize(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  return 32;
}

size_t DigestInto(HashAlg alg, ByteView data, std::span<uint8_t, kMaxDigestSize> out) {
  // One context per thread, re-initialised per call: allocating a context per digest costs
  // more than hashing a disclosure.
  thread_local internal::MdCtx ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), Md(alg), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    // Hashing with a built-in algorithm does not fail short of memory exhaustion.
    std::abort();
  }
  return len;
}

Bytes Digest(HashAlg alg, ByteView data) {
  std::array<uint8_t, kMaxDigestSize> buf;
  size_t n = DigestInto(alg, data, buf);
  return Bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

Result<Bytes> Hmac(HashAlg alg, ByteView key, ByteView data) {
  if (key.empty()) return Error(StatusCode::kInvalidArgument, "HMAC key is empty");
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  if (ctx == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(MdName(alg)), 0),
      OSSL_PARAM_construct_end()};
  Bytes out(DigestSize(alg));
  size_t len = 0;
  bool ok = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
            EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
            EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return Error(StatusCode::kInternal, internal::OpenSslError());
  return out;
}

Result<SecretBytes> Hkdf(HashAlg alg, ByteView ikm, ByteView salt, ByteView info, size_t length) {
  if (length == 0 || length > 255 * DigestSize(alg)) {
    return Error(StatusCode::kInvalidArgument, "HKDF output length out of range");
  }
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  // An absent salt is a string of zeros of the hash length (RFC 5869 2.2); OpenSSL does that
  // when the parameter is omitted.
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(MdName(alg)), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm.data()), ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  int rc = EVP_KDF_derive(ctx, out.mutable_data(), length, params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return Error(StatusCode::kInternal, internal::OpenSslError());
  return out;
}

Result<SecretBytes> ConcatKdfSha256(ByteView z, ByteView other_info, size_t length) {
  if (z.empty()) return Error(StatusCode::kInvalidArgument, "Concat KDF shared secret is empty");
  if (length == 0 || length > kMaxConcatKdfLength) {
    return Error(StatusCode::kInvalidArgument, "Concat KDF output length out of range");
  }
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SSKDF", nullptr);
  if (kdf == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Error(StatusCode::kInternal, internal::OpenSslError());
  // No MAC parameter: SSKDF then uses the hash variant (SP 800-56A option 1).
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(z.data()), z.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(other_info.data()),
                                        other_info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(length);
  int rc = EVP_KDF_derive(ctx, out.mutable_data(), length, params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return Error(StatusCode::kInternal, internal::OpenSslError());
  return out;
}

}  // namespace bonafide::crypto
