// Tests for wallet/receive.h and wallet/wallet.h: the OpenID4VCI Pre-Authorized Code Flow against
// the in-memory fake issuer (fake_issuer.h), batch copies each bound to its own device key,
// tx_code prompting, issuer errors surfacing as typed Status, Delete, TakeFreshCopy, and no
// personal data in clear in the wallet's files.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "fake_issuer.h"
#include "mdoc/holder.h"
#include "sdjwt/sdjwt.h"
#include "wallet/receive.h"
#include "wallet/vault_key_store.h"
#include "wallet/wallet.h"
#include "wallet_test_util.h"

namespace bonafide::wallet {
namespace {

using testing::FakeEndpoint;
using testing::FakeIssuer;
using testing::FakeTransport;
using testing::InjectError;
using testing::TempDir;
using oid4vci::Oid4vciError;

constexpr char kPin[] = "271828";

class ReceiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.vault = VaultOptions::InsecureFastKdfForTests();
    options_.clock = &clock_;
    auto wallet = Wallet::Init(dir_.wallet(), kPin, options_);
    ASSERT_TRUE(wallet.ok()) << wallet.status().ToString();
    wallet_ = std::move(*wallet);
  }

  // CountRecords opens the vault a second time and counts records of `kind`.
  size_t CountRecords(std::string_view kind) {
    auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
    EXPECT_TRUE(vault.ok());
    EXPECT_TRUE((*vault)->Unlock(kPin).ok());
    auto records = (*vault)->List(kind);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    return records.ok() ? records->size() : 0;
  }

  Result<std::vector<std::string>> Receive(const std::string& offer, const TxCodeProvider& provider = {}) {
    return wallet_->Receive(offer, provider, transport_);
  }

  // ExpectNothingKept checks that a failed receive left no credential, copy or device key.
  void ExpectNothingKept() {
    EXPECT_EQ(CountRecords(kCredentialRecordKind), 0u);
    EXPECT_EQ(CountRecords(kCopyRecordKind), 0u);
    EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 0u);
  }

  FixedClock clock_{testing::kIssuerNow};
  TempDir dir_;
  WalletOptions options_;
  std::unique_ptr<Wallet> wallet_;
  FakeIssuer issuer_;
  FakeTransport transport_{issuer_};
};

TEST_F(ReceiveTest, SdJwtVcBatchOfThreeEachBoundToItsOwnKey) {
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ(issuer_.last_proof_count, 3u);
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 3u);
  EXPECT_EQ(CountRecords(kCopyRecordKind), 3u);

  auto list = wallet_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  const CredentialSummary& s = (*list)[0];
  EXPECT_EQ(s.id, (*ids)[0]);
  EXPECT_EQ(s.configuration_id, testing::kSdJwtConfig);
  EXPECT_EQ(s.format, "dc+sd-jwt");
  EXPECT_EQ(s.type, testing::kVct);
  EXPECT_EQ(s.issuer, testing::kIssuerId);
  EXPECT_EQ(s.display_name_en, "Basic DBS check");
  EXPECT_EQ(s.display_name_cy, "Gwiriad DBS sylfaenol");
  EXPECT_EQ(s.copies, 3u);
  EXPECT_EQ(s.unused_copies, 3u);
  EXPECT_EQ(s.received_at, testing::kIssuerNow);

  // credential_accepted went to the issuer.
  ASSERT_EQ(issuer_.notifications.size(), 1u);
  EXPECT_EQ(issuer_.notifications[0].second, "credential_accepted");

  // Each copy: its own key, cnf = that key, and a presentation with it verifies.
  std::set<std::string> handles;
  for (size_t i = 0; i < 3; ++i) {
    auto copy = wallet_->TakeFreshCopy((*ids)[0]);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ(copy->remaining, 2 - i);
    EXPECT_EQ(copy->format, "dc+sd-jwt");
    handles.insert(copy->key_handle);
    auto held = sdjwt::HeldSdJwt::FromIssuance(copy->credential);
    ASSERT_TRUE(held.ok());
    auto cnf = crypto::PublicKey::FromJwk(held->unverified_payload()["cnf"]["jwk"]);
    ASSERT_TRUE(cnf.ok());
    auto key = wallet_->key_store().PublicKey(copy->key_handle);
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(key->Equals(*cnf));
    auto signer = KeyStoreSigner::Create(wallet_->key_store(), copy->key_handle);
    ASSERT_TRUE(signer.ok());
    auto sdjwt_path = sdjwt::ClaimPath::Parse("given_name");
    ASSERT_TRUE(sdjwt_path.ok());
    sdjwt::KeyBindingRequest kb{&*signer, "https://verifier.example", "n-" + std::to_string(i), testing::kIssuerNow};
    auto presentation = held->Present({*sdjwt_path}, kb);
    ASSERT_TRUE(presentation.ok()) << presentation.status().ToString();
    auto parsed = sdjwt::UnverifiedSdJwt::Parse(*presentation);
    ASSERT_TRUE(parsed.ok());
    sdjwt::VerifyOptions verify(clock_);
    verify.ExpectKeyBinding("n-" + std::to_string(i), "https://verifier.example");
    auto verified = sdjwt::VerifySdJwt(*parsed, issuer_.issuer_public_key(), verify);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->claims()["given_name"], testing::kHolderGivenName);
  }
  EXPECT_EQ(handles.size(), 3u);
  // Exhausted: the boundary after the third copy.
  auto fourth = wallet_->TakeFreshCopy((*ids)[0]);
  EXPECT_EQ(fourth.status().code(), StatusCode::kLimitExceeded);
  auto after = wallet_->List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].unused_copies, 0u);
}

