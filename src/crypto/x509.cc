#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <unordered_map>

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

std::string AsnString(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

// AppendGeneralNames appends the entries of `names` of `type` (GEN_DNS, GEN_URI or GEN_EMAIL:
// all IA5String).
void AppendGeneralNames(const GENERAL_NAMES* names, int type, std::vector<std::string>& out) {
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != type) continue;
    out.push_back(AsnString(gn->d.ia5));
  }
}

// ExtEntries returns the `type` entries of the GeneralNames extension `nid` (subjectAltName or
// issuerAltName).
std::vector<std::string> ExtEntries(X509* x, int nid, int type) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, nid, nullptr, nullptr));
  if (names == nullptr) return out;
  AppendGeneralNames(names, type, out);
  GENERAL_NAMES_free(names);
  return out;
}

std::vector<std::string> SanEntries(X509* x, int type) { return ExtEntries(x, NID_subject_alt_name, type); }

std::vector<std::string> NameAttributes(const X509_NAME* name, std::string_view attr) {
  std::vector<std::string> out;
  int nid = OBJ_txt2nid(std::string(attr).c_str());
  if (nid == NID_undef) {
    ERR_clear_error();
    return out;
  }
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, value);
    if (len < 0) {
      ERR_clear_error();
      continue;
    }
    out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

Bytes OctetBytes(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* d = ASN1_STRING_get0_data(s);
  return Bytes(d, d + ASN1_STRING_length(s));
}

}  // namespace

struct Certificate::KeyMemo {
  std::once_flag once;
  std::optional<Result<PublicKey>> key;
};

Certificate::Certificate(std::shared_ptr<x509_st> x, Bytes der)
    : x509_(std::move(x)), der_(std::make_shared<const Bytes>(std::move(der))), key_(std::make_shared<KeyMemo>()) {}

namespace {

// RecentCertificates keeps the certificates parsed last, by their exact DER. The same few
// certificates arrive again and again: a verifier's access certificate in every request object a
// wallet checks, a document signer's in every mdoc a verifier checks. Parsing one (OpenSSL 3
// decodes its public key through the provider decoders) cost a wallet more than the request
// object's signature. A hit needs every byte to match, so it hands back exactly what parsing
// these bytes would; certificates are immutable, and OpenSSL guards the extension cache it fills
// in lazily. Bounded: at kCapacity entries an arbitrary one makes room.
class RecentCertificates {
 public:
  static constexpr size_t kCapacity = 256;
  static constexpr size_t kMaxDer = 16 * 1024;  // larger certificates are parsed each time

  std::optional<Certificate> Find(ByteView der) {
    if (der.size() > kMaxDer) return std::nullopt;
    std::lock_guard lock(mu_);
    auto it = by_der_.find(AsStringView(der));
    if (it == by_der_.end()) return std::nullopt;
    return it->second;
  }

  void Add(const Certificate& cert) {
    if (cert.der().size() > kMaxDer) return;
    std::lock_guard lock(mu_);
    if (by_der_.size() >= kCapacity) by_der_.erase(by_der_.begin());
    // The key views the DER the entry itself holds (shared, never changed).
    by_der_.emplace(AsStringView(cert.der()), cert);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string_view, Certificate> by_der_;
};

RecentCertificates& Recent() {
  static RecentCertificates* recent = new RecentCertificates();  // never destroyed: used at exit
  return *recent;
}

}  // namespace

Result<Certificate> Certificate::FromDer(ByteView der) {
  if (std::optional<Certificate> hit = Recent().Find(der)) return std::move(*hit);
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr || p != der.data() + der.size()) {
    X509_free(x);
    ERR_clear_error();
    return Error(StatusCode::kMalformed, "not a DER X.509 certificate");
  }
  Certificate cert(std::shared_ptr<X509>(x, X509_free), Bytes(der.begin(), der.end()));
  Recent().Add(cert);
  return cert;
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

// The key OpenSSL decoded while parsing the certificate is shared, not copied: encoding it to
// SubjectPublicKeyInfo and decoding that again each went through the OpenSSL 3 provider encoders
// and decoders, which cost more than a signature check.
Result<PublicKey> Certificate::public_key() const {
  std::call_once(key_->once, [this] {
    EVP_PKEY* k = X509_get0_pubkey(x509_.get());
    if (k == nullptr || EVP_PKEY_up_ref(k) != 1) {
      ERR_clear_error();
      key_->key = Error(StatusCode::kInvalidKey, "certificate has no usable public key");
      return;
    }
    key_->key = PublicKey::FromPkeyInternal(internal::PkeyPtr(k, EVP_PKEY_free));
  });
  return *key_->key;
}

std::string Certificate::subject() const { return NameToString(X509_get_subject_name(x509_.get())); }
std::string Certificate::issuer() const { return NameToString(X509_get_issuer_name(x509_.get())); }
std::vector<std::string> Certificate::dns_names() const { return SanEntries(x509_.get(), GEN_DNS); }
std::vector<std::string> Certificate::uris() const { return SanEntries(x509_.get(), GEN_URI); }
int64_t Certificate::not_before() const { return AsnTimeToUnix(X509_get0_notBefore(x509_.get())); }
int64_t Certificate::not_after() const { return AsnTimeToUnix(X509_get0_notAfter(x509_.get())); }
bool Certificate::is_ca() const { return X509_check_ca(x509_.get()) != 0; }

Bytes Certificate::serial_number() const {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x509_.get());
  Bytes out = OctetBytes(serial);  // ASN1_INTEGER content is the big-endian magnitude
  size_t zeros = 0;
  while (zeros + 1 < out.size() && out[zeros] == 0) ++zeros;
  out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(zeros));
  return out;
}

