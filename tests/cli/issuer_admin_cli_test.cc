// `bonafide issuer citizen|import|offer|revoke|audit` end to end: each test makes a data
// directory with issuer::InitDataDir (demo citizens), runs the CLI on it and checks the result
// through the store. The IssuerAdminRemoteTest cases start `bonafide issuer serve` on a free
// loopback port and run every command with --url and --admin-token-file instead: the same output
// and exit codes as offline, the server's error names (invalid_token for a wrong token), CSV
// bad-row reports identical to an offline import's, batches split to fit the server's body limit,
// and offers whose QR codes (PNG and SVG) a real decoder (zbarimg) reads back.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "background.h"
#include "base/clock.h"
#include "base/json.h"
#include "cli_runner.h"
#include "crypto/random.h"
#include "issuer/config.h"
#include "oid4vci/offer.h"
#include "store/sqlite_store.h"
#include "store/store.h"

extern char** environ;

namespace bonafide::clitest {
namespace {

class IssuerAdminCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_dir_ = Path("data");
    issuer::InitOptions options;
    options.demo = true;
    auto config = issuer::InitDataDir(data_dir_, options, SystemClock::Default());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = *config;
  }

  std::unique_ptr<store::IssuerStore> OpenStore() {
    auto st = issuer::OpenIssuerStore(config_);
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? std::move(*st) : nullptr;
  }

  int64_t CountCitizens() {
    auto st = OpenStore();
    auto n = st->CountCitizens();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  std::string data_dir_;
  issuer::IssuerConfig config_;
};

TEST_F(IssuerAdminCliTest, CitizenAddAndList) {
  WriteFile("c.json", R"({"id":"c-42","claims":{"uk.gov.digital-id.sd-jwt":{"family_name":"Evans"}}})");
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  RunResult list = Cli({"issuer", "citizen", "list", "--data-dir", data_dir_, "--json"});
  ASSERT_TRUE(Succeeds(list));
  Json citizens = StdoutJson(list);
  ASSERT_TRUE(citizens.is_array());
  ASSERT_EQ(citizens.size(), 4u);  // three demo citizens and c-42, in id order
  EXPECT_EQ(citizens[0]["id"], "c-42");
  EXPECT_EQ(citizens[0]["configurations"], Json::array({"uk.gov.digital-id.sd-jwt"}));
  EXPECT_EQ(citizens[1]["id"], "demo-0001");

  RunResult plain = Cli({"issuer", "citizen", "list", "--data-dir", data_dir_});
  ASSERT_TRUE(Succeeds(plain));
  EXPECT_EQ(plain.out.rfind("c-42\tuk.gov.digital-id.sd-jwt\n", 0), 0u) << plain.out;

  WriteFile("noid.json", R"({"claims":{}})");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("noid.json")}),
                               "invalid_claims"));
  WriteFile("bad.json", R"({"id":"x",)");
  EXPECT_TRUE(
      CommandFailsWith(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("bad.json")}), "malformed"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "citizen", "list", "--data-dir", Path("nowhere")}), "io_error"));
  EXPECT_EQ(CountCitizens(), 4);
}