TEST_F(ReceiveTest, MdocBatchOfThreeEachBoundToItsOwnKey) {
  auto ids = Receive(issuer_.CreateOffer({testing::kMdocConfig}));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 3u);
  auto list = wallet_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].format, "mso_mdoc");
  EXPECT_EQ((*list)[0].type, testing::kMdlDocType);
  EXPECT_EQ((*list)[0].display_name_en, "Driving licence");  // en-GB matches en
  EXPECT_EQ((*list)[0].display_name_cy, "Trwydded yrru");
  std::set<std::string> handles;
  for (int i = 0; i < 3; ++i) {
    auto copy = wallet_->TakeFreshCopy((*ids)[0]);
    ASSERT_TRUE(copy.ok());
    handles.insert(copy->key_handle);
    auto bytes = Base64UrlDecode(copy->credential);
    ASSERT_TRUE(bytes.ok());
    auto held = mdoc::HeldMdoc::Decode(*bytes);
    ASSERT_TRUE(held.ok());
    auto key = wallet_->key_store().PublicKey(copy->key_handle);
    ASSERT_TRUE(key.ok());
    EXPECT_TRUE(key->Equals(held->device_key()));  // MSO deviceKey is this copy's key
  }
  EXPECT_EQ(handles.size(), 3u);
  EXPECT_EQ(wallet_->TakeFreshCopy((*ids)[0]).status().code(), StatusCode::kLimitExceeded);

  auto shown = wallet_->Show((*ids)[0]);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ((*shown)["claims"]["org.iso.18013.5.1"]["family_name"], testing::kHolderFamilyName);
  EXPECT_EQ((*shown)["claims"]["org.iso.18013.5.1"]["age_over_18"], true);
}

TEST_F(ReceiveTest, ShowSdJwtGivesDisclosedClaims) {
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok());
  auto shown = wallet_->Show((*ids)[0]);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ((*shown)["claims"]["family_name"], testing::kHolderFamilyName);
  EXPECT_EQ((*shown)["claims"]["vct"], testing::kVct);
  EXPECT_EQ((*shown)["unused_copies"], 3);
  EXPECT_EQ((*shown)["display_name"]["cy"], "Gwiriad DBS sylfaenol");
  EXPECT_EQ(wallet_->Show("AAAAAAAAAAAAAAAAAAAAAA").status().code(), StatusCode::kNotFound);
}

TEST_F(ReceiveTest, TwoConfigurationsInOneOffer) {
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig, testing::kMdocConfig}));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(ids->size(), 2u);
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 6u);
  EXPECT_EQ(issuer_.notifications.size(), 2u);
}

