// Unit tests for mdoc/iaca.h: ISO/IEC 18013-5 Annex B certificate creation and x5chain
// validation (Annex D vectors, crafted profile violations, the validated-chain cache).
#include "mdoc/iaca.h"

#include <atomic>
#include <bit>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/x509_builder.h"

namespace bonafide::mdoc {
namespace {

using ::testing::HasSubstr;

[[maybe_unused]] StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) {
  return r.status().code();
}
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;  // 2023-11-14T22:13:20Z, "now" for created certificates

// Annex D facts (tests/vectors/mdoc-iso18013-5/README.md, expected.json).
constexpr int64_t kAnnexDTime = 1609459200;      // 2021-01-01T00:00:00Z
constexpr int64_t kDsNotBefore = 1601510400;     // 2020-10-01T00:00:00Z
constexpr int64_t kDsNotAfter = 1633046400;      // 2021-10-01T00:00:00Z
constexpr int64_t kReaderNotAfter = 1703980800;  // 2023-12-31T00:00:00Z
constexpr int64_t kToday = 1795651200;           // 2026-11-26T00:00:00Z

crypto::Certificate LoadPem(const std::string& name) {
  std::ifstream in(std::string(BONAFIDE_VECTORS_DIR) + "/mdoc-iso18013-5/annex-d/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  auto cert = crypto::Certificate::FromPem(ss.str());
  EXPECT_TRUE(cert.ok()) << name << ": " << cert.status().ToString();
  return std::move(cert).value();
}

std::unique_ptr<IacaTrustStore> Store(std::vector<crypto::Certificate> anchors,
                                      IacaTrustStore::Options o = {}) {
  auto store = IacaTrustStore::Create(std::move(anchors), o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

IacaTrustStore::Options NoCache() {
  IacaTrustStore::Options o;
  o.max_cache_entries = 0;
  return o;
}

struct AnnexD {
  crypto::Certificate iaca = LoadPem("iaca_root_cert.pem");
  crypto::Certificate ds = LoadPem("ds_cert.pem");
  crypto::Certificate reader_root = LoadPem("reader_root_cert.pem");
  crypto::Certificate reader = LoadPem("reader_cert.pem");
};

// ---------------------------------------------------------------- Annex D vectors

TEST(AnnexD, DocumentSignerValidatesAtReferenceTime) {
  AnnexD d;
  auto store = Store({d.iaca});
  auto signer = store->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_TRUE(signer->public_key.Equals(*d.ds.public_key()));
  EXPECT_EQ(signer->purpose, CertificatePurpose::kDocumentSigner);
  EXPECT_EQ(signer->country, "US");
  EXPECT_EQ(signer->subject_common_name, "utopia ds");
  EXPECT_EQ(signer->issuer_common_name, "utopia iaca");
  EXPECT_EQ(signer->anchor_subject, "C=US,CN=utopia iaca");
  EXPECT_EQ(signer->not_before, kDsNotBefore);
  EXPECT_EQ(signer->not_after, kDsNotAfter);
  // The root may also travel in the x5chain.
  EXPECT_CODE(
      store->ValidateChain({d.ds.der(), d.iaca.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
      kOk);
}

TEST(AnnexD, DocumentSignerValidityWindow) {
  AnnexD d;
  auto store = Store({d.iaca}, NoCache());
  auto at = [&](int64_t t) {
    return store->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, t);
  };
  EXPECT_CODE(at(kToday), kExpired);  // what an unmodified verifier must say today
  EXPECT_CODE(at(kDsNotAfter), kExpired);
  EXPECT_CODE(at(kDsNotAfter - 1), kOk);
  // The certificate starts at 00:00:00Z; the README's 13:30:02Z is the MSO's validFrom.
  EXPECT_CODE(at(kDsNotBefore), kOk);
  EXPECT_CODE(at(kDsNotBefore - 1), kNotYetValid);
  EXPECT_CODE(at(kDsNotBefore - 365 * kDay), kNotYetValid);
}

TEST(AnnexD, ReaderCertificateValidatesForReaderAuth) {
  AnnexD d;
  auto store = Store({d.reader_root}, NoCache());
  auto signer = store->ValidateChain({d.reader.der()}, CertificatePurpose::kReaderAuth, kAnnexDTime);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_TRUE(signer->public_key.Equals(*d.reader.public_key()));
  EXPECT_EQ(signer->country, "");  // the Annex D reader certificates carry no country
  EXPECT_EQ(signer->subject_common_name, "reader");
  EXPECT_CODE(store->ValidateChain({d.reader.der()}, CertificatePurpose::kReaderAuth, kReaderNotAfter - 1),
              kOk);
  EXPECT_CODE(store->ValidateChain({d.reader.der()}, CertificatePurpose::kReaderAuth, kReaderNotAfter),
              kExpired);
}

TEST(AnnexD, WrongPurposeIsRefused) {
  AnnexD d;
  auto iaca_store = Store({d.iaca}, NoCache());
  auto reader_store = Store({d.reader_root}, NoCache());
  // The document signer lacks mdlReaderAuth, the reader certificate lacks mdlDS.
  auto ds_as_reader = iaca_store->ValidateChain({d.ds.der()}, CertificatePurpose::kReaderAuth, kAnnexDTime);
  EXPECT_CODE(ds_as_reader, kInvalidCertificate);
  EXPECT_THAT(ds_as_reader.status().message(), HasSubstr(kMdlReaderAuthOid));
  auto reader_as_ds =
      reader_store->ValidateChain({d.reader.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime);
  EXPECT_CODE(reader_as_ds, kInvalidCertificate);
  EXPECT_THAT(reader_as_ds.status().message(), HasSubstr(kMdlDsOid));
}

TEST(AnnexD, WrongAnchorIsUntrusted) {
  AnnexD d;
  auto reader_store = Store({d.reader_root}, NoCache());
  EXPECT_CODE(reader_store->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kUntrustedIssuer);
  // Bringing the IACA along in the x5chain does not make it trusted.
  EXPECT_CODE(reader_store->ValidateChain({d.ds.der(), d.iaca.der()}, CertificatePurpose::kDocumentSigner,
                                          kAnnexDTime),
              kUntrustedIssuer);
  auto iaca_store = Store({d.iaca}, NoCache());
  EXPECT_CODE(iaca_store->ValidateChain({d.reader.der()}, CertificatePurpose::kReaderAuth, kAnnexDTime),
              kUntrustedIssuer);
  // Both roots trusted: each chain finds its own.
  auto both = Store({d.iaca, d.reader_root}, NoCache());
  EXPECT_CODE(both->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime), kOk);
  EXPECT_CODE(both->ValidateChain({d.reader.der()}, CertificatePurpose::kReaderAuth, kAnnexDTime), kOk);
}

TEST(AnnexD, MalformedAndOversizedChains) {
  AnnexD d;
  auto store = Store({d.iaca});
  EXPECT_CODE(store->ValidateChain({}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kInvalidCertificate);
  EXPECT_CODE(store->ValidateChain({Bytes{0x30, 0x03, 0x02, 0x01, 0x01}}, CertificatePurpose::kDocumentSigner,
                                   kAnnexDTime),
              kMalformed);
  Bytes trailing = d.ds.der();
  trailing.push_back(0x00);
  EXPECT_CODE(store->ValidateChain({trailing}, CertificatePurpose::kDocumentSigner, kAnnexDTime), kMalformed);
  Bytes truncated(d.ds.der().begin(), d.ds.der().end() - 1);
  EXPECT_CODE(store->ValidateChain({truncated}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kMalformed);
  std::vector<Bytes> at_limit(IacaTrustStore::kMaxChainLength, d.ds.der());
  EXPECT_NE(CodeOf(store->ValidateChain(at_limit, CertificatePurpose::kDocumentSigner, kAnnexDTime)),
            StatusCode::kLimitExceeded);
  std::vector<Bytes> too_long(IacaTrustStore::kMaxChainLength + 1, d.ds.der());
  EXPECT_CODE(store->ValidateChain(too_long, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kLimitExceeded);
}

TEST(AnnexD, TamperedSignatureAndAnchorAsLeafAreRejected) {
  AnnexD d;
  auto store = Store({d.iaca});
  Bytes tampered = d.ds.der();
  tampered.back() ^= 0x01;  // inside the signature value
  EXPECT_CODE(store->ValidateChain({tampered}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kInvalidCertificate);
  EXPECT_CODE(store->ValidateChain({d.iaca.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime),
              kInvalidCertificate);
}

TEST(IacaTrustStore, CreateRejectsBadAnchors) {
  AnnexD d;
  EXPECT_CODE(IacaTrustStore::Create({}), kInvalidArgument);
  EXPECT_CODE(IacaTrustStore::Create({d.ds}), kInvalidArgument);  // not a CA
  EXPECT_CODE(IacaTrustStore::Create({d.iaca, d.reader}), kInvalidArgument);
  IacaTrustStore::Options o;
  o.cache_ttl_seconds = -1;
  EXPECT_CODE(IacaTrustStore::Create({d.iaca}, o), kInvalidArgument);
  o.cache_ttl_seconds = 0;
  EXPECT_CODE(IacaTrustStore::Create({d.iaca}, o), kOk);
}

// ---------------------------------------------------------------- creation

IacaOptions GbIaca() {
  IacaOptions o;
  o.country = "GB";
  o.common_name = "Bonafide Test IACA";
  o.organization = "Bonafide";
  o.issuer_alt_uri = "https://iaca.example.gov.uk/";
  o.crl_distribution_uri = "https://iaca.example.gov.uk/crl";
  return o;
}

DocumentSignerOptions Ds(const std::string& cn = "Bonafide Test DS") {
  DocumentSignerOptions o;
  o.common_name = cn;
  return o;
}

struct CreatedPki {
  FixedClock clock{kT0};
  KeyAndCertificate iaca = *CreateIaca(GbIaca(), clock);
  KeyAndCertificate ds = *CreateDocumentSigner(iaca.key, iaca.certificate, Ds(), clock);
};

TEST(CreateIaca, HasTheAnnexBProfile) {
  FixedClock clock(kT0);
  auto iaca = CreateIaca(GbIaca(), clock);
  ASSERT_TRUE(iaca.ok()) << iaca.status().ToString();
  const crypto::Certificate& c = iaca->certificate;
  EXPECT_EQ(c.subject(), "CN=Bonafide Test IACA,O=Bonafide,C=GB");
  EXPECT_EQ(c.issuer(), c.subject());
  EXPECT_EQ(c.not_before(), kT0);
  EXPECT_EQ(c.not_after(), kT0 + kDefaultIacaValidDays * kDay);
  ASSERT_TRUE(c.basic_constraints().has_value());
  EXPECT_TRUE(c.basic_constraints()->is_ca);
  EXPECT_EQ(c.basic_constraints()->path_length, 0);
  EXPECT_EQ(c.extension_critical("2.5.29.19"), true);
  ASSERT_TRUE(c.key_usage().has_value());
  EXPECT_TRUE(c.key_usage()->key_cert_sign);
  EXPECT_TRUE(c.key_usage()->crl_sign);
  EXPECT_FALSE(c.key_usage()->digital_signature);
  EXPECT_EQ(c.extension_critical("2.5.29.15"), true);
  EXPECT_TRUE(c.extended_key_usages().empty());
  EXPECT_EQ(c.subject_key_id().size(), 20u);
  EXPECT_EQ(c.issuer_alt_uris(), std::vector<std::string>{"https://iaca.example.gov.uk/"});
  EXPECT_EQ(c.crl_distribution_uris(), std::vector<std::string>{"https://iaca.example.gov.uk/crl"});
  EXPECT_EQ(iaca->key.alg(), crypto::SignatureAlg::kES256);
  EXPECT_TRUE(c.public_key()->Equals(iaca->key.public_key()));
  // Serial: positive with at least 63 significant bits (CA/B-style entropy).
  Bytes serial = c.serial_number();
  ASSERT_GE(serial.size(), 8u);
  EXPECT_EQ(serial[0] & 0x80, 0);
  EXPECT_GE((serial.size() - 1) * 8 + static_cast<size_t>(std::bit_width(static_cast<unsigned>(serial[0]))),
            63u);
  EXPECT_NE(CreateIaca(GbIaca(), clock)->certificate.serial_number(), serial);
}

TEST(CreateIaca, RejectsBadOptions) {
  FixedClock clock(kT0);
  for (const char* country : {"gb", "GBR", "G", "", "G1", "\xc3\x9c"}) {
    IacaOptions o = GbIaca();
    o.country = country;
    EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument) << country;
  }
  IacaOptions o = GbIaca();
  o.common_name.clear();
  EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument);
  o = GbIaca();
  o.organization = "";
  EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument);
  o = GbIaca();
  o.issuer_alt_uri.reset();
  EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument);
  o.issuer_alt_email = "pki@example.gov.uk";  // an email alone satisfies Annex B
  auto with_email = CreateIaca(o, clock);
  ASSERT_TRUE(with_email.ok()) << with_email.status().ToString();
  EXPECT_EQ(with_email->certificate.issuer_alt_emails(), std::vector<std::string>{"pki@example.gov.uk"});
  o = GbIaca();
  o.issuer_alt_uri = "https://bad uri/";
  EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument);
  // Validity: 1 .. 20 years.
  for (int64_t days : {int64_t{0}, int64_t{-1}, kMaxIacaValidDays + 1}) {
    o = GbIaca();
    o.valid_days = days;
    EXPECT_CODE(CreateIaca(o, clock), kInvalidArgument) << days;
  }
  for (int64_t days : {int64_t{1}, kMaxIacaValidDays}) {
    o = GbIaca();
    o.valid_days = days;
    auto ok = CreateIaca(o, clock);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(ok->certificate.not_after(), kT0 + days * kDay);
  }
}

TEST(CreateDocumentSigner, HasTheAnnexBProfileAndValidates) {
  CreatedPki p;
  const crypto::Certificate& ds = p.ds.certificate;
  const crypto::Certificate& iaca = p.iaca.certificate;
  EXPECT_EQ(ds.subject(), "CN=Bonafide Test DS,C=GB");
  EXPECT_EQ(ds.issuer(), iaca.subject());
  EXPECT_EQ(ds.not_before(), kT0);
  EXPECT_EQ(ds.not_after(), kT0 + kDefaultDocumentSignerValidDays * kDay);
  EXPECT_FALSE(ds.is_ca());
  ASSERT_TRUE(ds.basic_constraints().has_value());
  EXPECT_FALSE(ds.basic_constraints()->is_ca);
  ASSERT_TRUE(ds.key_usage().has_value());
  EXPECT_TRUE(ds.key_usage()->digital_signature);
  EXPECT_FALSE(ds.key_usage()->key_cert_sign);
  EXPECT_EQ(ds.extension_critical("2.5.29.15"), true);
  EXPECT_EQ(ds.extended_key_usages(), std::vector<std::string>{kMdlDsOid});
  EXPECT_EQ(ds.extension_critical("2.5.29.37"), true);
  EXPECT_EQ(ds.authority_key_id(), iaca.subject_key_id());
  EXPECT_EQ(ds.issuer_alt_uris(), iaca.issuer_alt_uris());
  EXPECT_EQ(ds.crl_distribution_uris(), iaca.crl_distribution_uris());
  EXPECT_TRUE(ds.public_key()->Equals(p.ds.key.public_key()));

  auto store = Store({iaca});
  auto signer = store->ValidateChain({ds.der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_TRUE(signer->public_key.Equals(p.ds.key.public_key()));
  EXPECT_EQ(signer->country, "GB");
  EXPECT_EQ(signer->subject_common_name, "Bonafide Test DS");
  EXPECT_EQ(signer->issuer_common_name, "Bonafide Test IACA");
  // A document signer is not a reader certificate.
  EXPECT_CODE(store->ValidateChain({ds.der()}, CertificatePurpose::kReaderAuth, kT0 + kDay),
              kInvalidCertificate);
}

TEST(CreateDocumentSigner, NoCrlDistributionPointWhenTheIacaHasNone) {
  FixedClock clock(kT0);
  IacaOptions o = GbIaca();
  o.crl_distribution_uri.reset();
  o.issuer_alt_uri.reset();
  o.issuer_alt_email = "pki@example.gov.uk";
  KeyAndCertificate iaca = *CreateIaca(o, clock);
  auto ds = CreateDocumentSigner(iaca.key, iaca.certificate, Ds(), clock);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_TRUE(ds->certificate.crl_distribution_uris().empty());
  EXPECT_EQ(ds->certificate.extension_critical("2.5.29.31"), std::nullopt);
  EXPECT_EQ(ds->certificate.issuer_alt_emails(), std::vector<std::string>{"pki@example.gov.uk"});
}

TEST(CreateDocumentSigner, ValidityBounds) {
  CreatedPki p;
  for (int64_t days : {int64_t{0}, int64_t{-5}, kMaxDocumentSignerValidDays + 1}) {
    DocumentSignerOptions o = Ds();
    o.valid_days = days;
    EXPECT_CODE(CreateDocumentSigner(p.iaca.key, p.iaca.certificate, o, p.clock), kInvalidArgument) << days;
  }
  for (int64_t days : {int64_t{1}, kMaxDocumentSignerValidDays}) {
    DocumentSignerOptions o = Ds();
    o.valid_days = days;
    auto ds = CreateDocumentSigner(p.iaca.key, p.iaca.certificate, o, p.clock);
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    EXPECT_EQ(ds->certificate.not_after(), kT0 + days * kDay);
  }
  // Never beyond the IACA: with 100 days left, 100 days is fine and 101 is refused.
  IacaOptions short_iaca = GbIaca();
  short_iaca.valid_days = 100;
  KeyAndCertificate iaca = *CreateIaca(short_iaca, p.clock);
  DocumentSignerOptions o = Ds();
  o.valid_days = 100;
  EXPECT_CODE(CreateDocumentSigner(iaca.key, iaca.certificate, o, p.clock), kOk);
  o.valid_days = 101;
  EXPECT_CODE(CreateDocumentSigner(iaca.key, iaca.certificate, o, p.clock), kInvalidArgument);
}

TEST(CreateDocumentSigner, RejectsBadIssuers) {
  CreatedPki p;
  // The IACA must be valid now.
  const int64_t na = p.iaca.certificate.not_after();
  DocumentSignerOptions short_ds = Ds();
  short_ds.valid_days = 1;
  FixedClock late(na), last(na - 2 * kDay), early(kT0 - 1);
  EXPECT_CODE(CreateDocumentSigner(p.iaca.key, p.iaca.certificate, short_ds, late), kExpired);
  EXPECT_CODE(CreateDocumentSigner(p.iaca.key, p.iaca.certificate, short_ds, last), kOk);
  EXPECT_CODE(CreateDocumentSigner(p.iaca.key, p.iaca.certificate, short_ds, early), kNotYetValid);
  // The key must be the IACA's.
  KeyAndCertificate other = *CreateIaca(GbIaca(), p.clock);
  EXPECT_CODE(CreateDocumentSigner(other.key, p.iaca.certificate, Ds(), p.clock), kInvalidKey);
  // A document signer cannot issue document signers.
  EXPECT_CODE(CreateDocumentSigner(p.ds.key, p.ds.certificate, Ds(), p.clock), kInvalidCertificate);
  // Options.
  EXPECT_CODE(CreateDocumentSigner(p.iaca.key, p.iaca.certificate, Ds(""), p.clock), kInvalidArgument);
}

// ---------------------------------------------------------------- crafted profile violations

// DsTemplate is a correct document signer template under `iaca`; tests break one rule at a time.
crypto::CertificateTemplate DsTemplate(const std::string& country = "GB") {
  crypto::CertificateTemplate t;
  t.subject = {{"C", country}, {"CN", "Crafted DS"}};
  t.not_before = kT0;
  t.not_after = kT0 + 365 * kDay;
  t.key_usage.digital_signature = true;
  t.extended_key_usages = {kMdlDsOid};
  t.issuer_alt_uris = {"https://iaca.example.gov.uk/"};
  return t;
}

class CraftedDs : public ::testing::Test {
 protected:
  Result<ValidatedSigner> Validate(const crypto::CertificateTemplate& t) {
    auto cert = crypto::IssueCertificate(t, leaf_key_.public_key(), pki_.iaca.certificate, pki_.iaca.key);
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
    if (!cert.ok()) return cert.status();
    return store_->ValidateChain({cert->der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay);
  }

  CreatedPki pki_;
  crypto::PrivateKey leaf_key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  std::unique_ptr<IacaTrustStore> store_ = Store({pki_.iaca.certificate}, NoCache());
};

TEST_F(CraftedDs, CorrectTemplateValidates) { EXPECT_CODE(Validate(DsTemplate()), kOk); }

TEST_F(CraftedDs, CaLeafIsRejected) {
  crypto::CertificateTemplate t = DsTemplate();
  t.is_ca = true;
  EXPECT_CODE(Validate(t), kInvalidCertificate);
  // Also when it looks like a well-formed CA to RFC 5280 (keyCertSign), the profile refuses it.
  t.key_usage.key_cert_sign = true;
  auto r = Validate(t);
  EXPECT_CODE(r, kInvalidCertificate);
  EXPECT_THAT(r.status().message(), HasSubstr("cA=TRUE"));
  // keyCertSign without cA=TRUE is refused too.
  t.is_ca = false;
  EXPECT_CODE(Validate(t), kInvalidCertificate);
}

TEST_F(CraftedDs, KeyUsageMustHaveDigitalSignature) {
  crypto::CertificateTemplate t = DsTemplate();
  t.key_usage = {};
  auto missing = Validate(t);
  EXPECT_CODE(missing, kInvalidCertificate);
  EXPECT_THAT(missing.status().message(), HasSubstr("no keyUsage"));
  t.key_usage.key_agreement = true;
  auto wrong = Validate(t);
  EXPECT_CODE(wrong, kInvalidCertificate);
  EXPECT_THAT(wrong.status().message(), HasSubstr("digitalSignature"));
  t.key_usage.digital_signature = true;  // boundary: digitalSignature plus another bit is allowed
  EXPECT_CODE(Validate(t), kOk);
}

TEST_F(CraftedDs, ExtendedKeyUsageMustHaveMdlDs) {
  crypto::CertificateTemplate t = DsTemplate();
  t.extended_key_usages.clear();
  EXPECT_CODE(Validate(t), kInvalidCertificate);
  t.extended_key_usages = {kMdlReaderAuthOid};
  EXPECT_CODE(Validate(t), kInvalidCertificate);
  t.extended_key_usages = {"1.0.18013.5.1.3"};  // a neighbouring OID is not a prefix match
  EXPECT_CODE(Validate(t), kInvalidCertificate);
  t.extended_key_usages = {kMdlReaderAuthOid, kMdlDsOid};  // boundary: listed among others
  EXPECT_CODE(Validate(t), kOk);
}

TEST_F(CraftedDs, CountryMustEqualTheIacas) {
  auto r = Validate(DsTemplate("FR"));
  EXPECT_CODE(r, kInvalidCertificate);
  EXPECT_THAT(r.status().message(), HasSubstr("country"));
  crypto::CertificateTemplate none = DsTemplate();
  none.subject = {{"CN", "No Country DS"}};
  EXPECT_CODE(Validate(none), kInvalidCertificate);
  crypto::CertificateTemplate twice = DsTemplate();
  twice.subject = {{"C", "GB"}, {"C", "GB"}, {"CN", "Twice"}};
  EXPECT_CODE(Validate(twice), kInvalidCertificate);
}

TEST_F(CraftedDs, UnrelatedIacaIsUntrusted) {
  CreatedPki other;
  EXPECT_CODE(
      store_->ValidateChain({other.ds.certificate.der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay),
      kUntrustedIssuer);
  EXPECT_CODE(store_->ValidateChain({other.ds.certificate.der(), other.iaca.certificate.der()},
                                    CertificatePurpose::kDocumentSigner, kT0 + kDay),
              kUntrustedIssuer);
}

TEST_F(CraftedDs, IssuerValidityIsChecked) {
  // A document signer that outlives its IACA (the builder allows it) fails once the IACA expires.
  crypto::CertificateTemplate t = DsTemplate();
  t.not_after = pki_.iaca.certificate.not_after() + 100 * kDay;
  auto cert = crypto::IssueCertificate(t, leaf_key_.public_key(), pki_.iaca.certificate, pki_.iaca.key);
  ASSERT_TRUE(cert.ok());
  const int64_t iaca_na = pki_.iaca.certificate.not_after();
  EXPECT_CODE(store_->ValidateChain({cert->der()}, CertificatePurpose::kDocumentSigner, iaca_na - 1), kOk);
  EXPECT_CODE(store_->ValidateChain({cert->der()}, CertificatePurpose::kDocumentSigner, iaca_na), kExpired);
}

// ---------------------------------------------------------------- cache

TEST(Cache, SecondValidationIsAHitAndReturnsTheSameKey) {
  CreatedPki p;
  auto store = Store({p.iaca.certificate});
  auto first =
      store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(store->cache_stats().hits, 0u);
  EXPECT_EQ(store->cache_stats().misses, 1u);
  EXPECT_EQ(store->cache_stats().entries, 1u);
  auto second =
      store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay + 5);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(store->cache_stats().hits, 1u);
  EXPECT_EQ(store->cache_stats().misses, 1u);
  EXPECT_TRUE(second->public_key.Equals(p.ds.key.public_key()));
  EXPECT_EQ(second->country, "GB");
  EXPECT_EQ(second->not_after, first->not_after);
}

TEST(Cache, DifferentChainOrPurposeIsAMiss) {
  CreatedPki p;
  auto store = Store({p.iaca.certificate});
  KeyAndCertificate ds2 = *CreateDocumentSigner(p.iaca.key, p.iaca.certificate, Ds("Second DS"), p.clock);
  const int64_t at = kT0 + kDay;
  EXPECT_CODE(store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kDocumentSigner, at), kOk);
  auto other = store->ValidateChain({ds2.certificate.der()}, CertificatePurpose::kDocumentSigner, at);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->public_key.Equals(ds2.key.public_key()));
  EXPECT_EQ(store->cache_stats().misses, 2u);
  // The same chain with the root appended is a different chain.
  EXPECT_CODE(store->ValidateChain({p.ds.certificate.der(), p.iaca.certificate.der()},
                                   CertificatePurpose::kDocumentSigner, at),
              kOk);
  EXPECT_EQ(store->cache_stats().misses, 3u);
  // The same bytes for another purpose are not answered from the document-signer entry.
  EXPECT_CODE(store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kReaderAuth, at),
              kInvalidCertificate);
  EXPECT_EQ(store->cache_stats().misses, 4u);
  EXPECT_EQ(store->cache_stats().hits, 0u);
  // Failures are not cached: asking again validates again.
  EXPECT_CODE(store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kReaderAuth, at),
              kInvalidCertificate);
  EXPECT_EQ(store->cache_stats().misses, 5u);
  EXPECT_EQ(store->cache_stats().entries, 3u);
}

TEST(Cache, ConcatenationOfTwoCertificatesIsNotTheChainOfBoth) {
  // Regression guard for an ambiguous key: [A, B] validated must not answer [A||B].
  CreatedPki p;
  auto store = Store({p.iaca.certificate});
  const int64_t at = kT0 + kDay;
  ASSERT_EQ(CodeOf(store->ValidateChain({p.ds.certificate.der(), p.iaca.certificate.der()},
                                        CertificatePurpose::kDocumentSigner, at)),
            StatusCode::kOk);
  Bytes joined = p.ds.certificate.der();
  joined.insert(joined.end(), p.iaca.certificate.der().begin(), p.iaca.certificate.der().end());
  EXPECT_CODE(store->ValidateChain({joined}, CertificatePurpose::kDocumentSigner, at), kMalformed);
}

TEST(Cache, EvictsLeastRecentlyUsedAtTheBound) {
  CreatedPki p;
  IacaTrustStore::Options o;
  o.max_cache_entries = 2;
  auto store = Store({p.iaca.certificate}, o);
  std::vector<Bytes> a = {p.ds.certificate.der()};
  std::vector<Bytes> b = {
      CreateDocumentSigner(p.iaca.key, p.iaca.certificate, Ds("B"), p.clock)->certificate.der()};
  std::vector<Bytes> c = {
      CreateDocumentSigner(p.iaca.key, p.iaca.certificate, Ds("C"), p.clock)->certificate.der()};
  const int64_t at = kT0 + kDay;
  auto validate = [&](const std::vector<Bytes>& chain) {
    EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, at), kOk);
  };
  validate(a);  // miss
  validate(b);  // miss
  validate(a);  // hit: a is now the most recently used
  EXPECT_EQ(store->cache_stats().entries, 2u);
  validate(c);  // miss: evicts b
  EXPECT_EQ(store->cache_stats().entries, 2u);
  EXPECT_EQ(store->cache_stats().hits, 1u);
  EXPECT_EQ(store->cache_stats().misses, 3u);
  validate(a);  // hit
  validate(c);  // hit
  EXPECT_EQ(store->cache_stats().hits, 3u);
  validate(b);  // miss: it was evicted
  EXPECT_EQ(store->cache_stats().misses, 4u);
  EXPECT_EQ(store->cache_stats().entries, 2u);
  store->ClearCache();
  EXPECT_EQ(store->cache_stats().entries, 0u);
  validate(a);
  EXPECT_EQ(store->cache_stats().misses, 5u);
}

TEST(Cache, DisabledCacheStillValidates) {
  CreatedPki p;
  auto store = Store({p.iaca.certificate}, NoCache());
  for (int i = 0; i < 3; ++i) {
    EXPECT_CODE(
        store->ValidateChain({p.ds.certificate.der()}, CertificatePurpose::kDocumentSigner, kT0 + kDay), kOk);
  }
  EXPECT_EQ(store->cache_stats().hits, 0u);
  EXPECT_EQ(store->cache_stats().entries, 0u);
}

TEST(Cache, EntriesExpireAfterTheTtl) {
  CreatedPki p;
  IacaTrustStore::Options o;
  o.cache_ttl_seconds = 100;
  auto store = Store({p.iaca.certificate}, o);
  const std::vector<Bytes> chain = {p.ds.certificate.der()};
  const int64_t t = kT0 + kDay;
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, t), kOk);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, t + 99), kOk);
  EXPECT_EQ(store->cache_stats().hits, 1u);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, t - 99),
              kOk);  // earlier, within ttl
  EXPECT_EQ(store->cache_stats().hits, 2u);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, t + 100),
              kOk);  // stale: revalidated
  EXPECT_EQ(store->cache_stats().hits, 2u);
  EXPECT_EQ(store->cache_stats().misses, 2u);
  EXPECT_EQ(store->cache_stats().entries, 1u);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, t + 150), kOk);  // fresh again
  EXPECT_EQ(store->cache_stats().hits, 3u);
}

