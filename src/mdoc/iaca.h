// mdoc/iaca.h: the X.509 trust of ISO/IEC 18013-5 mdocs (Annex B certificate profiles): creating
// an IACA root and the document signer (DS) certificates it issues, and validating the x5chain of
// an issuerAuth (document signer) or readerAuth (mdoc reader authentication) COSE_Sign1 against
// configured trust anchors, with a bounded, expiring cache of validated chains.
//
// Profiles (ISO/IEC 18013-5:2021 Annex B.1):
// - IACA root (B.1.2): self-signed; basicConstraints cA=TRUE, pathLenConstraint 0, critical;
//   keyUsage keyCertSign + cRLSign, critical; subject with countryName (ISO 3166-1 alpha-2) and
//   commonName; issuerAltName; validity at most 20 years.
// - Document signer (B.1.4): not a CA; keyUsage digitalSignature, critical; extendedKeyUsage
//   1.0.18013.5.1.2 (id-mdl-kp-mdlDS), critical; subject countryName equal to the IACA's;
//   authorityKeyIdentifier; issuerAltName; validity at most 457 days.
// - Reader authentication (B.1.7): not a CA; keyUsage digitalSignature; extendedKeyUsage
//   1.0.18013.5.1.6 (id-mdl-kp-mdlReaderAuth).
//
// Thread safety: CreateIaca / CreateDocumentSigner are pure functions. IacaTrustStore is immutable
// after Create except for its cache, which a mutex guards: ValidateChain may be called from any
// number of threads at once.
#ifndef BONAFIDE_MDOC_IACA_H_
#define BONAFIDE_MDOC_IACA_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::mdoc {

// Extended key usage OIDs of ISO/IEC 18013-5 Annex B.
inline constexpr char kMdlDsOid[] = "1.0.18013.5.1.2";          // id-mdl-kp-mdlDS
inline constexpr char kMdlReaderAuthOid[] = "1.0.18013.5.1.6";  // id-mdl-kp-mdlReaderAuth

// Validity bounds in days (Annex B: IACA at most 20 years, document signer at most 457 days).
inline constexpr int64_t kMaxIacaValidDays = 7305;      // 20 years including leap days
inline constexpr int64_t kDefaultIacaValidDays = 3288;  // 9 years
inline constexpr int64_t kMaxDocumentSignerValidDays = 457;
inline constexpr int64_t kDefaultDocumentSignerValidDays = 365;

// IacaOptions describes an IACA root to create (Annex B.1.2).
struct IacaOptions {
  // country is the ISO 3166-1 alpha-2 code: exactly two upper-case ASCII letters.
  std::string country = "GB";
  std::string common_name;                     // required
  std::optional<std::string> organization;     // subject O, when set
  int64_t valid_days = kDefaultIacaValidDays;  // 1 .. kMaxIacaValidDays
  // The issuerAltName Annex B requires: at least one of a URI or an email address.
  std::optional<std::string> issuer_alt_uri;
  std::optional<std::string> issuer_alt_email;
  // cRLDistributionPoints URI, copied into every document signer the IACA issues.
  std::optional<std::string> crl_distribution_uri;
};

// DocumentSignerOptions describes a document signer certificate to create (Annex B.1.4).
struct DocumentSignerOptions {
  std::string common_name;                               // required
  std::optional<std::string> organization;               // subject O, when set
  int64_t valid_days = kDefaultDocumentSignerValidDays;  // 1 .. kMaxDocumentSignerValidDays
};

// KeyAndCertificate is a P-256 (ES256) key pair and its certificate.
struct KeyAndCertificate {
  crypto::PrivateKey key;
  crypto::Certificate certificate;
};

// CreateIaca returns a fresh P-256 key and its self-signed IACA root certificate, valid from
// clock.NowSeconds() for options.valid_days, with a random positive 127-bit serial and the
// subject C, O (when set) and CN. kInvalidArgument when an option is out of range (country not
// two upper-case letters, empty common name, valid_days outside 1..kMaxIacaValidDays, no issuer
// alternative name, a name that is not printable ASCII); kInternal on library failure.
Result<KeyAndCertificate> CreateIaca(const IacaOptions& options, const Clock& clock);

// CreateDocumentSigner returns a fresh P-256 key and its document signer certificate issued by
// `iaca` (signed with `iaca_key`), valid from clock.NowSeconds() for options.valid_days, with the
// IACA's country, the IACA's issuerAltName and cRLDistributionPoints copied. Errors:
// kInvalidArgument (bad options, valid_days outside 1..kMaxDocumentSignerValidDays, a validity
// that would outlast the IACA's), kInvalidCertificate (`iaca` is not an IACA: not a CA, no
// keyCertSign, no single country), kExpired / kNotYetValid (the IACA is not valid now),
// kInvalidKey (`iaca_key` is not the IACA's key), kInternal.
Result<KeyAndCertificate> CreateDocumentSigner(const crypto::PrivateKey& iaca_key,
                                               const crypto::Certificate& iaca,
                                               const DocumentSignerOptions& options, const Clock& clock);

