// Tests for wallet/issuer_trust.h through Wallet::Receive: every received credential's issuer
// signature is verified before anything is stored (SD-JWT VC against the JWT VC Issuer Metadata,
// mdoc against IACA roots, jwt_vc_json against the did:web document), each tamper mode of the
// fake issuer fails with its exact code and leaves nothing behind, the IssuerTrust seam replaces
// the default policy, and the did:web helpers.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/x509.h"
#include "fake_issuer.h"
#include "jose/did.h"
#include "wallet/issuer_trust.h"
#include "wallet/wallet.h"
#include "wallet_test_util.h"

namespace bonafide::wallet {
namespace {

using testing::FakeEndpoint;
using testing::FakeIssuer;
using testing::FakeTransport;
using testing::TempDir;
using Tamper = FakeIssuer::Tamper;

constexpr char kPin[] = "271828";

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.vault = VaultOptions::InsecureFastKdfForTests();
    options_.clock = &clock_;
    auto wallet = Wallet::Init(dir_.wallet(), kPin, options_);
    ASSERT_TRUE(wallet.ok()) << wallet.status().ToString();
    wallet_ = std::move(*wallet);
  }

  size_t CountRecords(std::string_view kind) {
    auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
    EXPECT_TRUE(vault.ok());
    EXPECT_TRUE((*vault)->Unlock(kPin).ok());
    auto records = (*vault)->List(kind);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    return records.ok() ? records->size() : 0;
  }

  void ExpectNothingKept() {
    EXPECT_EQ(CountRecords(kCredentialRecordKind), 0u);
    EXPECT_EQ(CountRecords(kCopyRecordKind), 0u);
    EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 0u);
    EXPECT_TRUE(issuer_.notifications.empty());
  }

  Result<std::vector<std::string>> Receive(const std::string& config) {
    return wallet_->Receive(issuer_.CreateOffer({config}), {}, transport_);
  }

  // Fetches counts the GETs of `url_suffix` in the transport log.
  size_t Fetches(const std::string& url_suffix) const {
    const std::string wanted = "GET " + std::string(testing::kIssuerId) + url_suffix;
    return static_cast<size_t>(std::count(transport_.log.begin(), transport_.log.end(), wanted));
  }

  void ExpectFails(const std::string& config, StatusCode code, std::string_view in_message) {
    auto result = Receive(config);
    EXPECT_EQ(result.status().code(), code) << config << ": " << result.status().ToString();
    EXPECT_NE(result.status().message().find(in_message), std::string::npos) << result.status().message();
  }

  FixedClock clock_{testing::kIssuerNow};
  TempDir dir_;
  WalletOptions options_;
  std::unique_ptr<Wallet> wallet_;
  FakeIssuer issuer_;
  FakeTransport transport_{issuer_};
};

TEST_F(TrustTest, AllThreeFormatsVerifyAgainstWhatTheIssuerPublishes) {
  auto ids = wallet_->Receive(
      issuer_.CreateOffer({testing::kSdJwtConfig, testing::kMdocConfig, testing::kJwtVcConfig}), {}, transport_);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ(CountRecords(kCopyRecordKind), 9u);
  // Each trust document fetched once for the three copies of its format.
  EXPECT_EQ(Fetches("/.well-known/jwt-vc-issuer"), 1u);
  EXPECT_EQ(Fetches("/iacas"), 1u);
  EXPECT_EQ(Fetches("/.well-known/did.json"), 1u);
  auto shown = wallet_->Show((*ids)[2]);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ((*shown)["format"], "jwt_vc_json");
  EXPECT_EQ((*shown)["type"], testing::kVcType);
  EXPECT_EQ((*shown)["claims"]["iss"], issuer_.did());
}

TEST_F(TrustTest, SignedByAnotherKeyThanPublishedIsInvalidSignature) {
  issuer_.tamper = Tamper::kWrongSigner;
  ExpectFails(testing::kSdJwtConfig, StatusCode::kInvalidSignature, "dc+sd-jwt credential");
  ExpectFails(testing::kMdocConfig, StatusCode::kInvalidSignature, "mso_mdoc credential");
  ExpectFails(testing::kJwtVcConfig, StatusCode::kInvalidSignature, "jwt_vc_json credential");
  ExpectNothingKept();
  // Boundary: the same offers with the published key are stored.
  issuer_.tamper = Tamper::kNone;
  EXPECT_TRUE(Receive(testing::kSdJwtConfig).ok());
  EXPECT_TRUE(Receive(testing::kMdocConfig).ok());
  EXPECT_TRUE(Receive(testing::kJwtVcConfig).ok());
}