TEST(Cache, HitRechecksTheValidityWindows) {
  CreatedPki p;
  IacaTrustStore::Options o;
  o.cache_ttl_seconds = int64_t{30} * 365 * kDay;  // long enough to span every window
  auto store = Store({p.iaca.certificate}, o);
  const std::vector<Bytes> chain = {p.ds.certificate.der()};
  const int64_t na = p.ds.certificate.not_after();
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, kT0 + kDay), kOk);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, na - 1), kOk);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, na), kExpired);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, kT0), kOk);
  EXPECT_CODE(store->ValidateChain(chain, CertificatePurpose::kDocumentSigner, kT0 - 1), kNotYetValid);
  EXPECT_EQ(store->cache_stats().misses, 1u);
  EXPECT_EQ(store->cache_stats().hits, 4u);

  // The issuer's window too: a DS that outlives its IACA, cached, then asked after the IACA.
  crypto::CertificateTemplate t = DsTemplate();
  t.not_after = p.iaca.certificate.not_after() + 100 * kDay;
  crypto::PrivateKey leaf_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  auto long_ds = crypto::IssueCertificate(t, leaf_key.public_key(), p.iaca.certificate, p.iaca.key);
  ASSERT_TRUE(long_ds.ok());
  const int64_t iaca_na = p.iaca.certificate.not_after();
  EXPECT_CODE(store->ValidateChain({long_ds->der()}, CertificatePurpose::kDocumentSigner, iaca_na - 1), kOk);
  auto after = store->ValidateChain({long_ds->der()}, CertificatePurpose::kDocumentSigner, iaca_na);
  EXPECT_CODE(after, kExpired);
  EXPECT_THAT(after.status().message(), HasSubstr("issuing CA"));
  EXPECT_EQ(store->cache_stats().hits, 5u);
}

