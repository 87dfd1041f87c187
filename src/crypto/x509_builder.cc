#include "crypto/x509_builder.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>
#include <ctime>
#include <memory>

#include "crypto/internal/openssl_util.h"
#include "crypto/random.h"

namespace bonafide::crypto {
namespace {

using internal::OpenSslError;

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using OctetPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING, ASN1_BIT_STRING_free>>;
using BasicConstraintsPtr =
    std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>>;
using AkidPtr = std::unique_ptr<AUTHORITY_KEYID, Deleter<AUTHORITY_KEYID, AUTHORITY_KEYID_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>;
using CrlDpPtr = std::unique_ptr<CRL_DIST_POINTS, Deleter<CRL_DIST_POINTS, CRL_DIST_POINTS_free>>;
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

constexpr size_t kMaxSerialBytes = 20;  // RFC 5280 section 4.1.2.2

Status Invalid(std::string msg) { return Error(StatusCode::kInvalidArgument, std::move(msg)); }

// IsAsciiName checks an IA5String value: non-empty, printable ASCII, no spaces.
bool IsAsciiName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

Status ValidateTemplate(const CertificateTemplate& t) {
  if (t.subject.empty()) return Invalid("certificate subject is empty");
  if (t.not_after < t.not_before) return Invalid("not_after is before not_before");
  if (t.path_length.has_value() && (!t.is_ca || *t.path_length < 0)) {
    return Invalid("path_length needs is_ca and a non-negative value");
  }
  if (!t.serial.empty()) {
    if (t.serial.size() > kMaxSerialBytes) return Invalid("serial longer than 20 bytes");
    if ((t.serial[0] & 0x80) != 0) return Invalid("serial must be positive (top bit clear)");
    bool all_zero = true;
    for (uint8_t b : t.serial) all_zero = all_zero && b == 0;
    if (all_zero) return Invalid("serial must not be zero");
  }
  for (const auto* list :
       {&t.dns_names, &t.uris, &t.issuer_alt_uris, &t.issuer_alt_emails, &t.crl_distribution_uris}) {
    for (const std::string& n : *list) {
      if (!IsAsciiName(n)) return Invalid("name \"" + n + "\" is empty or not printable ASCII");
    }
  }
  return OkStatus();
}

Result<NamePtr> BuildName(const std::vector<std::pair<std::string, std::string>>& rdns) {
  NamePtr name(X509_NAME_new());
  if (!name) return Error(StatusCode::kInternal, OpenSslError());
  for (const auto& [attr, value] : rdns) {
    if (value.empty() || value.size() > INT_MAX) return Invalid("subject attribute " + attr + " has an empty value");
    if (X509_NAME_add_entry_by_txt(name.get(), attr.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      ERR_clear_error();
      return Invalid("subject attribute " + attr + "=\"" + value + "\" is unknown or invalid");
    }
  }
  return name;
}

Result<IntPtr> BuildSerial(const Bytes& requested) {
  Bytes serial = requested;
  if (serial.empty()) {
    serial = SystemRandom().Generate(16);
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7F) | 0x40);  // positive and 16 bytes long
  }
  BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  IntPtr out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!out) return Error(StatusCode::kInternal, OpenSslError());
  return out;
}

// KeyId returns the RFC 5280 4.2.1.2 method 1 key identifier of the certificate's key.
Result<OctetPtr> KeyId(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  OctetPtr out(ASN1_OCTET_STRING_new());
  if (!out || X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1 ||
      ASN1_OCTET_STRING_set(out.get(), md, static_cast<int>(len)) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  return out;
}

Status AddExt(X509* x, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) != 1) {
    return Error(StatusCode::kInternal, "cannot add extension " + std::string(OBJ_nid2sn(nid)) + ": " + OpenSslError());
  }
  return OkStatus();
}

// AppendNames adds one GeneralName of `type` (GEN_DNS, GEN_URI or GEN_EMAIL) per entry.
Status AppendNames(GENERAL_NAMES* names, int type, const std::vector<std::string>& values) {
  for (const std::string& v : values) {
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (s == nullptr || gn == nullptr ||
        ASN1_STRING_set(s, v.data(), static_cast<int>(v.size())) != 1) {
      ASN1_IA5STRING_free(s);
      GENERAL_NAME_free(gn);
      return Error(StatusCode::kInternal, OpenSslError());
    }
    GENERAL_NAME_set0_value(gn, type, s);  // gn owns s
    if (sk_GENERAL_NAME_push(names, gn) <= 0) {
      GENERAL_NAME_free(gn);
      return Error(StatusCode::kInternal, OpenSslError());
    }
  }
  return OkStatus();
}