TEST_F(IssuerAdminCliTest, ImportReportsBadRowsAndImportsTheRest) {
  WriteFile("people.csv",
            "id,uk.gov.digital-id.sd-jwt:family_name,uk.gov.digital-id.sd-jwt:age_over_18:bool,"
            "uk.gov.digital-id.mdoc:uk.gov.digital-id.1/given_name\r\n"
            "p-1,Smith,true,Anna\r\n"
            "p-2,\"Jones, \"\"JJ\"\"\",maybe,Bob\r\n"   // line 3: bad bool
            "p-3,\"Two\nLines\",false,Cai\r\n"         // lines 4-5
            "p-4,Short\r\n"                            // line 6: ragged
            "p-5,Last,,\r\n");
  RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, Path("people.csv")});
  // Exit 1 because rows were bad; stderr is one JSON object listing them; the good rows are in.
  ASSERT_TRUE(CommandFailsWith(r, "malformed"));
  auto report = ParseJsonObject(r.err);
  ASSERT_TRUE(report.ok()) << r.err;
  EXPECT_EQ((*report)["imported"], 3);
  EXPECT_EQ((*report)["bad_row_count"], 2);
  ASSERT_EQ((*report)["bad_rows"].size(), 2u);
  EXPECT_EQ((*report)["bad_rows"][0]["line"], 3);
  EXPECT_EQ((*report)["bad_rows"][0]["error"], "malformed");
  EXPECT_EQ((*report)["bad_rows"][1]["line"], 6);
  EXPECT_EQ((*report)["bad_rows"][1]["error"], "malformed");

  auto st = OpenStore();
  auto p3 = st->GetCitizen("p-3");
  ASSERT_TRUE(p3.ok());
  auto data = ParseJsonObject(p3->data_json);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.sd-jwt"]["family_name"], "Two\nLines");
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.sd-jwt"]["age_over_18"], false);
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.mdoc"]["uk.gov.digital-id.1"]["given_name"], "Cai");
  EXPECT_EQ(st->GetCitizen("p-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(st->GetCitizen("p-4").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(st->GetCitizen("p-5").ok());
  EXPECT_EQ(CountCitizens(), 6);
}

TEST_F(IssuerAdminCliTest, ImportOfAGoodFileSucceedsAndIsIdempotent) {
  std::string csv = "id,uk.gov.digital-id.sd-jwt:family_name\n";
  for (int i = 0; i < 25; ++i) csv += "g-" + std::to_string(100 + i) + ",Name" + std::to_string(i) + "\n";
  WriteFile("good.csv", csv);
  for (int run = 0; run < 2; ++run) {  // the second run re-upserts the same rows: no change
    RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, "--batch", "10", Path("good.csv")});
    ASSERT_TRUE(Succeeds(r));
    EXPECT_EQ(StdoutJson(r)["imported"], 25);
    EXPECT_EQ(StdoutJson(r)["bad_row_count"], 0);
    EXPECT_EQ(CountCitizens(), 28);
  }
  // --from-line resumes: records that start before it are read but not imported.
  RunResult resumed = Cli({"issuer", "import", "--data-dir", data_dir_, "--from-line", "21", Path("good.csv")});
  ASSERT_TRUE(Succeeds(resumed));
  EXPECT_EQ(StdoutJson(resumed)["imported"], 6);
  EXPECT_EQ(StdoutJson(resumed)["skipped"], 19);
  ASSERT_TRUE(Succeeds(Cli({"issuer", "audit", "verify", "--data-dir", data_dir_})));
}

TEST_F(IssuerAdminCliTest, ImportRejectsBadFiles) {
  WriteFile("empty.csv", "");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("empty.csv")}), "malformed"));
  WriteFile("header.csv", "id,no.such.config:x\n1,a\n");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("header.csv")}), "not_found"));
  // An unterminated quote stops reading; the rows before it are imported.
  WriteFile("open.csv", "id,uk.gov.digital-id.sd-jwt:family_name\nq-1,A\nq-2,\"open\nq-3,B\n");
  RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, Path("open.csv")});
  ASSERT_TRUE(CommandFailsWith(r, "malformed"));
  EXPECT_EQ(ParseJsonObject(r.err).value()["imported"], 1);
  EXPECT_EQ(CountCitizens(), 4);
  // Boundary: a header-only file imports nothing and succeeds.
  WriteFile("only.csv", "id,uk.gov.digital-id.sd-jwt:family_name\r\n");
  RunResult only = Cli({"issuer", "import", "--data-dir", data_dir_, Path("only.csv")});
  ASSERT_TRUE(Succeeds(only));
  EXPECT_EQ(StdoutJson(only)["imported"], 0);
  EXPECT_TRUE(Rejected(Cli({"issuer", "import", "--data-dir", data_dir_, "--batch", "0", Path("only.csv")})));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("missing.csv")}), "io_error"));
}

TEST_F(IssuerAdminCliTest, OfferPrintsAParsableUri) {
  RunResult r = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                     "uk.gov.digital-id.sd-jwt", "--tx-code"});
  ASSERT_TRUE(Succeeds(r));
  Json out = StdoutJson(r);
  ASSERT_TRUE(out["offer_uri"].is_string());
  auto link = oid4vci::ParseCredentialOfferUri(out["offer_uri"].get<std::string>());
  ASSERT_TRUE(link.ok()) << link.status().message();
  ASSERT_TRUE(std::holds_alternative<oid4vci::CredentialOffer>(*link));
  const auto& offer = std::get<oid4vci::CredentialOffer>(*link);
  EXPECT_EQ(offer.credential_configuration_ids, std::vector<std::string>{"uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(offer.pre_authorized_code.has_value());
  ASSERT_TRUE(out["tx_code"].is_string());
  EXPECT_EQ(out["tx_code"].get<std::string>().size(), 6u);

  RunResult no_code = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                           "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(no_code));
  EXPECT_FALSE(StdoutJson(no_code).contains("tx_code"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "nobody", "--credential",
                                    "uk.gov.digital-id.sd-jwt"}),
                               "not_found"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001",
                                    "--credential", "no.such.config"}),
                               "not_found"));
}

