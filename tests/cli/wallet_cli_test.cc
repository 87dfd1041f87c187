// End-to-end tests of `bonafide wallet init|receive|list|show|delete`. Wallets are made by the CLI
// (init) or seeded through the library from the in-memory fake issuer of
// tests/wallet/fake_issuer.h, then read and changed by the CLI; the receive / delete tests run the
// same fake issuer over HTTP on loopback (tests/wallet/loopback_issuer.h), so they can see what
// the issuer received (notifications) and make it misbehave (tamper modes).
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/json.h"
#include "cli_runner.h"
#include "tests/wallet/fake_issuer.h"
#include "tests/wallet/loopback_issuer.h"
#include "wallet/wallet.h"

namespace bonafide::clitest {
namespace {

constexpr char kPin[] = "271828";
const std::string kPinLine = std::string(kPin) + "\n";

class WalletCliTest : public CliTest {
 protected:
  std::string WalletDir() const { return Path("wallet"); }

  // Seed makes a wallet (cheap KDF) holding an SD-JWT VC and an mdoc from the fake issuer and
  // returns their ids.
  std::vector<std::string> Seed() {
    wallet::WalletOptions options;
    options.vault = wallet::VaultOptions::InsecureFastKdfForTests();
    options.clock = &clock_;
    auto w = wallet::Wallet::Init(WalletDir(), kPin, options);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return {};
    wallet::testing::FakeIssuer issuer;
    wallet::testing::FakeTransport transport(issuer);
    auto ids = (*w)->Receive(
        issuer.CreateOffer({wallet::testing::kSdJwtConfig, wallet::testing::kMdocConfig}), {}, transport);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    return ids.ok() ? *ids : std::vector<std::string>();
  }

  FixedClock clock_{wallet::testing::kIssuerNow};
};

TEST_F(WalletCliTest, InitWithPinStdinThenEmptyList) {
  RunResult init = Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, kPinLine);
  ASSERT_TRUE(Succeeds(init));
  EXPECT_EQ(StdoutJson(init)["initialised"], true);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(WalletDir()) / "wallet.db"));

  RunResult list = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(list));
  EXPECT_EQ(StdoutJson(list), Json::array());
  RunResult text = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, kPinLine);
  ASSERT_TRUE(Succeeds(text));
  EXPECT_NE(text.out.find("empty"), std::string::npos);
  // Nothing shared yet: the transaction log is empty in both forms.
  RunResult history = Cli({"wallet", "history", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(history));
  EXPECT_EQ(StdoutJson(history), Json::array());
  RunResult history_text = Cli({"wallet", "history", "--dir", WalletDir(), "--pin-stdin"}, kPinLine);
  ASSERT_TRUE(Succeeds(history_text));
  EXPECT_NE(history_text.out.find("Nothing has been shared"), std::string::npos);

  // A second init of the same directory is refused.
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, kPinLine),
                               "invalid_argument"));
}

TEST_F(WalletCliTest, InitRefusesWeakOrMissingPin) {
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, "123456\n"),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, "12345\n"),
                               "invalid_argument"));  // one digit short
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, ""), "invalid_argument"));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(WalletDir()) / "wallet.db"));
  // Boundary: six digits that break no rule.
  EXPECT_TRUE(Succeeds(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, "135790\n")));
}

TEST_F(WalletCliTest, SeededWalletListShowDelete) {
  std::vector<std::string> ids = Seed();
  ASSERT_EQ(ids.size(), 2u);
  RunResult list = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(list));
  Json entries = StdoutJson(list);
  ASSERT_TRUE(entries.is_array());
  ASSERT_EQ(entries.size(), 2u);
  for (const Json& e : entries) {
    EXPECT_EQ(e["copies"], 3);
    EXPECT_EQ(e["unused_copies"], 3);
    EXPECT_EQ(e["issuer"], wallet::testing::kIssuerId);
  }
  RunResult text = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, kPinLine);
  ASSERT_TRUE(Succeeds(text));
  EXPECT_NE(text.out.find("Basic DBS check / Gwiriad DBS sylfaenol"), std::string::npos) << text.out;

  RunResult show = Cli({"wallet", "show", "--dir", WalletDir(), "--pin-stdin", ids[0]}, kPinLine);
  ASSERT_TRUE(Succeeds(show));
  Json shown = StdoutJson(show);
  EXPECT_EQ(shown["id"], ids[0]);
  const std::string dumped = DumpJson(shown["claims"]);
  EXPECT_NE(dumped.find(wallet::testing::kHolderFamilyName), std::string::npos);

  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "show", "--dir", WalletDir(), "--pin-stdin", "AAAAAAAAAAAAAAAAAAAAAA"},
                                   kPinLine),
                               "not_found"));
  RunResult del = Cli({"wallet", "delete", "--dir", WalletDir(), "--pin-stdin", ids[0]}, kPinLine);
  ASSERT_TRUE(Succeeds(del));
  EXPECT_EQ(StdoutJson(del)["deleted"], ids[0]);
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "delete", "--dir", WalletDir(), "--pin-stdin", ids[0]}, kPinLine),
                               "not_found"));
  RunResult after = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(after));
  ASSERT_EQ(StdoutJson(after).size(), 1u);
  EXPECT_EQ(StdoutJson(after)[0]["id"], ids[1]);
}

