// crypto/x509_builder.h: creating X.509 v3 certificates (RFC 5280): self-signed roots (an IACA,
// a test trust anchor) and certificates issued by them (document signers, TLS-style leaves).
//
// A CertificateTemplate says what goes into the certificate; CreateSelfSignedCertificate and
// IssueCertificate validate it, add the identifiers RFC 5280 requires (subjectKeyIdentifier,
// authorityKeyIdentifier per section 4.2.1.1/4.2.1.2, computed as the SHA-1 of the
// subjectPublicKey bits, method 1), and sign with the issuer's key: ECDSA with SHA-256 for P-256,
// SHA-384 for P-384, pure Ed25519 (RFC 8410) for Ed25519.
//
// The builder encodes what it is told; it does not enforce a profile (ISO/IEC 18013-5 Annex B,
// CA/B Forum). In particular it will sign with a key whose certificate is not a CA, so tests
// can produce the invalid chains that VerifyChain must reject. Checking a chain is VerifyChain's
// job, never the builder's.
//
// Thread safety: pure functions. Keys stay in process (PrivateKey); an HSM-backed issuer is not
// supported yet.
#ifndef BONAFIDE_CRYPTO_X509_BUILDER_H_
#define BONAFIDE_CRYPTO_X509_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::crypto {

// KeyUsage (declared in crypto/x509.h) lists the keyUsage bits to assert. When none is set the
// extension is omitted; when any is, it is marked critical.

// CertificateTemplate describes a certificate to create. Times are Unix seconds (UTCTime up to
// 2049, GeneralizedTime after, chosen automatically).
struct CertificateTemplate {
  // subject is the distinguished name as (attribute, value) pairs in order, e.g.
  // {{"C", "UT"}, {"O", "Utopia"}, {"CN", "Utopia IACA"}}. Attributes are OpenSSL short or long
  // names (C, ST, L, O, OU, CN, serialNumber, ...); values are UTF-8. Must not be empty.
  std::vector<std::pair<std::string, std::string>> subject;
  int64_t not_before = 0;
  int64_t not_after = 0;
  // serial is the big-endian serial number, 1 to 20 bytes, not zero and with the top bit clear
  // (positive). Empty: a random 16-byte serial from the system CSPRNG.
  Bytes serial;
  // is_ca sets basicConstraints cA=TRUE; path_length (CA only) bounds the intermediates below.
  // basicConstraints is always present and critical.
  bool is_ca = false;
  std::optional<int> path_length;
  KeyUsage key_usage;
  // subjectAltName entries (ASCII). The extension is added when any list is non-empty.
  std::vector<std::string> dns_names;
  std::vector<std::string> uris;
  // subjectAltName iPAddress entries in text form ("127.0.0.1", "::1"); an unparsable address
  // is kInvalidArgument.
  std::vector<std::string> ip_addresses;
  // extendedKeyUsage purposes as dotted OIDs (e.g. "1.0.18013.5.1.2" for an mdoc document
  // signer); added, critical, when non-empty.
  std::vector<std::string> extended_key_usages;
  // issuerAltName URIs (18013-5 requires one on IACA and document-signer certificates).
  std::vector<std::string> issuer_alt_uris;
  // issuerAltName rfc822Name (email) entries, after the URIs (18013-5 Annex B allows either).
  std::vector<std::string> issuer_alt_emails;
  // cRLDistributionPoints, one distribution point per URI.
  std::vector<std::string> crl_distribution_uris;
};

// CreateSelfSignedCertificate returns a certificate for `key`'s public key, issued by and signed
// with `key` itself (issuer name = subject name). kInvalidArgument when the template is invalid
// (empty or unknown subject attribute, not_after before not_before, path_length on a non-CA or
// negative, bad serial, non-ASCII or empty name, malformed OID), kInternal on library failure.
Result<Certificate> CreateSelfSignedCertificate(const CertificateTemplate& tmpl, const PrivateKey& key);

// IssueCertificate returns a certificate for `subject_key` issued by `issuer` and signed with
// `issuer_key`, which must be the private key of `issuer`'s public key (kInvalidKey otherwise).
// Other failures as for CreateSelfSignedCertificate.
Result<Certificate> IssueCertificate(const CertificateTemplate& tmpl, const PublicKey& subject_key,
                                     const Certificate& issuer, const PrivateKey& issuer_key);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_X509_BUILDER_H_
