// tests/wallet/present_test.cc: the wallet's presenting side (wallet/present.h) end to end: a
// wallet holding a Digital ID SD-JWT VC and an mDL, a trust registry made with src/registry in a
// temp dir (init, add-rp with purposes, publish), and an in-process verifier made of the oid4vp
// verifier functions behind an http::Server on 127.0.0.1 (GET|POST /request/{id}, POST
// /response/{id}, checked with oid4vp::VerifyPresentations). The verifier is registered as
// verifier.example.co.uk; the wallet reaches it through InsecureLoopbackTransport.
#include "wallet/present.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "http/server.h"
#include "mdoc/iaca.h"
#include "oid4vp/dcql.h"
#include "oid4vp/presentation.h"
#include "oid4vp/request.h"
#include "oid4vp/response.h"
#include "registry/registry.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "tests/wallet/fake_issuer.h"
#include "tests/wallet/present_fixture.h"
#include "tests/wallet/wallet_test_util.h"
#include "wallet/http_client_transport.h"
#include "wallet/wallet.h"

namespace bonafide::wallet {
namespace {

using testing::FakeIssuer;
using testing::FakeTransport;
using testing::TempDir;
using namespace testing;  // NOLINT: the fixture's verifier, queries and constants

constexpr char kPin[] = "246810";
class PresentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Wallet with a Digital ID (SD-JWT VC) and an mDL, 3 copies each.
    issuer_ = std::make_unique<FakeIssuer>(3, testing::kIssuerId, SystemClock::Default().NowSeconds(), true);
    pid_transport_ = std::make_unique<PidTransport>(*issuer_);
    wallet_ = Wallet::Init(dir_.wallet(), kPin).value();
    auto none = [](const oid4vci::TxCode&) -> Result<std::string> { return std::string(); };
    auto ids = wallet_->Receive(issuer_->CreateOffer({testing::kSdJwtConfig, testing::kMdocConfig}), none,
                                *pid_transport_);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    ASSERT_EQ(ids->size(), 2u);
    pid_id_ = (*ids)[0];
    mdl_id_ = (*ids)[1];

    // Registry with the verifier registered for age_over_18 and driving_entitlement.
    registry_dir_ = dir_.root() / "registry";
    registry_.emplace(registry::Registry::Init(registry_dir_.string(), {}, SystemClock::Default()).value());
    registry::RpRequest rp{.name = kRpName,
                           .client_id = kRpHost,
                           .registration_number = kRpNumber,
                           .purposes = {"age_over_18", "driving_entitlement"}};
    auto creds = registry_->AddRelyingParty(rp, (dir_.root() / "rp").string(), SystemClock::Default());
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    rp_.emplace(std::move(*creds));
    Publish();
    TrustConfig config{.trust_list = trust_list_file().string(),
                       .registry_root_pem = registry_->root_certificate().ToPem(),
                       .ca_file = ""};
    ASSERT_TRUE(SaveTrustConfig(dir_.wallet(), config).ok());
    auto loaded = LoadTrustConfig(dir_.wallet());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    cache_ = OpenTrustListCache(dir_.wallet(), *loaded, SystemClock::Default().NowSeconds()).value();

    // Verifier trust.
    sd_trust_.issuer_key = pid_transport_->key().public_key();
    iaca_ = mdoc::IacaTrustStore::Create({crypto::Certificate::FromPem(issuer_->iaca_pem()).value()}).value();
    verifier_ = std::make_unique<Verifier>(rp_->access_key, std::vector<Bytes>{rp_->access_certificate.der()},
                                           rp_->registration_jwt, sd_trust_, *iaca_);
    transport_ = InsecureLoopbackTransport::Create(client_, kRpHost, verifier_->origin()).value();
    options_.transport = transport_.get();
    options_.trust_list = cache_.get();
  }

  std::filesystem::path trust_list_file() const { return dir_.root() / "trust-list.jwt"; }
  void Publish() {
    auto jws = registry_->Publish(SystemClock::Default());
    ASSERT_TRUE(jws.ok()) << jws.status().ToString();
    std::ofstream(trust_list_file()) << *jws;
  }

