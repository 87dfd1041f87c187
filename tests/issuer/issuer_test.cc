// Tests of the issuer core (src/issuer): InitDataDir, the Pre-Authorized Code Flow in memory for
// every catalogue configuration with the wallet side of oid4vci, the credentials verified by the
// format verifiers, batch issuance, the exact OID4VCI error of each failure, admin status
// changes and the audit chain. SQLite in a temp dir (the store tests cover PostgreSQL).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "issuer/config.h"
#include "issuer/http_routes.h"
#include "issuer/service.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "mdoc/iaca.h"
#include "mdoc/verifier.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/bitstring_status_list.h"
#include "status/status_list_cwt.h"
#include "status/status_list_token.h"
#include "vcjwt/vc_jwt.h"

namespace bonafide::issuer {
namespace {

namespace fs = std::filesystem;
using oid4vci::Oid4vciError;

constexpr char kIssuerUrl[] = "https://issuer.example.gov.uk";
constexpr char kCitizen[] = "demo-0001";

class IssuerTest : public ::testing::Test {
 protected:
  // Init lets a derived fixture change how the data directory is made.
  virtual void Init(InitOptions&) {}

  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("bonafide-issuer-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    InitOptions o;
    o.issuer_url = kIssuerUrl;
    o.demo = true;
    Init(o);
    Result<IssuerConfig> init = InitDataDir(dir_, o, clock_);
    ASSERT_TRUE(init.ok()) << init.status().ToString();
    Result<IssuerConfig> config = LoadIssuerConfig(dir_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    Result<std::unique_ptr<store::IssuerStore>> st = OpenIssuerStore(*config);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    Result<std::unique_ptr<IssuerService>> svc =
        IssuerService::Create(std::move(*config), std::move(*st), clock_, crypto::SystemRandom());
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    svc_ = std::move(*svc);
  }
  void TearDown() override {
    svc_.reset();
    fs::remove_all(dir_);
  }

  // Issued returns the records of kCitizen by value (no reference into a temporary Result).
  std::vector<store::IssuedCredential> Issued() {
    Result<std::vector<store::IssuedCredential>> r = svc_->ListIssued(kCitizen);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r) : std::vector<store::IssuedCredential>{};
  }

  crypto::PrivateKey NewKey() { return *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256); }

  // Offer + token: returns the access token ("" on failure, with a test failure).
  std::string AccessToken(const std::string& configuration, const std::string& citizen = kCitizen) {
    Result<OfferResult> offer = svc_->CreateOffer(citizen, configuration, false);
    EXPECT_TRUE(offer.ok()) << offer.status().ToString();
    if (!offer.ok()) return "";
    TokenOutcome t = svc_->Token(TokenBody(offer->pre_authorized_code));
    EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(t));
    if (!std::holds_alternative<oid4vci::TokenResponse>(t)) return "";
    return std::get<oid4vci::TokenResponse>(t).access_token;
  }
  static std::string TokenBody(const std::string& code, std::optional<std::string> tx = std::nullopt) {
    oid4vci::TokenRequest r;
    r.pre_authorized_code = code;
    r.tx_code = std::move(tx);
    return r.ToForm();
  }
  std::string NewNonce() {
    Result<oid4vci::NonceResponse> n = svc_->Nonce();
    EXPECT_TRUE(n.ok());
    return n.ok() ? n->c_nonce : "";
  }
  std::string Proof(const crypto::PrivateKey& key, const std::string& nonce, const std::string& aud = kIssuerUrl) {
    oid4vci::ProofJwtParams p;
    p.credential_issuer = aud;
    p.nonce = nonce;
    p.issued_at = clock_.NowSeconds();
    Result<std::string> jwt = oid4vci::BuildProofJwt(key, p);
    EXPECT_TRUE(jwt.ok()) << jwt.status().ToString();
    return jwt.ok() ? *jwt : "";
  }
  static std::string Body(const std::string& configuration, const std::vector<std::string>& proofs) {
    oid4vci::CredentialRequest r;
    r.credential_configuration_id = configuration;
    r.unverified_jwt_proofs = proofs;
    return DumpJson(r.ToJson());
  }
  CredentialOutcome Request(const std::string& token, const std::string& configuration,
                            const std::vector<std::string>& proofs) {
    return svc_->Credential("Bearer " + token, Body(configuration, proofs));
  }
  static Oid4vciError ErrorOf(const CredentialOutcome& o) {
    EXPECT_TRUE(std::holds_alternative<oid4vci::ErrorResponse>(o)) << "expected an error";
    if (!std::holds_alternative<oid4vci::ErrorResponse>(o)) return Oid4vciError::kInvalidRequest;
    return std::get<oid4vci::ErrorResponse>(o).error;
  }
  static Oid4vciError ErrorOf(const TokenOutcome& o) {
    EXPECT_TRUE(std::holds_alternative<oid4vci::ErrorResponse>(o)) << "expected an error";
    if (!std::holds_alternative<oid4vci::ErrorResponse>(o)) return Oid4vciError::kInvalidRequest;
    return std::get<oid4vci::ErrorResponse>(o).error;
  }
  static const oid4vci::CredentialResponse* Ok(const CredentialOutcome& o) {
    if (const auto* e = std::get_if<oid4vci::ErrorResponse>(&o)) {
      ADD_FAILURE() << "error " << oid4vci::Oid4vciErrorName(e->error) << ": " << e->error_description.value_or("");
      return nullptr;
    }
    return &std::get<oid4vci::CredentialResponse>(o);
  }

  // Verifies one issued credential with the verifier of its format.
  void VerifyCredential(const std::string& configuration, const std::string& credential,
                        const crypto::PrivateKey& holder) {
    const CatalogueEntry& e = svc_->config().catalogue.at(configuration);
    switch (e.format()) {
      case oid4vci::CredentialFormat::kSdJwtVc: {
        Result<sdjwt::UnverifiedSdJwt> parsed = sdjwt::UnverifiedSdJwt::Parse(credential);
        ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
        std::vector<sdjwt::ClaimPath> reveal = {*sdjwt::ClaimPath::Parse("family_name"),
                                                *sdjwt::ClaimPath::Parse("age_over_18")};
        Result<std::string> presented =
            sdjwt::Present(*parsed, reveal, sdjwt::KeyBindingRequest{&holder, "https://rp.example", "n-1",
                                                                     clock_.NowSeconds()});
        ASSERT_TRUE(presented.ok()) << presented.status().ToString();
        Result<sdjwt::UnverifiedSdJwt> pres = sdjwt::UnverifiedSdJwt::Parse(*presented);
        ASSERT_TRUE(pres.ok());
        sdjwt::SdJwtVcTrust trust;
        trust.issuer_metadata = {svc_->JwtVcIssuerMetadata()};
        sdjwt::VerifyOptions vo(clock_);
        vo.ExpectKeyBinding("n-1", "https://rp.example").AllowUncheckedStatus();
        Result<sdjwt::VerifiedSdJwtVc> v = sdjwt::VerifySdJwtVc(*pres, trust, vo, *e.metadata.vct);
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        EXPECT_EQ(v->claims()["family_name"], "Morrison");
        EXPECT_FALSE(v->claims().contains("birth_date"));  // selectively disclosable, not revealed
        break;
      }
      case oid4vci::CredentialFormat::kMsoMdoc: {
        Result<Bytes> raw = Base64UrlDecode(credential);
        ASSERT_TRUE(raw.ok());
        Result<cbor::Value> issuer_signed = cbor::Decode(*raw);
        ASSERT_TRUE(issuer_signed.ok());
        std::vector<crypto::Certificate> anchors;
        for (const std::string& pem : svc_->Iacas()) anchors.push_back(*crypto::Certificate::FromPem(pem));
        auto trust = mdoc::IacaTrustStore::Create(anchors);
        ASSERT_TRUE(trust.ok());
        mdoc::DeviceResponseVerifier verifier(**trust, clock_);
        verifier.SkipStatusCheck().ExpectDocType(*e.metadata.doctype);
        Result<mdoc::VerifiedDocument> doc = verifier.VerifyIssuerSigned(*issuer_signed);
        ASSERT_TRUE(doc.ok()) << doc.status().ToString();
        ASSERT_TRUE(doc->status_reference().has_value());
        EXPECT_EQ(doc->status_reference()->uri, std::string(kIssuerUrl) + "/status/token-1");
        break;
      }
      case oid4vci::CredentialFormat::kJwtVcJson: {
        vcjwt::VerifyOptions vo;
        vo.trusted_issuers = {svc_->DidDocument()};
        vo.expected_type = e.vc_type;
        vo.AllowUncheckedStatus();
        Result<vcjwt::VerifiedVcJwt> v = vcjwt::VerifyVcJwt(credential, vo, clock_);
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        EXPECT_TRUE(v->has_status());
        EXPECT_EQ(v->subject(), *jose::DidKeyFromPublicKey(holder.public_key()));
        break;
      }
    }
  }