TEST_F(IssuerAdminCliTest, RevokeSuspendReinstate) {
  // Record two batch copies as issued (what the Credential Endpoint stores), through the store.
  const auto& entry = config_.catalogue.at("uk.gov.digital-id.sd-jwt");
  {
    auto st = OpenStore();
    for (int i = 0; i < 2; ++i) {
      auto index = st->AllocateStatusIndex(entry.status_list, crypto::SystemRandom());
      ASSERT_TRUE(index.ok());
      store::IssuedCredential rec;
      rec.id = "cred-" + std::to_string(i);
      rec.citizen_id = "demo-0001";
      rec.credential_configuration_id = entry.id;
      rec.format = "dc+sd-jwt";
      rec.batch_group_id = "batch-1";
      rec.status_list_id = entry.status_list;
      rec.status_index = *index;
      rec.issued_at = 1;
      rec.expires_at = SystemClock::Default().NowSeconds() + 86400;
      ASSERT_TRUE(st->InsertIssuedCredential(rec).ok());
    }
  }
  auto status_of = [&](const std::string& id) {
    auto st = OpenStore();
    auto rec = st->GetIssuedCredential(id);
    EXPECT_TRUE(rec.ok());
    return rec.ok() ? rec->status : store::CredentialStatus::kValid;
  };
  RunResult suspended = Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--suspend"});
  ASSERT_TRUE(Succeeds(suspended));
  EXPECT_EQ(StdoutJson(suspended)["credentials"], Json::array({"cred-0"}));
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kSuspended);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kValid);
  ASSERT_TRUE(Succeeds(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--reinstate"})));
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kValid);

  RunResult all = Cli({"issuer", "revoke", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential-type",
                       "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(all));
  EXPECT_EQ(StdoutJson(all)["credentials"].size(), 2u);
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kRevoked);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kRevoked);

  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "nope"}), "not_found"));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_})));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--citizen", "demo-0001"})));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--citizen",
                            "demo-0001", "--credential-type", "uk.gov.digital-id.sd-jwt"})));
  EXPECT_TRUE(Rejected(
      Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--suspend", "--reinstate"})));
}

TEST_F(IssuerAdminCliTest, AuditVerifyFindsATamperedRecord) {
  WriteFile("c.json", R"({"id":"c-1","claims":{}})");
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  RunResult ok = Cli({"issuer", "audit", "verify", "--data-dir", data_dir_});
  ASSERT_TRUE(Succeeds(ok));
  EXPECT_EQ(StdoutJson(ok)["valid"], true);

  auto st = OpenStore();
  auto records = st->ListAudit(0, store::kMaxListPage);
  ASSERT_TRUE(records.ok());
  ASSERT_GE(records->size(), 2u);
  const int64_t seq = (*records)[records->size() - 2].seq;
  st.reset();
  ASSERT_TRUE(store::SqliteStore::InsecureExecForTesting(
                  config_.SqlitePath(), "UPDATE audit_log SET actor = 'mallory' WHERE seq = " + std::to_string(seq))
                  .ok());
  RunResult broken = Cli({"issuer", "audit", "verify", "--data-dir", data_dir_});
  ASSERT_TRUE(VerifyFailsWith(broken, "digest_mismatch"));
  EXPECT_NE(broken.out.find("audit record " + std::to_string(seq)), std::string::npos) << broken.out;
}

// Decoded returns what zbarimg reads from the image at `path` (exact bytes), or "" with a test
// failure when it finds no QR code.
std::string Decoded(const std::string& path) {
  RunResult r = RunProcess({"zbarimg", "--quiet", "--raw", "-Sbinary", path}, {}, /*search_path=*/true);
  EXPECT_EQ(r.exit_code, 0) << "zbarimg (zbar-tools, installed by scripts/setup.sh): " << r.Describe();
  return r.out;
}

// Mode returns the permission bits of `path`.
unsigned Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<unsigned>(st.st_mode) & 0777u;
}