TEST_F(ReceiveTest, OfferByReferenceIsFetched) {
  const std::string offer = issuer_.CreateOffer({testing::kSdJwtConfig}, std::nullopt, /*by_reference=*/true);
  ASSERT_NE(offer.find("credential_offer_uri"), std::string::npos);
  auto ids = Receive(offer);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(transport_.log.front(), "GET https://issuer.example.gov.uk/offers/code-1");
}

TEST_F(ReceiveTest, BatchSizeCappedByOptionsAndAbsentBatchGivesOne) {
  options_.receive.max_copies = 2;
  auto capped = Wallet::Open(dir_.wallet(), options_);
  ASSERT_TRUE(capped.ok());
  ASSERT_TRUE((*capped)->Unlock(kPin).ok());
  auto ids = (*capped)->Receive(issuer_.CreateOffer({testing::kSdJwtConfig}), {}, transport_);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(issuer_.last_proof_count, 2u);

  issuer_.metadata().batch_size.reset();
  auto single = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(issuer_.last_proof_count, 1u);

  options_.receive.max_copies = 0;
  auto zero = Wallet::Open(dir_.wallet(), options_);
  ASSERT_TRUE(zero.ok());
  ASSERT_TRUE((*zero)->Unlock(kPin).ok());
  const int before = issuer_.requests;
  EXPECT_EQ((*zero)->Receive(issuer_.CreateOffer({testing::kSdJwtConfig}), {}, transport_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(issuer_.requests, before);
  options_.receive.max_copies = kMaxCopies + 1;
  auto over = Wallet::Open(dir_.wallet(), options_);
  ASSERT_TRUE((*over)->Unlock(kPin).ok());
  EXPECT_EQ((*over)->Receive(issuer_.CreateOffer({testing::kSdJwtConfig}), {}, transport_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ReceiveTest, DidKeyProofFormWhenConfigured) {
  issuer_.metadata().credential_configurations_supported[testing::kSdJwtConfig]
      .cryptographic_binding_methods_supported = {"did:key"};
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  // Neither jwk nor did: no binding method in common.
  issuer_.metadata().credential_configurations_supported[testing::kSdJwtConfig]
      .cryptographic_binding_methods_supported = {"x5c"};
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kUnsupportedAlgorithm);
}

TEST_F(ReceiveTest, TxCodeIsAskedForAndSent) {
  int asked = 0;
  TxCodeProvider provider = [&](const oid4vci::TxCode& tx) -> Result<std::string> {
    ++asked;
    EXPECT_EQ(tx.length, 6);
    EXPECT_EQ(tx.description, "Enter the code we sent to your phone");
    return std::string("493027");
  };
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}, "493027"), provider);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(asked, 1);
  // No tx_code needed: the provider is not called.
  ASSERT_TRUE(Receive(issuer_.CreateOffer({testing::kSdJwtConfig}), provider).ok());
  EXPECT_EQ(asked, 1);
}

TEST_F(ReceiveTest, WrongTxCodeIsInvalidGrant) {
  TxCodeProvider wrong = [](const oid4vci::TxCode&) -> Result<std::string> { return std::string("493028"); };
  auto result = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}, "493027"), wrong);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("invalid_grant"), std::string::npos) << result.status().message();
  EXPECT_NE(result.status().message().find("token endpoint"), std::string::npos);
  ExpectNothingKept();
}

TEST_F(ReceiveTest, TxCodeNeededWithoutProviderOrCancelled) {
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig}, "493027")).status().code(),
            StatusCode::kInvalidArgument);
  TxCodeProvider cancel = [](const oid4vci::TxCode&) -> Result<std::string> {
    return Error(StatusCode::kIoError, "user cancelled");
  };
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig}, "493027"), cancel).status().code(),
            StatusCode::kIoError);
  ExpectNothingKept();
}

TEST_F(ReceiveTest, ReusedOfferIsInvalidGrant) {
  const std::string offer = issuer_.CreateOffer({testing::kSdJwtConfig});
  ASSERT_TRUE(Receive(offer).ok());
  auto again = Receive(offer);
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.status().message().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 3u);  // only the first receipt's keys
}