  FixedClock clock_{SystemClock::Default().NowSeconds()};
  std::string dir_;
  std::unique_ptr<IssuerService> svc_;
};

TEST_F(IssuerTest, InitDataDirMakesALoadableConfigAndRefusesASecondInit) {
  Result<IssuerConfig> c = LoadIssuerConfig(dir_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->issuer_url, kIssuerUrl);
  EXPECT_EQ(c->catalogue.size(), 7u);
  EXPECT_EQ(c->vc_did, "did:web:issuer.example.gov.uk");
  Result<store::StatusListRecord> token_list = svc_->store().GetStatusList("token-1");
  ASSERT_TRUE(token_list.ok());
  EXPECT_EQ(token_list->bits, 2);
  EXPECT_EQ(token_list->size, 100000);
  EXPECT_TRUE(svc_->store().GetStatusList("bitstring-1").ok());
  EXPECT_EQ(*svc_->store().CountCitizens(), 3);
  InitOptions o;
  o.issuer_url = kIssuerUrl;
  EXPECT_EQ(InitDataDir(dir_, o, clock_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadIssuerConfig(dir_ + "/missing").status().code(), StatusCode::kIoError);
}

TEST_F(IssuerTest, ConfigValidationNamesBadMembers) {
  Json doc = svc_->config().ToJson();
  EXPECT_TRUE(IssuerConfig::FromJson(doc, dir_).ok());
  Json bad = doc;
  bad["issuer_url"] = "http://issuer.example";  // http off loopback
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad = doc;
  bad["issuer_url"] = "http://127.0.0.1:8080";  // boundary: loopback http passes
  EXPECT_TRUE(IssuerConfig::FromJson(bad, dir_).ok());
  bad = doc;
  bad["keys"]["sd_jwt"][0]["active"] = false;  // no active key
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad = doc;
  bad["batch_size"] = 101;
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad["batch_size"] = 100;  // boundary
  EXPECT_TRUE(IssuerConfig::FromJson(bad, dir_).ok());
  bad = doc;
  bad["credential_configurations"]["uk.gov.gro.marriage"]["status_list"] = "nope";
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IssuerTest, MetadataDocuments) {
  Json md = svc_->CredentialIssuerMetadata();
  oid4vci::MetadataParseOptions o;
  Result<oid4vci::CredentialIssuerMetadata> parsed = oid4vci::CredentialIssuerMetadata::FromJson(md, o);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->credential_configurations_supported.size(), 7u);
  EXPECT_EQ(parsed->batch_size, 3);
  EXPECT_EQ(parsed->display.size(), 2u);
  EXPECT_FALSE(md["credential_configurations_supported"]["uk.gov.gro.marriage"].contains("valid_days"));
  EXPECT_TRUE(oid4vci::AuthorizationServerMetadata::FromJson(svc_->AuthorizationServerMetadata()).ok());
  EXPECT_EQ(svc_->JwtVcIssuerMetadata()["jwks"]["keys"].size(), 1u);
  EXPECT_EQ(svc_->DidDocument()["id"], "did:web:issuer.example.gov.uk");
  EXPECT_EQ(svc_->Iacas().size(), 1u);
}

TEST_F(IssuerTest, FullFlowForEveryCatalogueConfiguration) {
  for (const auto& [id, entry] : svc_->config().catalogue) {
    SCOPED_TRACE(id);
    Result<OfferResult> offer = svc_->CreateOffer(kCitizen, id, false);
    ASSERT_TRUE(offer.ok());
    Result<oid4vci::CredentialOfferLink> link = oid4vci::ParseCredentialOfferUri(offer->offer_uri);
    ASSERT_TRUE(link.ok()) << link.status().ToString();
    const auto& wire = std::get<oid4vci::CredentialOffer>(*link);
    ASSERT_TRUE(wire.pre_authorized_code.has_value());
    TokenOutcome t = svc_->Token(TokenBody(wire.pre_authorized_code->pre_authorized_code));
    ASSERT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(t));
    crypto::PrivateKey holder = NewKey();
    CredentialOutcome c =
        Request(std::get<oid4vci::TokenResponse>(t).access_token, id, {Proof(holder, NewNonce())});
    const oid4vci::CredentialResponse* resp = Ok(c);
    ASSERT_NE(resp, nullptr);
    ASSERT_EQ(resp->credentials.size(), 1u);
    ASSERT_TRUE(resp->notification_id.has_value());
    VerifyCredential(id, resp->credentials[0].credential.get<std::string>(), holder);
  }
  EXPECT_EQ(Issued().size(), 7u);
  EXPECT_TRUE(svc_->store().VerifyAuditChain().ok());
}

