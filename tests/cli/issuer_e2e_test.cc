// End to end through processes (issue 4, section 5): `bonafide issuer init --demo`, `bonafide
// issuer serve --listen 127.0.0.1:0` in the background (its printed URL read from stdout),
// offers for every catalogue configuration made through the admin API (with this test's
// http::Client), `bonafide wallet init` + `wallet receive --insecure-http-loopback` for each
// (one with a tx_code), `wallet list --json`, a stored mdoc verified by `bonafide mdoc verify`
// against the IACA from /iacas, then a revocation through the admin API that /status shows and
// that `mdoc verify --status-list` reports. The raw credential is read from the wallet with the
// library (the CLI has no export command).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/json.h"
#include "cli_runner.h"
#include "http/client.h"
#include "wallet/wallet.h"

extern char** environ;

namespace bonafide::clitest {
namespace {

constexpr char kPin[] = "271828";
const std::string kPinLine = std::string(kPin) + "\n";
constexpr char kCitizen[] = "demo-0001";
constexpr char kMdocConfig[] = "uk.gov.digital-id.mdoc";
constexpr char kTxConfig[] = "uk.gov.digital-id.sd-jwt";

// Background is a child process whose stdout is a pipe we read its first line from; stderr goes
// to a file. The destructor sends SIGTERM and reaps it.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::string& stderr_file) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_fd_ = fds[0];
  }
  ~Background() {
    if (out_fd_ >= 0) ::close(out_fd_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // FirstLine reads up to the first newline of stdout (empty on EOF).
  std::string FirstLine() {
    std::string line;
    char c = 0;
    while (out_fd_ >= 0 && ::read(out_fd_, &c, 1) == 1) {
      if (c == '\n') break;
      line.push_back(c);
    }
    return line;
  }
  // Terminate sends SIGTERM and returns the exit status (-1 if it did not exit normally).
  int Terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
};

class IssuerE2eTest : public CliTest {};

TEST_F(IssuerE2eTest, IssueAllCatalogueCredentialsToWalletThenRevoke) {
  const std::string data = Path("issuer");
  RunResult init = Cli({"issuer", "init", "--data-dir", data, "--issuer-url", "http://127.0.0.1:0", "--demo"});
  ASSERT_TRUE(Succeeds(init));
  Json made = StdoutJson(init);
  ASSERT_TRUE(made["credential_configurations"].is_array());
  std::vector<std::string> configurations;
  for (const Json& c : made["credential_configurations"]) configurations.push_back(c.get<std::string>());
  ASSERT_EQ(configurations.size(), 7u);
  EXPECT_EQ(made["demo_citizens"], 3);
  const std::string admin_token = ReadFile("issuer/admin-token");
  ASSERT_FALSE(admin_token.empty());
  std::string token = admin_token;
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  // A second init of the same directory is refused.
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "init", "--data-dir", data}), "invalid_argument"));

  Background serve({CliPath(), "issuer", "serve", "--data-dir", data, "--listen", "127.0.0.1:0"}, Path("serve.log"));
  ASSERT_TRUE(serve.started());
  Result<Json> printed = ParseJson(serve.FirstLine());
  ASSERT_TRUE(printed.ok()) << "serve printed no JSON line; log: " << ReadFile("serve.log");
  const std::string url = (*printed)["url"].get<std::string>();
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:"));
  EXPECT_NE(url, "http://127.0.0.1:0");
  // The issuer URL followed the bound port.
  EXPECT_EQ((*printed)["issuer_url"], url);

  Result<std::unique_ptr<http::Client>> client = http::Client::Create(url);
  ASSERT_TRUE(client.ok());
  http::Client& c = **client;
  const http::Headers admin = {{"Authorization", "Bearer " + token}};

  Result<http::ClientResponse> meta = c.Get("/.well-known/openid-credential-issuer");
  ASSERT_TRUE(meta.ok());
  ASSERT_EQ(meta->status, 200);
  EXPECT_EQ((*ParseJson(meta->body))["credential_issuer"], url);

  // Wallet.
  const std::string wallet_dir = Path("wallet");
  ASSERT_TRUE(Succeeds(Cli({"wallet", "init", "--dir", wallet_dir, "--pin-stdin"}, kPinLine)));

  std::set<std::string> received_configs;
  for (const std::string& configuration : configurations) {
    const bool with_tx = configuration == kTxConfig;
    Json request = {{"citizen_id", kCitizen}, {"credential_configuration_id", configuration}, {"tx_code", with_tx}};
    Result<http::ClientResponse> offer = c.Post("/admin/offers", DumpJson(request), "application/json", admin);
    ASSERT_TRUE(offer.ok());
    ASSERT_EQ(offer->status, 200) << offer->body;
    Json o = *ParseJson(offer->body);
    std::vector<std::string> args = {"wallet", "receive", "--dir", wallet_dir, "--pin-stdin",
                                     "--insecure-http-loopback", o["offer_uri"].get<std::string>()};
    std::string input = kPinLine;
    if (with_tx) {
      ASSERT_TRUE(o["tx_code"].is_string());
      input += o["tx_code"].get<std::string>() + "\n";  // asked for on stdin with --pin-stdin
    } else {
      EXPECT_FALSE(o.contains("tx_code"));
    }
    RunResult received = Cli(args, input);
    ASSERT_TRUE(Succeeds(received)) << configuration << ": " << received.Describe();
    Json r = StdoutJson(received);
    ASSERT_EQ(r["received"].size(), 1u) << received.out;
    EXPECT_EQ(r["received"][0]["configuration_id"], configuration);
    received_configs.insert(configuration);
  }
  EXPECT_EQ(received_configs.size(), configurations.size());

  RunResult list = Cli({"wallet", "list", "--dir", wallet_dir, "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(list));
  Json entries = StdoutJson(list);
  ASSERT_TRUE(entries.is_array());
  ASSERT_EQ(entries.size(), configurations.size());
  std::string mdoc_id;
  for (const Json& e : entries) {
    EXPECT_EQ(e["issuer"], url);
    if (e["configuration_id"] == kMdocConfig) mdoc_id = e["id"].get<std::string>();
  }
  ASSERT_FALSE(mdoc_id.empty());

  // The issuer recorded each issuance (every batch copy) and the wallet's acceptance.
  Result<http::ClientResponse> issued = c.Get(std::string("/admin/citizens/") + kCitizen + "/credentials", admin);
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->status, 200);
  Json records = (*ParseJson(issued->body))["credentials"];
  ASSERT_GE(records.size(), configurations.size());
  std::set<std::string> issued_configs;
  for (const Json& rec : records) {
    issued_configs.insert(rec["credential_configuration_id"].get<std::string>());
    EXPECT_EQ(rec["status"], "valid");
    EXPECT_EQ(rec["notification"], "accepted");
  }
  EXPECT_EQ(issued_configs, received_configs);

  // Take the raw mdoc out of the wallet (library: no CLI export) and verify it with the CLI
  // against the IACA the issuer publishes.
  Result<http::ClientResponse> iacas = c.Get("/iacas");
  ASSERT_TRUE(iacas.ok());
  ASSERT_EQ(iacas->status, 200);
  WriteFile("iacas.pem", iacas->body);
  std::string raw_mdoc;
  {
    Result<std::unique_ptr<wallet::Wallet>> w = wallet::Wallet::Open(wallet_dir);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Unlock(kPin).ok());
    Result<wallet::CredentialCopy> copy = (*w)->TakeFreshCopy(mdoc_id);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ(copy->format, "mso_mdoc");
    raw_mdoc = copy->credential;
  }
  WriteFile("mdoc.b64", raw_mdoc);
  Result<http::ClientResponse> status_before = c.Get("/status/token-1");
  ASSERT_TRUE(status_before.ok());
  ASSERT_EQ(status_before->status, 200);
  const std::string etag_before = status_before->Header("ETag").value_or("");
  WriteFile("status-before.jwt", status_before->body);
  // The issuer signs its Token Status Lists with its SD-JWT VC key, published in
  // /.well-known/jwt-vc-issuer.
  Result<http::ClientResponse> jwt_vc_issuer = c.Get("/.well-known/jwt-vc-issuer");
  ASSERT_TRUE(jwt_vc_issuer.ok());
  Json jwks = (*ParseJson(jwt_vc_issuer->body))["jwks"]["keys"];
  ASSERT_EQ(jwks.size(), 1u);
  WriteFile("status-key.jwk", DumpJson(jwks[0]));
  RunResult verified = Cli({"mdoc", "verify", Path("mdoc.b64"), "--iaca", Path("iacas.pem"), "--status-list",
                            Path("status-before.jwt"), "--status-key", Path("status-key.jwk")});
  ASSERT_TRUE(Succeeds(verified)) << verified.Describe();
  EXPECT_EQ(StdoutJson(verified)["valid"], true) << verified.out;
  // Failing case: another issuer's IACA does not anchor it.
  ASSERT_TRUE(Succeeds(Cli({"issuer", "init", "--data-dir", Path("other")})));
  RunResult foreign = Cli({"mdoc", "verify", Path("mdoc.b64"), "--iaca", Path("other/keys/iaca-1.pem"), "--status-list",
                           Path("status-before.jwt"), "--status-key", Path("status-key.jwk")});
  EXPECT_TRUE(FailsWithOneOf(foreign, /*verify=*/true, {"untrusted_issuer", "invalid_certificate"}))
      << foreign.Describe();

  // Revoke every copy of the mdoc through the admin API: /status changes and the verifier sees it.
  Json revoke = {{"citizen_id", kCitizen}, {"credential_configuration_id", kMdocConfig}, {"action", "revoke"}};
  Result<http::ClientResponse> revoked = c.Post("/admin/revoke", DumpJson(revoke), "application/json", admin);
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_FALSE((*ParseJson(revoked->body))["changed"].empty());
  Result<http::ClientResponse> status_after = c.Get("/status/token-1", {{"If-None-Match", etag_before}});
  ASSERT_TRUE(status_after.ok());
  ASSERT_EQ(status_after->status, 200);  // changed: not 304
  EXPECT_NE(status_after->Header("ETag").value_or(""), etag_before);
  WriteFile("status-after.jwt", status_after->body);
  RunResult after = Cli({"mdoc", "verify", Path("mdoc.b64"), "--iaca", Path("iacas.pem"), "--status-list",
                         Path("status-after.jwt"), "--status-key", Path("status-key.jwk")});
  EXPECT_TRUE(VerifyFailsWith(after, "revoked")) << after.Describe();

  issued = c.Get(std::string("/admin/citizens/") + kCitizen + "/credentials", admin);
  ASSERT_TRUE(issued.ok());
  // Keep the parsed document alive: a range-for over a member of a temporary Result would
  // iterate freed memory (the temporary dies before the loop body runs).
  Result<Json> issued_json = ParseJson(issued->body);
  ASSERT_TRUE(issued_json.ok());
  for (const Json& rec : (*issued_json)["credentials"]) {
    EXPECT_EQ(rec["status"], rec["credential_configuration_id"] == kMdocConfig ? "revoked" : "valid");
  }

  // SIGTERM: a graceful stop with exit code 0.
  client->reset();
  EXPECT_EQ(serve.Terminate(), 0) << ReadFile("serve.log");
}

TEST_F(IssuerE2eTest, ServeFailsCleanlyWithoutDataDir) {
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "serve", "--data-dir", Path("missing"), "--listen", "127.0.0.1:0"}),
                               "io_error"));
  ASSERT_TRUE(Succeeds(Cli({"issuer", "init", "--data-dir", Path("d")})));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "serve", "--data-dir", Path("d"), "--listen", "127.0.0.1:99999"}),
                               "invalid_argument"));
  EXPECT_TRUE(UsageError(Cli({"issuer", "serve"})));
}

}  // namespace
}  // namespace bonafide::clitest