struct EndpointErrorCase {
  FakeEndpoint endpoint;
  Oid4vciError error;
  StatusCode code;
  const char* name;
};

TEST_F(ReceiveTest, IssuerErrorsSurfaceAsTypedStatus) {
  const EndpointErrorCase cases[] = {
      {FakeEndpoint::kToken, Oid4vciError::kInvalidGrant, StatusCode::kInvalidArgument, "invalid_grant"},
      {FakeEndpoint::kToken, Oid4vciError::kInvalidRequest, StatusCode::kMalformed, "invalid_request"},
      {FakeEndpoint::kToken, Oid4vciError::kInvalidClient, StatusCode::kUntrustedIssuer, "invalid_client"},
      {FakeEndpoint::kToken, Oid4vciError::kUnsupportedGrantType, StatusCode::kInvalidType, "unsupported_grant_type"},
      {FakeEndpoint::kCredential, Oid4vciError::kInvalidProof, StatusCode::kInvalidKey, "invalid_proof"},
      {FakeEndpoint::kCredential, Oid4vciError::kInvalidNonce, StatusCode::kNonceMismatch, "invalid_nonce"},
      {FakeEndpoint::kCredential, Oid4vciError::kInvalidToken, StatusCode::kExpired, "invalid_token"},
      {FakeEndpoint::kCredential, Oid4vciError::kUnknownCredentialConfiguration, StatusCode::kNotFound,
       "unknown_credential_configuration"},
      {FakeEndpoint::kCredential, Oid4vciError::kInvalidCredentialRequest, StatusCode::kMalformed,
       "invalid_credential_request"},
      {FakeEndpoint::kCredential, Oid4vciError::kCredentialRequestDenied, StatusCode::kInvalidClaims,
       "credential_request_denied"},
      {FakeEndpoint::kCredential, Oid4vciError::kInvalidEncryptionParameters, StatusCode::kUnsupportedAlgorithm,
       "invalid_encryption_parameters"},
      {FakeEndpoint::kNonce, Oid4vciError::kInvalidRequest, StatusCode::kMalformed, "invalid_request"},
  };
  for (const EndpointErrorCase& c : cases) {
    issuer_.inject.clear();
    issuer_.inject[c.endpoint] = InjectError(c.error);
    auto result = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
    EXPECT_EQ(result.status().code(), c.code) << c.name << ": " << result.status().ToString();
    EXPECT_NE(result.status().message().find(c.name), std::string::npos) << result.status().message();
    EXPECT_NE(result.status().message().find("injected"), std::string::npos);  // the description
  }
  issuer_.inject.clear();
  ExpectNothingKept();
  EXPECT_TRUE(issuer_.notifications.empty());
  // Boundary: with nothing injected the same offer flow succeeds.
  EXPECT_TRUE(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).ok());
}

TEST_F(ReceiveTest, HttpFailuresWithoutErrorBodyAreIoError) {
  const FakeEndpoint endpoints[] = {FakeEndpoint::kIssuerMetadata, FakeEndpoint::kAsMetadata, FakeEndpoint::kToken,
                                    FakeEndpoint::kNonce, FakeEndpoint::kCredential};
  for (FakeEndpoint e : endpoints) {
    issuer_.inject.clear();
    issuer_.inject[e] = testing::Injected{500, "<html>oops</html>"};
    auto result = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
    EXPECT_EQ(result.status().code(), StatusCode::kIoError) << result.status().ToString();
    EXPECT_NE(result.status().message().find("HTTP 500"), std::string::npos);
  }
  issuer_.inject.clear();
  issuer_.inject[FakeEndpoint::kOffer] = testing::Injected{404, ""};
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig}, std::nullopt, true)).status().code(),
            StatusCode::kIoError);
  issuer_.inject.clear();
  transport_.down = true;
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kIoError);
  transport_.down = false;
  ExpectNothingKept();
}

TEST_F(ReceiveTest, NotificationFailureDoesNotUndoReceipt) {
  issuer_.inject[FakeEndpoint::kNotification] = InjectError(Oid4vciError::kInvalidNotificationId);
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(CountRecords(kCredentialRecordKind), 1u);
}