TEST_F(IssuerTest, BatchOfThreeGivesThreeCredentialsWithDistinctIndices) {
  const std::string token = AccessToken("uk.gov.digital-id.mdoc");
  const std::string nonce = NewNonce();
  crypto::PrivateKey k1 = NewKey(), k2 = NewKey(), k3 = NewKey();
  const oid4vci::CredentialResponse* resp = nullptr;
  CredentialOutcome c = Request(token, "uk.gov.digital-id.mdoc", {Proof(k1, nonce), Proof(k2, nonce), Proof(k3, nonce)});
  resp = Ok(c);
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->credentials.size(), 3u);
  auto records = Issued();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].status_index, records[1].status_index);
  EXPECT_NE(records[1].status_index, records[2].status_index);
  EXPECT_NE(records[0].status_index, records[2].status_index);
  for (const auto& r : records) EXPECT_EQ(r.batch_group_id, *resp->notification_id);
  // The copies' record ids are distinct neighbours: one stem (time and random part), then the
  // copy's number.
  std::set<std::string> ids;
  for (const auto& r : records) {
    ASSERT_EQ(r.id.size(), 10u + 22u + 2u) << r.id;
    EXPECT_EQ(r.id.substr(0, 32), records[0].id.substr(0, 32));
    ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(*ids.begin(), records[0].id.substr(0, 32) + "00");
  EXPECT_EQ(*ids.rbegin(), records[0].id.substr(0, 32) + "02");
  // The audit entry names the batch, the citizen and each copy with its status index.
  auto audit = svc_->store().ListAudit(0, 1000);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().action, "credential.issue");
  auto details = ParseJsonObject(audit->back().details_json);
  ASSERT_TRUE(details.ok()) << audit->back().details_json;
  EXPECT_EQ((*details)["batch_group_id"], *resp->notification_id);
  EXPECT_EQ((*details)["citizen_id"], records[0].citizen_id);
  EXPECT_EQ((*details)["credential_configuration_id"], "uk.gov.digital-id.mdoc");
  EXPECT_TRUE((*details)["offer_id"].is_string());
  ASSERT_EQ((*details)["credentials"].size(), 3u);
  for (const Json& copy : (*details)["credentials"]) {
    const auto it = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r.id == copy["id"]; });
    ASSERT_NE(it, records.end()) << DumpJson(copy);
    EXPECT_EQ(copy["status_index"], it->status_index);
    EXPECT_EQ(copy["status_list"], it->status_list_id);
  }
  // Boundary: four proofs exceed batch_size 3.
  const std::string token2 = AccessToken("uk.gov.digital-id.mdoc");
  const std::string n2 = NewNonce();
  crypto::PrivateKey k4 = NewKey();
  EXPECT_EQ(ErrorOf(Request(token2, "uk.gov.digital-id.mdoc", {Proof(k1, n2), Proof(k2, n2), Proof(k3, n2), Proof(k4, n2)})),
            Oid4vciError::kInvalidCredentialRequest);
  // Nothing half-written: still three records.
  EXPECT_EQ(Issued().size(), 3u);
}

TEST_F(IssuerTest, NotificationAcceptsOwnBatchOnly) {
  const std::string token = AccessToken("uk.gov.digital-id.sd-jwt");
  crypto::PrivateKey k = NewKey();
  CredentialOutcome c = Request(token, "uk.gov.digital-id.sd-jwt", {Proof(k, NewNonce())});
  ASSERT_NE(Ok(c), nullptr);
  oid4vci::NotificationRequest n;
  n.notification_id = *std::get<oid4vci::CredentialResponse>(c).notification_id;
  n.event = oid4vci::NotificationEvent::kCredentialAccepted;
  NotificationOutcome ok = svc_->Notification("Bearer " + token, DumpJson(*n.ToJson()));
  EXPECT_TRUE(std::holds_alternative<NotificationAccepted>(ok));
  EXPECT_EQ(Issued().front().notification, store::NotificationState::kAccepted);
  n.notification_id = "someone-elses";
  NotificationOutcome bad = svc_->Notification("Bearer " + token, DumpJson(*n.ToJson()));
  ASSERT_TRUE(std::holds_alternative<oid4vci::ErrorResponse>(bad));
  EXPECT_EQ(std::get<oid4vci::ErrorResponse>(bad).error, Oid4vciError::kInvalidNotificationId);
  NotificationOutcome no_token = svc_->Notification("", DumpJson(*n.ToJson()));
  EXPECT_EQ(std::get<oid4vci::ErrorResponse>(no_token).error, Oid4vciError::kInvalidToken);
}

TEST_F(IssuerTest, ReusedCodeIsInvalidGrant) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", false);
  ASSERT_TRUE(offer.ok());
  EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(svc_->Token(TokenBody(offer->pre_authorized_code))));
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody("never-issued"))), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(ErrorOf(svc_->Token("grant_type=authorization_code&code=x")), Oid4vciError::kUnsupportedGrantType);
  EXPECT_EQ(ErrorOf(svc_->Token("grant_type")), Oid4vciError::kInvalidRequest);
}

TEST_F(IssuerTest, ExpiredCodeIsInvalidGrant) {
  Result<OfferResult> a = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", false);
  Result<OfferResult> b = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", false);
  ASSERT_TRUE(a.ok() && b.ok());
  const int64_t start = clock_.NowSeconds();
  clock_.Set(start + svc_->config().code_seconds - 1);  // boundary: last valid second
  EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(svc_->Token(TokenBody(a->pre_authorized_code))));
  clock_.Set(start + svc_->config().code_seconds);  // at expires_at: expired
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(b->pre_authorized_code))), Oid4vciError::kInvalidGrant);
}

TEST_F(IssuerTest, WrongTxCodePastTheLimitKillsTheCode) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", true);
  ASSERT_TRUE(offer.ok());
  ASSERT_TRUE(offer->tx_code.has_value());
  EXPECT_EQ(offer->tx_code->size(), 6u);
  std::string wrong = *offer->tx_code;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  for (int64_t i = 0; i < svc_->config().tx_code_attempts; ++i) {
    EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code, wrong))), Oid4vciError::kInvalidGrant);
  }
  // The right code after the limit: still invalid_grant, the code is dead.
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code, *offer->tx_code))), Oid4vciError::kInvalidGrant);
  // Boundary: one wrong try, then the right one, passes.
  Result<OfferResult> o2 = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", true);
  std::string wrong2 = *o2->tx_code;
  wrong2[0] = wrong2[0] == '0' ? '1' : '0';
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(o2->pre_authorized_code, wrong2))), Oid4vciError::kInvalidGrant);
  EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(svc_->Token(TokenBody(o2->pre_authorized_code, *o2->tx_code))));
}

TEST_F(IssuerTest, NonceRules) {
  const std::string cfg = "uk.gov.digital-id.sd-jwt";
  const std::string token = AccessToken(cfg);
  crypto::PrivateKey k = NewKey();
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, "not-a-nonce-we-issued")})), Oid4vciError::kInvalidNonce);
  const std::string nonce = NewNonce();
  ASSERT_NE(Ok(Request(token, cfg, {Proof(k, nonce)})), nullptr);
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, nonce)})), Oid4vciError::kInvalidNonce);  // reused
  // Expired nonce: at expires_at it is dead, one second before it is alive.
  const std::string n1 = NewNonce();
  const std::string n2 = NewNonce();
  const int64_t start = clock_.NowSeconds();
  clock_.Set(start + svc_->config().nonce_seconds - 1);
  EXPECT_NE(Ok(Request(token, cfg, {Proof(k, n1)})), nullptr);
  clock_.Set(start + svc_->config().nonce_seconds);
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, n2)})), Oid4vciError::kInvalidNonce);
  // Stateless nonces: the endpoint stores nothing, and a nonce whose expiry was pushed out (one
  // byte changed) fails its MAC, as does one that is not even base64url of the right length.
  const std::string n3 = NewNonce();
  EXPECT_EQ(svc_->store().ConsumeNonce(n3, clock_.NowSeconds()).code(), StatusCode::kNotFound);
  Result<Bytes> raw = Base64UrlDecode(n3);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 40u);
  (*raw)[23] = static_cast<uint8_t>((*raw)[23] ^ 0x01);  // last byte of the expiry
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, Base64UrlEncode(*raw))})), Oid4vciError::kInvalidNonce);
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, n3.substr(0, n3.size() - 2))})), Oid4vciError::kInvalidNonce);
  EXPECT_NE(Ok(Request(token, cfg, {Proof(k, n3)})), nullptr);  // the untouched one is fine
}