  size_t UnusedCopies(const std::string& id) {
    auto list = wallet_->List();
    EXPECT_TRUE(list.ok());
    if (!list.ok()) return 0;
    for (const auto& s : *list) {
      if (s.id == id) return s.unused_copies;
    }
    return 0;
  }

  // Present prepares `uri`, checks it may be approved, and approves.
  Result<PresentOutcome> PrepareAndRespond(const std::string& uri, Decision decision,
                                           std::optional<PresentationRequest>* kept = nullptr) {
    ASSIGN_OR_RETURN(PresentationRequest request, PreparePresentation(*wallet_, uri, options_));
    auto outcome = Respond(*wallet_, request, decision, options_);
    if (kept != nullptr) kept->emplace(std::move(request));
    return outcome;
  }

  TempDir dir_;
  std::unique_ptr<FakeIssuer> issuer_;
  std::unique_ptr<PidTransport> pid_transport_;
  std::unique_ptr<Wallet> wallet_;
  std::string pid_id_;
  std::string mdl_id_;
  std::filesystem::path registry_dir_;
  std::optional<registry::Registry> registry_;
  std::optional<registry::RpCredentials> rp_;
  std::unique_ptr<registry::TrustListCache> cache_;
  sdjwt::SdJwtVcTrust sd_trust_;
  std::unique_ptr<mdoc::IacaTrustStore> iaca_;
  std::unique_ptr<Verifier> verifier_;
  HttpClientTransport client_;
  std::unique_ptr<InsecureLoopbackTransport> transport_;
  PresentOptions options_;
};

TEST_F(PresentTest, ConsentSummaryNamesTheRegisteredPartyPurposeAndAttributes) {
  auto request = PreparePresentation(
      *wallet_, verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPostJwt),
      options_);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_TRUE(request->refusal().ok()) << request->refusal().ToString();
  const ConsentSummary& s = request->summary();
  EXPECT_EQ(s.relying_party, kRpName);
  EXPECT_EQ(s.registration_number, kRpNumber);
  EXPECT_EQ(s.host, kRpHost);
  EXPECT_EQ(s.client_id, std::string("x509_san_dns:") + kRpHost);
  EXPECT_EQ(s.purposes, std::vector<std::string>{"age_over_18"});
  EXPECT_TRUE(s.registered);
  EXPECT_TRUE(s.trusted);
  EXPECT_FALSE(s.suspended);
  EXPECT_TRUE(s.over_asking.empty());
  ASSERT_EQ(s.attributes.size(), 1u);
  EXPECT_EQ(s.attributes[0].claim, "age_over_18");
  EXPECT_EQ(s.attributes[0].attribute, "age_over_18");
  EXPECT_EQ(s.attributes[0].credential_id, pid_id_);
  EXPECT_EQ(s.attributes[0].credential_name, "Basic DBS check");  // the fake issuer's display name
  ASSERT_EQ(s.credentials.size(), 1u);
  EXPECT_FALSE(s.credentials[0].whole_credential);
  const Json json = s.ToJson();
  EXPECT_EQ(json["purpose"], "age_over_18");
  EXPECT_EQ(json["flags"]["trusted"], true);
  // Preparing takes no copy and sends nothing to the response_uri.
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);
  EXPECT_EQ(verifier_->WithLast([](Session& x) { return x.posts; }), 0);
}

TEST_F(PresentTest, ApproveSdJwtDirectPostJwtDisclosesExactlyTheRequestedClaims) {
  auto outcome = PrepareAndRespond(
      verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPostJwt),
      Decision::kApprove);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->outcome, PresentationOutcome::kShared);
  EXPECT_EQ(outcome->attributes, std::vector<std::string>{"age_over_18"});
  EXPECT_EQ(outcome->credential_ids, std::vector<std::string>{pid_id_});
  ASSERT_TRUE(outcome->redirect_uri.has_value());
  EXPECT_EQ(*outcome->redirect_uri, std::string("https://") + kRpHost + "/done/" + verifier_->last_id());
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
    EXPECT_TRUE(s.response->encrypted);
    ASSERT_TRUE(s.verified.has_value()) << s.verify_status.ToString();
    const auto& creds = s.verified->credentials.at("pid");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_EQ(creds[0].claims, Json({{"age_over_18", true}}));
    EXPECT_TRUE(creds[0].over_disclosed.empty());
    EXPECT_FALSE(s.verified->over_disclosed);
    EXPECT_TRUE(creds[0].holder_bound);
  });
  EXPECT_EQ(UnusedCopies(pid_id_), 2u);
}