TEST(Cache, AnnexDExpiryFromTheCache) {
  AnnexD d;
  IacaTrustStore::Options o;
  o.cache_ttl_seconds = int64_t{10} * 365 * kDay;
  auto store = Store({d.iaca}, o);
  EXPECT_CODE(store->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, kAnnexDTime), kOk);
  EXPECT_CODE(store->ValidateChain({d.ds.der()}, CertificatePurpose::kDocumentSigner, kToday), kExpired);
  EXPECT_EQ(store->cache_stats().hits, 1u);
}

TEST(Cache, ConcurrentValidations) {
  CreatedPki p;
  IacaTrustStore::Options o;
  o.max_cache_entries = 2;  // smaller than the working set, so threads also evict
  auto store = Store({p.iaca.certificate}, o);
  std::vector<std::vector<Bytes>> chains = {{p.ds.certificate.der()}};
  std::vector<crypto::PublicKey> keys = {p.ds.key.public_key()};
  for (const char* cn : {"T1", "T2"}) {
    KeyAndCertificate ds = *CreateDocumentSigner(p.iaca.key, p.iaca.certificate, Ds(cn), p.clock);
    chains.push_back({ds.certificate.der()});
    keys.push_back(ds.key.public_key());
  }
  constexpr int kThreads = 4, kRounds = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        size_t k = static_cast<size_t>(t + i) % chains.size();
        auto r = store->ValidateChain(chains[k], CertificatePurpose::kDocumentSigner, kT0 + kDay + i);
        if (!r.ok() || !r->public_key.Equals(keys[k])) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  CacheStats s = store->cache_stats();
  EXPECT_EQ(s.hits + s.misses, static_cast<uint64_t>(kThreads * kRounds));
  EXPECT_LE(s.entries, 2u);
}

}  // namespace
}  // namespace bonafide::mdoc