TEST_F(IssuerTest, ProofAudienceAndTypeAreChecked) {
  const std::string cfg = "uk.gov.digital-id.sd-jwt";
  const std::string token = AccessToken(cfg);
  crypto::PrivateKey k = NewKey();
  const std::string nonce = NewNonce();
  EXPECT_EQ(ErrorOf(Request(token, cfg, {Proof(k, nonce, "https://other.example")})), Oid4vciError::kInvalidProof);
  // Wrong typ: a well-signed JWT with typ "JWT".
  Json header = {{"alg", "ES256"}, {"typ", "JWT"}, {"jwk", k.public_key().ToJwk()}};
  Json claims = {{"aud", kIssuerUrl}, {"iat", clock_.NowSeconds()}, {"nonce", nonce}};
  Result<std::string> jwt = jose::SignJwt(header, claims, k);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(ErrorOf(Request(token, cfg, {*jwt})), Oid4vciError::kInvalidProof);
  // The failed proofs did not consume the nonce: it still works (nothing half-written).
  ASSERT_NE(Ok(Request(token, cfg, {Proof(k, nonce)})), nullptr);
  EXPECT_EQ(Issued().size(), 1u);
}

TEST_F(IssuerTest, ConfigurationAndBearerChecks) {
  const std::string token = AccessToken("uk.gov.digital-id.sd-jwt");
  crypto::PrivateKey k = NewKey();
  const std::string nonce = NewNonce();
  EXPECT_EQ(ErrorOf(Request(token, "uk.gov.unknown", {Proof(k, nonce)})), Oid4vciError::kUnknownCredentialConfiguration);
  EXPECT_EQ(ErrorOf(Request(token, "org.iso.18013.5.1.mDL", {Proof(k, nonce)})), Oid4vciError::kCredentialRequestDenied);
  EXPECT_EQ(ErrorOf(svc_->Credential("", Body("uk.gov.digital-id.sd-jwt", {Proof(k, nonce)}))), Oid4vciError::kInvalidToken);
  EXPECT_EQ(ErrorOf(svc_->Credential("Basic " + token, Body("uk.gov.digital-id.sd-jwt", {Proof(k, nonce)}))),
            Oid4vciError::kInvalidToken);
  EXPECT_EQ(ErrorOf(Request("AAAA" + token, "uk.gov.digital-id.sd-jwt", {Proof(k, nonce)})), Oid4vciError::kInvalidToken);
  EXPECT_EQ(ErrorOf(svc_->Credential("Bearer " + token, "{not json")), Oid4vciError::kInvalidCredentialRequest);
  // Expired access token: at expires_at.
  clock_.Set(clock_.NowSeconds() + svc_->config().token_seconds);
  EXPECT_EQ(ErrorOf(Request(token, "uk.gov.digital-id.sd-jwt", {Proof(k, nonce)})), Oid4vciError::kInvalidToken);
}

// Access tokens are sealed, not stored: opaque to the wallet, refused when changed in any
// character, accepted by another issuer process with the same server secret and refused by one
// with another.
TEST_F(IssuerTest, SealedAccessTokens) {
  const std::string cfg = "uk.gov.digital-id.sd-jwt";
  const std::string token = AccessToken(cfg);
  ASSERT_FALSE(token.empty());
  // Opaque: neither the text nor its decoded bytes show whom or what it is for.
  EXPECT_EQ(token.find(kCitizen), std::string::npos);
  Result<Bytes> raw = Base64UrlDecode(token);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(AsStringView(*raw).find(kCitizen), std::string_view::npos);
  EXPECT_EQ(AsStringView(*raw).find(cfg), std::string_view::npos);

  crypto::PrivateKey k = NewKey();
  for (size_t pos : {size_t{0}, token.size() / 2, token.size() - 2}) {
    std::string changed = token;
    changed[pos] = changed[pos] == 'A' ? 'B' : 'A';
    EXPECT_EQ(ErrorOf(Request(changed, cfg, {Proof(k, NewNonce())})), Oid4vciError::kInvalidToken) << pos;
  }
  EXPECT_EQ(ErrorOf(Request(token.substr(0, token.size() - 1), cfg, {Proof(k, NewNonce())})),
            Oid4vciError::kInvalidToken);

  // A second process over the same data directory (same server secret) takes it.
  auto open_service = [&]() -> std::unique_ptr<IssuerService> {
    Result<IssuerConfig> config = LoadIssuerConfig(dir_);
    if (!config.ok()) return nullptr;
    Result<std::unique_ptr<store::IssuerStore>> st = OpenIssuerStore(*config);
    if (!st.ok()) return nullptr;
    Result<std::unique_ptr<IssuerService>> svc =
        IssuerService::Create(std::move(*config), std::move(*st), clock_, crypto::SystemRandom());
    return svc.ok() ? std::move(*svc) : nullptr;
  };
  std::unique_ptr<IssuerService> other = open_service();
  ASSERT_NE(other, nullptr);
  Result<oid4vci::NonceResponse> other_nonce = other->Nonce();
  ASSERT_TRUE(other_nonce.ok());
  EXPECT_NE(Ok(other->Credential("Bearer " + token, Body(cfg, {Proof(k, other_nonce->c_nonce)}))), nullptr);
  other.reset();
  // One with another server secret does not.
  {
    std::ofstream f(fs::path(dir_) / "server-secret", std::ios::trunc);
    f << std::string(64, 'z');
  }
  std::unique_ptr<IssuerService> stranger = open_service();
  ASSERT_NE(stranger, nullptr);
  Result<oid4vci::NonceResponse> nonce = stranger->Nonce();
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(ErrorOf(stranger->Credential("Bearer " + token, Body(cfg, {Proof(k, nonce->c_nonce)}))),
            Oid4vciError::kInvalidToken);
  // The token still works where it was made.
  ASSERT_NE(Ok(Request(token, cfg, {Proof(k, NewNonce())})), nullptr);
}