TEST_F(IssuerAdminCliTest, OfferWritesQrCodesThatDecodeToTheUri) {
  RunResult r = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                     "uk.gov.digital-id.sd-jwt", "--tx-code", "--qr", Path("offer.png"), "--qr-svg", Path("offer.svg")});
  ASSERT_TRUE(Succeeds(r));
  Json out = StdoutJson(r);
  const std::string uri = out["offer_uri"].get<std::string>();
  EXPECT_EQ(out["qr_png_file"], Path("offer.png"));
  EXPECT_EQ(out["qr_svg_file"], Path("offer.svg"));
  EXPECT_EQ(Decoded(Path("offer.png")), uri);
  // The files hold the pre-authorized code: owner-only.
  EXPECT_EQ(Mode(Path("offer.png")), 0600u);
  EXPECT_EQ(Mode(Path("offer.svg")), 0600u);
  const std::string svg = ReadFile("offer.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  RunResult rendered = RunProcess({"rsvg-convert", "--background-color=white", "-o", Path("svg.png"), Path("offer.svg")},
                                  {}, /*search_path=*/true);
  ASSERT_EQ(rendered.exit_code, 0) << "rsvg-convert (librsvg2-bin, installed by scripts/setup.sh): "
                                   << rendered.Describe();
  EXPECT_EQ(Decoded(Path("svg.png")), uri);

  // Only --qr: no SVG is written or named.
  RunResult png_only = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                            "uk.gov.digital-id.sd-jwt", "--qr", Path("second.png")});
  ASSERT_TRUE(Succeeds(png_only));
  EXPECT_FALSE(StdoutJson(png_only).contains("qr_svg_file"));
  EXPECT_EQ(Decoded(Path("second.png")), StdoutJson(png_only)["offer_uri"].get<std::string>());
  // A QR file that cannot be written: io_error, exit 1.
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001",
                                    "--credential", "uk.gov.digital-id.sd-jwt", "--qr", Path("no/such/dir/x.png")}),
                               "io_error"));
}

// Server is `bonafide issuer serve` running in the background; stdout is a pipe (its first line
// names the URL), stderr goes to a file. The destructor stops it with SIGTERM, then SIGKILL.
class Server {
 public:
  Server(const std::string& data_dir, const std::string& log_file)
      : process_({CliPath(), "issuer", "serve", "--data-dir", data_dir, "--listen", "127.0.0.1:0"}, log_file) {
    if (!process_.started()) return;
    Result<Json> printed = ParseJsonObject(process_.FirstLine());
    if (!printed.ok()) return;
    const Json* url = Find(*printed, "url");
    if (url != nullptr && url->is_string()) url_ = url->get<std::string>();
  }
  ~Server() { (void)process_.Terminate(); }  // SIGTERM; Background SIGKILLs what is left
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // url returns "http://127.0.0.1:PORT", or "" when the server did not start.
  const std::string& url() const { return url_; }

 private:
  Background process_;
  std::string url_;
};

constexpr char kRefused[] = R"j({"error":"invalid_token","message":"the server refused the admin token (HTTP 401)"})j";

class IssuerAdminRemoteTest : public IssuerAdminCliTest {
 protected:
  void SetUp() override {
    IssuerAdminCliTest::SetUp();
    if (HasFatalFailure()) return;
    token_file_ = config_.Path(config_.admin_token_file);
    WriteFile("wrong-token", "not-the-admin-token\n");
  }
  void TearDown() override {
    server_.reset();
    IssuerAdminCliTest::TearDown();
  }

  // StartServer runs `issuer serve` on data_dir_ (test failure when it prints no URL).
  void StartServer() {
    server_ = std::make_unique<Server>(data_dir_, Path("serve.log"));
    ASSERT_TRUE(server_->url().starts_with("http://127.0.0.1:")) << "serve log: " << ReadFile("serve.log");
  }

  // Remote runs `bonafide issuer <command>` against the server with `token_file`.
  RunResult Remote(std::vector<std::string> command, const std::string& token_file = {}) const {
    command.insert(command.begin(), "issuer");
    command.insert(command.end(), {"--url", server_->url(), "--admin-token-file",
                                   token_file.empty() ? token_file_ : token_file});
    return Cli(command);
  }
  // Local runs the same command on data_dir_.
  RunResult Local(std::vector<std::string> command) const {
    command.insert(command.begin(), "issuer");
    command.insert(command.end(), {"--data-dir", data_dir_});
    return Cli(command);
  }

  std::string token_file_;
  std::unique_ptr<Server> server_;
};

// Without the report's timing, for comparing an offline and a remote import.
Json WithoutSeconds(Json report) {
  report.erase("seconds");
  return report;
}