TEST_F(ReceiveTest, BadCredentialResponsesAreRefused) {
  issuer_.tamper = FakeIssuer::Tamper::kForeignKey;
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kInvalidKey);
  issuer_.tamper = FakeIssuer::Tamper::kDuplicateKey;
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kMdocConfig})).status().code(), StatusCode::kInvalidKey);
  issuer_.tamper = FakeIssuer::Tamper::kWrongType;
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kMdocConfig})).status().code(), StatusCode::kInvalidType);
  issuer_.tamper = FakeIssuer::Tamper::kDropOne;
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kInvalidClaims);
  ExpectNothingKept();
  EXPECT_TRUE(issuer_.notifications.empty());
}

TEST_F(ReceiveTest, MetadataChecks) {
  // Metadata for another issuer.
  issuer_.metadata().credential_issuer = "https://other.example.gov.uk";
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kInvalidClaims);
  issuer_.metadata().credential_issuer = testing::kIssuerId;
  // A configuration the metadata does not publish.
  EXPECT_EQ(Receive(issuer_.CreateOffer({"no_such_config"})).status().code(), StatusCode::kNotFound);
  // No algorithm in common.
  issuer_.metadata().credential_configurations_supported[testing::kSdJwtConfig]
      .proof_types_supported["jwt"].proof_signing_alg_values_supported = {"RS256"};
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kUnsupportedAlgorithm);
  ExpectNothingKept();
}

TEST_F(ReceiveTest, LockedWalletSendsNothing) {
  wallet_->Lock();
  EXPECT_EQ(Receive(issuer_.CreateOffer({testing::kSdJwtConfig})).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(issuer_.requests, 0);
  EXPECT_EQ(wallet_->List().status().code(), StatusCode::kInvalidKey);
  ASSERT_TRUE(wallet_->Unlock(kPin).ok());
  EXPECT_TRUE(wallet_->List().ok());
}

TEST_F(ReceiveTest, DeleteRemovesCopiesAndKeysAndNotifies) {
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok());
  auto keep = Receive(issuer_.CreateOffer({testing::kMdocConfig}));
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 6u);
  auto copy = wallet_->TakeFreshCopy((*ids)[0]);
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(wallet_->Delete((*ids)[0], &transport_).ok());
  EXPECT_EQ(CountRecords(kDeviceKeyRecordKind), 3u);
  EXPECT_EQ(CountRecords(kCopyRecordKind), 3u);
  EXPECT_EQ(CountRecords(kCredentialRecordKind), 1u);
  EXPECT_EQ(wallet_->key_store().PublicKey(copy->key_handle).status().code(), StatusCode::kNotFound);
  ASSERT_EQ(issuer_.notifications.size(), 3u);
  EXPECT_EQ(issuer_.notifications.back().second, "credential_deleted");
  EXPECT_EQ(wallet_->Delete((*ids)[0], &transport_).code(), StatusCode::kNotFound);
  EXPECT_EQ(wallet_->TakeFreshCopy((*ids)[0]).status().code(), StatusCode::kNotFound);
  // Without a transport: deleted, no notification.
  ASSERT_TRUE(wallet_->Delete((*keep)[0]).ok());
  EXPECT_EQ(issuer_.notifications.size(), 3u);
  ExpectNothingKept();
}