TEST_F(IssuerTest, RevokeMarksEveryBatchCopyAndRepublishes) {
  const std::string cfg = "uk.gov.digital-id.sd-jwt";
  const std::string token = AccessToken(cfg);
  const std::string nonce = NewNonce();
  crypto::PrivateKey k1 = NewKey(), k2 = NewKey();
  ASSERT_NE(Ok(Request(token, cfg, {Proof(k1, nonce), Proof(k2, nonce)})), nullptr);
  Result<PublishedStatusList> before = svc_->StatusListToken("token-1");
  ASSERT_TRUE(before.ok());
  AdminTarget t;
  t.citizen_id = kCitizen;
  t.configuration_id = cfg;
  const int64_t version_before = svc_->store().GetStatusList("token-1")->version;
  Result<std::vector<std::string>> changed = svc_->Revoke(t);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->size(), 2u);
  // Both copies' entries change in one rewrite of the list.
  EXPECT_EQ(svc_->store().GetStatusList("token-1")->version, version_before + 1);
  Result<PublishedStatusList> after = svc_->StatusListToken("token-1");
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->etag, before->etag);
  EXPECT_EQ(after->content_type, "application/statuslist+jwt");
  Result<crypto::PublicKey> list_key = crypto::PublicKey::FromJwk(svc_->JwtVcIssuerMetadata()["jwks"]["keys"][0]);
  ASSERT_TRUE(list_key.ok());
  status::StatusListTokenVerifier verifier(*list_key, clock_);
  verifier.ExpectSubject(svc_->StatusListUri("token-1"));
  Result<status::VerifiedStatusListToken> v = verifier.Verify(after->body);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  for (const store::IssuedCredential& r : Issued()) {
    EXPECT_EQ(r.status, store::CredentialStatus::kRevoked);
    EXPECT_EQ(*v->status_list().Get(static_cast<uint64_t>(r.status_index)), status::StatusType::kInvalid);
  }
  // Suspend then reinstate one copy by id.
  AdminTarget one;
  one.credential_id = Issued().front().id;
  ASSERT_TRUE(svc_->Reinstate(one).ok());
  EXPECT_EQ(svc_->store().GetIssuedCredential(*one.credential_id)->status, store::CredentialStatus::kValid);
  ASSERT_TRUE(svc_->Suspend(one).ok());
  EXPECT_EQ(svc_->store().GetIssuedCredential(*one.credential_id)->status, store::CredentialStatus::kSuspended);
  AdminTarget none;
  EXPECT_EQ(svc_->Revoke(none).status().code(), StatusCode::kInvalidArgument);
  AdminTarget unknown;
  unknown.credential_id = "no-such-credential";
  EXPECT_EQ(svc_->Revoke(unknown).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(svc_->store().VerifyAuditChain().ok());
}

TEST_F(IssuerTest, RevokedVcJwtShowsInTheBitstringCredential) {
  const std::string cfg = "uk.gov.mod.veteran-card";
  const std::string token = AccessToken(cfg);
  crypto::PrivateKey k = NewKey();
  ASSERT_NE(Ok(Request(token, cfg, {Proof(k, NewNonce())})), nullptr);
  const store::IssuedCredential rec = Issued().front();
  AdminTarget t;
  t.credential_id = rec.id;
  EXPECT_EQ(svc_->Suspend(t).status().code(), StatusCode::kInvalidArgument);  // revocation-only list
  ASSERT_TRUE(svc_->Revoke(t).ok());
  Result<PublishedStatusList> pub = svc_->StatusListToken("bitstring-1");
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->content_type, "application/vc+jwt");
  Result<crypto::PublicKey> key = jose::ResolveDidWebKey(svc_->DidDocument(), "#key-1");
  ASSERT_TRUE(key.ok());
  status::BitstringStatusListCredentialVerifier verifier(*key, clock_);
  verifier.ExpectPurpose(status::StatusPurpose::kRevocation).ExpectId(svc_->StatusListUri("bitstring-1"));
  auto v = verifier.Verify(pub->body);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v->status_list().Get(static_cast<uint64_t>(rec.status_index)), 1u);
  // Boundary: the neighbouring entry stays valid.
  const uint64_t neighbour = rec.status_index == 0 ? 1 : static_cast<uint64_t>(rec.status_index) - 1;
  EXPECT_EQ(*v->status_list().Get(neighbour), 0u);
}

TEST_F(IssuerTest, AdminTokenAndCitizens) {
  std::ifstream in(dir_ + "/admin-token");
  std::string token;
  std::getline(in, token);
  EXPECT_TRUE(svc_->CheckAdminToken(token));
  EXPECT_FALSE(svc_->CheckAdminToken(token.substr(0, token.size() - 1)));
  EXPECT_FALSE(svc_->CheckAdminToken(""));
  EXPECT_TRUE(svc_->UpsertCitizen(R"({"id": "c-1", "claims": {}})").ok());
  EXPECT_EQ(svc_->UpsertCitizen(R"({"claims": {}})").code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(svc_->UpsertCitizen(R"({"id": "c-2", "claims": {"x": 1}})").code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(svc_->UpsertCitizen("{").code(), StatusCode::kMalformed);
  Status bulk = svc_->ImportCitizens({R"({"id": "c-3", "claims": {}})", R"({"id": 4})"});
  EXPECT_EQ(bulk.code(), StatusCode::kInvalidClaims);
  EXPECT_NE(bulk.message().find("row 2"), std::string::npos);
  EXPECT_EQ(svc_->store().GetCitizen("c-3").status().code(), StatusCode::kNotFound);  // all or nothing
  EXPECT_TRUE(svc_->ImportCitizens({R"({"id": "c-3", "claims": {}})", R"({"id": "c-4", "claims": {}})"}).ok());
  EXPECT_EQ(*svc_->store().CountCitizens(), 6);
  // A citizen with no claims for the configuration: credential_request_denied.
  const std::string t = AccessToken("uk.gov.gro.marriage", "c-3");
  crypto::PrivateKey k = NewKey();
  EXPECT_EQ(ErrorOf(Request(t, "uk.gov.gro.marriage", {Proof(k, NewNonce())})), Oid4vciError::kCredentialRequestDenied);
  EXPECT_EQ(svc_->CreateOffer("nobody", "uk.gov.gro.marriage", false).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(svc_->CreateOffer("c-3", "uk.gov.nothing", false).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(svc_->store().VerifyAuditChain().ok());
}

// --- tx_code presence (OID4VCI 1.0 section 6.3) ---

TEST_F(IssuerTest, MissingTxCodeIsInvalidRequestAndCostsNoAttempt) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", true);
  ASSERT_TRUE(offer.ok());
  ASSERT_TRUE(offer->tx_code.has_value());
  // More requests without a tx_code than attempts exist: each is invalid_request, none counts.
  for (int64_t i = 0; i < svc_->config().tx_code_attempts + 2; ++i) {
    EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidRequest);
  }
  // attempts - 1 wrong codes still leave the code usable (boundary: none was used up above).
  std::string wrong = *offer->tx_code;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  for (int64_t i = 0; i < svc_->config().tx_code_attempts - 1; ++i) {
    EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code, wrong))), Oid4vciError::kInvalidGrant);
  }
  EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(
      svc_->Token(TokenBody(offer->pre_authorized_code, *offer->tx_code))));
  // Once used, the code is invalid_grant with or without a tx_code.
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidGrant);
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code, *offer->tx_code))), Oid4vciError::kInvalidGrant);
}

TEST_F(IssuerTest, TxCodeForAnOfferWithoutOneIsInvalidRequest) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", false);
  ASSERT_TRUE(offer.ok());
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code, "123456"))), Oid4vciError::kInvalidRequest);
  // Not consumed: the same code without a tx_code works.
  EXPECT_TRUE(std::holds_alternative<oid4vci::TokenResponse>(svc_->Token(TokenBody(offer->pre_authorized_code))));
  // An unknown code stays invalid_grant whether or not a tx_code comes with it.
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody("never-issued", "123456"))), Oid4vciError::kInvalidGrant);
}

TEST_F(IssuerTest, MissingTxCodeOnAnExpiredCodeIsInvalidGrant) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", true);
  ASSERT_TRUE(offer.ok());
  const int64_t start = clock_.NowSeconds();
  clock_.Set(start + svc_->config().code_seconds - 1);  // boundary: alive, so the request is malformed
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidRequest);
  clock_.Set(start + svc_->config().code_seconds);  // dead code: the grant is what is wrong
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidGrant);
}

// --- purging expired rows ---