TEST_F(PresentTest, ApproveSdJwtDirectPostWithRequestUriMethodPost) {
  auto outcome =
      PrepareAndRespond(verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost,
                                              /*post=*/true),
                        Decision::kApprove);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
    EXPECT_FALSE(s.response->encrypted);
    ASSERT_TRUE(s.verified.has_value()) << s.verify_status.ToString();
    EXPECT_EQ(s.verified->credentials.at("pid")[0].claims, Json({{"age_over_18", true}}));
  });
}

TEST_F(PresentTest, ApproveMdocBothResponseModes) {
  for (auto mode : {oid4vp::ResponseMode::kDirectPostJwt, oid4vp::ResponseMode::kDirectPost}) {
    SCOPED_TRACE(std::string(oid4vp::ResponseModeName(mode)));
    std::optional<PresentationRequest> kept;
    auto outcome = PrepareAndRespond(
        verifier_->NewRequest(MdocQuery(kMdlDoctype, kMdlNs, {"family_name", "given_name"}), mode),
        Decision::kApprove, &kept);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(kept->summary().purposes, std::vector<std::string>{"driving_entitlement"});
    EXPECT_EQ(outcome->attributes,
              (std::vector<std::string>{"org.iso.18013.5.1/family_name", "org.iso.18013.5.1/given_name"}));
    EXPECT_EQ(kept->summary().attributes[0].claim, "family_name");
    EXPECT_EQ(kept->summary().attributes[0].credential_name, "Driving licence");
    verifier_->WithLast([&](Session& s) {
      ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
      EXPECT_EQ(s.response->encrypted, mode == oid4vp::ResponseMode::kDirectPostJwt);
      ASSERT_TRUE(s.verified.has_value()) << s.verify_status.ToString();
      const auto& creds = s.verified->credentials.at("mdl");
      ASSERT_EQ(creds.size(), 1u);
      EXPECT_EQ(
          creds[0].claims,
          Json({{kMdlNs,
                 {{"family_name", testing::kHolderFamilyName}, {"given_name", testing::kHolderGivenName}}}}));
      EXPECT_TRUE(creds[0].over_disclosed.empty());
    });
  }
  EXPECT_EQ(UnusedCopies(mdl_id_), 1u);
}

TEST_F(PresentTest, TwoPresentationsUseTwoDifferentCopies) {
  std::vector<std::string> issuer_jwts;
  for (int i = 0; i < 2; ++i) {
    auto outcome =
        PrepareAndRespond(verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
                          Decision::kApprove);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    verifier_->WithLast([&](Session& s) {
      ASSERT_TRUE(s.response && s.response->vp_token);
      const std::string presentation = (*s.response->vp_token)["pid"][0].get<std::string>();
      issuer_jwts.push_back(presentation.substr(0, presentation.find('~')));
    });
  }
  ASSERT_EQ(issuer_jwts.size(), 2u);
  EXPECT_NE(issuer_jwts[0], issuer_jwts[1]);  // another issuer signature, another cnf key
  auto cnf = [](const std::string& jwt) {
    const std::string payload = jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1);
    return ParseJsonObject(AsStringView(Base64UrlDecode(payload).value())).value()["cnf"];
  };
  EXPECT_NE(cnf(issuer_jwts[0]), cnf(issuer_jwts[1]));
  EXPECT_EQ(UnusedCopies(pid_id_), 1u);
}