std::vector<std::string> Certificate::subject_attributes(std::string_view attr) const {
  return NameAttributes(X509_get_subject_name(x509_.get()), attr);
}

std::vector<std::string> Certificate::issuer_attributes(std::string_view attr) const {
  return NameAttributes(X509_get_issuer_name(x509_.get()), attr);
}

std::optional<KeyUsage> Certificate::key_usage() const {
  int crit = 0;
  auto* bits = static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(x509_.get(), NID_key_usage, &crit, nullptr));
  if (bits == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  KeyUsage ku;
  ku.digital_signature = ASN1_BIT_STRING_get_bit(bits, 0) == 1;
  ku.content_commitment = ASN1_BIT_STRING_get_bit(bits, 1) == 1;
  ku.key_encipherment = ASN1_BIT_STRING_get_bit(bits, 2) == 1;
  ku.key_agreement = ASN1_BIT_STRING_get_bit(bits, 4) == 1;
  ku.key_cert_sign = ASN1_BIT_STRING_get_bit(bits, 5) == 1;
  ku.crl_sign = ASN1_BIT_STRING_get_bit(bits, 6) == 1;
  ASN1_BIT_STRING_free(bits);
  return ku;
}

std::vector<std::string> Certificate::extended_key_usages() const {
  std::vector<std::string> out;
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x509_.get(), NID_ext_key_usage, nullptr, nullptr));
  if (eku == nullptr) {
    ERR_clear_error();
    return out;
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
    char buf[128];
    int len = OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(eku, i), /*no_name=*/1);
    if (len <= 0 || static_cast<size_t>(len) >= sizeof buf) continue;  // not representable: never matches
    out.emplace_back(buf, static_cast<size_t>(len));
  }
  EXTENDED_KEY_USAGE_free(eku);
  return out;
}

std::optional<BasicConstraints> Certificate::basic_constraints() const {
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x509_.get(), NID_basic_constraints, nullptr, nullptr));
  if (bc == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  BasicConstraints out;
  out.is_ca = bc->ca != 0;
  if (bc->pathlen != nullptr) {
    int64_t len = 0;
    if (ASN1_INTEGER_get_int64(&len, bc->pathlen) == 1) {
      out.path_length = len;
    } else {
      ERR_clear_error();
      out.path_length = INT64_MAX;  // out of range: unbounded for practical purposes
    }
  }
  BASIC_CONSTRAINTS_free(bc);
  return out;
}

std::vector<std::string> Certificate::issuer_alt_uris() const {
  return ExtEntries(x509_.get(), NID_issuer_alt_name, GEN_URI);
}

std::vector<std::string> Certificate::issuer_alt_emails() const {
  return ExtEntries(x509_.get(), NID_issuer_alt_name, GEN_EMAIL);
}

std::vector<std::string> Certificate::crl_distribution_uris() const {
  std::vector<std::string> out;
  auto* dps = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(x509_.get(), NID_crl_distribution_points, nullptr, nullptr));
  if (dps == nullptr) {
    ERR_clear_error();
    return out;
  }
  for (int i = 0; i < sk_DIST_POINT_num(dps); ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(dps, i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // fullName only
    AppendGeneralNames(dp->distpoint->name.fullname, GEN_URI, out);
  }
  CRL_DIST_POINTS_free(dps);
  return out;
}

Bytes Certificate::subject_key_id() const { return OctetBytes(X509_get0_subject_key_id(x509_.get())); }
Bytes Certificate::authority_key_id() const { return OctetBytes(X509_get0_authority_key_id(x509_.get())); }

std::optional<bool> Certificate::extension_critical(std::string_view oid) const {
  ASN1_OBJECT* obj = OBJ_txt2obj(std::string(oid).c_str(), /*no_name=*/1);
  if (obj == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  int index = X509_get_ext_by_OBJ(x509_.get(), obj, -1);
  int again = index < 0 ? -1 : X509_get_ext_by_OBJ(x509_.get(), obj, index);
  ASN1_OBJECT_free(obj);
  if (index < 0 || again >= 0) return std::nullopt;
  return X509_EXTENSION_get_critical(X509_get_ext(x509_.get(), index)) != 0;
}

Result<PublicKey> VerifyChain(const std::vector<Certificate>& chain, const std::vector<Certificate>& anchors,
                              int64_t at) {
  ASSIGN_OR_RETURN(std::vector<Certificate> path, VerifyChainPath(chain, anchors, at));
  return path.front().public_key();
}

Result<std::vector<Certificate>> VerifyChainPath(const std::vector<Certificate>& chain,
                                                 const std::vector<Certificate>& anchors, int64_t at) {
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
  // The path holds the very X509 objects we passed in (the store and the untrusted stack share
  // them), so map each back to its Certificate without re-encoding.
  STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx.get());
  std::vector<Certificate> path;
  for (int i = 0; i < sk_X509_num(verified); ++i) {
    const X509* x = sk_X509_value(verified, i);
    const Certificate* found = nullptr;
    for (const auto& c : chain) found = found == nullptr && c.raw() == x ? &c : found;
    for (const auto& a : anchors) found = found == nullptr && a.raw() == x ? &a : found;
    if (found == nullptr) return Error(StatusCode::kInternal, "validated path holds an unknown certificate");
    path.push_back(*found);
  }
  if (path.empty()) return Error(StatusCode::kInternal, "validated path is empty");
  return path;
}

}  // namespace bonafide::crypto