TEST_F(ReceiveTest, SummaryCarriesTheIssuersDisplayMetadata) {
  oid4vci::CredentialConfiguration& sd = issuer_.metadata().credential_configurations_supported[testing::kSdJwtConfig];
  ASSERT_EQ(sd.display.size(), 2u);
  // The Welsh entry comes first and has other colours: the English entry's win.
  sd.display[1].background_color = "#d4351c";
  sd.display[1].text_color = "#0b0c0c";
  std::swap(sd.display[0], sd.display[1]);
  sd.display[1].background_color = "#00703C";
  sd.display[1].text_color = "#FFFFFF";
  oid4vci::ClaimDescription given;
  given.path = Json::array({"given_name"});
  given.display = {{"Forenames", "en"}, {"Enwau cyntaf", "cy"}};
  oid4vci::ClaimDescription family;
  family.path = Json::array({"family_name"});
  family.display = {{"Surname", std::nullopt}};  // no locale: English
  oid4vci::ClaimDescription unnamed;
  unnamed.path = Json::array({"birthdate"});  // described, but no label
  sd.claims = {given, family, unnamed};
  ASSERT_TRUE(Receive(issuer_.CreateOffer({testing::kSdJwtConfig, testing::kMdocConfig})).ok());

  auto list = wallet_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  const CredentialSummary* sd_summary = nullptr;
  const CredentialSummary* md_summary = nullptr;
  for (const CredentialSummary& s : *list) (s.format == "dc+sd-jwt" ? sd_summary : md_summary) = &s;
  ASSERT_NE(sd_summary, nullptr);
  ASSERT_NE(md_summary, nullptr);
  EXPECT_EQ(sd_summary->issuer_name_en, "Disclosure and Barring Service");
  EXPECT_EQ(sd_summary->issuer_name_cy, "Gwasanaeth Datgelu a Gwahardd");
  EXPECT_EQ(sd_summary->background_color, "#00703C");
  EXPECT_EQ(sd_summary->text_color, "#FFFFFF");
  ASSERT_EQ(sd_summary->claim_labels.size(), 2u) << "a description without a label is not kept";
  EXPECT_EQ(sd_summary->claim_labels[0].path, std::vector<std::string>{"given_name"});
  EXPECT_EQ(sd_summary->claim_labels[0].en, "Forenames");
  EXPECT_EQ(sd_summary->claim_labels[0].cy, "Enwau cyntaf");
  EXPECT_EQ(sd_summary->claim_labels[1].en, "Surname");
  EXPECT_EQ(sd_summary->claim_labels[1].cy, "");
  // Boundary: the mdoc configuration has no colours or labels; the issuer name is the same.
  EXPECT_EQ(md_summary->issuer_name_en, "Disclosure and Barring Service");
  EXPECT_EQ(md_summary->background_color, "");
  EXPECT_EQ(md_summary->text_color, "");
  EXPECT_TRUE(md_summary->claim_labels.empty());

  // ToJson keeps the existing members and adds the new ones.
  const Json json = sd_summary->ToJson();
  EXPECT_EQ(json["display_name"]["en"], "Basic DBS check");
  EXPECT_EQ(json["issuer"], testing::kIssuerId);
  EXPECT_EQ(json["issuer_name"]["cy"], "Gwasanaeth Datgelu a Gwahardd");
  EXPECT_EQ(json["background_color"], "#00703C");
  EXPECT_EQ(json["text_color"], "#FFFFFF");
  EXPECT_EQ(json["claim_labels"][0]["path"], Json::array({"given_name"}));
  EXPECT_EQ(json["claim_labels"][0]["cy"], "Enwau cyntaf");
  auto shown = wallet_->Show(sd_summary->id);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["issuer_name"]["en"], "Disclosure and Barring Service");
}