TEST_F(PresentTest, CopiesRunOutAfterTheLastOne) {
  for (int i = 0; i < 3; ++i) {
    auto outcome =
        PrepareAndRespond(verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
                          Decision::kApprove);
    ASSERT_TRUE(outcome.ok()) << i << ": " << outcome.status().ToString();
  }
  // Every copy used: the credential no longer matches (boundary of the fresh-copy rule).
  auto outcome =
      PrepareAndRespond(verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
                        Decision::kApprove);
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
}

TEST_F(PresentTest, DeclineSendsAccessDeniedAndIsLogged) {
  auto outcome = PrepareAndRespond(
      verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPostJwt),
      Decision::kDecline);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->outcome, PresentationOutcome::kDeclined);
  EXPECT_TRUE(outcome->response_sent);
  EXPECT_TRUE(outcome->attributes.empty());
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
    EXPECT_FALSE(s.response->vp_token.has_value());
    ASSERT_TRUE(s.response->error.has_value());
    EXPECT_EQ(s.response->error->error, "access_denied");
    EXPECT_EQ(s.response->error->error_description.value_or(""), "the user declined");
  });
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);
  auto history = wallet_->History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].outcome, PresentationOutcome::kDeclined);
  EXPECT_EQ((*history)[0].relying_party, kRpName);
  EXPECT_EQ((*history)[0].purpose, "age_over_18");
  EXPECT_EQ((*history)[0].attributes, std::vector<std::string>{"age_over_18"});
}

TEST_F(PresentTest, OverAskingIsRefusedWithTheExactClaims) {
  std::optional<PresentationRequest> kept;
  auto outcome = PrepareAndRespond(
      verifier_->NewRequest(PidQuery({"age_over_18", "birth_date"}), oid4vp::ResponseMode::kDirectPostJwt),
      Decision::kApprove, &kept);
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(kept->summary().over_asking, std::vector<std::string>{"birth_date"});
  EXPECT_EQ(kept->refusal().code(), StatusCode::kInvalidClaims);
  EXPECT_TRUE(kept->answered());
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
    EXPECT_FALSE(s.response->vp_token.has_value());
    ASSERT_TRUE(s.response->error.has_value());
    EXPECT_EQ(s.response->error->error, "access_denied");
    EXPECT_EQ(s.response->error->error_description.value_or(""),
              "claims beyond the registration: birth_date");
  });
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);  // nothing disclosed, no copy spent
  auto history = wallet_->History().value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome, PresentationOutcome::kRefused);
  EXPECT_EQ(history[0].attributes, (std::vector<std::string>{"age_over_18", "birth_date"}));
  EXPECT_NE(history[0].reason.find("invalid_claims"), std::string::npos);
}

TEST_F(PresentTest, OverAskingAcrossPurposesOnMdoc) {
  // birth_date is in no purpose registered for the mDL (driving_entitlement: names, portrait,
  // driving_privileges, expiry_date; age_over_18: age_over_18).
  std::optional<PresentationRequest> kept;
  auto outcome =
      PrepareAndRespond(verifier_->NewRequest(MdocQuery(kMdlDoctype, kMdlNs, {"age_over_18", "birth_date"}),
                                              oid4vp::ResponseMode::kDirectPost),
                        Decision::kApprove, &kept);
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(kept->summary().over_asking, std::vector<std::string>{"org.iso.18013.5.1/birth_date"});
  EXPECT_EQ(UnusedCopies(mdl_id_), 3u);
}

TEST_F(PresentTest, ClaimsFromTwoPurposesNameBoth) {
  // age_over_18 (age_over_18) and family_name (driving_entitlement): each claim is permitted by
  // one registered purpose, so the request is allowed and names both.
  auto request = PreparePresentation(
      *wallet_,
      verifier_->NewRequest(MdocQuery(kMdlDoctype, kMdlNs, {"age_over_18", "family_name"}),
                            oid4vp::ResponseMode::kDirectPost),
      options_);
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request->refusal().ok()) << request->refusal().ToString();
  EXPECT_EQ(request->summary().purposes, (std::vector<std::string>{"age_over_18", "driving_entitlement"}));
}

