// Unit tests for the profile accessors of crypto::Certificate (key usage, EKU, basic
// constraints, issuer alternative names, CRL distribution points, key identifiers, serial,
// name attributes, criticality), the builder's issuerAltName emails, and VerifyChainPath.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"

namespace bonafide::crypto {
namespace {

[[maybe_unused]] StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) {
  return r.status().code();
}
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;

Certificate AnnexD(const std::string& name) {
  std::ifstream in(std::string(BONAFIDE_VECTORS_DIR) + "/mdoc-iso18013-5/annex-d/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  auto cert = Certificate::FromPem(ss.str());
  EXPECT_TRUE(cert.ok()) << name;
  return std::move(cert).value();
}

Bytes Hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

PrivateKey Gen() { return std::move(PrivateKey::Generate(SignatureAlg::kES256)).value(); }

CertificateTemplate Root() {
  CertificateTemplate t;
  t.subject = {{"C", "UT"}, {"CN", "Root"}};
  t.not_before = kT0 - kDay;
  t.not_after = kT0 + 100 * kDay;
  t.is_ca = true;
  t.key_usage.key_cert_sign = true;
  return t;
}

CertificateTemplate Leaf() {
  CertificateTemplate t;
  t.subject = {{"C", "UT"}, {"CN", "Leaf"}};
  t.not_before = kT0;
  t.not_after = kT0 + 10 * kDay;
  t.key_usage.digital_signature = true;
  return t;
}

TEST(CertificateProfile, AnnexDIaca) {
  Certificate c = AnnexD("iaca_root_cert.pem");
  EXPECT_EQ(c.serial_number(), Hex("2ab4edd052b2582f4c6ad96186de70f4de5a3994"));
  EXPECT_EQ(c.subject_attributes("C"), std::vector<std::string>{"US"});
  EXPECT_EQ(c.subject_attributes("countryName"), std::vector<std::string>{"US"});
  EXPECT_EQ(c.subject_attributes("CN"), std::vector<std::string>{"utopia iaca"});
  EXPECT_TRUE(c.subject_attributes("O").empty());
  EXPECT_TRUE(c.subject_attributes("NoSuchAttribute").empty());
  EXPECT_EQ(c.issuer_attributes("CN"), std::vector<std::string>{"utopia iaca"});
  ASSERT_TRUE(c.basic_constraints().has_value());
  EXPECT_TRUE(c.basic_constraints()->is_ca);
  EXPECT_EQ(c.basic_constraints()->path_length, 0);
  ASSERT_TRUE(c.key_usage().has_value());
  EXPECT_TRUE(c.key_usage()->key_cert_sign);
  EXPECT_TRUE(c.key_usage()->crl_sign);
  EXPECT_FALSE(c.key_usage()->digital_signature);
  EXPECT_EQ(c.extension_critical("2.5.29.15"), true);          // keyUsage
  EXPECT_EQ(c.extension_critical("2.5.29.19"), true);          // basicConstraints
  EXPECT_EQ(c.extension_critical("2.5.29.18"), false);         // issuerAltName
  EXPECT_EQ(c.extension_critical("2.5.29.37"), std::nullopt);  // no EKU
  EXPECT_EQ(c.extension_critical("not an oid"), std::nullopt);
  EXPECT_TRUE(c.extended_key_usages().empty());
  EXPECT_EQ(c.issuer_alt_emails(), std::vector<std::string>{"example@example.com"});
  EXPECT_TRUE(c.issuer_alt_uris().empty());
  EXPECT_TRUE(c.crl_distribution_uris().empty());  // its distribution point is a dNSName
  EXPECT_EQ(c.subject_key_id().size(), 20u);
}

TEST(CertificateProfile, AnnexDDocumentSignerAndReader) {
  Certificate iaca = AnnexD("iaca_root_cert.pem");
  Certificate ds = AnnexD("ds_cert.pem");
  EXPECT_EQ(ds.extended_key_usages(), std::vector<std::string>{"1.0.18013.5.1.2"});
  EXPECT_EQ(ds.extension_critical("2.5.29.37"), true);
  EXPECT_EQ(ds.basic_constraints(), std::nullopt);  // the Annex D DS has no basicConstraints
  ASSERT_TRUE(ds.key_usage().has_value());
  EXPECT_TRUE(ds.key_usage()->digital_signature);
  EXPECT_FALSE(ds.key_usage()->key_cert_sign);
  EXPECT_EQ(ds.authority_key_id(), iaca.subject_key_id());
  EXPECT_EQ(ds.subject_attributes("C"), std::vector<std::string>{"US"});

  Certificate reader = AnnexD("reader_cert.pem");
  EXPECT_EQ(reader.extended_key_usages(), std::vector<std::string>{"1.0.18013.5.1.6"});
  EXPECT_EQ(reader.subject_key_id(), Hex("f2dfc4acafc5f30b464fada20bfcd533af5e07f5"));
  EXPECT_EQ(reader.authority_key_id(), Hex("cfb7a881baea5f32b6fb91cc29590c50dfac416e"));
  EXPECT_TRUE(reader.subject_attributes("C").empty());
  EXPECT_TRUE(reader.issuer_alt_emails().empty());
}

TEST(CertificateProfile, BuilderRoundTrip) {
  PrivateKey key = Gen();
  CertificateTemplate t = Root();
  t.subject = {{"C", "GB"}, {"O", "Org"}, {"OU", "A"}, {"OU", "B"}, {"CN", "Caf\xc3\xa9 IACA"}};
  t.path_length = 3;
  t.serial = {0x01, 0x02, 0x03};
  t.issuer_alt_uris = {"https://a.example/"};
  t.issuer_alt_emails = {"pki@a.example", "ops@a.example"};
  t.crl_distribution_uris = {"https://a.example/1.crl", "https://a.example/2.crl"};
  t.extended_key_usages = {"1.0.18013.5.1.2", "1.3.6.1.5.5.7.3.1"};
  auto c = CreateSelfSignedCertificate(t, key);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->serial_number(), (Bytes{0x01, 0x02, 0x03}));
  EXPECT_EQ(c->subject_attributes("OU"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(c->subject_attributes("CN"), std::vector<std::string>{"Caf\xc3\xa9 IACA"});  // UTF-8 kept
  EXPECT_EQ(c->basic_constraints()->path_length, 3);
  EXPECT_EQ(c->issuer_alt_uris(), std::vector<std::string>{"https://a.example/"});
  EXPECT_EQ(c->issuer_alt_emails(), (std::vector<std::string>{"pki@a.example", "ops@a.example"}));
  EXPECT_EQ(c->crl_distribution_uris(),
            (std::vector<std::string>{"https://a.example/1.crl", "https://a.example/2.crl"}));
  EXPECT_EQ(c->extended_key_usages(), (std::vector<std::string>{"1.0.18013.5.1.2", "1.3.6.1.5.5.7.3.1"}));
  EXPECT_EQ(c->extension_critical("2.5.29.37"), true);
  EXPECT_EQ(c->extension_critical("2.5.29.31"), false);
  EXPECT_EQ(c->authority_key_id(), c->subject_key_id());  // self-signed
}

TEST(CertificateProfile, AbsentExtensionsReadAsAbsent) {
  PrivateKey key = Gen();
  CertificateTemplate t = Leaf();
  t.key_usage = {};
  auto c = CreateSelfSignedCertificate(t, key);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->key_usage(), std::nullopt);
  EXPECT_EQ(c->extension_critical("2.5.29.15"), std::nullopt);
  EXPECT_TRUE(c->extended_key_usages().empty());
  EXPECT_TRUE(c->issuer_alt_uris().empty());
  EXPECT_TRUE(c->issuer_alt_emails().empty());
  EXPECT_TRUE(c->crl_distribution_uris().empty());
  ASSERT_TRUE(c->basic_constraints().has_value());  // the builder always writes it
  EXPECT_FALSE(c->basic_constraints()->is_ca);
  EXPECT_EQ(c->basic_constraints()->path_length, std::nullopt);
}

TEST(CertificateProfile, BuilderRejectsBadIssuerAltEmail) {
  PrivateKey key = Gen();
  for (const char* bad : {"", "a b@example.com", "caf\xc3\xa9@example.com"}) {
    CertificateTemplate t = Root();
    t.issuer_alt_emails = {bad};
    EXPECT_CODE(CreateSelfSignedCertificate(t, key), kInvalidArgument) << bad;
  }
}

TEST(VerifyChainPath, ReturnsLeafToAnchor) {
  PrivateKey root_key = Gen(), int_key = Gen(), leaf_key = Gen();
  CertificateTemplate root_t = Root();
  Certificate root = *CreateSelfSignedCertificate(root_t, root_key);
  Certificate leaf = *IssueCertificate(Leaf(), leaf_key.public_key(), root, root_key);
  auto path = VerifyChainPath({leaf}, {root}, kT0 + 1);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  ASSERT_EQ(path->size(), 2u);
  EXPECT_EQ((*path)[0].der(), leaf.der());
  EXPECT_EQ((*path)[1].der(), root.der());
  // The anchor included in the chain: still two certificates, ending at the anchor.
  path = VerifyChainPath({leaf, root}, {root}, kT0 + 1);
  ASSERT_TRUE(path.ok());
  ASSERT_EQ(path->size(), 2u);
  EXPECT_EQ(path->back().der(), root.der());

  CertificateTemplate int_t = Root();
  int_t.subject = {{"C", "UT"}, {"CN", "Intermediate"}};
  Certificate inter = *IssueCertificate(int_t, int_key.public_key(), root, root_key);
  Certificate leaf2 = *IssueCertificate(Leaf(), leaf_key.public_key(), inter, int_key);
  // Several anchors: the path ends at the one that was used.
  Certificate other_root = *CreateSelfSignedCertificate(Root(), Gen());
  path = VerifyChainPath({leaf2, inter}, {other_root, root}, kT0 + 1);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  ASSERT_EQ(path->size(), 3u);
  EXPECT_EQ((*path)[1].der(), inter.der());
  EXPECT_EQ((*path)[2].der(), root.der());
  // Same errors as VerifyChain.
  EXPECT_CODE(VerifyChainPath({leaf2}, {root}, kT0 + 1), kUntrustedIssuer);
  EXPECT_CODE(VerifyChainPath({leaf}, {root}, kT0 + 10 * kDay), kExpired);
  EXPECT_CODE(VerifyChainPath({leaf}, {root}, kT0 - 1), kNotYetValid);
  EXPECT_CODE(VerifyChainPath({}, {root}, kT0 + 1), kInvalidCertificate);
}

}  // namespace
}  // namespace bonafide::crypto
