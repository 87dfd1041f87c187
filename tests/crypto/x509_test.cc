// Unit tests for crypto/x509.h (parsing, VerifyChain) and crypto/x509_builder.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"

namespace bonafide::crypto {
namespace {

[[maybe_unused]] StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) { return r.status().code(); }
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;  // 2023-11-14T22:13:20Z

PrivateKey Gen(SignatureAlg alg = SignatureAlg::kES256) { return std::move(PrivateKey::Generate(alg)).value(); }

CertificateTemplate CaTemplate(const std::string& cn, int64_t nb = kT0 - kDay, int64_t na = kT0 + 3650 * kDay) {
  CertificateTemplate t;
  t.subject = {{"C", "UT"}, {"O", "Bonafide Test"}, {"CN", cn}};
  t.not_before = nb;
  t.not_after = na;
  t.is_ca = true;
  t.key_usage.key_cert_sign = true;
  t.key_usage.crl_sign = true;
  return t;
}

CertificateTemplate LeafTemplate(const std::string& cn, int64_t nb = kT0, int64_t na = kT0 + 30 * kDay) {
  CertificateTemplate t;
  t.subject = {{"C", "UT"}, {"CN", cn}};
  t.not_before = nb;
  t.not_after = na;
  t.key_usage.digital_signature = true;
  t.dns_names = {"issuer.example.com", "www.example.com"};
  t.uris = {"https://issuer.example.com/"};
  return t;
}

struct Pki {
  PrivateKey ca_key = Gen();
  PrivateKey leaf_key = Gen();
  Certificate ca = *CreateSelfSignedCertificate(CaTemplate("Test Root"), ca_key);
  Certificate leaf = *IssueCertificate(LeafTemplate("Test Leaf"), leaf_key.public_key(), ca, ca_key);
};

TEST(X509Builder, SelfSignedCaHasRequestedFields) {
  PrivateKey key = Gen();
  auto ca = CreateSelfSignedCertificate(CaTemplate("Test Root"), key);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_TRUE(ca->is_ca());
  EXPECT_EQ(ca->subject(), "CN=Test Root,O=Bonafide Test,C=UT");
  EXPECT_EQ(ca->issuer(), ca->subject());
  EXPECT_EQ(ca->not_before(), kT0 - kDay);
  EXPECT_EQ(ca->not_after(), kT0 + 3650 * kDay);
  EXPECT_TRUE(ca->dns_names().empty());
  ASSERT_TRUE(ca->public_key().ok());
  EXPECT_TRUE(ca->public_key()->Equals(key.public_key()));
  // A self-signed CA verifies against itself as the anchor.
  EXPECT_CODE(VerifyChain({*ca}, {*ca}, kT0), kOk);
}

TEST(X509Builder, LeafHasSanAndIsNotCa) {
  Pki pki;
  EXPECT_FALSE(pki.leaf.is_ca());
  EXPECT_EQ(pki.leaf.subject(), "CN=Test Leaf,C=UT");
  EXPECT_EQ(pki.leaf.issuer(), pki.ca.subject());
  EXPECT_EQ(pki.leaf.dns_names(), (std::vector<std::string>{"issuer.example.com", "www.example.com"}));
  EXPECT_EQ(pki.leaf.uris(), (std::vector<std::string>{"https://issuer.example.com/"}));
  EXPECT_EQ(pki.leaf.not_before(), kT0);
  EXPECT_EQ(pki.leaf.not_after(), kT0 + 30 * kDay);
}

TEST(X509Builder, AllKeyTypesCanIssue) {
  for (SignatureAlg ca_alg : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
    for (SignatureAlg leaf_alg : {SignatureAlg::kES256, SignatureAlg::kEdDSA}) {
      PrivateKey ca_key = Gen(ca_alg), leaf_key = Gen(leaf_alg);
      auto ca = CreateSelfSignedCertificate(CaTemplate("Root"), ca_key);
      ASSERT_TRUE(ca.ok()) << ca.status().ToString();
      auto leaf = IssueCertificate(LeafTemplate("Leaf"), leaf_key.public_key(), *ca, ca_key);
      ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
      auto verified = VerifyChain({*leaf}, {*ca}, kT0 + 1);
      ASSERT_TRUE(verified.ok()) << verified.status().ToString();
      EXPECT_TRUE(verified->Equals(leaf_key.public_key()));
    }
  }
}

TEST(X509Builder, DocumentSignerProfileExtensions) {
  // The extensions an ISO/IEC 18013-5 document signer certificate carries.
  PrivateKey iaca_key = Gen(), ds_key = Gen();
  CertificateTemplate iaca = CaTemplate("Utopia IACA");
  iaca.path_length = 0;
  iaca.issuer_alt_uris = {"https://iaca.example/"};
  iaca.crl_distribution_uris = {"https://iaca.example/crl"};
  auto root = CreateSelfSignedCertificate(iaca, iaca_key);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  CertificateTemplate ds = LeafTemplate("Utopia DS");
  ds.dns_names.clear();
  ds.uris.clear();
  ds.extended_key_usages = {"1.0.18013.5.1.2"};
  ds.issuer_alt_uris = {"https://iaca.example/"};
  ds.crl_distribution_uris = {"https://iaca.example/crl"};
  ds.serial = {0x01, 0x02, 0x03};
  auto cert = IssueCertificate(ds, ds_key.public_key(), *root, iaca_key);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(cert->dns_names().empty());
  // The custom EKU is critical, so strict validation would reject it only if it checked
  // purposes; VerifyChain checks no purpose.
  EXPECT_CODE(VerifyChain({*cert}, {*root}, kT0 + 1), kOk);
}

TEST(X509Builder, RejectsInvalidTemplates) {
  PrivateKey key = Gen();
  auto with = [&](auto mutate) {
    CertificateTemplate t = CaTemplate("Root");
    mutate(t);
    return CreateSelfSignedCertificate(t, key);
  };
  EXPECT_CODE(with([](CertificateTemplate&) {}), kOk);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.subject.clear(); }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.subject = {{"XX", "y"}}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.subject = {{"CN", ""}}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.subject = {{"C", "Utopia"}}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.not_after = t.not_before - 1; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.not_after = t.not_before; }), kOk);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.path_length = -1; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.path_length = 0; }), kOk);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.is_ca = false; t.path_length = 0; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.serial = {0x00}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.serial = {0x80}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.serial = Bytes(21, 0x11); }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.serial = Bytes(20, 0x11); }), kOk);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.dns_names = {""}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.dns_names = {"b\xc3\xbc.example"}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.uris = {"https://a b/"}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.extended_key_usages = {"serverAuth"}; }), kInvalidArgument);
  EXPECT_CODE(with([](CertificateTemplate& t) { t.extended_key_usages = {"1.3.6.1.5.5.7.3.1"}; }), kOk);
}

