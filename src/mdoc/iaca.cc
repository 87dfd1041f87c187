#include "mdoc/iaca.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <utility>

#include "crypto/hash.h"
#include "crypto/x509_builder.h"

namespace bonafide::mdoc {
namespace {

constexpr int64_t kDay = 86400;

Status Invalid(std::string msg) { return Error(StatusCode::kInvalidArgument, std::move(msg)); }
Status BadCert(std::string msg) { return Error(StatusCode::kInvalidCertificate, std::move(msg)); }

// IsCountryCode: ISO 3166-1 alpha-2 as Annex B writes it, two upper-case ASCII letters.
bool IsCountryCode(const std::string& c) {
  return c.size() == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

std::string Single(const std::vector<std::string>& values) {
  return values.size() == 1 ? values[0] : std::string();
}

std::vector<std::pair<std::string, std::string>> SubjectName(const std::string& country,
                                                             const std::optional<std::string>& organization,
                                                             const std::string& common_name) {
  std::vector<std::pair<std::string, std::string>> name = {{"C", country}};
  if (organization) name.emplace_back("O", *organization);
  name.emplace_back("CN", common_name);
  return name;
}

Status CheckNames(const std::string& common_name, const std::optional<std::string>& organization) {
  if (common_name.empty()) return Invalid("common name is empty");
  if (organization && organization->empty()) return Invalid("organization is empty");
  return OkStatus();
}

const char* PurposeOid(CertificatePurpose purpose) {
  return purpose == CertificatePurpose::kDocumentSigner ? kMdlDsOid : kMdlReaderAuthOid;
}

const char* LeafName(CertificatePurpose purpose) {
  return purpose == CertificatePurpose::kDocumentSigner ? "document signer certificate"
                                                        : "reader authentication certificate";
}

// CheckLeafProfile applies the Annex B rules for the leaf of a validated path.
Status CheckLeafProfile(const crypto::Certificate& leaf, const crypto::Certificate& anchor,
                        CertificatePurpose purpose) {
  const std::string what = LeafName(purpose);
  std::optional<crypto::BasicConstraints> bc = leaf.basic_constraints();
  if (bc && bc->is_ca) return BadCert(what + " is a CA (basicConstraints cA=TRUE)");
  std::optional<crypto::KeyUsage> ku = leaf.key_usage();
  if (!ku) return BadCert(what + " has no keyUsage extension");
  if (!ku->digital_signature) return BadCert(what + " keyUsage lacks digitalSignature");
  if (ku->key_cert_sign || ku->crl_sign) return BadCert(what + " keyUsage allows certificate or CRL signing");
  const char* oid = PurposeOid(purpose);
  std::vector<std::string> eku = leaf.extended_key_usages();
  if (std::find(eku.begin(), eku.end(), oid) == eku.end()) {
    return BadCert(what + " extendedKeyUsage lacks " + oid);
  }
  if (purpose == CertificatePurpose::kDocumentSigner) {
    std::vector<std::string> leaf_c = leaf.subject_attributes("C");
    std::vector<std::string> anchor_c = anchor.subject_attributes("C");
    if (leaf_c.size() != 1) return BadCert(what + " subject must have exactly one countryName");
    if (anchor_c.size() != 1) return BadCert("IACA subject must have exactly one countryName");
    if (leaf_c[0] != anchor_c[0]) {
      return BadCert(what + " country " + leaf_c[0] + " differs from the IACA country " + anchor_c[0]);
    }
  }
  return OkStatus();
}

}  // namespace

Result<KeyAndCertificate> CreateIaca(const IacaOptions& options, const Clock& clock) {
  if (!IsCountryCode(options.country))
    return Invalid("country must be two upper-case letters (ISO 3166-1 alpha-2)");
  RETURN_IF_ERROR(CheckNames(options.common_name, options.organization));
  if (options.valid_days < 1 || options.valid_days > kMaxIacaValidDays) {
    return Invalid("IACA validity must be 1 to " + std::to_string(kMaxIacaValidDays) +
                   " days (Annex B: 20 years)");
  }
  if (!options.issuer_alt_uri && !options.issuer_alt_email) {
    return Invalid("an IACA needs an issuer alternative name (URI or email; Annex B)");
  }
  const int64_t now = clock.NowSeconds();
  crypto::CertificateTemplate t;
  t.subject = SubjectName(options.country, options.organization, options.common_name);
  t.not_before = now;
  t.not_after = now + options.valid_days * kDay;
  t.is_ca = true;
  t.path_length = 0;
  t.key_usage.key_cert_sign = true;
  t.key_usage.crl_sign = true;
  if (options.issuer_alt_uri) t.issuer_alt_uris.push_back(*options.issuer_alt_uri);
  if (options.issuer_alt_email) t.issuer_alt_emails.push_back(*options.issuer_alt_email);
  if (options.crl_distribution_uri) t.crl_distribution_uris.push_back(*options.crl_distribution_uri);
  // The serial is left empty: the builder draws 16 random bytes, positive, 127 bits.
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::CreateSelfSignedCertificate(t, key));
  return KeyAndCertificate{std::move(key), std::move(cert)};
}

Result<KeyAndCertificate> CreateDocumentSigner(const crypto::PrivateKey& iaca_key,
                                               const crypto::Certificate& iaca,
                                               const DocumentSignerOptions& options, const Clock& clock) {
  RETURN_IF_ERROR(CheckNames(options.common_name, options.organization));
  if (options.valid_days < 1 || options.valid_days > kMaxDocumentSignerValidDays) {
    return Invalid("document signer validity must be 1 to " + std::to_string(kMaxDocumentSignerValidDays) +
                   " days (Annex B)");
  }
  std::optional<crypto::BasicConstraints> bc = iaca.basic_constraints();
  std::optional<crypto::KeyUsage> ku = iaca.key_usage();
  if (!bc || !bc->is_ca || !ku || !ku->key_cert_sign)
    return BadCert("the IACA certificate is not a CA with keyCertSign");
  const std::string country = Single(iaca.subject_attributes("C"));
  if (!IsCountryCode(country)) return BadCert("the IACA certificate has no single two-letter countryName");
  std::vector<std::string> ian_uris = iaca.issuer_alt_uris(), ian_emails = iaca.issuer_alt_emails();
  if (ian_uris.empty() && ian_emails.empty())
    return BadCert("the IACA certificate has no issuerAltName (Annex B)");
  const int64_t now = clock.NowSeconds();
  if (now < iaca.not_before())
    return Error(StatusCode::kNotYetValid, "the IACA certificate is not yet valid");
  if (now >= iaca.not_after()) return Error(StatusCode::kExpired, "the IACA certificate has expired");
  const int64_t not_after = now + options.valid_days * kDay;
  if (not_after > iaca.not_after()) {
    return Invalid("the document signer would outlast its IACA (IACA not_after " +
                   std::to_string(iaca.not_after()) + "); request fewer days");
  }
  crypto::CertificateTemplate t;
  t.subject = SubjectName(country, options.organization, options.common_name);
  t.not_before = now;
  t.not_after = not_after;
  t.key_usage.digital_signature = true;
  t.extended_key_usages = {kMdlDsOid};
  t.issuer_alt_uris = std::move(ian_uris);
  t.issuer_alt_emails = std::move(ian_emails);
  t.crl_distribution_uris = iaca.crl_distribution_uris();
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::IssueCertificate(t, key.public_key(), iaca, iaca_key));
  return KeyAndCertificate{std::move(key), std::move(cert)};
}