TEST_F(IssuerTest, PurgeExpiredDropsDeadCodesNoncesAndOffers) {
  Result<OfferResult> offer = svc_->CreateOffer(kCitizen, "uk.gov.digital-id.sd-jwt", false);
  ASSERT_TRUE(offer.ok());
  const int64_t start = clock_.NowSeconds();
  // c_nonces are stateless; the store keeps the spent ones until they expire (service.cc).
  ASSERT_TRUE(svc_->store().CreateNonce(NewNonce(), start + svc_->config().nonce_seconds).ok());
  Result<int64_t> none = svc_->PurgeExpired();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  clock_.Set(start + svc_->config().nonce_seconds);  // the nonce is expired, the offer is not
  Result<int64_t> one = svc_->PurgeExpired();
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1);
  EXPECT_TRUE(svc_->store().GetOffer(offer->offer_id).ok());
  clock_.Set(start + svc_->config().offer_seconds);  // code and offer expire together
  Result<int64_t> two = svc_->PurgeExpired();
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, 2);
  EXPECT_EQ(svc_->store().GetOffer(offer->offer_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrorOf(svc_->Token(TokenBody(offer->pre_authorized_code))), Oid4vciError::kInvalidGrant);
  EXPECT_TRUE(svc_->store().VerifyAuditChain().ok());  // the audit log is never purged
}

TEST_F(IssuerTest, ExpiryPurgerRunsAtStartThenPeriodicallyAndStopsCleanly) {
  std::atomic<int> reports{0};
  ExpiryPurger purger(*svc_, std::chrono::milliseconds(10), [&](const Result<int64_t>& r) {
    EXPECT_TRUE(r.ok());
    ++reports;
  });
  // A spent c_nonce record (c_nonces are stateless; the store keeps the spent ones until expiry).
  ASSERT_TRUE(svc_->store().CreateNonce(NewNonce(), clock_.NowSeconds() + svc_->config().nonce_seconds).ok());
  clock_.Set(clock_.NowSeconds() + svc_->config().nonce_seconds);
  Result<int64_t> first = purger.Start();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);  // the first purge ran before Start returned
  EXPECT_GE(purger.runs(), 1);
  EXPECT_EQ(purger.Start().status().code(), StatusCode::kInvalidArgument);  // already started
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (purger.runs() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(purger.runs(), 3);
  purger.Stop();
  const int64_t after_stop = purger.runs();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(purger.runs(), after_stop);  // the thread is gone
  EXPECT_EQ(reports.load(), after_stop);
  purger.Stop();  // idempotent
  ExpiryPurger zero(*svc_, std::chrono::milliseconds(0));
  EXPECT_EQ(zero.Start().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.runs(), 0);
  // Stop wakes a long sleep at once instead of waiting out the interval.
  ExpiryPurger hourly(*svc_, std::chrono::hours(1));
  ASSERT_TRUE(hourly.Start().ok());
  const auto t0 = std::chrono::steady_clock::now();
  hourly.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(hourly.runs(), 1);
}

// --- configuration: tls, status list formats, key retirement ---

TEST_F(IssuerTest, ConfigValidatesTlsFormatsAndRetirement) {
  Json doc = svc_->config().ToJson();
  Json bad = doc;
  bad["tls"] = {{"cert_file", "tls/cert.pem"}};  // half a tls object
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad["tls"] = {{"cert_file", "tls/cert.pem"}, {"key_file", "tls/key.pem"}};
  Result<IssuerConfig> tls = IssuerConfig::FromJson(bad, dir_);
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_TRUE(tls->has_tls());
  EXPECT_EQ(tls->ToJson()["tls"]["key_file"], "tls/key.pem");  // round trip
  bad["issuer_url"] = "http://127.0.0.1:8080";  // TLS served under an http identifier
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad["tls"] = "tls/cert.pem";
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);

  bad = doc;
  bad["status_lists"].push_back({{"id", "cwt-9"}, {"kind", "token_status_list"}, {"format", "cwt"}});
  EXPECT_TRUE(IssuerConfig::FromJson(bad, dir_).ok());
  bad["credential_configurations"]["org.iso.18013.5.1.mDL"]["status_list"] = "cwt-9";  // mdoc: either form
  Result<IssuerConfig> mixed = IssuerConfig::FromJson(bad, dir_);
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  EXPECT_EQ(mixed->status_lists.back().format, StatusListFormat::kCwt);
  bad["credential_configurations"]["uk.gov.digital-id.sd-jwt"]["status_list"] = "cwt-9";  // SD-JWT VC: JWT only
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad = doc;
  bad["status_lists"][0]["format"] = "cbor";
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad = doc;
  bad["status_lists"][1]["format"] = "jwt";  // bitstring-1 has no format
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);

  bad = doc;
  bad["keys"]["sd_jwt"][0]["retired_at"] = 100;  // the active key cannot be retired
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad = doc;
  bad["keys"]["sd_jwt"].push_back({{"kid", "old"}, {"file", "keys/old.jwk"}, {"active", false}, {"retired_at", -1}});
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad["keys"]["sd_jwt"][1]["retired_at"] = 0;  // boundary
  Result<IssuerConfig> retired = IssuerConfig::FromJson(bad, dir_);
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  EXPECT_EQ(retired->sd_jwt_keys[1].retired_at, 0);
  EXPECT_EQ(retired->ToJson()["keys"]["sd_jwt"][1]["retired_at"], 0);
  bad = doc;
  bad["keys"]["iaca"].push_back({{"file", "keys/iaca-0.pem"}, {"not_after", "soon"}});
  EXPECT_EQ(IssuerConfig::FromJson(bad, dir_).status().code(), StatusCode::kInvalidArgument);
  bad["keys"]["iaca"][1]["not_after"] = 5;
  Result<IssuerConfig> iaca = IssuerConfig::FromJson(bad, dir_);
  ASSERT_TRUE(iaca.ok()) << iaca.status().ToString();
  EXPECT_EQ(iaca->iaca_files[1].not_after, 5);
  EXPECT_EQ(iaca->ToJson()["keys"]["iaca"][0], "keys/iaca-1.pem");  // plain entries stay strings

  InitOptions o;
  o.issuer_url = "http://127.0.0.1:0";
  o.tls = true;  // TLS under an http identifier
  EXPECT_EQ(InitDataDir(dir_ + "/http-tls", o, clock_).status().code(), StatusCode::kInvalidArgument);
}

// RotationTest adds a retired key to each published list: an SD-JWT VC key retired at
// kRetiredAt, a VC-JWT key with a not_after, and a second IACA retired at kRetiredAt.
class RotationTest : public IssuerTest {
 protected:
  static constexpr int64_t kRetiredAt = 1700000000;
  static constexpr int64_t kVcNotAfter = 1800000000;