TEST_F(IssuerAdminRemoteTest, CitizenAddAndListMatchOffline) {
  StartServer();
  WriteFile("c.json", R"({"id":"c-42","claims":{"uk.gov.digital-id.sd-jwt":{"family_name":"Evans"}}})");
  RunResult added = Remote({"citizen", "add", Path("c.json")});
  ASSERT_TRUE(Succeeds(added));
  EXPECT_EQ(StdoutJson(added), (Json{{"id", "c-42"}, {"stored", true}}));
  EXPECT_EQ(CountCitizens(), 4);

  for (bool json : {true, false}) {
    std::vector<std::string> list = {"citizen", "list"};
    if (json) list.push_back("--json");
    RunResult remote = Remote(list);
    RunResult local = Local(list);
    ASSERT_TRUE(Succeeds(remote));
    ASSERT_TRUE(Succeeds(local));
    EXPECT_EQ(remote.out, local.out);
  }
  EXPECT_EQ(StdoutJson(Remote({"citizen", "list", "--json"}))[0]["id"], "c-42");

  // The server's own checks: a record without an id.
  WriteFile("noid.json", R"({"claims":{}})");
  RunResult noid = Remote({"citizen", "add", Path("noid.json")});
  EXPECT_TRUE(CommandFailsWith(noid, "invalid_claims"));
  EXPECT_EQ(noid.exit_code, Local({"citizen", "add", Path("noid.json")}).exit_code);
  WriteFile("bad.json", R"({"id":"x",)");
  EXPECT_TRUE(CommandFailsWith(Remote({"citizen", "add", Path("bad.json")}), "malformed"));
  EXPECT_EQ(CountCitizens(), 4);
}

TEST_F(IssuerAdminRemoteTest, CitizenListPagesPastOnePage) {
  // 1001 citizens: two pages of GET /admin/citizens (the boundary: one more than a page).
  std::string csv = "id,uk.gov.digital-id.sd-jwt:family_name\n";
  for (int i = 0; i < 998; ++i) csv += "p-" + std::to_string(10000 + i) + ",N\n";
  WriteFile("many.csv", csv);
  ASSERT_TRUE(Succeeds(Local({"import", Path("many.csv")})));
  ASSERT_EQ(CountCitizens(), 1001);
  StartServer();
  RunResult remote = Remote({"citizen", "list", "--json"});
  ASSERT_TRUE(Succeeds(remote));
  Json citizens = StdoutJson(remote);
  ASSERT_EQ(citizens.size(), 1001u);
  EXPECT_EQ(citizens[1000]["id"], "p-10997");
  EXPECT_EQ(remote.out, Local({"citizen", "list", "--json"}).out);
}

TEST_F(IssuerAdminRemoteTest, WrongTokenIsRefusedByEveryCommand) {
  StartServer();
  WriteFile("c.json", R"({"id":"c-1","claims":{}})");
  WriteFile("people.csv", "id,uk.gov.digital-id.sd-jwt:family_name\nz-1,Z\n");
  const std::string wrong = Path("wrong-token");
  const std::vector<std::vector<std::string>> commands = {
      {"citizen", "add", Path("c.json")},
      {"citizen", "list"},
      {"import", Path("people.csv")},
      {"offer", "--citizen", "demo-0001", "--credential", "uk.gov.digital-id.sd-jwt"},
      {"revoke", "--credential", "cred-0"},
      {"revoke", "--citizen", "demo-0001", "--credential-type", "uk.gov.digital-id.sd-jwt", "--suspend"},
  };
  for (const auto& command : commands) {
    RunResult r = Remote(command, wrong);
    EXPECT_EQ(r.exit_code, 1) << r.Describe();
    EXPECT_EQ(r.err, std::string(kRefused) + "\n") << command[0];
    EXPECT_EQ(r.out, "");
  }
  // audit verify is a verify command: its result goes to stdout.
  RunResult audit = Remote({"audit", "verify"}, wrong);
  EXPECT_EQ(audit.exit_code, 1);
  EXPECT_EQ(audit.out, R"j({"error":"invalid_token","message":"the server refused the admin token (HTTP 401)","valid":false})j"
                       "\n");
  EXPECT_EQ(CountCitizens(), 3);  // nothing was written

  // An empty token file never reaches the server; a missing one is an I/O error.
  WriteFile("empty-token", "\n");
  EXPECT_TRUE(CommandFailsWith(Remote({"citizen", "list"}, Path("empty-token")), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Remote({"citizen", "list"}, Path("missing-token")), "io_error"));
  // The right token one byte longer is still wrong (the comparison is of whole tokens).
  WriteFile("longer-token", ReadFile("data/admin-token").substr(0, ReadFile("data/admin-token").find('\n')) + "x");
  EXPECT_EQ(Remote({"citizen", "list"}, Path("longer-token")).err, std::string(kRefused) + "\n");
}