TEST_F(PresentTest, UnregisteredVerifierIsRefusedAndNotContacted) {
  // An access certificate from another CA for the same host.
  crypto::PrivateKey root_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::CertificateTemplate t;
  t.subject = {{"CN", "rogue root"}};
  t.not_before = SystemClock::Default().NowSeconds() - 3600;
  t.not_after = t.not_before + 86400;
  t.is_ca = true;
  t.key_usage.key_cert_sign = true;
  crypto::Certificate root = crypto::CreateSelfSignedCertificate(t, root_key).value();
  crypto::PrivateKey leaf_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::CertificateTemplate l;
  l.subject = {{"CN", kRpHost}};
  l.not_before = t.not_before;
  l.not_after = t.not_after;
  l.key_usage.digital_signature = true;
  l.dns_names = {kRpHost};
  crypto::Certificate leaf = crypto::IssueCertificate(l, leaf_key.public_key(), root, root_key).value();
  Verifier rogue(std::move(leaf_key), {leaf.der(), root.der()}, rp_->registration_jwt, sd_trust_, *iaca_);
  auto transport = InsecureLoopbackTransport::Create(client_, kRpHost, rogue.origin()).value();
  PresentOptions options = options_;
  options.transport = transport.get();

  auto request = PreparePresentation(
      *wallet_, rogue.NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost), options);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->refusal().code(), StatusCode::kUntrustedIssuer);
  EXPECT_FALSE(request->summary().registered);
  EXPECT_FALSE(request->summary().trusted);
  EXPECT_EQ(request->summary().relying_party, "");
  auto outcome = Respond(*wallet_, *request, Decision::kApprove, options);
  EXPECT_EQ(outcome.status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(rogue.WithLast([](Session& s) { return s.posts; }), 0);
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);
  auto history = wallet_->History().value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome, PresentationOutcome::kRefused);
  EXPECT_EQ(history[0].relying_party, "");
  EXPECT_NE(history[0].reason.find("untrusted_issuer"), std::string::npos);
}

TEST_F(PresentTest, VerifierOfAnotherRegistryIsRefused) {
  // Registered properly, but in a registry the wallet does not pin: not on the trust list.
  auto other =
      registry::Registry::Init((dir_.root() / "other-registry").string(), {}, SystemClock::Default());
  ASSERT_TRUE(other.ok());
  registry::RpRequest rp{
      .name = "Other Ltd", .client_id = kRpHost, .registration_number = "", .purposes = {"age_over_18"}};
  auto creds = other->AddRelyingParty(rp, (dir_.root() / "other-rp").string(), SystemClock::Default());
  ASSERT_TRUE(creds.ok());
  Verifier foreign(std::move(creds->access_key), {creds->access_certificate.der()}, creds->registration_jwt,
                   sd_trust_, *iaca_);
  auto transport = InsecureLoopbackTransport::Create(client_, kRpHost, foreign.origin()).value();
  PresentOptions options = options_;
  options.transport = transport.get();
  auto request = PreparePresentation(
      *wallet_, foreign.NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost), options);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->refusal().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(Respond(*wallet_, *request, Decision::kApprove, options).status().code(),
            StatusCode::kUntrustedIssuer);
  EXPECT_EQ(foreign.WithLast([](Session& s) { return s.posts; }), 0);
}