// AppendIpAddresses adds one iPAddress GeneralName per textual IPv4 / IPv6 address.
Status AppendIpAddresses(GENERAL_NAMES* names, const std::vector<std::string>& addresses) {
  for (const std::string& a : addresses) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(a.c_str());
    if (ip == nullptr) return Invalid("\"" + a + "\" is not an IP address");
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (gn == nullptr) {
      ASN1_OCTET_STRING_free(ip);
      return Error(StatusCode::kInternal, OpenSslError());
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);  // gn owns ip
    if (sk_GENERAL_NAME_push(names, gn) <= 0) {
      GENERAL_NAME_free(gn);
      return Error(StatusCode::kInternal, OpenSslError());
    }
  }
  return OkStatus();
}

Status AddExtensions(X509* x, const CertificateTemplate& t, const X509* issuer) {
  // basicConstraints (critical, always present).
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) return Error(StatusCode::kInternal, OpenSslError());
  bc->ca = t.is_ca ? 0xFF : 0;
  if (t.path_length.has_value()) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *t.path_length) != 1) {
      return Error(StatusCode::kInternal, OpenSslError());
    }
  }
  RETURN_IF_ERROR(AddExt(x, NID_basic_constraints, bc.get(), true));

  // keyUsage (critical when present).
  const KeyUsage& ku = t.key_usage;
  const std::pair<bool, int> bits[] = {{ku.digital_signature, 0}, {ku.content_commitment, 1},
                                       {ku.key_encipherment, 2},  {ku.key_agreement, 4},
                                       {ku.key_cert_sign, 5},     {ku.crl_sign, 6}};
  BitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage) return Error(StatusCode::kInternal, OpenSslError());
  bool any_usage = false;
  for (const auto& [set, bit] : bits) {
    if (!set) continue;
    any_usage = true;
    if (ASN1_BIT_STRING_set_bit(usage.get(), bit, 1) != 1) return Error(StatusCode::kInternal, OpenSslError());
  }
  if (any_usage) RETURN_IF_ERROR(AddExt(x, NID_key_usage, usage.get(), true));

  // subjectKeyIdentifier and authorityKeyIdentifier (non-critical, RFC 5280 4.2.1.1/4.2.1.2).
  ASSIGN_OR_RETURN(OctetPtr skid, KeyId(x));
  RETURN_IF_ERROR(AddExt(x, NID_subject_key_identifier, skid.get(), false));
  AkidPtr akid(AUTHORITY_KEYID_new());
  if (!akid) return Error(StatusCode::kInternal, OpenSslError());
  const ASN1_OCTET_STRING* issuer_skid = issuer == nullptr ? nullptr : X509_get0_subject_key_id(const_cast<X509*>(issuer));
  if (issuer == nullptr) {
    akid->keyid = skid.release();
  } else if (issuer_skid != nullptr) {
    akid->keyid = ASN1_OCTET_STRING_dup(issuer_skid);
  } else {
    ASSIGN_OR_RETURN(OctetPtr computed, KeyId(issuer));
    akid->keyid = computed.release();
  }
  if (akid->keyid == nullptr) return Error(StatusCode::kInternal, OpenSslError());
  RETURN_IF_ERROR(AddExt(x, NID_authority_key_identifier, akid.get(), false));

  if (!t.dns_names.empty() || !t.uris.empty() || !t.ip_addresses.empty()) {
    GeneralNamesPtr san(GENERAL_NAMES_new());
    if (!san) return Error(StatusCode::kInternal, OpenSslError());
    RETURN_IF_ERROR(AppendNames(san.get(), GEN_DNS, t.dns_names));
    RETURN_IF_ERROR(AppendNames(san.get(), GEN_URI, t.uris));
    RETURN_IF_ERROR(AppendIpAddresses(san.get(), t.ip_addresses));
    RETURN_IF_ERROR(AddExt(x, NID_subject_alt_name, san.get(), false));
  }
  if (!t.issuer_alt_uris.empty() || !t.issuer_alt_emails.empty()) {
    GeneralNamesPtr ian(GENERAL_NAMES_new());
    if (!ian) return Error(StatusCode::kInternal, OpenSslError());
    RETURN_IF_ERROR(AppendNames(ian.get(), GEN_URI, t.issuer_alt_uris));
    RETURN_IF_ERROR(AppendNames(ian.get(), GEN_EMAIL, t.issuer_alt_emails));
    RETURN_IF_ERROR(AddExt(x, NID_issuer_alt_name, ian.get(), false));
  }
  if (!t.extended_key_usages.empty()) {
    EkuPtr eku(sk_ASN1_OBJECT_new_null());
    if (!eku) return Error(StatusCode::kInternal, OpenSslError());
    for (const std::string& oid : t.extended_key_usages) {
      ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), /*no_name=*/1);
      if (obj == nullptr) {
        ERR_clear_error();
        return Invalid("extended key usage \"" + oid + "\" is not a dotted OID");
      }
      if (sk_ASN1_OBJECT_push(eku.get(), obj) <= 0) {
        ASN1_OBJECT_free(obj);
        return Error(StatusCode::kInternal, OpenSslError());
      }
    }
    RETURN_IF_ERROR(AddExt(x, NID_ext_key_usage, eku.get(), true));
  }
  if (!t.crl_distribution_uris.empty()) {
    CrlDpPtr dps(sk_DIST_POINT_new_null());
    if (!dps) return Error(StatusCode::kInternal, OpenSslError());
    for (const std::string& uri : t.crl_distribution_uris) {
      DIST_POINT* dp = DIST_POINT_new();
      if (dp == nullptr || sk_DIST_POINT_push(dps.get(), dp) <= 0) {
        DIST_POINT_free(dp);
        return Error(StatusCode::kInternal, OpenSslError());
      }
      dp->distpoint = DIST_POINT_NAME_new();
      if (dp->distpoint == nullptr) return Error(StatusCode::kInternal, OpenSslError());
      dp->distpoint->type = 0;  // fullName
      dp->distpoint->name.fullname = GENERAL_NAMES_new();
      if (dp->distpoint->name.fullname == nullptr) return Error(StatusCode::kInternal, OpenSslError());
      RETURN_IF_ERROR(AppendNames(dp->distpoint->name.fullname, GEN_URI, {uri}));
    }
    RETURN_IF_ERROR(AddExt(x, NID_crl_distribution_points, dps.get(), false));
  }
  return OkStatus();
}

