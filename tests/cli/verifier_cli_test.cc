// `bonafide verifier init|serve|check|result` end to end on loopback: a registry made with the CLI,
// a relying party whose access certificate names "localhost" (made here with the library, since
// `registry add-rp` registers only hosts of two labels or more), a served verifier, a check session
// and its pending result.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "base/encoding.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "http/client.h"
#include "tests/cli/background.h"
#include "tests/cli/cli_runner.h"

namespace bonafide::clitest {
namespace {

class VerifierCliTest : public CliTest {
 protected:
  // MakeRpDir writes rp/ with a localhost access certificate issued by the registry root.
  void MakeRpDir() {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto root = crypto::Certificate::FromPem(ReadFile("reg/root.pem")).value();
    auto root_key = crypto::PrivateKey::FromPem(ReadFile("reg/root.key.pem")).value();
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256).value();
    crypto::CertificateTemplate t;
    t.subject = {{"C", "GB"}, {"O", "Example Employer Ltd"}, {"CN", "localhost"}};
    t.not_before = now - 3600;
    t.not_after = now + 30 * 86400;
    t.key_usage.digital_signature = true;
    t.dns_names = {"localhost"};
    auto cert = crypto::IssueCertificate(t, key.public_key(), root, root_key).value();
    ASSERT_TRUE(Succeeds(RunProcess({"/bin/mkdir", "-p", Path("rp")})));
    WriteFile("rp/access_key.pem", AsStringView(key.ExportPem().view()));
    WriteFile("rp/access_cert.pem", cert.ToPem());
    WriteFile("rp/registry_root.pem", root.ToPem());
    WriteFile("rp/registration.jwt", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln\n");
  }

  void MakeRegistryAndRp() {
    ASSERT_TRUE(Succeeds(Cli({"registry", "init", "--data-dir", Path("reg")})));
    ASSERT_TRUE(Succeeds(Cli({"registry", "publish", "--data-dir", Path("reg"), "--out", Path("tl.jwt")})));
    MakeRpDir();
  }
};

TEST_F(VerifierCliTest, InitServeCheckResult) {
  MakeRegistryAndRp();
  RunResult init = Cli({"verifier", "init", "--data-dir", Path("v"), "--rp-dir", Path("rp"), "--trust-list",
                        Path("tl.jwt"), "--url", "http://localhost:0"});
  ASSERT_TRUE(Succeeds(init)) << init.Describe();
  Json config = StdoutJson(init);
  EXPECT_EQ(config["client_id"], "x509_san_dns:localhost");
  EXPECT_EQ(config["name"], "Example Employer Ltd");
  EXPECT_EQ(config["session_ttl_seconds"], 600);
  // A second init into the same directory is refused.
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "init", "--data-dir", Path("v"), "--rp-dir", Path("rp"),
                                    "--trust-list", Path("tl.jwt"), "--url", "http://localhost:0"}),
                               "invalid_argument"));

  Background serve({CliPath(), "verifier", "serve", "--data-dir", Path("v")}, Path("serve.log"));
  const std::string line = serve.FirstLine();
  ASSERT_FALSE(line.empty()) << ReadFile("serve.log");
  Json started = ParseJsonObject(line).value();
  const std::string url = started["url"].get<std::string>();
  const std::string port = url.substr(url.rfind(':') + 1);
  EXPECT_EQ(started["verifier_url"], "http://localhost:" + port);

  RunResult check = Cli({"verifier", "check", "--url", url, "--check", "age_over_18", "--qr", Path("q.png")});
  ASSERT_TRUE(Succeeds(check)) << check.Describe();
  Json created = StdoutJson(check);
  const std::string session_id = created["session_id"].get<std::string>();
  const std::string request_uri = created["request_uri"].get<std::string>();
  EXPECT_TRUE(request_uri.starts_with("openid4vp://?client_id=x509_san_dns%3Alocalhost&request_uri=http%3A%2F%2Flocalhost%3A" +
                                      port + "%2Frequest%2F"))
      << request_uri;
  EXPECT_EQ(request_uri.find(session_id), std::string::npos);
  EXPECT_TRUE(ReadFile("q.png").starts_with("\x89PNG"));

  RunResult result = Cli({"verifier", "result", "--url", url, session_id});
  ASSERT_TRUE(Succeeds(result)) << result.Describe();
  Json pending = StdoutJson(result);
  EXPECT_EQ(pending["status"], "created");
  EXPECT_EQ(pending["check"], "age_over_18");
  // Waiting runs out: exit 1, limit_exceeded.
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "result", "--url", url, session_id, "--wait", "0.5"}), "limit_exceeded"));
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "result", "--url", url, "unknown-session"}), "not_found"));
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "check", "--url", url, "--check", "no_such_check"}), "not_found"));

  EXPECT_EQ(serve.Terminate(), 0);
  const std::string log = ReadFile("serve.log");
  EXPECT_NE(log.find("session_created"), std::string::npos);
  EXPECT_EQ(log.find(session_id), std::string::npos);  // the secret id is never logged

  // A restarted verifier holds nothing in memory: the Request Object and the result of the open
  // session come from its store (the routes' blocking-pool path).
  Background again({CliPath(), "verifier", "serve", "--data-dir", Path("v")}, Path("serve2.log"));
  const std::string line2 = again.FirstLine();
  ASSERT_FALSE(line2.empty()) << ReadFile("serve2.log");
  const std::string url2 = ParseJsonObject(line2).value()["url"].get<std::string>();
  const std::string marker = "%2Frequest%2F";
  const std::string request_id = request_uri.substr(request_uri.find(marker) + marker.size());
  auto client = http::Client::Create(url2).value();
  Result<http::ClientResponse> fetched = client->Get("/request/" + request_id);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_EQ(fetched->Header("Content-Type").value_or(""), "application/oauth-authz-req+jwt");
  EXPECT_EQ(std::count(fetched->body.begin(), fetched->body.end(), '.'), 2);  // a compact JWS
  RunResult after = Cli({"verifier", "result", "--url", url2, session_id});
  ASSERT_TRUE(Succeeds(after)) << after.Describe();
  EXPECT_EQ(StdoutJson(after)["status"], "request_fetched");
  Result<http::ClientResponse> unknown = client->Get("/request/no-such-request");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(again.Terminate(), 0);
}

TEST_F(VerifierCliTest, InitRefusesBadUrlAndMissingFiles) {
  MakeRegistryAndRp();
  // https on another host than the certificate's.
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "init", "--data-dir", Path("v1"), "--rp-dir", Path("rp"),
                                    "--trust-list", Path("tl.jwt"), "--url", "https://verifier.example.co.uk"}),
                               "invalid_argument"));
  // http off loopback.
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "init", "--data-dir", Path("v2"), "--rp-dir", Path("rp"),
                                    "--trust-list", Path("tl.jwt"), "--url", "http://example.com"}),
                               "invalid_argument"));
  // Boundary: https on the certificate's own host is fine.
  EXPECT_TRUE(Succeeds(Cli({"verifier", "init", "--data-dir", Path("v3"), "--rp-dir", Path("rp"), "--trust-list",
                            Path("tl.jwt"), "--url", "https://localhost"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "init", "--data-dir", Path("v4"), "--rp-dir", Path("nope"),
                                    "--trust-list", Path("tl.jwt")}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"verifier", "serve", "--data-dir", Path("none")}), "not_found"));
}

}  // namespace
}  // namespace bonafide::clitest
