// End-to-end tests of `bonafide wallet trust` and `bonafide wallet present` (issue 5 part 3): a
// wallet seeded through the library (a Digital ID SD-JWT VC and an mDL from the fake issuer), a
// trust registry made with src/registry (init, add-rp, publish to a file), and the in-process
// OpenID4VP verifier of tests/wallet/present_fixture.h on 127.0.0.1, registered as
// verifier.example.co.uk and reached with --insecure-http-loopback. Then `wallet history --json`.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/json.h"
#include "cli_runner.h"
#include "crypto/x509.h"
#include "mdoc/iaca.h"
#include "oid4vp/request.h"
#include "registry/registry.h"
#include "tests/wallet/fake_issuer.h"
#include "tests/wallet/present_fixture.h"
#include "wallet/wallet.h"

namespace bonafide::clitest {
namespace {

namespace wt = wallet::testing;

constexpr char kPin[] = "271828";
const std::string kPinLine = std::string(kPin) + "\n";

class WalletPresentCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    // Wallet (cheap KDF) with a Digital ID and an mDL issued on the system clock.
    issuer_ = std::make_unique<wt::FakeIssuer>(3, wt::kIssuerId, SystemClock::Default().NowSeconds(), true);
    pid_transport_ = std::make_unique<wt::PidTransport>(*issuer_);
    wallet::WalletOptions options;
    options.vault = wallet::VaultOptions::InsecureFastKdfForTests();
    auto w = wallet::Wallet::Init(WalletDir(), kPin, options);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto ids = (*w)->Receive(issuer_->CreateOffer({wt::kSdJwtConfig, wt::kMdocConfig}), {}, *pid_transport_);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    ids_ = *ids;

    // Registry: the verifier registered for age_over_18 and driving_entitlement.
    auto reg = registry::Registry::Init(Path("registry"), {}, SystemClock::Default());
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    registry_.emplace(std::move(*reg));
    registry::RpRequest rp{.name = "Example Verifier Ltd",
                           .client_id = wt::kRpHost,
                           .registration_number = "09876543",
                           .purposes = {"age_over_18", "driving_entitlement"}};
    auto creds = registry_->AddRelyingParty(rp, Path("rp"), SystemClock::Default());
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    auto list = registry_->Publish(SystemClock::Default());
    ASSERT_TRUE(list.ok());
    WriteFile("trust-list.jwt", *list);
    WriteFile("root.pem", registry_->root_certificate().ToPem());

    sd_trust_.issuer_key = pid_transport_->key().public_key();
    iaca_ = mdoc::IacaTrustStore::Create({crypto::Certificate::FromPem(issuer_->iaca_pem()).value()}).value();
    verifier_ = std::make_unique<wt::Verifier>(std::move(creds->access_key),
                                               std::vector<Bytes>{creds->access_certificate.der()},
                                               creds->registration_jwt, sd_trust_, *iaca_);
  }

  std::string WalletDir() const { return Path("wallet"); }

  // LoopbackUri makes a request for `query` and returns its invocation URL with the request_uri
  // on the verifier's loopback origin.
  std::string LoopbackUri(const oid4vp::DcqlQuery& query,
                          oid4vp::ResponseMode mode = oid4vp::ResponseMode::kDirectPostJwt) {
    (void)verifier_->NewRequest(query, mode);
    oid4vp::WalletInvocation inv;
    inv.client_id = std::string("x509_san_dns:") + wt::kRpHost;
    inv.request_uri = verifier_->origin() + "/request/" + verifier_->last_id();
    return oid4vp::BuildRequestUri("openid4vp://", inv).value();
  }

  RunResult Trust() {
    return Cli({"wallet", "trust", "--dir", WalletDir(), "--trust-list", Path("trust-list.jwt"),
                "--registry-root", Path("root.pem")});
  }
  RunResult Present(const std::string& uri, const std::vector<std::string>& extra, const std::string& input) {
    std::vector<std::string> args = {"wallet",    "present",     "--dir",
                                     WalletDir(), "--pin-stdin", "--insecure-http-loopback"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(uri);
    return Cli(args, input);
  }
  Json History() {
    RunResult h = Cli({"wallet", "history", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
    EXPECT_TRUE(Succeeds(h)) << h.Describe();
    return StdoutJson(h);
  }

  std::unique_ptr<wt::FakeIssuer> issuer_;
  std::unique_ptr<wt::PidTransport> pid_transport_;
  std::vector<std::string> ids_;
  std::optional<registry::Registry> registry_;
  sdjwt::SdJwtVcTrust sd_trust_;
  std::unique_ptr<mdoc::IacaTrustStore> iaca_;
  std::unique_ptr<wt::Verifier> verifier_;
};

TEST_F(WalletPresentCliTest, TrustThenPresentYesThenHistory) {
  RunResult trust = Trust();
  ASSERT_TRUE(Succeeds(trust)) << trust.Describe();
  EXPECT_EQ(StdoutJson(trust)["sequence"], 1);
  EXPECT_EQ(StdoutJson(trust)["relying_parties"], 1);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(WalletDir()) / "trust.json"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(WalletDir()) / "trust_list.jwt"));

  RunResult present =
      Present(LoopbackUri(wt::MdocQuery(wt::kMdlDoctype, wt::kMdlNs, {"family_name", "given_name"})),
              {"--yes"}, kPinLine);
  ASSERT_TRUE(Succeeds(present)) << present.Describe();
  Json out = StdoutJson(present);
  EXPECT_EQ(out["outcome"], "shared");
  EXPECT_EQ(out["relying_party"], "Example Verifier Ltd");
  EXPECT_EQ(out["purpose"], "driving_entitlement");
  EXPECT_EQ(out["attributes"],
            Json::array({"org.iso.18013.5.1/family_name", "org.iso.18013.5.1/given_name"}));
  EXPECT_EQ(out["redirect_uri"], std::string("https://") + wt::kRpHost + "/done/" + verifier_->last_id());
  // The consent summary went to stderr.
  EXPECT_NE(present.err.find("Example Verifier Ltd (registration 09876543)"), std::string::npos)
      << present.err;
  EXPECT_NE(present.err.find("family_name  (Driving licence)"), std::string::npos) << present.err;
  verifier_->WithLast([](wt::Session& s) {
    ASSERT_TRUE(s.verified.has_value()) << s.verify_status.ToString() << " " << s.parse_status.ToString();
    EXPECT_EQ(
        s.verified->credentials.at("mdl")[0].claims,
        Json({{wt::kMdlNs, {{"family_name", wt::kHolderFamilyName}, {"given_name", wt::kHolderGivenName}}}}));
  });

  Json history = History();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["outcome"], "shared");
  EXPECT_EQ(history[0]["purpose"], "driving_entitlement");
  EXPECT_EQ(history[0]["attributes"], out["attributes"]);
  EXPECT_EQ(DumpJson(history).find(wt::kHolderFamilyName), std::string::npos);
}