const EVP_MD* SigningMd(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return EVP_sha256();
    case SignatureAlg::kES384: return EVP_sha384();
    case SignatureAlg::kEdDSA: return nullptr;  // Ed25519 hashes internally (RFC 8410)
  }
  return nullptr;
}

Status SetTime(ASN1_TIME* field, int64_t t) {
  if (ASN1_TIME_set(field, static_cast<time_t>(t)) == nullptr) {
    ERR_clear_error();
    return Invalid("certificate time " + std::to_string(t) + " cannot be encoded");
  }
  return OkStatus();
}

// Build creates and signs the certificate; `issuer` is nullptr for a self-signed one.
Result<Certificate> Build(const CertificateTemplate& t, const PublicKey& subject_key, const X509* issuer,
                          const PrivateKey& signing_key) {
  RETURN_IF_ERROR(ValidateTemplate(t));
  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return Error(StatusCode::kInternal, OpenSslError());
  ASSIGN_OR_RETURN(IntPtr serial, BuildSerial(t.serial));
  ASSIGN_OR_RETURN(NamePtr subject, BuildName(t.subject));
  if (X509_set_serialNumber(x.get(), serial.get()) != 1 || X509_set_subject_name(x.get(), subject.get()) != 1 ||
      X509_set_issuer_name(x.get(), issuer == nullptr ? subject.get() : X509_get_subject_name(issuer)) != 1 ||
      X509_set_pubkey(x.get(), subject_key.raw()) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  RETURN_IF_ERROR(SetTime(X509_getm_notBefore(x.get()), t.not_before));
  RETURN_IF_ERROR(SetTime(X509_getm_notAfter(x.get()), t.not_after));
  RETURN_IF_ERROR(AddExtensions(x.get(), t, issuer));
  if (X509_sign(x.get(), signing_key.raw(), SigningMd(signing_key.alg())) <= 0) {
    return Error(StatusCode::kInternal, "signing the certificate failed: " + OpenSslError());
  }
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) return Error(StatusCode::kInternal, OpenSslError());
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  return Certificate::FromDer(bytes);
}

}  // namespace

Result<Certificate> CreateSelfSignedCertificate(const CertificateTemplate& tmpl, const PrivateKey& key) {
  return Build(tmpl, key.public_key(), nullptr, key);
}

Result<Certificate> IssueCertificate(const CertificateTemplate& tmpl, const PublicKey& subject_key,
                                     const Certificate& issuer, const PrivateKey& issuer_key) {
  auto issuer_public = issuer.public_key();
  if (!issuer_public.ok() || !issuer_public->Equals(issuer_key.public_key())) {
    return Error(StatusCode::kInvalidKey, "issuer_key is not the key of the issuer certificate");
  }
  return Build(tmpl, subject_key, issuer.raw(), issuer_key);
}

}  // namespace bonafide::crypto