TEST(X509Builder, IssuerKeyMustMatchIssuerCertificate) {
  Pki pki;
  PrivateKey stranger = Gen();
  EXPECT_CODE(IssueCertificate(LeafTemplate("x"), stranger.public_key(), pki.ca, stranger), kInvalidKey);
}

TEST(X509Builder, RandomSerialsDiffer) {
  PrivateKey key = Gen();
  auto a = CreateSelfSignedCertificate(CaTemplate("R"), key);
  auto b = CreateSelfSignedCertificate(CaTemplate("R"), key);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->der(), b->der());
}

// ---------------------------------------------------------------- VerifyChain

TEST(VerifyChain, ValidChainReturnsLeafKey) {
  Pki pki;
  auto key = VerifyChain({pki.leaf}, {pki.ca}, kT0 + kDay);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(pki.leaf_key.public_key()));
  EXPECT_CODE(VerifyChain({pki.leaf, pki.ca}, {pki.ca}, kT0 + kDay), kOk);  // anchor included
}

TEST(VerifyChain, ValidityWindowBoundaries) {
  Pki pki;
  const int64_t nb = pki.leaf.not_before(), na = pki.leaf.not_after();
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, nb), kOk);
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, nb - 1), kNotYetValid);
  // The last valid second is not_after - 1 (see x509.h: OpenSSL treats not_after as expired).
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, na - 1), kOk);
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, na), kExpired);
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, na + 1), kExpired);
  EXPECT_CODE(VerifyChain({pki.leaf}, {pki.ca}, na + 365 * kDay), kExpired);
}

