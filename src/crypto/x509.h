// crypto/x509.h: X.509 certificates (RFC 5280) and chain validation against configured anchors.
//
// Thread safety: Certificate is immutable and shareable.
#ifndef BONAFIDE_CRYPTO_X509_H_
#define BONAFIDE_CRYPTO_X509_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/keys.h"

struct x509_st;  // OpenSSL's X509

namespace bonafide::crypto {

// KeyUsage lists the keyUsage bits (RFC 5280 section 4.2.1.3). The builder asserts the bits set
// here; Certificate::key_usage reads them back.
struct KeyUsage {
  bool digital_signature = false;
  bool content_commitment = false;  // formerly nonRepudiation
  bool key_encipherment = false;
  bool key_agreement = false;
  bool key_cert_sign = false;
  bool crl_sign = false;
};

// BasicConstraints is the basicConstraints extension (RFC 5280 section 4.2.1.9).
struct BasicConstraints {
  bool is_ca = false;
  std::optional<int64_t> path_length;  // pathLenConstraint, when present
};

class Certificate {
 public:
  // FromDer parses one DER certificate; kMalformed if it does not parse or has trailing bytes.
  static Result<Certificate> FromDer(ByteView der);
  // FromPem parses the first PEM certificate in `pem`.
  static Result<Certificate> FromPem(std::string_view pem);
  // AllFromPem parses every certificate in a PEM bundle, in order. kMalformed when there is none
  // or when any CERTIFICATE block does not parse (a bad block is never skipped silently); text
  // outside the blocks is ignored.
  static Result<std::vector<Certificate>> AllFromPem(std::string_view pem);

  const Bytes& der() const { return *der_; }
  std::string ToPem() const;
  // public_key returns the subject key if it is of a supported type, else kInvalidKey. The key
  // is worked out once per parsed certificate and shared by its copies.
  Result<PublicKey> public_key() const;
  std::string subject() const;  // RFC 2253 form
  std::string issuer() const;
  std::vector<std::string> dns_names() const;  // subjectAltName dNSName entries
  std::vector<std::string> uris() const;       // subjectAltName URI entries
  int64_t not_before() const;                   // Unix seconds
  int64_t not_after() const;
  bool is_ca() const;

  // Profile accessors (what ISO/IEC 18013-5 Annex B and similar profiles check). Each reads one
  // field or extension; an extension that is absent, appears twice, or does not decode reads as
  // absent (nullopt / empty), so a profile check that requires it fails closed.

  // serial_number returns the serial's big-endian magnitude (leading zero bytes removed).
  Bytes serial_number() const;
  // subject_attributes returns the values (UTF-8) of every `attr` attribute in the subject name,
  // in order; `attr` is an OpenSSL short or long name ("C", "CN", "O", "countryName"). Empty when
  // there is none or `attr` is unknown.
  std::vector<std::string> subject_attributes(std::string_view attr) const;
  // issuer_attributes is subject_attributes for the issuer name.
  std::vector<std::string> issuer_attributes(std::string_view attr) const;
  // key_usage returns the keyUsage bits; nullopt when the extension is absent or invalid.
  std::optional<KeyUsage> key_usage() const;
  // extended_key_usages returns the extendedKeyUsage purposes as dotted OIDs (e.g.
  // "1.0.18013.5.1.2"); empty when the extension is absent or invalid.
  std::vector<std::string> extended_key_usages() const;
  // basic_constraints returns basicConstraints; nullopt when absent or invalid.
  std::optional<BasicConstraints> basic_constraints() const;
  // issuer_alt_uris / issuer_alt_emails return the URI / rfc822Name entries of issuerAltName.
  std::vector<std::string> issuer_alt_uris() const;
  std::vector<std::string> issuer_alt_emails() const;
  // crl_distribution_uris returns the URI entries of every cRLDistributionPoints fullName.
  std::vector<std::string> crl_distribution_uris() const;
  // subject_key_id / authority_key_id return the key identifiers; empty when absent.
  Bytes subject_key_id() const;
  Bytes authority_key_id() const;
  // extension_critical returns whether the extension `oid` (dotted, e.g. "2.5.29.15") is
  // marked critical; nullopt when the certificate does not carry it exactly once.
  std::optional<bool> extension_critical(std::string_view oid) const;

  x509_st* raw() const { return x509_.get(); }  // for src/crypto only

 private:
  struct KeyMemo;  // the subject key, worked out on first use (x509.cc)
  Certificate(std::shared_ptr<x509_st> x, Bytes der);
  std::shared_ptr<x509_st> x509_;
  std::shared_ptr<const Bytes> der_;
  std::shared_ptr<KeyMemo> key_;
};

// VerifyChain validates `chain` (leaf first, then any intermediates; the anchor itself may be
// included or not) up to one of `anchors` at time `at` (Unix seconds), with the standard RFC
// 5280 checks (signatures, validity periods, basic constraints, key usage) in OpenSSL's strict
// mode (X509_V_FLAG_X509_STRICT: CA certificates need keyUsage and a subjectKeyIdentifier, issued
// ones an authorityKeyIdentifier). A certificate is valid for not_before <= at < not_after:
// OpenSSL 3 counts the not_after second itself as expired, one second stricter than RFC 5280's
// inclusive bound (4.1.2.5); we keep that rather than shift times around the library.
// Returns the leaf's public key, or: kExpired (a certificate's not_after <= at), kNotYetValid
// (not_before > at), kUntrustedIssuer (no path to an anchor, or no anchors), kInvalidCertificate
// (empty chain, bad signature, issuer not a CA, other RFC 5280 violations).
Result<PublicKey> VerifyChain(const std::vector<Certificate>& chain,
                              const std::vector<Certificate>& anchors, int64_t at);

// VerifyChainPath is VerifyChain returning the validated path instead of the leaf key: the leaf
// first, then the intermediates used, and last the trust anchor (one of `anchors`; also when
// `chain` included it). Same checks and error codes as VerifyChain.
Result<std::vector<Certificate>> VerifyChainPath(const std::vector<Certificate>& chain,
                                                 const std::vector<Certificate>& anchors, int64_t at);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_X509_H_