TEST_F(IssuerAdminRemoteTest, TargetOptionsAreUsageErrors) {
  // Exactly one of --data-dir and --url; --admin-token-file and --ca-file only with --url.
  EXPECT_TRUE(UsageError(Cli({"issuer", "citizen", "list"})));
  EXPECT_TRUE(UsageError(Cli({"issuer", "citizen", "list", "--data-dir", data_dir_, "--url", "http://127.0.0.1:1",
                              "--admin-token-file", token_file_})));
  EXPECT_TRUE(UsageError(Cli({"issuer", "citizen", "list", "--url", "http://127.0.0.1:1"})));
  EXPECT_TRUE(UsageError(Cli({"issuer", "citizen", "list", "--data-dir", data_dir_, "--admin-token-file", token_file_})));
  EXPECT_TRUE(UsageError(Cli({"issuer", "audit", "verify", "--data-dir", data_dir_, "--ca-file", token_file_})));
  // Nothing listening: io_error, exit 1.
  EXPECT_TRUE(CommandFailsWith(
      Cli({"issuer", "citizen", "list", "--url", "http://127.0.0.1:1", "--admin-token-file", token_file_}),
      "io_error"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"issuer", "citizen", "list", "--url", "ftp://127.0.0.1:1", "--admin-token-file", token_file_}),
      "invalid_argument"));
}