TEST_F(ReceiveTest, RecordWithoutDisplayMetadataStillLoads) {
  oid4vci::CredentialConfiguration& sd = issuer_.metadata().credential_configurations_supported[testing::kSdJwtConfig];
  sd.display[0].background_color = "#1d70b8";
  auto ids = Receive(issuer_.CreateOffer({testing::kSdJwtConfig}));
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  // Rewrite the record as an older wallet wrote it: without the display-metadata members.
  {
    auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
    ASSERT_TRUE(vault.ok());
    ASSERT_TRUE((*vault)->Unlock(kPin).ok());
    auto record = (*vault)->Get(kCredentialRecordKind, (*ids)[0]);
    ASSERT_TRUE(record.ok());
    ASSERT_TRUE(record->metadata.has_value());
    Json metadata = *record->metadata;
    EXPECT_TRUE(metadata.contains("issuer_display"));
    EXPECT_TRUE(metadata.contains("background_color"));
    for (const char* key : {"issuer_display", "background_color", "text_color", "claim_labels"}) metadata.erase(key);
    ASSERT_TRUE((*vault)->Put(kCredentialRecordKind, (*ids)[0], record->payload.view(), metadata).ok());
  }
  auto list = wallet_->List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  const CredentialSummary& s = (*list)[0];
  EXPECT_EQ(s.display_name_en, "Basic DBS check");
  EXPECT_EQ(s.copies, 3u);
  EXPECT_EQ(s.issuer_name_en, "");
  EXPECT_EQ(s.issuer_name_cy, "");
  EXPECT_EQ(s.background_color, "");
  EXPECT_EQ(s.text_color, "");
  EXPECT_TRUE(s.claim_labels.empty());
  EXPECT_TRUE(wallet_->Show(s.id).ok());
  auto copy = wallet_->TakeFreshCopy(s.id);
  EXPECT_TRUE(copy.ok()) << copy.status().ToString();
  // A mistyped member (a corrupted or foreign record) is treated as missing, not as an error.
  {
    auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
    ASSERT_TRUE(vault.ok());
    ASSERT_TRUE((*vault)->Unlock(kPin).ok());
    auto record = (*vault)->Get(kCredentialRecordKind, (*ids)[0]);
    ASSERT_TRUE(record.ok());
    Json metadata = *record->metadata;
    metadata["issuer_display"] = "not an array";
    metadata["background_color"] = 7;
    metadata["claim_labels"] = Json::array({Json{{"path", Json::array({"a", 1})}, {"display", Json::array()}}, 3});
    ASSERT_TRUE((*vault)->Put(kCredentialRecordKind, (*ids)[0], record->payload.view(), metadata).ok());
  }
  list = wallet_->List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ((*list)[0].issuer_name_en, "");
  EXPECT_EQ((*list)[0].background_color, "");
  EXPECT_TRUE((*list)[0].claim_labels.empty());
}

TEST_F(ReceiveTest, NoPersonalDataInClearInWalletFiles) {
  ASSERT_TRUE(Receive(issuer_.CreateOffer({testing::kSdJwtConfig, testing::kMdocConfig})).ok());
  auto list = wallet_->List();
  ASSERT_TRUE(list.ok());
  // The data is in the wallet (so the grep below can fail)...
  auto shown = wallet_->Show((*list)[0].id);
  ASSERT_TRUE(shown.ok());
  EXPECT_NE(DumpJson(*shown).find(testing::kDocumentNumber), std::string::npos);
  wallet_.reset();  // close, so everything is in the files
  for (const char* needle : {testing::kHolderFamilyName, testing::kHolderGivenName, testing::kDocumentNumber,
                             "Basic DBS check", testing::kIssuerId, testing::kVct}) {
    EXPECT_TRUE(testing::FilesContaining(dir_.wallet(), needle).empty()) << needle;
  }
  // Boundary: record kinds are stored in clear, so the scan does see the files' contents.
  EXPECT_FALSE(testing::FilesContaining(dir_.wallet(), "credential_copy").empty());
}

TEST(ReceiveHelpersTest, WellKnownUrl) {
  EXPECT_EQ(*WellKnownUrl("https://issuer.example", "/.well-known/x"), "https://issuer.example/.well-known/x");
  EXPECT_EQ(*WellKnownUrl("https://issuer.example/", "/.well-known/x"), "https://issuer.example/.well-known/x");
  EXPECT_EQ(*WellKnownUrl("https://issuer.example/tenant/1", "/.well-known/x"),
            "https://issuer.example/.well-known/x/tenant/1");
  EXPECT_EQ(WellKnownUrl("issuer.example", "/.well-known/x").status().code(), StatusCode::kInvalidArgument);
}

TEST(ReceiveHelpersTest, StatusFromHttpError) {
  HttpResponse bad{400, {}, R"({"error":"invalid_grant","error_description":"expired"})"};
  Status s = StatusFromHttpError("token endpoint", bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "token endpoint: invalid_grant: expired");
  HttpResponse unknown{400, {}, R"({"error":"made_up"})"};
  EXPECT_EQ(StatusFromHttpError("x", unknown).code(), StatusCode::kIoError);
  HttpResponse not_json{502, {}, "Bad Gateway"};
  EXPECT_EQ(StatusFromHttpError("x", not_json).message(), "x: HTTP 502");
}

}  // namespace
}  // namespace bonafide::wallet
