#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>

#include "crypto/internal/openssl_util.h"

namespace bonafide::crypto {
namespace {

struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

int64_t AsnTimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<std::string> SanEntries(X509* x, int type) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != type) continue;
    const ASN1_IA5STRING* s = type == GEN_DNS ? gn->d.dNSName : gn->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

Result<Certificate> Certificate::FromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr || p != der.data() + der.size()) {
    X509_free(x);
    ERR_clear_error();
    return Error(StatusCode::kMalformed, "not a DER X.509 certificate");
  }
  return Certificate(std::shared_ptr<X509>(x, X509_free), Bytes(der.begin(), der.end()));
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  ASSIGN_OR_RETURN(auto all, AllFromPem(pem));
  return all.front();
}

Result<std::vector<Certificate>> Certificate::AllFromPem(std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) return Error(StatusCode::kLimitExceeded, "PEM bundle too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Error(StatusCode::kInternal, internal::OpenSslError());
  std::vector<Certificate> out;
  ERR_clear_error();
  while (true) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr) {
      // Running out of PEM blocks ends the bundle; anything else (a corrupt block, a
      // CERTIFICATE block that is not DER X.509) is an error, never silently skipped.
      unsigned long err = ERR_peek_last_error();
      ERR_clear_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) break;
      return Error(StatusCode::kMalformed, "PEM certificate " + std::to_string(out.size() + 1) + " does not parse");
    }
    unsigned char* der = nullptr;
    int len = i2d_X509(x, &der);
    if (len <= 0) {
      X509_free(x);
      return Error(StatusCode::kMalformed, "PEM certificate cannot be re-encoded");
    }
    Bytes bytes(der, der + len);
    OPENSSL_free(der);
    out.push_back(Certificate(std::shared_ptr<X509>(x, X509_free), std::move(bytes)));
  }
  if (out.empty()) return Error(StatusCode::kMalformed, "no PEM certificate found");
  return out;
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x509_.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* k = X509_get0_pubkey(x509_.get());
  if (k == nullptr) return Error(StatusCode::kInvalidKey, "certificate has no usable public key");
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(k, &der);
  if (len <= 0) return Error(StatusCode::kInvalidKey, "certificate key cannot be encoded");
  Bytes spki(der, der + len);
  OPENSSL_free(der);
  return PublicKey::FromSpkiDer(spki);
}

std::string Certificate::subject() const { return NameToString(X509_get_subject_name(x509_.get())); }
std::string Certificate::issuer() const { return NameToString(X509_get_issuer_name(x509_.get())); }
std::vector<std::string> Certificate::dns_names() const { return SanEntries(x509_.get(), GEN_DNS); }
std::vector<std::string> Certificate::uris() const { return SanEntries(x509_.get(), GEN_URI); }
int64_t Certificate::not_before() const { return AsnTimeToUnix(X509_get0_notBefore(x509_.get())); }
int64_t Certificate::not_after() const { return AsnTimeToUnix(X509_get0_notAfter(x509_.get())); }
bool Certificate::is_ca() const { return X509_check_ca(x509_.get()) != 0; }

Result<PublicKey> VerifyChain(const std::vector<Certificate>& chain, const std::vector<Certificate>& anchors,
                              int64_t at) {
  if (chain.empty()) return Error(StatusCode::kInvalidCertificate, "empty certificate chain");
  if (anchors.empty()) return Error(StatusCode::kUntrustedIssuer, "no trust anchors configured");
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  auto free_stack = [](STACK_OF(X509) * s) { sk_X509_free(s); };
  std::unique_ptr<STACK_OF(X509), decltype(free_stack)> untrusted(sk_X509_new_null(), free_stack);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  if (!store || !untrusted || !ctx) return Error(StatusCode::kInternal, "out of memory");
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.raw());
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].raw());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].raw(), untrusted.get()) != 1) {
    return Error(StatusCode::kInternal, internal::OpenSslError());
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  // Anchors are explicitly configured roots; partial chains to a configured intermediate are
  // allowed so an operator can pin a document-signer CA.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
  int rc = X509_verify_cert(ctx.get());
  if (rc != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    std::string why = X509_verify_cert_error_string(err);
    switch (err) {
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return Error(StatusCode::kUntrustedIssuer, "certificate chain does not lead to a trust anchor: " + why);
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return Error(StatusCode::kExpired, "certificate expired: " + why);
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return Error(StatusCode::kNotYetValid, "certificate not yet valid: " + why);
      default:
        return Error(StatusCode::kInvalidCertificate, why);
    }
  }
  return chain[0].public_key();
}

}  // namespace bonafide::crypto