TEST_F(WalletCliTest, WrongPinThenLockout) {
  ASSERT_EQ(Seed().size(), 2u);
  for (int i = 1; i <= 4; ++i) {
    RunResult wrong = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, "314159\n");
    ASSERT_TRUE(CommandFailsWith(wrong, "invalid_signature")) << i;
    EXPECT_NE(wrong.err.find(std::to_string(5 - i) + " more before a lockout"), std::string::npos) << wrong.err;
  }
  // The fifth consecutive failure locks the wallet, and then even the right PIN is refused.
  RunResult fifth = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, "314159\n");
  ASSERT_TRUE(CommandFailsWith(fifth, "limit_exceeded"));
  EXPECT_NE(fifth.err.find("try again in"), std::string::npos) << fifth.err;
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, kPinLine),
                               "limit_exceeded"));
}

TEST_F(WalletCliTest, RightPinAfterWrongOnesResetsTheCount) {
  ASSERT_EQ(Seed().size(), 2u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(CommandFailsWith(Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, "314159\n"),
                                 "invalid_signature"));
  }
  ASSERT_TRUE(Succeeds(Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, kPinLine)));
  RunResult wrong = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin"}, "314159\n");
  ASSERT_TRUE(CommandFailsWith(wrong, "invalid_signature"));
  EXPECT_NE(wrong.err.find("4 more before a lockout"), std::string::npos) << wrong.err;
}

TEST_F(WalletCliTest, ReceiveUnreachableIssuerAndMissingWallet) {
  // Port 1 on loopback: the connection is refused at once.
  const std::string offer = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2F127.0.0.1%3A1%2Fo%2F1";
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "receive", "--dir", WalletDir(), offer}), "not_found"));
  ASSERT_TRUE(Succeeds(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, kPinLine)));
  RunResult receive = Cli({"wallet", "receive", "--dir", WalletDir(), "--pin-stdin", offer}, kPinLine);
  ASSERT_TRUE(CommandFailsWith(receive, "io_error"));
  EXPECT_NE(receive.err.find("credential offer"), std::string::npos) << receive.err;
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "receive", "--dir", WalletDir(), "--pin-stdin", "--max-copies", "0", offer},
                                   kPinLine),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "receive", "--dir", WalletDir(), "--pin-stdin", "not-an-offer"}, kPinLine),
                               "malformed"));
  EXPECT_TRUE(CommandFailsWith(Cli({"wallet", "list", "--dir", Path("nowhere"), "--pin-stdin"}, kPinLine),
                               "not_found"));
  EXPECT_TRUE(UsageError(Cli({"wallet", "list", "--pin-stdin"}, kPinLine)));
  EXPECT_TRUE(UsageError(Cli({"wallet", "show", "--dir", WalletDir(), "--pin-stdin"}, kPinLine)));
}

class WalletCliLoopbackTest : public WalletCliTest {
 protected:
  void SetUp() override {
    WalletCliTest::SetUp();  // the temporary directory
    issuer_ = wallet::testing::LoopbackIssuer::Start();
    ASSERT_NE(issuer_, nullptr);
    ASSERT_TRUE(Succeeds(Cli({"wallet", "init", "--dir", WalletDir(), "--pin-stdin"}, kPinLine)));
  }
  std::string Offer(const char* config) {
    return issuer_->With([&](wallet::testing::FakeIssuer& i) { return i.CreateOffer({config}); });
  }
  RunResult Receive(const std::string& offer, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"wallet", "receive", "--dir", WalletDir(), "--pin-stdin",
                                     "--insecure-http-loopback"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(offer);
    return Cli(args, kPinLine);
  }
  std::vector<std::pair<std::string, std::string>> Notifications() {
    return issuer_->With([](wallet::testing::FakeIssuer& i) { return i.notifications; });
  }
  void SetTamper(wallet::testing::FakeIssuer::Tamper tamper) {
    issuer_->With([tamper](wallet::testing::FakeIssuer& i) { i.tamper = tamper; });
  }
  size_t Stored() {
    RunResult list = Cli({"wallet", "list", "--dir", WalletDir(), "--pin-stdin", "--json"}, kPinLine);
    EXPECT_TRUE(Succeeds(list));
    return StdoutJson(list).size();
  }

  std::unique_ptr<wallet::testing::LoopbackIssuer> issuer_;
};