// CertificatePurpose is what a validated leaf certificate is for: it selects the required
// extended key usage and whether the country rule applies.
enum class CertificatePurpose {
  kDocumentSigner,  // issuerAuth x5chain: EKU kMdlDsOid, leaf country = anchor country
  kReaderAuth,      // readerAuth x5chain: EKU kMdlReaderAuthOid
};

// ValidatedSigner is what ValidateChain learned about a chain that passed: the leaf's key (the
// one to verify the COSE_Sign1 with) and facts for reporting. Only IacaTrustStore builds it
// from a validated chain.
struct ValidatedSigner {
  crypto::PublicKey public_key;  // the leaf's subject public key
  CertificatePurpose purpose;
  std::string country;              // leaf subject C ("" when absent, possible for readers)
  std::string subject_common_name;  // leaf subject CN ("" when absent)
  std::string issuer_common_name;   // leaf issuer CN ("" when absent)
  std::string anchor_subject;       // RFC 2253 subject of the trust anchor the chain led to
  int64_t not_before = 0;           // leaf validity, Unix seconds
  int64_t not_after = 0;
};

// CacheStats counts ValidateChain cache lookups (nothing is counted while the cache is disabled).
struct CacheStats {
  uint64_t hits = 0;    // answered from the cache (including answers of kExpired / kNotYetValid)
  uint64_t misses = 0;  // fully validated (whether the chain passed or not)
  size_t entries = 0;   // current number of cached chains
};

// IacaTrustStore validates mdoc x5chains against a fixed set of trust anchors (IACA roots for
// document signers, reader roots for reader authentication) per Annex B, caching validated
// chains. Non-copyable; share it by pointer.
class IacaTrustStore {
 public:
  struct Options {
    size_t max_cache_entries = 1024;   // 0 disables the cache; least recently used evicted first
    int64_t cache_ttl_seconds = 3600;  // an entry is reused while |at - validated_at| < ttl
  };
  // kMaxChainLength bounds the certificates accepted in one x5chain.
  static constexpr size_t kMaxChainLength = 8;

  // Create returns a store trusting `anchors`. kInvalidArgument when `anchors` is empty, when an
  // anchor is not a CA certificate with keyCertSign, or when options are negative.
  static Result<std::unique_ptr<IacaTrustStore>> Create(std::vector<crypto::Certificate> anchors,
                                                        Options options);
  static Result<std::unique_ptr<IacaTrustStore>> Create(std::vector<crypto::Certificate> anchors) {
    return Create(std::move(anchors), Options());
  }

  IacaTrustStore(const IacaTrustStore&) = delete;
  IacaTrustStore& operator=(const IacaTrustStore&) = delete;

  // ValidateChain validates `x5chain` (DER certificates as received in the COSE x5chain header:
  // leaf first, then any intermediates; the anchor may be included or not) for `purpose` at
  // time `at` (Unix seconds; a certificate is valid for not_before <= at < not_after). Returns
  // the leaf's key and facts, or:
  //   kMalformed (a certificate does not parse), kLimitExceeded (more than kMaxChainLength),
  //   kInvalidCertificate (empty chain, bad signature, RFC 5280 violation, or an Annex B profile
  //   rule: leaf is a CA, leaf keyUsage lacks digitalSignature, leaf EKU lacks the purpose OID,
  //   document signer country differs from the anchor's),
  //   kUntrustedIssuer (no path to any anchor),
  //   kExpired / kNotYetValid (`at` outside a certificate's validity, leaf or issuer).
  // A chain validated before (same bytes, same purpose, within the ttl) is answered from the
  // cache with only a hash, a lookup and the validity windows re-checked against `at`.
  Result<ValidatedSigner> ValidateChain(const std::vector<Bytes>& x5chain, CertificatePurpose purpose,
                                        int64_t at) const;

  // cache_stats returns the cache counters.
  CacheStats cache_stats() const;
  // ClearCache drops every cached chain (the counters are kept).
  void ClearCache() const;

  const std::vector<crypto::Certificate>& anchors() const { return anchors_; }

 private:
  // Key is SHA-256(purpose || count || SHA-256(cert 1) || ... ): unambiguous, unlike a hash of
  // the bare concatenation, where [A, B] and [A||B] would collide.
  using Key = std::array<uint8_t, 32>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    ValidatedSigner signer;
    int64_t validated_at;
    // Validity windows to re-check on a hit: the leaf's, and the intersection of its issuers'
    // (intermediates and anchor).
    int64_t leaf_not_before, leaf_not_after;
    int64_t issuers_not_before, issuers_not_after;
    std::list<Key>::iterator lru_position;
  };

  IacaTrustStore(std::vector<crypto::Certificate> anchors, Options options)
      : anchors_(std::move(anchors)), options_(options) {}

  Result<Entry> ValidateUncached(const std::vector<Bytes>& x5chain, CertificatePurpose purpose,
                                 int64_t at) const;
  void Insert(const Key& key, Entry entry) const;

  const std::vector<crypto::Certificate> anchors_;
  const Options options_;

  mutable std::mutex mu_;
  mutable std::unordered_map<Key, Entry, KeyHash> cache_;  // guarded by mu_
  mutable std::list<Key> lru_;                             // most recently used first; guarded by mu_
  mutable uint64_t hits_ = 0, misses_ = 0;                 // guarded by mu_
};

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_IACA_H_
