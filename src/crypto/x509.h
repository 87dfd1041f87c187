// crypto/x509.h: X.509 certificates (RFC 5280) and chain validation against configured anchors.
//
// Thread safety: Certificate is immutable and shareable.
#ifndef BONAFIDE_CRYPTO_X509_H_
#define BONAFIDE_CRYPTO_X509_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/keys.h"

struct x509_st;  // OpenSSL's X509

namespace bonafide::crypto {

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

  const Bytes& der() const { return der_; }
  std::string ToPem() const;
  // public_key returns the subject key if it is of a supported type, else kInvalidKey.
  Result<PublicKey> public_key() const;
  std::string subject() const;  // RFC 2253 form
  std::string issuer() const;
  std::vector<std::string> dns_names() const;  // subjectAltName dNSName entries
  std::vector<std::string> uris() const;       // subjectAltName URI entries
  int64_t not_before() const;                   // Unix seconds
  int64_t not_after() const;
  bool is_ca() const;

  x509_st* raw() const { return x509_.get(); }  // for src/crypto only

 private:
  Certificate(std::shared_ptr<x509_st> x, Bytes der) : x509_(std::move(x)), der_(std::move(der)) {}
  std::shared_ptr<x509_st> x509_;
  Bytes der_;
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

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_X509_H_