  // Service returns a service over the rotated config with `clock`.
  std::unique_ptr<IssuerService> Service(const Clock& clock) {
    Json doc = svc_->config().ToJson();
    Json sd_jwk = NewKey().ExportJwk();
    WriteFile("keys/sd-old.jwk", DumpJson(sd_jwk));
    doc["keys"]["sd_jwt"].push_back(
        {{"kid", "sd-old"}, {"file", "keys/sd-old.jwk"}, {"active", false}, {"retired_at", kRetiredAt}});
    WriteFile("keys/vc-old.jwk", DumpJson(NewKey().ExportJwk()));
    doc["keys"]["vc_jwt"]["keys"].push_back(
        {{"kid", "vc-old"}, {"file", "keys/vc-old.jwk"}, {"active", false}, {"not_after", kVcNotAfter}});
    mdoc::IacaOptions io;
    io.common_name = "old IACA";
    io.issuer_alt_uri = kIssuerUrl;
    Result<mdoc::KeyAndCertificate> old_iaca = mdoc::CreateIaca(io, clock_);
    EXPECT_TRUE(old_iaca.ok());
    if (!old_iaca.ok()) return nullptr;
    WriteFile("keys/iaca-old.pem", old_iaca->certificate.ToPem());
    doc["keys"]["iaca"].push_back({{"file", "keys/iaca-old.pem"}, {"retired_at", kRetiredAt}});
    Result<IssuerConfig> config = IssuerConfig::FromJson(doc, dir_);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return nullptr;
    Result<std::unique_ptr<store::IssuerStore>> st = OpenIssuerStore(*config);
    EXPECT_TRUE(st.ok());
    if (!st.ok()) return nullptr;
    Result<std::unique_ptr<IssuerService>> svc =
        IssuerService::Create(std::move(*config), std::move(*st), clock, crypto::SystemRandom());
    EXPECT_TRUE(svc.ok()) << svc.status().ToString();
    return svc.ok() ? std::move(*svc) : nullptr;
  }
  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ + "/" + name, std::ios::binary);
    out << text;
  }
  static std::vector<std::string> Kids(const Json& jwks) {
    std::vector<std::string> out;
    for (const Json& k : jwks["jwks"]["keys"]) out.push_back(k["kid"].get<std::string>());
    return out;
  }
  static std::vector<std::string> MethodIds(const Json& did) {
    std::vector<std::string> out;
    for (const Json& m : did["verificationMethod"]) out.push_back(m["id"].get<std::string>());
    return out;
  }
};

TEST_F(RotationTest, LongestValidityFollowsTheCatalogue) {
  // The UK catalogue: dc+sd-jwt 3650 days, jwt_vc_json 1825 / 365, mso_mdoc up to 36500 days.
  EXPECT_EQ(svc_->config().LongestValiditySeconds("sd_jwt"), int64_t{3650} * 86400);
  EXPECT_EQ(svc_->config().LongestValiditySeconds("vc_jwt"), int64_t{1825} * 86400);
  EXPECT_EQ(svc_->config().LongestValiditySeconds("iaca"), int64_t{36500} * 86400);
  EXPECT_EQ(svc_->config().LongestValiditySeconds("other"), 0);
}

TEST_F(RotationTest, RetiredSdJwtKeyAndIacaStayPublishedUntilWhatTheySignedExpires) {
  FixedClock clock(kRetiredAt);
  std::unique_ptr<IssuerService> svc = Service(clock);
  ASSERT_NE(svc, nullptr);
  const std::string active = svc->config().sd_jwt_keys[0].kid;
  EXPECT_EQ(Kids(svc->JwtVcIssuerMetadata()), (std::vector<std::string>{active, "sd-old"}));
  EXPECT_EQ(svc->Iacas().size(), 2u);
  // Boundary: the last second a credential signed at retirement can still be valid.
  const int64_t sd_until = kRetiredAt + svc->config().LongestValiditySeconds("sd_jwt");
  clock.Set(sd_until);
  EXPECT_EQ(Kids(svc->JwtVcIssuerMetadata()), (std::vector<std::string>{active, "sd-old"}));
  clock.Set(sd_until + 1);
  EXPECT_EQ(Kids(svc->JwtVcIssuerMetadata()), (std::vector<std::string>{active}));
  // The IACA follows the mso_mdoc validity, which is longer here.
  const int64_t iaca_until = kRetiredAt + svc->config().LongestValiditySeconds("iaca");
  EXPECT_EQ(svc->Iacas().size(), 2u);
  clock.Set(iaca_until);
  EXPECT_EQ(svc->Iacas().size(), 2u);
  clock.Set(iaca_until + 1);
  ASSERT_EQ(svc->Iacas().size(), 1u);
  EXPECT_EQ(svc->Iacas()[0], svc_->Iacas()[0]);  // the current IACA stays
  // The active key is published whatever the time.
  EXPECT_EQ(Kids(svc->JwtVcIssuerMetadata()), (std::vector<std::string>{active}));
}

TEST_F(RotationTest, RetiredVcJwtKeyWithNotAfterLeavesTheDidDocumentAfterIt) {
  FixedClock clock(kVcNotAfter);
  std::unique_ptr<IssuerService> svc = Service(clock);
  ASSERT_NE(svc, nullptr);
  const std::string did = svc->config().vc_did;
  EXPECT_EQ(MethodIds(svc->DidDocument()), (std::vector<std::string>{did + "#key-1", did + "#vc-old"}));
  EXPECT_EQ(svc->DidDocument()["assertionMethod"].size(), 2u);
  clock.Set(kVcNotAfter + 1);
  EXPECT_EQ(MethodIds(svc->DidDocument()), (std::vector<std::string>{did + "#key-1"}));
  EXPECT_EQ(svc->DidDocument()["assertionMethod"].size(), 1u);
  // Credentials of the active key still verify against the document without the retired key.
  const std::string cfg = "uk.gov.mod.veteran-card";
  const std::string token = AccessToken(cfg);
  crypto::PrivateKey k = NewKey();
  const CredentialOutcome outcome = Request(token, cfg, {Proof(k, NewNonce())});
  const oid4vci::CredentialResponse* resp = Ok(outcome);
  ASSERT_NE(resp, nullptr);
  vcjwt::VerifyOptions vo;
  vo.trusted_issuers = {svc->DidDocument()};
  vo.expected_type = svc->config().catalogue.at(cfg).vc_type;
  vo.AllowUncheckedStatus();
  Result<vcjwt::VerifiedVcJwt> v = vcjwt::VerifyVcJwt(resp->credentials[0].credential.get<std::string>(), vo, clock_);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(jose::ResolveDidWebKey(svc->DidDocument(), "#vc-old").status().code(),
            jose::ResolveDidWebKey(svc->DidDocument(), "#no-such-key").status().code());
}

// --- status lists in CWT form ---

class CwtStatusTest : public IssuerTest {
 protected:
  void Init(InitOptions& o) override { o.mdoc_status_cwt = true; }

  // ListKey returns the key status lists are signed with (the active SD-JWT VC key).
  crypto::PublicKey ListKey() {
    Result<crypto::PublicKey> key = crypto::PublicKey::FromJwk(svc_->JwtVcIssuerMetadata()["jwks"]["keys"][0]);
    EXPECT_TRUE(key.ok());
    return *key;
  }
};