TEST_F(WalletPresentCliTest, AnswerFromStdinDeclinesOrApproves) {
  ASSERT_TRUE(Succeeds(Trust()));
  const auto query = wt::PidQuery({"age_over_18"});
  RunResult no = Present(LoopbackUri(query, oid4vp::ResponseMode::kDirectPost), {}, kPinLine + "n\n");
  ASSERT_TRUE(Succeeds(no)) << no.Describe();
  EXPECT_EQ(StdoutJson(no)["outcome"], "declined");
  EXPECT_EQ(StdoutJson(no)["response_sent"], true);
  verifier_->WithLast([](wt::Session& s) {
    ASSERT_TRUE(s.response && s.response->error);
    EXPECT_EQ(s.response->error->error, "access_denied");
  });
  // No answer at all (end of input) is not consent: declined.
  RunResult eof = Present(LoopbackUri(query), {}, kPinLine);
  ASSERT_TRUE(Succeeds(eof)) << eof.Describe();
  EXPECT_EQ(StdoutJson(eof)["outcome"], "declined");
  RunResult yes = Present(LoopbackUri(query), {}, kPinLine + "y\n");
  ASSERT_TRUE(Succeeds(yes)) << yes.Describe();
  EXPECT_EQ(StdoutJson(yes)["outcome"], "shared");
  EXPECT_EQ(StdoutJson(yes)["purpose"], "age_over_18");
  EXPECT_EQ(StdoutJson(yes)["attributes"], Json::array({"age_over_18"}));
  Json history = History();
  ASSERT_EQ(history.size(), 3u);
}

TEST_F(WalletPresentCliTest, OverAskingIsRefusedNonZero) {
  ASSERT_TRUE(Succeeds(Trust()));
  RunResult r =
      Present(LoopbackUri(wt::MdocQuery(wt::kMdlDoctype, wt::kMdlNs, {"age_over_18", "birth_date"})),
              {"--yes"}, kPinLine);
  EXPECT_TRUE(CommandFailsWith(r, "invalid_claims")) << r.Describe();
  EXPECT_NE(
      r.err.find("refused Example Verifier Ltd (verifier.example.co.uk): claims beyond the registration: "
                 "org.iso.18013.5.1/birth_date"),
      std::string::npos)
      << r.err;
  verifier_->WithLast([](wt::Session& s) {
    ASSERT_TRUE(s.response && s.response->error);
    EXPECT_FALSE(s.response->vp_token.has_value());
  });
  Json history = History();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["outcome"], "refused");
}

TEST_F(WalletPresentCliTest, TrustFlagsDirectlyAndMissingTrust) {
  const std::string uri = LoopbackUri(wt::PidQuery({"age_over_18"}));
  // No `wallet trust` yet and no flags: not_found, nothing shared.
  EXPECT_TRUE(CommandFailsWith(Present(uri, {"--yes"}, kPinLine), "not_found"));
  // --trust-list without --registry-root is refused.
  EXPECT_TRUE(CommandFailsWith(Present(uri, {"--yes", "--trust-list", Path("trust-list.jwt")}, kPinLine),
                               "invalid_argument"));
  // Both flags given directly work without a stored configuration.
  RunResult r = Present(
      uri, {"--yes", "--trust-list", Path("trust-list.jwt"), "--registry-root", Path("root.pem")}, kPinLine);
  ASSERT_TRUE(Succeeds(r)) << r.Describe();
  EXPECT_EQ(StdoutJson(r)["outcome"], "shared");
}

TEST_F(WalletPresentCliTest, TrustRefusesAListOfAnotherRoot) {
  auto other = registry::Registry::Init(Path("other"), {}, SystemClock::Default());
  ASSERT_TRUE(other.ok());
  WriteFile("other-root.pem", other->root_certificate().ToPem());
  RunResult r = Cli({"wallet", "trust", "--dir", WalletDir(), "--trust-list", Path("trust-list.jwt"),
                     "--registry-root", Path("other-root.pem")});
  EXPECT_TRUE(CommandFailsWith(r, "untrusted_issuer")) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(WalletDir()) / "trust.json"));
}

}  // namespace
}  // namespace bonafide::clitest
