// End to end through processes (issue 4, section 5), once on SQLite and once on PostgreSQL (a
// throwaway server, tests/store/pg_server.h): `bonafide issuer init --demo [--db URL]`,
// `bonafide issuer serve --listen 127.0.0.1:0` in the background (its printed URL read from
// stdout), offers for every catalogue configuration made through the admin API (with this
// test's http::Client), `bonafide wallet init` + `wallet receive --insecure-http-loopback` for
// each (one with a tx_code), `wallet list --json`. Then every stored credential is taken out of
// the wallet (library: the CLI has no export command) and verified by the matching CLI verifier
// (`sdjwt verify` with the issuer's JWT VC Issuer Metadata, `vc verify` with its did:web
// document, `mdoc verify` with the IACA from /iacas), each against the status list its status
// reference names, fetched from the running issuer. Finally a revocation through the admin API
// that /status shows and `mdoc verify` reports.
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "background.h"
#include "base/bytes.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cli_runner.h"
#include "base/clock.h"
#include "http/client.h"
#include "sdjwt/sdjwt.h"
#include "tests/store/pg_server.h"
#include "wallet/key_store.h"
#include "wallet/wallet.h"

namespace bonafide::clitest {
namespace {

constexpr char kPin[] = "271828";
const std::string kPinLine = std::string(kPin) + "\n";
constexpr char kCitizen[] = "demo-0001";
constexpr char kMdocConfig[] = "uk.gov.digital-id.mdoc";
constexpr char kTxConfig[] = "uk.gov.digital-id.sd-jwt";

// PostgresUrl makes a fresh database on the throwaway server and returns its postgresql:// URL
// ("" with a test failure when the server cannot start).
std::string PostgresUrl() {
  Result<store::testing::PgServer*> pg = store::testing::PgServer::Get();
  Result<std::string> url = pg.ok() ? (*pg)->NewDatabaseUrl() : Result<std::string>(pg.status());
  if (!url.ok()) {
    ADD_FAILURE() << "PostgreSQL: " << url.status().ToString();
    return {};
  }
  return *url;
}

// JwtPayload decodes the payload of a compact JWT (the issuer-signed part of an SD-JWT too).
Json JwtPayload(const std::string& jwt) {
  const size_t a = jwt.find('.');
  const size_t b = jwt.find('.', a == std::string::npos ? 0 : a + 1);
  if (a == std::string::npos || b == std::string::npos) return Json::object();
  Result<Bytes> bytes = Base64UrlDecode(std::string_view(jwt).substr(a + 1, b - a - 1));
  if (!bytes.ok()) return Json::object();
  Result<Json> json = ParseJson(AsStringView(*bytes));
  return json.ok() ? *json : Json::object();
}

class IssuerE2eTest : public CliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Fetch GETs `absolute_url` from the running issuer (it must start with url_) into file `name`.
  void Fetch(const std::string& absolute_url, const std::string& name) {
    ASSERT_TRUE(absolute_url.starts_with(url_)) << absolute_url << " is not on " << url_;
    Result<http::ClientResponse> r = client_->Get(absolute_url.substr(url_.size()));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << absolute_url << ": " << r->body;
    WriteFile(name, r->body);
  }