TEST(VerifyChain, ExpiredOrFutureCaIsRejected) {
  PrivateKey ca_key = Gen(), leaf_key = Gen();
  Certificate old_ca = *CreateSelfSignedCertificate(CaTemplate("Old", kT0 - 100 * kDay, kT0 - kDay), ca_key);
  Certificate leaf = *IssueCertificate(LeafTemplate("L", kT0 - 50 * kDay, kT0 + kDay), leaf_key.public_key(),
                                       old_ca, ca_key);
  EXPECT_CODE(VerifyChain({leaf}, {old_ca}, kT0), kExpired);
  EXPECT_CODE(VerifyChain({leaf}, {old_ca}, kT0 - 10 * kDay), kOk);
  Certificate future_ca = *CreateSelfSignedCertificate(CaTemplate("New", kT0 + kDay, kT0 + 100 * kDay), ca_key);
  Certificate leaf2 = *IssueCertificate(LeafTemplate("L", kT0 - kDay, kT0 + 50 * kDay), leaf_key.public_key(),
                                        future_ca, ca_key);
  EXPECT_CODE(VerifyChain({leaf2}, {future_ca}, kT0), kNotYetValid);
}

TEST(VerifyChain, UnknownRootIsUntrusted) {
  Pki pki, other;
  EXPECT_CODE(VerifyChain({pki.leaf}, {other.ca}, kT0 + 1), kUntrustedIssuer);
  EXPECT_CODE(VerifyChain({pki.leaf, pki.ca}, {other.ca}, kT0 + 1), kUntrustedIssuer);
  EXPECT_CODE(VerifyChain({pki.leaf}, {}, kT0 + 1), kUntrustedIssuer);
  EXPECT_CODE(VerifyChain({}, {pki.ca}, kT0 + 1), kInvalidCertificate);
}

TEST(VerifyChain, SameNameDifferentKeyIsUntrusted) {
  // An impostor root with the same subject name but another key must not anchor the chain.
  Pki pki;
  PrivateKey impostor_key = Gen();
  Certificate impostor = *CreateSelfSignedCertificate(CaTemplate("Test Root"), impostor_key);
  ASSERT_EQ(impostor.subject(), pki.ca.subject());
  EXPECT_NE(CodeOf(VerifyChain({pki.leaf}, {impostor}, kT0 + 1)), StatusCode::kOk);
}

TEST(VerifyChain, LeafSignedByNonCaIsRejected) {
  Pki pki;
  PrivateKey second_key = Gen();
  auto second = IssueCertificate(LeafTemplate("Second"), second_key.public_key(), pki.leaf, pki.leaf_key);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_CODE(VerifyChain({*second, pki.leaf}, {pki.ca}, kT0 + 1), kInvalidCertificate);
}

TEST(VerifyChain, IntermediatesAndPathLength) {
  PrivateKey root_key = Gen(), int_key = Gen(), leaf_key = Gen();
  CertificateTemplate root_t = CaTemplate("Root");
  root_t.path_length = 1;
  Certificate root = *CreateSelfSignedCertificate(root_t, root_key);
  CertificateTemplate int_t = CaTemplate("Intermediate");
  int_t.path_length = 0;
  Certificate inter = *IssueCertificate(int_t, int_key.public_key(), root, root_key);
  Certificate leaf = *IssueCertificate(LeafTemplate("Leaf"), leaf_key.public_key(), inter, int_key);
  EXPECT_CODE(VerifyChain({leaf, inter}, {root}, kT0 + 1), kOk);
  EXPECT_CODE(VerifyChain({leaf}, {root}, kT0 + 1), kUntrustedIssuer);  // intermediate missing
  EXPECT_CODE(VerifyChain({leaf}, {inter}, kT0 + 1), kOk);              // pinned intermediate

  // Root with pathLen 0 cannot have an intermediate below it.
  CertificateTemplate tight_t = CaTemplate("Tight Root");
  tight_t.path_length = 0;
  Certificate tight = *CreateSelfSignedCertificate(tight_t, root_key);
  Certificate inter2 = *IssueCertificate(CaTemplate("Intermediate 2"), int_key.public_key(), tight, root_key);
  Certificate leaf2 = *IssueCertificate(LeafTemplate("Leaf"), leaf_key.public_key(), inter2, int_key);
  EXPECT_CODE(VerifyChain({leaf2, inter2}, {tight}, kT0 + 1), kInvalidCertificate);
}

