// `bonafide registry init|add-issuer|add-rp|list|suspend-rp|publish` end to end on a temporary
// directory; what the CLI writes is checked with bonafide_registry (VerifyTrustList,
// VerifyAccessCertificate, VerifyRegistration).
#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/json.h"
#include "cli_runner.h"
#include "crypto/x509.h"
#include "issuer/config.h"
#include "registry/trust_list.h"

namespace bonafide::clitest {
namespace {

class RegistryCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    reg_ = Path("reg");
    RunResult r = Cli({"registry", "init", "--data-dir", reg_, "--name", "Test Registrar", "--id",
                       "https://registry.example.gov.uk", "--trust-list-ttl", "12"});
    ASSERT_TRUE(Succeeds(r));
    init_ = StdoutJson(r);
  }

  crypto::Certificate Root() {
    auto root = crypto::Certificate::FromPem(ReadFile("reg/root.pem"));
    EXPECT_TRUE(root.ok());
    return *root;
  }

  Result<registry::TrustList> PublishAndLoad() {
    RunResult r = Cli({"registry", "publish", "--data-dir", reg_, "--out", Path("list.jwt")});
    EXPECT_TRUE(Succeeds(r));
    std::string jws = ReadFile("list.jwt");
    while (!jws.empty() && jws.back() == '\n') jws.pop_back();
    return registry::VerifyTrustList(jws, Root(), SystemClock::Default().NowSeconds());
  }

  std::string reg_;
  Json init_;
};

TEST_F(RegistryCliTest, InitPrintsTheRootAndRefusesASecondInit) {
  EXPECT_EQ(init_["id"], "https://registry.example.gov.uk");
  EXPECT_EQ(init_["name"], "Test Registrar");
  EXPECT_EQ(init_["trust_list_ttl_seconds"], 12 * 3600);
  EXPECT_EQ(init_["root_sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(Root().is_ca());
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "init", "--data-dir", reg_}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "init", "--data-dir", Path("r2"), "--trust-list-ttl", "0"}),
                               "invalid_argument"));
  EXPECT_TRUE(Succeeds(Cli({"registry", "init", "--data-dir", Path("r3"), "--trust-list-ttl", "1"})));
  EXPECT_TRUE(UsageError(Cli({"registry", "init"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "list", "--data-dir", Path("none")}), "not_found"));
}