TEST_F(WalletCliLoopbackTest, DeleteSendsCredentialDeleted) {
  RunResult received = Receive(Offer(wallet::testing::kSdJwtConfig));
  ASSERT_TRUE(Succeeds(received)) << received.Describe();
  const std::string id = StdoutJson(received)["received"][0]["id"].get<std::string>();
  auto accepted = Notifications();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].second, "credential_accepted");

  RunResult del = Cli({"wallet", "delete", "--dir", WalletDir(), "--pin-stdin", id}, kPinLine);
  ASSERT_TRUE(Succeeds(del)) << del.Describe();
  EXPECT_EQ(StdoutJson(del)["deleted"], id);
  EXPECT_EQ(StdoutJson(del)["notification"], "sent");
  auto after = Notifications();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].second, "credential_deleted");
  EXPECT_EQ(after[1].first, after[0].first);  // the notification_id the issuer gave
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(WalletCliLoopbackTest, FailedDeleteNotificationStillDeletesWithANote) {
  RunResult received = Receive(Offer(wallet::testing::kMdocConfig));
  ASSERT_TRUE(Succeeds(received)) << received.Describe();
  const std::string id = StdoutJson(received)["received"][0]["id"].get<std::string>();
  issuer_->With([](wallet::testing::FakeIssuer& i) {
    i.inject[wallet::testing::FakeEndpoint::kNotification] =
        wallet::testing::InjectError(oid4vci::Oid4vciError::kInvalidNotificationId);
  });
  RunResult del = Cli({"wallet", "delete", "--dir", WalletDir(), "--pin-stdin", id}, kPinLine);
  ASSERT_TRUE(Succeeds(del)) << del.Describe();
  EXPECT_EQ(StdoutJson(del)["notification"], "failed");
  EXPECT_NE(del.err.find("note:"), std::string::npos) << del.err;
  EXPECT_NE(del.err.find("invalid_notification_id"), std::string::npos) << del.err;
  EXPECT_EQ(Stored(), 0u);
}

TEST_F(WalletCliLoopbackTest, CredentialsThatDoNotVerifyAreNotStored) {
  SetTamper(wallet::testing::FakeIssuer::Tamper::kWrongSigner);
  EXPECT_TRUE(CommandFailsWith(Receive(Offer(wallet::testing::kSdJwtConfig)), "invalid_signature"));
  SetTamper(wallet::testing::FakeIssuer::Tamper::kWrongIss);
  EXPECT_TRUE(CommandFailsWith(Receive(Offer(wallet::testing::kJwtVcConfig)), "untrusted_issuer"));
  SetTamper(wallet::testing::FakeIssuer::Tamper::kForeignIaca);
  EXPECT_TRUE(CommandFailsWith(Receive(Offer(wallet::testing::kMdocConfig)), "untrusted_issuer"));
  EXPECT_EQ(Stored(), 0u);
  EXPECT_TRUE(Notifications().empty());
  // Boundary: honest again, all three formats are stored.
  SetTamper(wallet::testing::FakeIssuer::Tamper::kNone);
  for (const char* config : {wallet::testing::kSdJwtConfig, wallet::testing::kMdocConfig,
                             wallet::testing::kJwtVcConfig}) {
    RunResult r = Receive(Offer(config));
    EXPECT_TRUE(Succeeds(r)) << config << ": " << r.Describe();
  }
  EXPECT_EQ(Stored(), 3u);
}

TEST_F(WalletCliLoopbackTest, TrustIacaAnchorsReplaceTheIssuersRoots) {
  WriteFile("other-iaca.pem", issuer_->With([](wallet::testing::FakeIssuer& i) { return i.other_iaca_pem(); }));
  WriteFile("issuer-iaca.pem", issuer_->With([](wallet::testing::FakeIssuer& i) { return i.iaca_pem(); }));
  RunResult refused = Receive(Offer(wallet::testing::kMdocConfig), {"--trust-iaca", Path("other-iaca.pem")});
  EXPECT_TRUE(CommandFailsWith(refused, "untrusted_issuer")) << refused.Describe();
  EXPECT_TRUE(CommandFailsWith(Receive(Offer(wallet::testing::kMdocConfig), {"--trust-iaca", Path("missing.pem")}),
                               "io_error"));
  WriteFile("junk.pem", "not a certificate");
  EXPECT_TRUE(CommandFailsWith(Receive(Offer(wallet::testing::kMdocConfig), {"--trust-iaca", Path("junk.pem")}),
                               "malformed"));
  EXPECT_EQ(Stored(), 0u);
  // Repeatable: one of the two anchors is the issuer's IACA.
  RunResult accepted = Receive(Offer(wallet::testing::kMdocConfig), {"--trust-iaca", Path("other-iaca.pem"),
                                                                     "--trust-iaca", Path("issuer-iaca.pem")});
  EXPECT_TRUE(Succeeds(accepted)) << accepted.Describe();
  EXPECT_EQ(Stored(), 1u);
}

}  // namespace
}  // namespace bonafide::clitest