TEST_F(TrustTest, CredentialOfAnotherIssuerIsUntrusted) {
  issuer_.tamper = Tamper::kWrongIss;
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "https://impostor.example.gov.uk");
  ExpectFails(testing::kJwtVcConfig, StatusCode::kUntrustedIssuer, "did:web:impostor.example.gov.uk");
  ExpectNothingKept();
}

TEST_F(TrustTest, UnpublishedKidIsUntrusted) {
  issuer_.tamper = Tamper::kUnknownKid;
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "sd-key-unpublished");
  ExpectFails(testing::kJwtVcConfig, StatusCode::kUntrustedIssuer, "jwt_vc_json credential");
  ExpectNothingKept();
}

TEST_F(TrustTest, MdocFromAnIacaTheIssuerDoesNotPublishIsUntrusted) {
  issuer_.tamper = Tamper::kForeignIaca;
  ExpectFails(testing::kMdocConfig, StatusCode::kUntrustedIssuer, "mso_mdoc credential");
  ExpectNothingKept();
}

TEST_F(TrustTest, WalletAnchorsReplaceTheIssuersIacas) {
  auto other = crypto::Certificate::FromPem(issuer_.other_iaca_pem());
  ASSERT_TRUE(other.ok());
  ReceiveOptions receive = wallet_->receive_options();
  receive.iaca_anchors = {*other};
  wallet_->set_receive_options(receive);
  // The issuer's IACA is not among the anchors: refused, although /iacas would have vouched.
  ExpectFails(testing::kMdocConfig, StatusCode::kUntrustedIssuer, "mso_mdoc credential");
  ExpectNothingKept();
  EXPECT_EQ(Fetches("/iacas"), 0u);
  // Boundary: with the issuer's IACA among the anchors the mdoc is stored, still without /iacas.
  auto mine = crypto::Certificate::FromPem(issuer_.iaca_pem());
  ASSERT_TRUE(mine.ok());
  receive.iaca_anchors.push_back(*mine);
  wallet_->set_receive_options(receive);
  EXPECT_TRUE(Receive(testing::kMdocConfig).ok());
  EXPECT_EQ(Fetches("/iacas"), 0u);
}

TEST_F(TrustTest, IssuerThatPublishesNoTrustDocumentIsUntrusted) {
  issuer_.inject[FakeEndpoint::kJwtVcIssuer] = testing::Injected{404, ""};
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "HTTP 404");
  issuer_.inject.clear();
  issuer_.inject[FakeEndpoint::kIacas] = testing::Injected{404, ""};
  ExpectFails(testing::kMdocConfig, StatusCode::kUntrustedIssuer, "IACA roots");
  issuer_.inject.clear();
  issuer_.inject[FakeEndpoint::kDidDocument] = testing::Injected{404, ""};
  ExpectFails(testing::kJwtVcConfig, StatusCode::kUntrustedIssuer, "did:web document");
  issuer_.inject.clear();
  issuer_.inject[FakeEndpoint::kIacas] = testing::Injected{200, "not a PEM bundle"};
  ExpectFails(testing::kMdocConfig, StatusCode::kMalformed, "IACA roots");
  issuer_.inject.clear();
  ExpectNothingKept();
}

TEST_F(TrustTest, JwtVcIssuerMetadataMustNameTheIssuer) {
  issuer_.jwt_vc_issuer_metadata["issuer"] = "https://impostor.example.gov.uk";
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "names another issuer");
  issuer_.jwt_vc_issuer_metadata.erase("issuer");
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "names another issuer");
  ExpectNothingKept();
}

TEST_F(TrustTest, JwtVcIssuerMetadataWithJwksUri) {
  issuer_.jwt_vc_issuer_metadata = Json{{"issuer", testing::kIssuerId},
                                        {"jwks_uri", std::string(testing::kIssuerId) + "/jwks"}};
  ASSERT_TRUE(Receive(testing::kSdJwtConfig).ok());
  EXPECT_EQ(Fetches("/jwks"), 1u);
  // A jwks_uri over plain http (not loopback) is refused.
  issuer_.jwt_vc_issuer_metadata["jwks_uri"] = "http://issuer.example.gov.uk/jwks";
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "jwks_uri");
  issuer_.jwt_vc_issuer_metadata.erase("jwks_uri");
  ExpectFails(testing::kSdJwtConfig, StatusCode::kUntrustedIssuer, "neither jwks nor jwks_uri");
}

TEST_F(TrustTest, ExpiredCredentialIsNotStored) {
  // Stamped two years ago, valid one year: expired at receipt.
  issuer_.issue_at = testing::kIssuerNow - 2 * 365 * 86400;
  ExpectFails(testing::kSdJwtConfig, StatusCode::kExpired, "dc+sd-jwt credential");
  ExpectFails(testing::kJwtVcConfig, StatusCode::kExpired, "jwt_vc_json credential");
  ExpectNothingKept();
  // Boundary: stamped 364 days ago, still valid.
  issuer_.issue_at = testing::kIssuerNow - 364 * 86400;
  EXPECT_TRUE(Receive(testing::kSdJwtConfig).ok());
  EXPECT_TRUE(Receive(testing::kJwtVcConfig).ok());
}