TEST_F(IssuerAdminRemoteTest, ImportReportsBadRowsExactlyAsOffline) {
  const std::string csv =
      "id,uk.gov.digital-id.sd-jwt:family_name,uk.gov.digital-id.sd-jwt:age_over_18:bool,"
      "uk.gov.digital-id.mdoc:uk.gov.digital-id.1/given_name\r\n"
      "p-1,Smith,true,Anna\r\n"
      "p-2,\"Jones, \"\"JJ\"\"\",maybe,Bob\r\n"  // line 3: bad bool
      "p-3,\"Two\nLines\",false,Cai\r\n"        // lines 4-5
      "p-4,Short\r\n"                           // line 6: ragged
      "p-5,Last,,\r\n"
      "p-6,\xff\xfe,true,Dai\r\n";              // line 8: not UTF-8
  WriteFile("people.csv", csv);
  // The same file imported offline into a second, identical data directory.
  issuer::InitOptions options;
  options.demo = true;
  ASSERT_TRUE(issuer::InitDataDir(Path("offline"), options, SystemClock::Default()).ok());
  RunResult offline = Cli({"issuer", "import", "--data-dir", Path("offline"), "--batch", "2", Path("people.csv")});
  ASSERT_TRUE(CommandFailsWith(offline, "malformed"));

  StartServer();
  RunResult remote = Remote({"import", "--batch", "2", Path("people.csv")});
  ASSERT_TRUE(CommandFailsWith(remote, "malformed"));
  auto report = ParseJsonObject(remote.err);
  ASSERT_TRUE(report.ok()) << remote.err;
  EXPECT_EQ(WithoutSeconds(*report), WithoutSeconds(ParseJsonObject(offline.err).value()));
  EXPECT_EQ((*report)["imported"], 3);
  EXPECT_EQ((*report)["bad_row_count"], 3);
  ASSERT_EQ((*report)["bad_rows"].size(), 3u);
  EXPECT_EQ((*report)["bad_rows"][0]["line"], 3);
  EXPECT_EQ((*report)["bad_rows"][1]["line"], 6);
  EXPECT_EQ((*report)["bad_rows"][2]["line"], 8);

  auto st = OpenStore();
  auto p3 = st->GetCitizen("p-3");
  ASSERT_TRUE(p3.ok());
  auto data = ParseJsonObject(p3->data_json);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.sd-jwt"]["family_name"], "Two\nLines");
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.mdoc"]["uk.gov.digital-id.1"]["given_name"], "Cai");
  EXPECT_EQ(st->GetCitizen("p-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(st->GetCitizen("p-6").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountCitizens(), 6);
  st.reset();
  EXPECT_TRUE(Succeeds(Remote({"audit", "verify"})));
}

TEST_F(IssuerAdminRemoteTest, ImportBatchesResumesAndChecksTheHeader) {
  std::string csv = "id,uk.gov.digital-id.sd-jwt:family_name\n";
  for (int i = 0; i < 25; ++i) csv += "g-" + std::to_string(100 + i) + ",Name" + std::to_string(i) + "\n";
  WriteFile("good.csv", csv);
  StartServer();
  for (int run = 0; run < 2; ++run) {  // idempotent
    RunResult r = Remote({"import", "--batch", "10", Path("good.csv")});
    ASSERT_TRUE(Succeeds(r));
    EXPECT_EQ(StdoutJson(r)["imported"], 25);
    EXPECT_EQ(StdoutJson(r)["bad_row_count"], 0);
    EXPECT_EQ(StdoutJson(r)["lines"], 26);
    EXPECT_EQ(CountCitizens(), 28);
  }
  RunResult resumed = Remote({"import", "--from-line", "21", Path("good.csv")});
  ASSERT_TRUE(Succeeds(resumed));
  EXPECT_EQ(StdoutJson(resumed)["imported"], 6);
  EXPECT_EQ(StdoutJson(resumed)["skipped"], 19);

  // The header is checked by the server against its catalogue, with offline's code and message.
  WriteFile("header.csv", "id,no.such.config:x\n1,a\n");
  RunResult remote_header = Remote({"import", Path("header.csv")});
  RunResult local_header = Local({"import", Path("header.csv")});
  EXPECT_TRUE(CommandFailsWith(remote_header, "not_found"));
  EXPECT_EQ(remote_header.err, local_header.err);
  WriteFile("mdoc.csv", "id,uk.gov.digital-id.mdoc:flat\n1,a\n");  // an mdoc column needs namespace/element
  RunResult remote_mdoc = Remote({"import", Path("mdoc.csv")});
  EXPECT_TRUE(CommandFailsWith(remote_mdoc, "invalid_argument"));
  EXPECT_EQ(remote_mdoc.err, Local({"import", Path("mdoc.csv")}).err);
  WriteFile("empty.csv", "");
  EXPECT_TRUE(CommandFailsWith(Remote({"import", Path("empty.csv")}), "malformed"));
  WriteFile("only.csv", "id,uk.gov.digital-id.sd-jwt:family_name\r\n");
  RunResult only = Remote({"import", Path("only.csv")});
  ASSERT_TRUE(Succeeds(only));
  EXPECT_EQ(StdoutJson(only)["imported"], 0);
  EXPECT_TRUE(Rejected(Remote({"import", "--batch", "0", Path("only.csv")})));
  EXPECT_TRUE(Rejected(Remote({"import", "--batch", "100001", Path("only.csv")})));
  EXPECT_EQ(CountCitizens(), 28);
}

TEST_F(IssuerAdminRemoteTest, ImportSplitsBatchesToFitTheServerBodyLimit) {
  // 120 rows of about 20 KiB: 2.4 MB in one --batch, more than the server's 1 MiB body limit,
  // so the CLI must send several requests.
  std::string csv = "id,uk.gov.digital-id.sd-jwt:family_name\n";
  const std::string big(20000, 'n');
  for (int i = 0; i < 120; ++i) csv += "big-" + std::to_string(100 + i) + "," + big + "\n";
  WriteFile("big.csv", csv);
  StartServer();
  RunResult r = Remote({"import", "--batch", "100000", Path("big.csv")});
  ASSERT_TRUE(Succeeds(r));
  EXPECT_EQ(StdoutJson(r)["imported"], 120);
  EXPECT_EQ(CountCitizens(), 123);
}

TEST_F(IssuerAdminRemoteTest, OfferWithQrCodes) {
  StartServer();
  RunResult r = Remote({"offer", "--citizen", "demo-0001", "--credential", "uk.gov.digital-id.sd-jwt", "--tx-code",
                        "--qr", Path("offer.png"), "--qr-svg", Path("offer.svg")});
  ASSERT_TRUE(Succeeds(r));
  Json out = StdoutJson(r);
  ASSERT_TRUE(out["offer_uri"].is_string());
  const std::string uri = out["offer_uri"].get<std::string>();
  auto link = oid4vci::ParseCredentialOfferUri(uri);
  ASSERT_TRUE(link.ok()) << link.status().message();
  ASSERT_TRUE(out["tx_code"].is_string());
  EXPECT_EQ(out["tx_code"].get<std::string>().size(), 6u);
  EXPECT_FALSE(out.contains("qr_png"));  // the images go to files, not stdout
  EXPECT_EQ(Decoded(Path("offer.png")), uri);
  RunResult rendered = RunProcess({"rsvg-convert", "--background-color=white", "-o", Path("svg.png"), Path("offer.svg")},
                                  {}, /*search_path=*/true);
  ASSERT_EQ(rendered.exit_code, 0) << rendered.Describe();
  EXPECT_EQ(Decoded(Path("svg.png")), uri);

  RunResult no_code = Remote({"offer", "--citizen", "demo-0001", "--credential", "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(no_code));
  EXPECT_FALSE(StdoutJson(no_code).contains("tx_code"));
  // Same failures, same codes and exit codes as offline.
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"offer", "--citizen", "nobody", "--credential", "uk.gov.digital-id.sd-jwt"},
           {"offer", "--citizen", "demo-0001", "--credential", "no.such.config"}}) {
    RunResult remote = Remote(command);
    EXPECT_TRUE(CommandFailsWith(remote, "not_found"));
    EXPECT_EQ(remote.exit_code, Local(command).exit_code);
  }
}

TEST_F(IssuerAdminRemoteTest, RevokeSuspendReinstate) {
  const auto& entry = config_.catalogue.at("uk.gov.digital-id.sd-jwt");
  {
    auto st = OpenStore();
    for (int i = 0; i < 2; ++i) {
      auto index = st->AllocateStatusIndex(entry.status_list, crypto::SystemRandom());
      ASSERT_TRUE(index.ok());
      store::IssuedCredential rec;
      rec.id = "cred-" + std::to_string(i);
      rec.citizen_id = "demo-0001";
      rec.credential_configuration_id = entry.id;
      rec.format = "dc+sd-jwt";
      rec.batch_group_id = "batch-1";
      rec.status_list_id = entry.status_list;
      rec.status_index = *index;
      rec.issued_at = 1;
      rec.expires_at = SystemClock::Default().NowSeconds() + 86400;
      ASSERT_TRUE(st->InsertIssuedCredential(rec).ok());
    }
  }
  auto status_of = [&](const std::string& id) {
    auto st = OpenStore();
    auto rec = st->GetIssuedCredential(id);
    EXPECT_TRUE(rec.ok());
    return rec.ok() ? rec->status : store::CredentialStatus::kValid;
  };
  StartServer();
  RunResult suspended = Remote({"revoke", "--credential", "cred-0", "--suspend"});
  ASSERT_TRUE(Succeeds(suspended));
  EXPECT_EQ(StdoutJson(suspended), (Json{{"action", "suspended"}, {"credentials", Json::array({"cred-0"})}}));
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kSuspended);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kValid);
  RunResult reinstated = Remote({"revoke", "--credential", "cred-0", "--reinstate"});
  ASSERT_TRUE(Succeeds(reinstated));
  EXPECT_EQ(StdoutJson(reinstated)["action"], "reinstated");
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kValid);

  RunResult all = Remote({"revoke", "--citizen", "demo-0001", "--credential-type", "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(all));
  EXPECT_EQ(StdoutJson(all)["action"], "revoked");
  EXPECT_EQ(StdoutJson(all)["credentials"].size(), 2u);
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kRevoked);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kRevoked);

  RunResult missing = Remote({"revoke", "--credential", "nope"});
  EXPECT_TRUE(CommandFailsWith(missing, "not_found"));
  EXPECT_EQ(missing.exit_code, Local({"revoke", "--credential", "nope"}).exit_code);
  EXPECT_TRUE(Rejected(Remote({"revoke"})));
  EXPECT_TRUE(Rejected(Remote({"revoke", "--citizen", "demo-0001"})));
  EXPECT_TRUE(Rejected(Remote({"revoke", "--credential", "cred-0", "--suspend", "--reinstate"})));
  // The audit log has the admin actions, and its chain holds.
  RunResult audit = Remote({"audit", "verify"});
  ASSERT_TRUE(Succeeds(audit));
  EXPECT_EQ(StdoutJson(audit), (Json{{"valid", true}}));
}

