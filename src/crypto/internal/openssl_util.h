// crypto/internal/openssl_util.h: helpers shared by the OpenSSL-backed implementation files. Private to
// src/crypto.
#ifndef BONAFIDE_CRYPTO_INTERNAL_H_
#define BONAFIDE_CRYPTO_INTERNAL_H_

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace bonafide::crypto::internal {

struct EvpMdCtxFree { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct EvpPkeyCtxFree { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct EvpCipherCtxFree { void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); } };
using MdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;

// OpenSslError drains the OpenSSL error queue and returns the first reason as text.
inline std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  std::string out;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out.empty() ? "openssl error" : out;
}

// Pre-fetched digests: fetching per call is measurably slower in OpenSSL 3.
const EVP_MD* Sha256Md();
const EVP_MD* Sha384Md();
const EVP_MD* Sha512Md();

}  // namespace bonafide::crypto::internal

#endif  // BONAFIDE_CRYPTO_INTERNAL_H_