TEST(VerifyChain, CaWithoutKeyCertSignIsRejected) {
  PrivateKey root_key = Gen(), leaf_key = Gen();
  CertificateTemplate t = CaTemplate("No KeyCertSign");
  t.key_usage.key_cert_sign = false;
  t.key_usage.digital_signature = true;
  Certificate root = *CreateSelfSignedCertificate(t, root_key);
  Certificate leaf = *IssueCertificate(LeafTemplate("Leaf"), leaf_key.public_key(), root, root_key);
  EXPECT_CODE(VerifyChain({leaf}, {root}, kT0 + 1), kInvalidCertificate);
}

TEST(VerifyChain, TamperedSignatureIsRejected) {
  Pki pki;
  Bytes der = pki.leaf.der();
  der.back() ^= 0x01;  // the last byte belongs to the signature value
  auto tampered = Certificate::FromDer(der);
  ASSERT_TRUE(tampered.ok());
  EXPECT_CODE(VerifyChain({*tampered}, {pki.ca}, kT0 + 1), kInvalidCertificate);
}

// ---------------------------------------------------------------- parsing

TEST(Certificate, DerAndPemRoundTrip) {
  Pki pki;
  auto from_der = Certificate::FromDer(pki.leaf.der());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(from_der->der(), pki.leaf.der());
  std::string pem = pki.leaf.ToPem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----"));
  auto from_pem = Certificate::FromPem(pem);
  ASSERT_TRUE(from_pem.ok());
  EXPECT_EQ(from_pem->der(), pki.leaf.der());
}

TEST(Certificate, DerRejections) {
  Pki pki;
  Bytes trailing = pki.leaf.der();
  trailing.push_back(0);
  EXPECT_CODE(Certificate::FromDer(trailing), kMalformed);
  EXPECT_CODE(Certificate::FromDer(ByteView(pki.leaf.der()).first(pki.leaf.der().size() - 1)), kMalformed);
  EXPECT_CODE(Certificate::FromDer(Bytes{}), kMalformed);
  EXPECT_CODE(Certificate::FromDer(ToBytes("not a certificate")), kMalformed);
}

TEST(Certificate, PemBundle) {
  Pki pki;
  std::string bundle = "leaf:\n" + pki.leaf.ToPem() + "\nroot:\n" + pki.ca.ToPem() + "trailing text\n";
  auto all = Certificate::AllFromPem(bundle);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].der(), pki.leaf.der());
  EXPECT_EQ((*all)[1].der(), pki.ca.der());
  EXPECT_CODE(VerifyChain({(*all)[0]}, {(*all)[1]}, kT0 + 1), kOk);
  EXPECT_EQ(Certificate::FromPem(bundle)->der(), pki.leaf.der());
  EXPECT_CODE(Certificate::AllFromPem(""), kMalformed);
  EXPECT_CODE(Certificate::AllFromPem("no certificates here"), kMalformed);
  EXPECT_CODE(Certificate::FromPem(""), kMalformed);
}

TEST(Certificate, RegressionCorruptBlockInBundleIsNotSkipped) {
  // A bundle whose second block is damaged used to yield just the first certificate.
  Pki pki;
  std::string second = pki.ca.ToPem();
  second[40] = second[40] == 'A' ? 'B' : 'A';
  second.insert(45, "!!");
  EXPECT_CODE(Certificate::AllFromPem(pki.leaf.ToPem() + second), kMalformed);
  std::string not_a_cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_CODE(Certificate::AllFromPem(pki.leaf.ToPem() + not_a_cert), kMalformed);
}