TEST_F(IssuerAdminRemoteTest, AuditVerifyReportsTheSameBrokenRecordAsOffline) {
  WriteFile("c.json", R"({"id":"c-1","claims":{}})");
  ASSERT_TRUE(Succeeds(Local({"citizen", "add", Path("c.json")})));
  ASSERT_TRUE(Succeeds(Local({"citizen", "add", Path("c.json")})));
  StartServer();
  ASSERT_TRUE(Succeeds(Remote({"audit", "verify"})));
  int64_t seq = 0;
  {
    auto st = OpenStore();
    auto records = st->ListAudit(0, store::kMaxListPage);
    ASSERT_TRUE(records.ok());
    ASSERT_GE(records->size(), 2u);
    seq = (*records)[records->size() - 2].seq;
  }
  ASSERT_TRUE(store::SqliteStore::InsecureExecForTesting(
                  config_.SqlitePath(), "UPDATE audit_log SET actor = 'mallory' WHERE seq = " + std::to_string(seq))
                  .ok());
  RunResult remote = Remote({"audit", "verify"});
  ASSERT_TRUE(VerifyFailsWith(remote, "digest_mismatch"));
  EXPECT_NE(remote.out.find("audit record " + std::to_string(seq)), std::string::npos) << remote.out;
  RunResult local = Local({"audit", "verify"});
  EXPECT_EQ(remote.out, local.out);
  EXPECT_EQ(remote.exit_code, local.exit_code);
}

}  // namespace
}  // namespace bonafide::clitest