  std::string url_;
  std::unique_ptr<http::Client> client_;
};

TEST_P(IssuerE2eTest, IssueAllCatalogueCredentialsToWalletVerifyThenRevoke) {
  const std::string data = Path("issuer");
  std::vector<std::string> init_args = {"issuer", "init", "--data-dir", data, "--issuer-url", "http://127.0.0.1:0",
                                        "--demo"};
  if (GetParam() == "postgresql") {
    const std::string db = PostgresUrl();
    ASSERT_FALSE(db.empty());
    init_args.push_back("--db");
    init_args.push_back(db);
  }
  RunResult init = Cli(init_args);
  ASSERT_TRUE(Succeeds(init)) << init.Describe();
  Json made = StdoutJson(init);
  ASSERT_TRUE(made["credential_configurations"].is_array());
  std::vector<std::string> configurations;
  for (const Json& c : made["credential_configurations"]) configurations.push_back(c.get<std::string>());
  ASSERT_EQ(configurations.size(), 7u);
  EXPECT_EQ(made["demo_citizens"], 3);
  std::string token = ReadFile("issuer/admin-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  ASSERT_FALSE(token.empty());
  // A second init of the same directory is refused.
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "init", "--data-dir", data}), "invalid_argument"));

  Background serve({CliPath(), "issuer", "serve", "--data-dir", data, "--listen", "127.0.0.1:0"}, Path("serve.log"));
  ASSERT_TRUE(serve.started());
  Result<Json> printed = ParseJson(serve.FirstLine());
  ASSERT_TRUE(printed.ok()) << "serve printed no JSON line; log: " << ReadFile("serve.log");
  url_ = (*printed)["url"].get<std::string>();
  ASSERT_TRUE(url_.starts_with("http://127.0.0.1:"));
  EXPECT_NE(url_, "http://127.0.0.1:0");
  // The issuer URL followed the bound port.
  EXPECT_EQ((*printed)["issuer_url"], url_);

  Result<std::unique_ptr<http::Client>> created = http::Client::Create(url_);
  ASSERT_TRUE(created.ok());
  client_ = std::move(*created);
  http::Client& c = *client_;
  const http::Headers admin = {{"Authorization", "Bearer " + token}};

  Result<http::ClientResponse> meta = c.Get("/.well-known/openid-credential-issuer");
  ASSERT_TRUE(meta.ok());
  ASSERT_EQ(meta->status, 200);
  EXPECT_EQ((*ParseJson(meta->body))["credential_issuer"], url_);

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
  std::map<std::string, std::string> id_of;  // configuration -> wallet credential id
  for (const Json& e : entries) {
    EXPECT_EQ(e["issuer"], url_);
    id_of[e["configuration_id"].get<std::string>()] = e["id"].get<std::string>();
  }
  ASSERT_EQ(id_of.size(), configurations.size());

  // The issuer recorded each issuance (every batch copy) and the wallet's acceptance.
  Result<http::ClientResponse> issued = c.Get(std::string("/admin/citizens/") + kCitizen + "/credentials", admin);
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->status, 200);
  Result<Json> records = ParseJson(issued->body);
  ASSERT_TRUE(records.ok());
  ASSERT_GE((*records)["credentials"].size(), configurations.size());
  std::set<std::string> issued_configs;
  for (const Json& rec : (*records)["credentials"]) {
    issued_configs.insert(rec["credential_configuration_id"].get<std::string>());
    EXPECT_EQ(rec["status"], "valid");
    EXPECT_EQ(rec["notification"], "accepted");
  }
  EXPECT_EQ(issued_configs, received_configs);

  // What verifiers trust: the IACA roots, the JWT VC Issuer Metadata, the did:web document.
  ASSERT_NO_FATAL_FAILURE(Fetch(url_ + "/iacas", "iacas.pem"));
  ASSERT_NO_FATAL_FAILURE(Fetch(url_ + "/.well-known/jwt-vc-issuer", "jwt-vc-issuer.json"));
  ASSERT_NO_FATAL_FAILURE(Fetch(url_ + "/.well-known/did.json", "did.json"));
  // The issuer signs its Token Status Lists with its SD-JWT VC key.
  Result<Json> jwt_vc_issuer = ParseJson(ReadFile("jwt-vc-issuer.json"));
  ASSERT_TRUE(jwt_vc_issuer.ok());
  ASSERT_EQ((*jwt_vc_issuer)["jwks"]["keys"].size(), 1u);
  WriteFile("status-key.jwk", DumpJson((*jwt_vc_issuer)["jwks"]["keys"][0]));

  // Every stored credential verifies with the CLI, status included.
  std::map<std::string, std::string> raw;  // configuration -> credential as issued
  SystemClock clock;
  {
    Result<std::unique_ptr<wallet::Wallet>> w = wallet::Wallet::Open(wallet_dir);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE((*w)->Unlock(kPin).ok());
    for (const auto& [configuration, id] : id_of) {
      Result<wallet::CredentialCopy> copy = (*w)->TakeFreshCopy(id);
      ASSERT_TRUE(copy.ok()) << configuration << ": " << copy.status().ToString();
      raw[configuration] = copy->credential;
      const std::string file = configuration + ".cred";
      WriteFile(file, copy->credential);
      const std::string status_file = configuration + ".status";
      RunResult verified;
      if (copy->format == "dc+sd-jwt") {
        const Json payload = JwtPayload(copy->credential);
        ASSERT_TRUE(payload.contains("status")) << configuration;
        ASSERT_NO_FATAL_FAILURE(Fetch(payload["status"]["status_list"]["uri"].get<std::string>(), status_file));
        // A verifier sees a presentation: every disclosure, and a Key Binding JWT signed by the
        // device key in the wallet's key store.
        Result<sdjwt::HeldSdJwt> held = sdjwt::HeldSdJwt::FromIssuance(copy->credential);
        ASSERT_TRUE(held.ok()) << held.status().ToString();
        Result<wallet::KeyStoreSigner> device = wallet::KeyStoreSigner::Create((*w)->key_store(), copy->key_handle);
        ASSERT_TRUE(device.ok()) << device.status().ToString();
        std::vector<sdjwt::ClaimPath> everything;
        for (const sdjwt::DisclosedClaim& d : held->disclosures()) everything.push_back(d.path);
        Result<std::string> presented = held->Present(
            everything, sdjwt::KeyBindingRequest{&*device, "https://verifier.example", "e2e-nonce", clock.NowSeconds()});
        ASSERT_TRUE(presented.ok()) << presented.status().ToString();
        WriteFile(file, *presented);
        verified = Cli({"sdjwt", "verify", Path(file), "--issuer-metadata", Path("jwt-vc-issuer.json"), "--nonce",
                        "e2e-nonce", "--aud", "https://verifier.example", "--status-list", Path(status_file),
                        "--status-key", Path("status-key.jwk")});
        ASSERT_TRUE(Succeeds(verified)) << configuration << ": " << verified.Describe();
        EXPECT_EQ(StdoutJson(verified)["iss"], url_);
      } else if (copy->format == "jwt_vc_json") {
        const Json payload = JwtPayload(copy->credential);
        Json status = payload["credentialStatus"];
        if (status.is_array()) status = status[0];
        ASSERT_TRUE(status.is_object()) << configuration << ": " << DumpJson(payload);
        ASSERT_NO_FATAL_FAILURE(Fetch(status["statusListCredential"].get<std::string>(), status_file));
        verified = Cli({"vc", "verify", Path(file), "--did-doc", Path("did.json"), "--status-list", Path(status_file)});
        ASSERT_TRUE(Succeeds(verified)) << configuration << ": " << verified.Describe();
      } else {
        ASSERT_EQ(copy->format, "mso_mdoc") << configuration;
        // Read its status reference first (verified without status), then check the status.
        RunResult unchecked = Cli({"mdoc", "verify", Path(file), "--iaca", Path("iacas.pem"), "--no-status-check"});
        ASSERT_TRUE(Succeeds(unchecked)) << configuration << ": " << unchecked.Describe();
        const Json reference = StdoutJson(unchecked)["documents"][0]["status"]["status_list"];
        ASSERT_TRUE(reference.is_object()) << unchecked.out;
        ASSERT_NO_FATAL_FAILURE(Fetch(reference["uri"].get<std::string>(), status_file));
        verified = Cli({"mdoc", "verify", Path(file), "--iaca", Path("iacas.pem"), "--status-list", Path(status_file),
                        "--status-key", Path("status-key.jwk")});
        ASSERT_TRUE(Succeeds(verified)) << configuration << ": " << verified.Describe();
      }
      const Json out = StdoutJson(verified);
      EXPECT_EQ(out["valid"], true) << configuration << ": " << verified.out;
      const Json& checked = copy->format == "mso_mdoc" ? out["documents"][0]["status_checked"] : out["status_checked"];
      EXPECT_EQ(checked, true) << configuration << ": " << verified.out;
      if (copy->format == "dc+sd-jwt") {
        EXPECT_EQ(out["key_binding"], true) << verified.out;
      }
    }
  }

  // Failing case: another issuer's IACA does not anchor the mdoc.
  const std::string mdoc_file = std::string(kMdocConfig) + ".cred";
  const std::string mdoc_status = std::string(kMdocConfig) + ".status";
  ASSERT_TRUE(Succeeds(Cli({"issuer", "init", "--data-dir", Path("other")})));
  RunResult foreign = Cli({"mdoc", "verify", Path(mdoc_file), "--iaca", Path("other/keys/iaca-1.pem"), "--status-list",
                           Path(mdoc_status), "--status-key", Path("status-key.jwk")});
  EXPECT_TRUE(FailsWithOneOf(foreign, /*verify=*/true, {"untrusted_issuer", "invalid_certificate"}))
      << foreign.Describe();

  // Revoke every copy of the mdoc through the admin API: /status changes and the verifier sees it.
  RunResult unchecked = Cli({"mdoc", "verify", Path(mdoc_file), "--iaca", Path("iacas.pem"), "--no-status-check"});
  const std::string list_uri =
      StdoutJson(unchecked)["documents"][0]["status"]["status_list"]["uri"].get<std::string>();
  Result<http::ClientResponse> status_before = c.Get(list_uri.substr(url_.size()));
  ASSERT_TRUE(status_before.ok());
  const std::string etag_before = status_before->Header("ETag").value_or("");
  ASSERT_FALSE(etag_before.empty());
  Json revoke = {{"citizen_id", kCitizen}, {"credential_configuration_id", kMdocConfig}, {"action", "revoke"}};
  Result<http::ClientResponse> revoked = c.Post("/admin/revoke", DumpJson(revoke), "application/json", admin);
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_FALSE((*ParseJson(revoked->body))["changed"].empty());
  Result<http::ClientResponse> status_after = c.Get(list_uri.substr(url_.size()), {{"If-None-Match", etag_before}});
  ASSERT_TRUE(status_after.ok());
  ASSERT_EQ(status_after->status, 200);  // changed: not 304
  EXPECT_NE(status_after->Header("ETag").value_or(""), etag_before);
  WriteFile("status-after", status_after->body);
  RunResult after = Cli({"mdoc", "verify", Path(mdoc_file), "--iaca", Path("iacas.pem"), "--status-list",
                         Path("status-after"), "--status-key", Path("status-key.jwk")});
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
  client_.reset();
  EXPECT_EQ(serve.Terminate(), 0) << ReadFile("serve.log");
}

INSTANTIATE_TEST_SUITE_P(Stores, IssuerE2eTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

class IssuerServeTest : public CliTest {};

TEST_F(IssuerServeTest, ServeFailsCleanlyWithoutDataDir) {
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "serve", "--data-dir", Path("missing"), "--listen", "127.0.0.1:0"}),
                               "io_error"));
  ASSERT_TRUE(Succeeds(Cli({"issuer", "init", "--data-dir", Path("d")})));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "serve", "--data-dir", Path("d"), "--listen", "127.0.0.1:99999"}),
                               "invalid_argument"));
  EXPECT_TRUE(UsageError(Cli({"issuer", "serve"})));
}

}  // namespace
}  // namespace bonafide::clitest