TEST_F(RegistryCliTest, AddRpListSuspendPublishEndToEnd) {
  RunResult add = Cli({"registry", "add-rp", "--data-dir", reg_, "--name", "Example Employer Ltd", "--client-id",
                       "verifier.example.co.uk", "--purpose", "right_to_work,age_over_18", "--registration-number",
                       "01234567", "--out-dir", Path("rp")});
  ASSERT_TRUE(Succeeds(add));
  Json out = StdoutJson(add);
  EXPECT_EQ(out["purposes"], Json::array({"right_to_work", "age_over_18"}));
  struct stat st {};
  ASSERT_EQ(stat(Path("rp/access_key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto cert = crypto::Certificate::AllFromPem(ReadFile("rp/access_cert.pem"));
  ASSERT_TRUE(cert.ok());
  ASSERT_EQ(cert->size(), 1u);
  EXPECT_EQ(cert->front().dns_names(), std::vector<std::string>{"verifier.example.co.uk"});
  EXPECT_EQ(ReadFile("rp/registry_root.pem"), ReadFile("reg/root.pem"));

  // Duplicate, unknown purpose, bad host: typed errors, nothing changed.
  const std::string state = ReadFile("reg/registry.json");
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "add-rp", "--data-dir", reg_, "--name", "X", "--client-id",
                                    "verifier.example.co.uk", "--purpose", "age_over_18", "--out-dir", Path("rp2")}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "add-rp", "--data-dir", reg_, "--name", "X", "--client-id",
                                    "x.example.com", "--purpose", "age_over_18,voting", "--out-dir", Path("rp3")}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "add-rp", "--data-dir", reg_, "--name", "X", "--client-id",
                                    "https://x.example.com/", "--purpose", "age_over_18", "--out-dir", Path("rp4")}),
                               "invalid_argument"));
  EXPECT_TRUE(UsageError(Cli({"registry", "add-rp", "--data-dir", reg_, "--name", "X", "--client-id",
                              "x.example.com", "--out-dir", Path("rp5")})));
  EXPECT_EQ(ReadFile("reg/registry.json"), state);

  RunResult list = Cli({"registry", "list", "--data-dir", reg_, "--json"});
  ASSERT_TRUE(Succeeds(list));
  Json summary = StdoutJson(list);
  ASSERT_EQ(summary["relying_parties"].size(), 1u);
  EXPECT_EQ(summary["relying_parties"][0]["status"], "active");
  RunResult table = Cli({"registry", "list", "--data-dir", reg_});
  ASSERT_TRUE(Succeeds(table));
  EXPECT_NE(table.out.find("verifier.example.co.uk"), std::string::npos);

  const int64_t now = SystemClock::Default().NowSeconds();
  auto first = PublishAndLoad();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->sequence(), 1);
  EXPECT_EQ(first->next_update() - first->issued_at(), 12 * 3600);
  EXPECT_TRUE(registry::VerifyAccessCertificate(*first, *cert, "verifier.example.co.uk", now).ok());
  std::string jwt = ReadFile("rp/registration.jwt");
  while (!jwt.empty() && jwt.back() == '\n') jwt.pop_back();
  EXPECT_TRUE(registry::VerifyRegistration(jwt, *first, now).ok());

  ASSERT_TRUE(Succeeds(Cli({"registry", "suspend-rp", "--data-dir", reg_, "--client-id", "verifier.example.co.uk"})));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"registry", "suspend-rp", "--data-dir", reg_, "--client-id", "verifier.example.co.uk"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "suspend-rp", "--data-dir", reg_, "--client-id", "no.example.com"}),
                               "not_found"));
  auto second = PublishAndLoad();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sequence(), 2);
  EXPECT_EQ(registry::VerifyAccessCertificate(*second, *cert, "verifier.example.co.uk", now).status().code(),
            StatusCode::kSuspended);
  ASSERT_TRUE(Succeeds(
      Cli({"registry", "suspend-rp", "--data-dir", reg_, "--client-id", "verifier.example.co.uk", "--reinstate"})));
  auto third = PublishAndLoad();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->sequence(), 3);
  EXPECT_TRUE(registry::VerifyAccessCertificate(*third, *cert, "verifier.example.co.uk", now).ok());
}

TEST_F(RegistryCliTest, AddIssuerFromIssuerDataDir) {
  issuer::InitOptions options;
  options.issuer_url = "https://issuer.example.gov.uk";
  auto config = issuer::InitDataDir(Path("issuer"), options, SystemClock::Default());
  ASSERT_TRUE(config.ok()) << config.status().message();
  RunResult r = Cli({"registry", "add-issuer", "--data-dir", reg_, "--from-issuer", Path("issuer")});
  ASSERT_TRUE(Succeeds(r));
  EXPECT_EQ(StdoutJson(r)["id"], "https://issuer.example.gov.uk");
  EXPECT_EQ(StdoutJson(r)["credentials"].size(), 7u);
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "add-issuer", "--data-dir", reg_, "--from-issuer", Path("issuer")}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"registry", "add-issuer", "--data-dir", reg_, "--from-issuer", Path("none")}),
                               "io_error"));
  // Exactly one source.
  EXPECT_TRUE(UsageError(Cli({"registry", "add-issuer", "--data-dir", reg_})));
  EXPECT_TRUE(UsageError(Cli({"registry", "add-issuer", "--data-dir", reg_, "--from-issuer", Path("issuer"),
                              "--metadata-url", "https://issuer.example.gov.uk"})));
  auto list = PublishAndLoad();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->FindIssuerAnchors({"mso_mdoc", "org.iso.18013.5.1.mDL"}).size(), 1u);
}

}  // namespace
}  // namespace bonafide::clitest