// ---------------------------------------------------------------- IacaTrustStore

size_t IacaTrustStore::KeyHash::operator()(const Key& k) const {
  size_t h = 0;  // the key is a SHA-256 output: any 8 bytes are uniformly distributed
  std::memcpy(&h, k.data(), sizeof h);
  return h;
}

Result<std::unique_ptr<IacaTrustStore>> IacaTrustStore::Create(std::vector<crypto::Certificate> anchors,
                                                               Options options) {
  if (anchors.empty()) return Invalid("no trust anchors given");
  for (const crypto::Certificate& a : anchors) {
    std::optional<crypto::BasicConstraints> bc = a.basic_constraints();
    std::optional<crypto::KeyUsage> ku = a.key_usage();
    if (!bc || !bc->is_ca || !ku || !ku->key_cert_sign) {
      return Invalid("trust anchor " + a.subject() + " is not a CA certificate with keyCertSign");
    }
  }
  if (options.cache_ttl_seconds < 0) return Invalid("cache ttl must not be negative");
  return std::unique_ptr<IacaTrustStore>(new IacaTrustStore(std::move(anchors), options));
}

Result<IacaTrustStore::Entry> IacaTrustStore::ValidateUncached(const std::vector<Bytes>& x5chain,
                                                               CertificatePurpose purpose, int64_t at) const {
  std::vector<crypto::Certificate> chain;
  chain.reserve(x5chain.size());
  for (size_t i = 0; i < x5chain.size(); ++i) {
    auto cert = crypto::Certificate::FromDer(x5chain[i]);
    if (!cert.ok()) {
      return Error(cert.status().code(),
                   "x5chain certificate " + std::to_string(i) + ": " + cert.status().message());
    }
    chain.push_back(std::move(*cert));
  }
  auto path_or = crypto::VerifyChainPath(chain, anchors_, at);
  if (!path_or.ok()) {
    return Error(path_or.status().code(),
                 std::string(LeafName(purpose)) + " chain: " + path_or.status().message());
  }
  const std::vector<crypto::Certificate>& path = *path_or;
  const crypto::Certificate& leaf = path.front();
  const crypto::Certificate& anchor = path.back();
  if (path.size() < 2) return BadCert(std::string(LeafName(purpose)) + " is itself a trust anchor");
  RETURN_IF_ERROR(CheckLeafProfile(leaf, anchor, purpose));
  ASSIGN_OR_RETURN(crypto::PublicKey key, leaf.public_key());
  Entry e{ValidatedSigner{std::move(key), purpose, Single(leaf.subject_attributes("C")),
                          Single(leaf.subject_attributes("CN")), Single(leaf.issuer_attributes("CN")),
                          anchor.subject(), leaf.not_before(), leaf.not_after()},
          at,
          leaf.not_before(),
          leaf.not_after(),
          INT64_MIN,
          INT64_MAX,
          {}};
  for (size_t i = 1; i < path.size(); ++i) {
    e.issuers_not_before = std::max(e.issuers_not_before, path[i].not_before());
    e.issuers_not_after = std::min(e.issuers_not_after, path[i].not_after());
  }
  return e;
}