TEST_F(PresentTest, SuspendedRelyingPartyIsRefusedAndTold) {
  ASSERT_TRUE(registry_->SetRelyingPartyStatus(kRpHost, registry::RpStatus::kSuspended).ok());
  ASSERT_NO_FATAL_FAILURE(Publish());
  std::optional<PresentationRequest> kept;
  auto outcome = PrepareAndRespond(
      verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPostJwt),
      Decision::kApprove, &kept);
  EXPECT_EQ(outcome.status().code(), StatusCode::kSuspended);
  EXPECT_TRUE(kept->summary().suspended);
  EXPECT_FALSE(kept->summary().trusted);
  EXPECT_EQ(kept->summary().relying_party, kRpName);
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value()) << s.parse_status.ToString();
    ASSERT_TRUE(s.response->error.has_value());
    EXPECT_EQ(s.response->error->error, "access_denied");
    EXPECT_FALSE(s.response->vp_token.has_value());
  });
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);
  // Reinstated: the same request shape is allowed again (boundary).
  ASSERT_TRUE(registry_->SetRelyingPartyStatus(kRpHost, registry::RpStatus::kActive).ok());
  ASSERT_NO_FATAL_FAILURE(Publish());
  auto again = PrepareAndRespond(
      verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPostJwt),
      Decision::kApprove);
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(PresentTest, NoMatchingCredentialIsRefusedWithNotFound) {
  std::optional<PresentationRequest> kept;
  // A permitted claim, but the wallet's mDL says age_over_18 true and the query wants false.
  oid4vp::DcqlQuery query = MdocQuery(kMdlDoctype, kMdlNs, {"age_over_18"});
  (*query.credentials[0].claims)[0].values = std::vector<oid4vp::ClaimValue>{false};
  auto outcome = PrepareAndRespond(verifier_->NewRequest(query, oid4vp::ResponseMode::kDirectPost),
                                   Decision::kApprove, &kept);
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(kept->summary().trusted);
  EXPECT_EQ(kept->summary().purposes, std::vector<std::string>{"age_over_18"});
  EXPECT_TRUE(kept->summary().attributes.empty());
  verifier_->WithLast([](Session& s) {
    ASSERT_TRUE(s.response.has_value());
    ASSERT_TRUE(s.response->error.has_value());
    EXPECT_EQ(s.response->error->error, "access_denied");
  });
  auto history = wallet_->History().value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome, PresentationOutcome::kRefused);
  EXPECT_EQ(history[0].attributes, std::vector<std::string>{"org.iso.18013.5.1/age_over_18"});
}

TEST_F(PresentTest, HistoryKeepsAttributeNamesAndNoValues) {
  ASSERT_TRUE(
      PrepareAndRespond(verifier_->NewRequest(MdocQuery(kMdlDoctype, kMdlNs, {"family_name", "given_name"}),
                                              oid4vp::ResponseMode::kDirectPostJwt),
                        Decision::kApprove)
          .ok());
  ASSERT_TRUE(
      PrepareAndRespond(verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
                        Decision::kApprove)
          .ok());
  auto history = wallet_->History().value();
  ASSERT_EQ(history.size(), 2u);
  // Both records have the same second; ties are ordered by random record id.
  if (history[0].credential_ids != std::vector<std::string>{mdl_id_}) std::swap(history[0], history[1]);
  EXPECT_EQ(history[0].outcome, PresentationOutcome::kShared);
  EXPECT_EQ(history[0].credential_ids, std::vector<std::string>{mdl_id_});
  EXPECT_EQ(history[0].attributes,
            (std::vector<std::string>{"org.iso.18013.5.1/family_name", "org.iso.18013.5.1/given_name"}));
  EXPECT_EQ(history[0].client_id, std::string("x509_san_dns:") + kRpHost);
  EXPECT_EQ(history[0].purpose, "driving_entitlement");
  EXPECT_EQ(history[0].reason, "");
  EXPECT_EQ(history[1].attributes, std::vector<std::string>{"age_over_18"});
  std::string all;
  for (const auto& r : history) all += DumpJson(r.ToJson());
  EXPECT_EQ(all.find(testing::kHolderFamilyName), std::string::npos);
  EXPECT_EQ(all.find(testing::kHolderGivenName), std::string::npos);
}

TEST_F(PresentTest, FailedPostIsLoggedFailed) {
  std::string uri = verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost);
  auto request = PreparePresentation(*wallet_, uri, options_);
  ASSERT_TRUE(request.ok());
  verifier_.reset();  // the verifier goes away between consent and response
  auto outcome = Respond(*wallet_, *request, Decision::kApprove, options_);
  EXPECT_EQ(outcome.status().code(), StatusCode::kIoError);
  auto history = wallet_->History().value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome, PresentationOutcome::kFailed);
  EXPECT_EQ(history[0].attributes, std::vector<std::string>{"age_over_18"});
}