TEST_F(CwtStatusTest, MdocCredentialsUseThePublishedCwtListAndRevocationShows) {
  const std::string cfg = "org.iso.18013.5.1.mDL";
  EXPECT_EQ(svc_->config().catalogue.at(cfg).status_list, "cwt-1");
  EXPECT_EQ(svc_->config().catalogue.at("uk.gov.digital-id.sd-jwt").status_list, "token-1");  // JWT stays
  const std::string token = AccessToken(cfg);
  crypto::PrivateKey holder = NewKey();
  CredentialOutcome c = Request(token, cfg, {Proof(holder, NewNonce())});
  const oid4vci::CredentialResponse* resp = Ok(c);
  ASSERT_NE(resp, nullptr);
  // The mdoc's MSO points at the CWT list.
  Result<Bytes> raw = Base64UrlDecode(resp->credentials[0].credential.get<std::string>());
  ASSERT_TRUE(raw.ok());
  Result<cbor::Value> issuer_signed = cbor::Decode(*raw);
  ASSERT_TRUE(issuer_signed.ok());
  std::vector<crypto::Certificate> anchors;
  for (const std::string& pem : svc_->Iacas()) anchors.push_back(*crypto::Certificate::FromPem(pem));
  auto trust = mdoc::IacaTrustStore::Create(anchors);
  ASSERT_TRUE(trust.ok());
  mdoc::DeviceResponseVerifier mdoc_verifier(**trust, clock_);
  mdoc_verifier.SkipStatusCheck().ExpectDocType(cfg);
  Result<mdoc::VerifiedDocument> doc = mdoc_verifier.VerifyIssuerSigned(*issuer_signed);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  ASSERT_TRUE(doc->status_reference().has_value());
  EXPECT_EQ(doc->status_reference()->uri, svc_->StatusListUri("cwt-1"));
  const uint64_t idx = doc->status_reference()->idx;

  Result<PublishedStatusList> before = svc_->StatusListToken("cwt-1");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->content_type, "application/statuslist+cwt");
  status::StatusListCwtVerifier verifier(ListKey(), clock_);
  verifier.ExpectSubject(svc_->StatusListUri("cwt-1"));
  Result<status::VerifiedStatusListToken> v1 = verifier.Verify(AsBytes(before->body));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1->status_list().Get(idx), status::StatusType::kValid);
  EXPECT_EQ(v1->ttl(), svc_->config().status_ttl_seconds);
  EXPECT_EQ(v1->iss(), std::string(kIssuerUrl));
  // The JWT verifier does not take it, nor the CWT verifier another list's subject.
  status::StatusListTokenVerifier jwt_verifier(ListKey(), clock_);
  jwt_verifier.ExpectSubject(svc_->StatusListUri("cwt-1"));
  EXPECT_FALSE(jwt_verifier.Verify(before->body).ok());
  status::StatusListCwtVerifier other(ListKey(), clock_);
  other.ExpectSubject(svc_->StatusListUri("token-1"));
  EXPECT_EQ(other.Verify(AsBytes(before->body)).status().code(), StatusCode::kStatusUnavailable);

  AdminTarget t;
  t.citizen_id = kCitizen;
  t.configuration_id = cfg;
  ASSERT_TRUE(svc_->Revoke(t).ok());
  Result<PublishedStatusList> after = svc_->StatusListToken("cwt-1");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->content_type, "application/statuslist+cwt");
  EXPECT_GT(after->version, before->version);
  EXPECT_NE(after->etag, before->etag);
  Result<status::VerifiedStatusListToken> v2 = verifier.Verify(AsBytes(after->body));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2->status_list().Get(idx), status::StatusType::kInvalid);
  // Boundary: a neighbouring entry stays valid.
  EXPECT_EQ(*v2->status_list().Get(idx == 0 ? 1 : idx - 1), status::StatusType::kValid);
  // Unchanged list, same version: the same publication (and ETag) is served again.
  Result<PublishedStatusList> again = svc_->StatusListToken("cwt-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->etag, after->etag);
  // The JWT list is untouched by an mdoc revocation.
  Result<PublishedStatusList> jwt_list = svc_->StatusListToken("token-1");
  ASSERT_TRUE(jwt_list.ok());
  EXPECT_EQ(jwt_list->content_type, "application/statuslist+jwt");
}

// --- HTTPS: `issuer init --tls` and the issuer routes behind a TLS http::Server ---

class TlsIssuerTest : public IssuerTest {
 protected:
  void Init(InitOptions& o) override {
    o.issuer_url = "https://127.0.0.1:8443";
    o.tls = true;
    o.mdoc_status_cwt = true;
  }
};

TEST_F(TlsIssuerTest, HttpsWithTheInitCaServesTheIssuerAndBinaryCwtLists) {
  const IssuerConfig& config = svc_->config();
  ASSERT_TRUE(config.has_tls());
  EXPECT_EQ(config.tls_cert_file, "tls/cert.pem");
  EXPECT_EQ(fs::status(config.Path(config.tls_key_file)).permissions() & fs::perms::others_read, fs::perms::none);
  // The server certificate names 127.0.0.1 as an iPAddress SAN ([7] 04 7f000001), which strict
  // clients (curl, browsers) need: they do not fall back to the subject CN for IP addresses.
  {
    std::ifstream in(config.Path(config.tls_cert_file));
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
    ASSERT_TRUE(cert.ok());
    const Bytes ip_san = {0x87, 0x04, 0x7f, 0x00, 0x00, 0x01};
    EXPECT_NE(std::search(cert->der().begin(), cert->der().end(), ip_san.begin(), ip_san.end()), cert->der().end());
    EXPECT_EQ(cert->dns_names(), (std::vector<std::string>{"localhost"}));
  }
  http::ServerOptions so;
  so.tls_cert_file = config.Path(config.tls_cert_file);
  so.tls_key_file = config.Path(config.tls_key_file);
  so.log_sink = [](std::string_view) {};
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(so);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(RegisterIssuerRoutes(**server, *svc_).ok());
  ASSERT_TRUE((*server)->Start().ok());
  const std::string port = std::to_string((*server)->port());

  http::ClientOptions trusted;
  trusted.ca_file = config.Path("tls/ca.pem");
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    Result<std::unique_ptr<http::Client>> client = http::Client::Create("https://" + host + ":" + port, trusted);
    ASSERT_TRUE(client.ok());
    Result<http::ClientResponse> health = (*client)->Get("/healthz");
    ASSERT_TRUE(health.ok()) << health.status().ToString();
    EXPECT_EQ(health->status, 200);
  }
  Result<std::unique_ptr<http::Client>> client = http::Client::Create("https://127.0.0.1:" + port, trusted);
  ASSERT_TRUE(client.ok());
  Result<http::ClientResponse> md = (*client)->Get("/.well-known/openid-credential-issuer");
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(md->status, 200);
  // The CWT list travels as binary bytes, unchanged, with its media type.
  Result<http::ClientResponse> cwt = (*client)->Get("/status/cwt-1");
  ASSERT_TRUE(cwt.ok());
  ASSERT_EQ(cwt->status, 200);
  EXPECT_EQ(cwt->Header("Content-Type").value_or(""), "application/statuslist+cwt");
  Result<PublishedStatusList> published = svc_->StatusListToken("cwt-1");
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(cwt->body, published->body);
  EXPECT_EQ(cwt->Header("ETag").value_or(""), published->etag);

  // Without the init CA the system store does not trust the server.
  Result<std::unique_ptr<http::Client>> untrusted = http::Client::Create("https://127.0.0.1:" + port);
  ASSERT_TRUE(untrusted.ok());
  EXPECT_EQ((*untrusted)->Get("/healthz").status().code(), StatusCode::kIoError);
  // Plain HTTP to the TLS port gets no HTTP answer.
  Result<std::unique_ptr<http::Client>> plain = http::Client::Create("http://127.0.0.1:" + port);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Get("/healthz").status().code(), StatusCode::kIoError);
  (*server)->Stop();
}

}  // namespace
}  // namespace bonafide::issuer