void IacaTrustStore::Insert(const Key& key, Entry entry) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(key);
  if (it != cache_.end()) {  // another thread validated the same chain meanwhile
    lru_.erase(it->second.lru_position);
    cache_.erase(it);
  }
  lru_.push_front(key);
  entry.lru_position = lru_.begin();
  cache_.emplace(key, std::move(entry));
  while (cache_.size() > options_.max_cache_entries) {
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
}

Result<ValidatedSigner> IacaTrustStore::ValidateChain(const std::vector<Bytes>& x5chain,
                                                      CertificatePurpose purpose, int64_t at) const {
  if (x5chain.empty()) return BadCert("x5chain is empty");
  if (x5chain.size() > kMaxChainLength) {
    return Error(StatusCode::kLimitExceeded,
                 "x5chain has more than " + std::to_string(kMaxChainLength) + " certificates");
  }
  const bool caching = options_.max_cache_entries > 0;
  Key key{};
  if (caching) {
    // purpose || count || SHA-256 of each certificate, hashed once more: no allocation.
    std::array<uint8_t, 2 + kMaxChainLength * 32> material{};
    material[0] = static_cast<uint8_t>(purpose);
    material[1] = static_cast<uint8_t>(x5chain.size());
    std::array<uint8_t, crypto::kMaxDigestSize> digest{};
    for (size_t i = 0; i < x5chain.size(); ++i) {
      crypto::DigestInto(crypto::HashAlg::kSha256, x5chain[i], digest);
      std::memcpy(material.data() + 2 + i * 32, digest.data(), 32);
    }
    crypto::DigestInto(crypto::HashAlg::kSha256, ByteView(material.data(), 2 + x5chain.size() * 32), digest);
    std::memcpy(key.data(), digest.data(), key.size());

    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      const Entry& e = it->second;
      // Unsigned difference: correct for any pair of int64 values.
      const uint64_t age = at >= e.validated_at
                               ? static_cast<uint64_t>(at) - static_cast<uint64_t>(e.validated_at)
                               : static_cast<uint64_t>(e.validated_at) - static_cast<uint64_t>(at);
      if (age < static_cast<uint64_t>(options_.cache_ttl_seconds)) {
        ++hits_;
        lru_.splice(lru_.begin(), lru_, e.lru_position);
        const std::string what = LeafName(purpose);
        if (at < e.leaf_not_before) return Error(StatusCode::kNotYetValid, what + " not yet valid");
        if (at >= e.leaf_not_after) return Error(StatusCode::kExpired, what + " expired");
        if (at < e.issuers_not_before)
          return Error(StatusCode::kNotYetValid, "issuing CA certificate not yet valid");
        if (at >= e.issuers_not_after) return Error(StatusCode::kExpired, "issuing CA certificate expired");
        return e.signer;
      }
      lru_.erase(e.lru_position);
      cache_.erase(it);
    }
    ++misses_;
  }
  // Validate outside the lock so threads validating different chains do not wait on each other.
  ASSIGN_OR_RETURN(Entry entry, ValidateUncached(x5chain, purpose, at));
  ValidatedSigner out = entry.signer;
  if (caching) Insert(key, std::move(entry));
  return out;
}

CacheStats IacaTrustStore::cache_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return CacheStats{hits_, misses_, cache_.size()};
}

void IacaTrustStore::ClearCache() const {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
  lru_.clear();
}

}  // namespace bonafide::mdoc