// RefuseAll is an IssuerTrust that trusts nobody and counts its calls.
class RefuseAll final : public IssuerTrust {
 public:
  Result<sdjwt::SdJwtVcTrust> SdJwtVcTrustFor(std::string_view) override { return Refuse(); }
  Result<std::vector<crypto::Certificate>> IacaRootsFor(std::string_view) override { return Refuse(); }
  Result<Json> DidDocumentFor(std::string_view, std::string_view) override { return Refuse(); }
  int calls = 0;

 private:
  Status Refuse() {
    ++calls;
    return Error(StatusCode::kUntrustedIssuer, "not in the registry");
  }
};

// PinnedKey trusts one SD-JWT VC key.
class PinnedKey final : public IssuerTrust {
 public:
  explicit PinnedKey(crypto::PublicKey key) : key_(std::move(key)) {}
  Result<sdjwt::SdJwtVcTrust> SdJwtVcTrustFor(std::string_view) override {
    sdjwt::SdJwtVcTrust trust;
    trust.issuer_key = key_;
    return trust;
  }
  Result<std::vector<crypto::Certificate>> IacaRootsFor(std::string_view) override {
    return Error(StatusCode::kUntrustedIssuer, "no roots");
  }
  Result<Json> DidDocumentFor(std::string_view, std::string_view) override {
    return Error(StatusCode::kUntrustedIssuer, "no DIDs");
  }

 private:
  crypto::PublicKey key_;
};

TEST_F(TrustTest, IssuerTrustSeamReplacesThePublishedPolicy) {
  RefuseAll refuse;
  ReceiveOptions receive = wallet_->receive_options();
  receive.issuer_trust = &refuse;
  wallet_->set_receive_options(receive);
  for (const char* config : {testing::kSdJwtConfig, testing::kMdocConfig, testing::kJwtVcConfig}) {
    ExpectFails(config, StatusCode::kUntrustedIssuer, "not in the registry");
  }
  EXPECT_EQ(refuse.calls, 3);
  EXPECT_EQ(Fetches("/.well-known/jwt-vc-issuer") + Fetches("/iacas") + Fetches("/.well-known/did.json"), 0u);
  ExpectNothingKept();

  PinnedKey pinned(issuer_.issuer_public_key());
  receive.issuer_trust = &pinned;
  wallet_->set_receive_options(receive);
  EXPECT_TRUE(Receive(testing::kSdJwtConfig).ok());
  // A pinned key other than the signer's: the signature does not verify.
  PinnedKey wrong(crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256)->public_key());
  receive.issuer_trust = &wrong;
  wallet_->set_receive_options(receive);
  ExpectFails(testing::kSdJwtConfig, StatusCode::kInvalidSignature, "dc+sd-jwt credential");
}

TEST(DidWebTest, DidWebFromUrl) {
  EXPECT_EQ(*jose::DidWebFromUrl("https://issuer.example.gov.uk"), "did:web:issuer.example.gov.uk");
  EXPECT_EQ(*jose::DidWebFromUrl("https://issuer.example.gov.uk/"), "did:web:issuer.example.gov.uk");
  EXPECT_EQ(*jose::DidWebFromUrl("http://127.0.0.1:8443"), "did:web:127.0.0.1%3A8443");
  EXPECT_EQ(*jose::DidWebFromUrl("https://gov.example/dbs/basic"), "did:web:gov.example:dbs:basic");
  EXPECT_EQ(jose::DidWebFromUrl("issuer.example").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(jose::DidWebFromUrl("https://").status().code(), StatusCode::kInvalidArgument);
}

TEST(DidWebTest, DidWebDocumentUrl) {
  EXPECT_EQ(*jose::DidWebDocumentUrl("did:web:issuer.example.gov.uk", false),
            "https://issuer.example.gov.uk/.well-known/did.json");
  EXPECT_EQ(*jose::DidWebDocumentUrl("did:web:127.0.0.1%3A8443", true), "http://127.0.0.1:8443/.well-known/did.json");
  EXPECT_EQ(*jose::DidWebDocumentUrl("did:web:gov.example:dbs:basic", false), "https://gov.example/dbs/basic/did.json");
  EXPECT_EQ(jose::DidWebDocumentUrl("did:key:z6Mk", false).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(jose::DidWebDocumentUrl("did:web:", false).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(jose::DidWebDocumentUrl("did:web:a.example#k1", false).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(jose::DidWebDocumentUrl("did:web:a.example::x", false).status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::wallet