TEST_F(PresentTest, RespondTwiceAndLockedWallet) {
  auto request = PreparePresentation(
      *wallet_, verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
      options_);
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(Respond(*wallet_, *request, Decision::kDecline, options_).ok());
  EXPECT_EQ(Respond(*wallet_, *request, Decision::kApprove, options_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(UnusedCopies(pid_id_), 3u);
  wallet_->Lock();
  EXPECT_EQ(PreparePresentation(
                *wallet_, verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost),
                options_)
                .status()
                .code(),
            StatusCode::kInvalidKey);
}

TEST_F(PresentTest, TamperedRequestObjectIsRefusedWithoutContact) {
  std::string uri = verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost);
  // Flip a character in the middle of the signature (the last one could break base64url
  // canonicality instead).
  verifier_->WithLast([](Session& s) {
    char& c = s.jws[s.jws.size() - 10];
    c = c == 'A' ? 'B' : 'A';
  });
  auto request = PreparePresentation(*wallet_, uri, options_);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->refusal().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(request->verified(), nullptr);
  EXPECT_EQ(Respond(*wallet_, *request, Decision::kApprove, options_).status().code(),
            StatusCode::kInvalidSignature);
  EXPECT_EQ(verifier_->WithLast([](Session& s) { return s.posts; }), 0);
}

TEST_F(PresentTest, BadInvocationAndUnreachableVerifier) {
  EXPECT_EQ(PreparePresentation(*wallet_, "https://example.com/#x", options_).status().code(),
            StatusCode::kMalformed);
  std::string uri = verifier_->NewRequest(PidQuery({"age_over_18"}), oid4vp::ResponseMode::kDirectPost);
  PresentOptions direct = options_;
  direct.transport = &client_;  // no loopback mapping: verifier.example.co.uk is not reachable
  http::ClientOptions quick;
  quick.connect_timeout = std::chrono::milliseconds(300);
  client_ = HttpClientTransport(quick);
  EXPECT_EQ(PreparePresentation(*wallet_, uri, direct).status().code(), StatusCode::kIoError);
  PresentOptions missing = options_;
  missing.trust_list = nullptr;
  EXPECT_EQ(PreparePresentation(*wallet_, uri, missing).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PresentTest, TrustConfigRules) {
  TempDir other;
  std::filesystem::create_directories(other.wallet());
  EXPECT_EQ(LoadTrustConfig(other.wallet()).status().code(), StatusCode::kNotFound);
  TrustConfig bad{
      .trust_list = "", .registry_root_pem = registry_->root_certificate().ToPem(), .ca_file = ""};
  EXPECT_EQ(SaveTrustConfig(other.wallet(), bad).code(), StatusCode::kInvalidArgument);
  bad.trust_list = "x";
  bad.registry_root_pem = "not a certificate";
  EXPECT_EQ(SaveTrustConfig(other.wallet(), bad).code(), StatusCode::kMalformed);
  bad.registry_root_pem = registry_->root_certificate().ToPem();
  EXPECT_TRUE(SaveTrustConfig(other.wallet(), bad).ok());
  auto loaded = LoadTrustConfig(other.wallet());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->trust_list, "x");
  EXPECT_EQ(loaded->registry_root_pem, registry_->root_certificate().ToPem());
}

TEST(InsecureLoopbackTransportTest, OnlyLoopbackOrigins) {
  HttpClientTransport inner;
  EXPECT_EQ(InsecureLoopbackTransport::Create(inner, kRpHost, "http://example.com:80").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(InsecureLoopbackTransport::Create(inner, kRpHost, "https://127.0.0.1:80").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(InsecureLoopbackTransport::Create(inner, kRpHost, "http://127.0.0.1:80/path").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(InsecureLoopbackTransport::Create(inner, "", "http://127.0.0.1:80").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(InsecureLoopbackTransport::Create(inner, kRpHost, "http://127.0.0.1:8080").ok());
  EXPECT_TRUE(InsecureLoopbackTransport::Create(inner, kRpHost, "http://localhost").ok());
}

}  // namespace
}  // namespace bonafide::wallet