// Parsing remembers recent certificates by their DER (crypto/x509.cc); what comes back must be
// exactly what parsing those bytes gives, whatever was parsed before.
TEST(Certificate, ReparsedBytesGiveTheSameCertificateAndOtherBytesNeverDo) {
  Pki pki;
  auto first = Certificate::FromDer(pki.leaf.der());
  auto again = Certificate::FromDer(pki.leaf.der());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->der(), pki.leaf.der());
  EXPECT_EQ(again->subject(), pki.leaf.subject());
  // One byte of the signature changed: still a certificate, but another one, which fails.
  Bytes tampered_sig = pki.leaf.der();
  tampered_sig.back() ^= 0x01;
  auto t1 = Certificate::FromDer(tampered_sig);
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->der(), tampered_sig);
  EXPECT_CODE(VerifyChain({*t1}, {pki.ca}, kT0 + 1), kInvalidCertificate);
  EXPECT_CODE(VerifyChain({*again}, {pki.ca}, kT0 + 1), kOk);
  // One letter of the subject changed: the name read back is the changed one.
  Bytes tampered_name = pki.leaf.der();
  const std::string cn = "Test Leaf";
  auto at = std::search(tampered_name.begin(), tampered_name.end(), cn.begin(), cn.end());
  ASSERT_NE(at, tampered_name.end());
  *at = 'B';
  auto t2 = Certificate::FromDer(tampered_name);
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(t2->subject().find("CN=Best Leaf"), std::string::npos) << t2->subject();
  EXPECT_NE(Certificate::FromDer(pki.leaf.der())->subject().find("CN=Test Leaf"), std::string::npos);
  EXPECT_CODE(VerifyChain({*t2}, {pki.ca}, kT0 + 1), kInvalidCertificate);
  // Trailing bytes after a remembered certificate are still refused.
  Bytes trailing = pki.leaf.der();
  trailing.push_back(0);
  EXPECT_CODE(Certificate::FromDer(trailing), kMalformed);
}

TEST(Certificate, PublicKeyIsTheSubjectKeyForEveryKeyType) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
    PrivateKey ca_key = Gen();
    Certificate ca = *CreateSelfSignedCertificate(CaTemplate("Root"), ca_key);
    PrivateKey subject = Gen(alg);
    Certificate leaf = *IssueCertificate(LeafTemplate("Leaf"), subject.public_key(), ca, ca_key);
    for (int round = 0; round < 2; ++round) {  // the second answer comes from the memo
      Result<PublicKey> key = leaf.public_key();
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      EXPECT_EQ(key->alg(), alg);
      EXPECT_TRUE(key->Equals(subject.public_key()));
      EXPECT_EQ(key->EncodedPoint(false), subject.public_key().EncodedPoint(false));
      const Bytes message = ToBytes("signed by the subject");
      EXPECT_CODE(key->Verify(message, *subject.Sign(message)), kOk);
      EXPECT_CODE(key->Verify(message, *ca_key.Sign(message)), kInvalidSignature);
    }
    // A copy of the certificate, and the same bytes parsed again, give the same key.
    Certificate copy = leaf;
    EXPECT_TRUE(copy.public_key()->Equals(subject.public_key()));
    EXPECT_TRUE(Certificate::FromDer(leaf.der())->public_key()->Equals(subject.public_key()));
  }
}

TEST(Certificate, ManyCertificatesFromManyThreads) {
  // More distinct certificates than parsing remembers, read from four threads at once: every
  // parse gives back its own bytes and its own subject key.
  PrivateKey ca_key = Gen();
  Certificate ca = *CreateSelfSignedCertificate(CaTemplate("Root"), ca_key);
  std::vector<PrivateKey> keys;
  std::vector<Bytes> ders;
  for (int i = 0; i < 300; ++i) {
    keys.push_back(Gen());
    ders.push_back(IssueCertificate(LeafTemplate("Leaf " + std::to_string(i)), keys.back().public_key(), ca, ca_key)->der());
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < ders.size(); ++i) {
          const size_t k = (i * 7 + static_cast<size_t>(t) * 31 + static_cast<size_t>(round)) % ders.size();
          Result<Certificate> c = Certificate::FromDer(ders[k]);
          if (!c.ok() || c->der() != ders[k]) {
            ++wrong;
            continue;
          }
          Result<PublicKey> key = c->public_key();
          if (!key.ok() || !key->Equals(keys[k].public_key())) ++wrong;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace bonafide::crypto
