// Tests of the issuer console (src/issuer/console.h): a real IssuerService on a temp-dir SQLite data
// directory with the demo citizens, the console on an http::Server on 127.0.0.1, and an
// http::Client that carries the session cookie by hand (a tiny cookie jar): sign-in failures and
// throttling, CSRF refusals that change nothing, adding and listing a citizen, an offer whose
// tx_code is shown exactly once, revoke / suspend / reinstate with the officer as audit actor, a
// CSV import job, the audit log and its verification, Welsh pages and the security headers.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/clock.h"
#include "base/json.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "issuer/config.h"
#include "issuer/console.h"
#include "issuer/service.h"
#include "store/store.h"
#include "web/password.h"

namespace bonafide::issuer {
namespace {

namespace fs = std::filesystem;

constexpr char kIssuerUrl[] = "https://issuer.example.gov.uk";
constexpr char kOfficer[] = "officer.jones";
constexpr char kPassword[] = "correct horse battery staple";
constexpr char kEvisa[] = "uk.gov.homeoffice.evisa";

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    for (const std::string* part : {&name, &value}) {
      for (char ch : *part) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
          out += ch;
        } else if (c == ' ') {
          out += '+';
        } else {
          out += '%';
          out += kHex[c >> 4];
          out += kHex[c & 0x0F];
        }
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

std::string Csrf(const std::string& html) {
  std::smatch m;
  static const std::regex kToken("name=\"csrf_token\" value=\"([^\"]+)\"");
  return std::regex_search(html, m, kToken) ? m[1].str() : "";
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("bonafide-console-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    InitOptions o;
    o.issuer_url = kIssuerUrl;
    o.demo = true;
    ASSERT_TRUE(InitDataDir(dir_, o, SystemClock::Default()).ok());
    Result<IssuerConfig> config = LoadIssuerConfig(dir_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    const std::string users_file = config->Path(kConsoleUsersFile);
    Result<web::UserFile> users = web::UserFile::Load(users_file);
    ASSERT_TRUE(users.ok());
    ASSERT_TRUE(users->Add(kOfficer, kPassword, SystemClock::Default().NowSeconds()).ok());
    ASSERT_TRUE(users->Save(users_file).ok());
    Result<std::unique_ptr<store::IssuerStore>> st = OpenIssuerStore(*config);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    Result<std::unique_ptr<IssuerService>> svc =
        IssuerService::Create(std::move(*config), std::move(*st), SystemClock::Default(), crypto::SystemRandom());
    ASSERT_TRUE(svc.ok()) << svc.status().ToString();
    svc_ = std::move(*svc);

    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.worker_threads = 2;
    options.blocking_threads = 2;
    options.log_sink = [](std::string_view) {};
    Result<std::unique_ptr<http::Server>> server = http::Server::Create(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ConsoleOptions console;
    console.users_file = users_file;
    console.clock = &SystemClock::Default();
    console.random = &crypto::SystemRandom();
    console.secure_cookie = false;  // plain http on loopback
    console.import_chunk_rows = 2;
    IssuerService* ptr = svc_.get();
    ASSERT_TRUE(RegisterConsoleRoutes(*server_, [ptr] { return ptr; }, console).ok());
    ASSERT_TRUE(server_->Start().ok());
    Result<std::unique_ptr<http::Client>> client =
        http::Client::Create("http://127.0.0.1:" + std::to_string(server_->port()));
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    svc_.reset();
    fs::remove_all(dir_);
  }

  void Remember(const http::ClientResponse& r) {
    for (const auto& [name, value] : r.headers) {
      if (!http::EqualsIgnoreCase(name, "Set-Cookie")) continue;
      const size_t eq = value.find('=');
      const size_t semi = value.find(';');
      if (eq == std::string::npos) continue;
      const std::string cookie = value.substr(0, eq);
      const std::string v = value.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
      if (value.find("Max-Age=0") != std::string::npos || v.empty()) {
        jar_.erase(cookie);
      } else {
        jar_[cookie] = v;
      }
    }
  }
  http::Headers CookieHeader() const {
    std::string cookies;
    for (const auto& [name, value] : jar_) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    if (cookies.empty()) return {};
    return {{"Cookie", cookies}};
  }
  http::ClientResponse Get(const std::string& target) {
    Result<http::ClientResponse> r = client_->Get(target, CookieHeader());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    Remember(*r);
    return std::move(*r);
  }
  http::ClientResponse Post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields) {
    Result<http::ClientResponse> r =
        client_->Post(target, FormEncode(fields), "application/x-www-form-urlencoded", CookieHeader());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    Remember(*r);
    return std::move(*r);
  }
  // PostForm GETs `page` for a fresh CSRF token, then posts `fields` with it.
  http::ClientResponse PostForm(const std::string& page, const std::string& target,
                                std::vector<std::pair<std::string, std::string>> fields) {
    const std::string token = Csrf(Get(page).body);
    EXPECT_FALSE(token.empty()) << "no CSRF token on " << page;
    fields.emplace_back("csrf_token", token);
    return Post(target, fields);
  }
  http::ClientResponse SignIn(const std::string& user = kOfficer, const std::string& password = kPassword) {
    return PostForm("/console/sign-in", "/console/sign-in", {{"user", user}, {"password", password}});
  }
  static std::string Location(const http::ClientResponse& r) { return r.Header("Location").value_or(""); }

  store::AuditRecord LastAudit() {
    store::AuditRecord last;
    int64_t after = 0;
    while (true) {
      auto page = svc_->store().ListAudit(after, 1000);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->empty()) break;
      last = page->back();
      after = last.seq;
    }
    return last;
  }

  // Issue records an issued credential straight in the store (the OID4VCI flow is
  // issuer/http_test.cc's subject; the console acts on the records).
  std::string Issue(const std::string& citizen, const std::string& configuration, const std::string& batch = "") {
    const CatalogueEntry& entry = svc_->config().catalogue.at(configuration);
    auto index = svc_->store().AllocateStatusIndex(entry.status_list, crypto::SystemRandom());
    EXPECT_TRUE(index.ok());
    store::IssuedCredential c;
    c.id = "cred-" + citizen + "-" + std::to_string(++issued_);
    c.citizen_id = citizen;
    c.credential_configuration_id = configuration;
    c.format = "mso_mdoc";
    c.batch_group_id = batch.empty() ? "batch-" + c.id : batch;
    c.status_list_id = entry.status_list;
    c.status_index = index.ok() ? *index : 0;
    c.issued_at = SystemClock::Default().NowSeconds();
    c.expires_at = c.issued_at + 86400;
    EXPECT_TRUE(svc_->store().InsertIssuedCredential(c).ok());
    return c.id;
  }

  std::string dir_;
  std::unique_ptr<IssuerService> svc_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
  std::map<std::string, std::string> jar_;
  int issued_ = 0;
};

TEST_F(ConsoleTest, ConsoleRedirectsToSignInThenToCitizens) {
  http::ClientResponse r = Get("/console");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Location(r), "/console/sign-in");
  r = Get("/console/citizens");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Location(r), "/console/sign-in");
  const std::string before = jar_["bonafide_console"];
  ASSERT_FALSE(before.empty());
  r = SignIn();
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Location(r), "/console/citizens");
  // The session is rotated on sign-in (no session fixation).
  EXPECT_NE(jar_["bonafide_console"], before);
  EXPECT_EQ(Get("/console").status, 303);
  EXPECT_EQ(Location(Get("/console")), "/console/citizens");
  r = Get("/console/citizens");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("demo-0001"), std::string::npos);
  EXPECT_NE(r.body.find(kOfficer), std::string::npos);
}

TEST_F(ConsoleTest, WrongPasswordIs401AndTheSixthAttemptIs429) {
  for (int i = 0; i < 5; ++i) {
    http::ClientResponse r = SignIn(kOfficer, "not the password at all");
    EXPECT_EQ(r.status, 401) << "attempt " << i + 1;
    EXPECT_NE(r.body.find("Enter a correct user name and password"), std::string::npos);
    EXPECT_NE(r.body.find("govuk-error-summary"), std::string::npos);
  }
  // Locked now, even with the right password.
  http::ClientResponse r = SignIn(kOfficer, kPassword);
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.Header("Retry-After").has_value());
  EXPECT_GT(std::stoll(*r.Header("Retry-After")), 0);
  // The address is locked too: another user name from it is refused.
  EXPECT_EQ(SignIn("someone.else", kPassword).status, 429);
  EXPECT_EQ(Get("/console/citizens").status, 303);
}

TEST_F(ConsoleTest, MissingFieldsAre400WithoutCountingAnAttempt) {
  http::ClientResponse r = SignIn("", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Enter your user name"), std::string::npos);
  EXPECT_NE(r.body.find("Enter your password"), std::string::npos);
  EXPECT_EQ(SignIn().status, 303);
}

TEST_F(ConsoleTest, UnknownUserIs401) { EXPECT_EQ(SignIn("nobody", kPassword).status, 401); }

TEST_F(ConsoleTest, SignInWithoutCsrfIs403) {
  Get("/console/sign-in");
  http::ClientResponse r = Post("/console/sign-in", {{"user", kOfficer}, {"password", kPassword}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("This form has expired"), std::string::npos);
  EXPECT_EQ(Get("/console/citizens").status, 303);
}

TEST_F(ConsoleTest, AddCitizenNeedsCsrfAndIsListedWithTheOfficerAsActor) {
  ASSERT_EQ(SignIn().status, 303);
  const std::string claims = R"({"uk.gov.homeoffice.evisa": {"uk.gov.homeoffice.evisa.1": {"given_name": "Rhiannon", "family_name": "Pryce"}}})";
  const std::vector<std::pair<std::string, std::string>> fields = {{"id", "CIT-777"}, {"claims", claims}};
  const int64_t seq_before = LastAudit().seq;

  Get("/console/citizens/new");
  EXPECT_EQ(Post("/console/citizens/new", fields).status, 403);  // no token
  auto wrong = fields;
  wrong.emplace_back("csrf_token", "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(Post("/console/citizens/new", wrong).status, 403);  // wrong token
  EXPECT_EQ(svc_->store().GetCitizen("CIT-777").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LastAudit().seq, seq_before);

  http::ClientResponse r = PostForm("/console/citizens/new", "/console/citizens/new", fields);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Location(r), "/console/citizens/CIT-777");
  EXPECT_TRUE(svc_->store().GetCitizen("CIT-777").ok());
  const store::AuditRecord audit = LastAudit();
  EXPECT_EQ(audit.actor, kOfficer);
  EXPECT_EQ(audit.action, "citizen.upsert");

  r = Get("/console/citizens/CIT-777");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Citizen added"), std::string::npos);  // the flash, once
  EXPECT_NE(r.body.find("Rhiannon Pryce"), std::string::npos);
  EXPECT_EQ(Get("/console/citizens/CIT-777").body.find("Citizen added"), std::string::npos);
  r = Get("/console/citizens");
  EXPECT_NE(r.body.find("CIT-777"), std::string::npos);
  // Found by name (case-insensitive) and by id prefix.
  EXPECT_NE(Get("/console/citizens?q=pryce").body.find("CIT-777"), std::string::npos);
  EXPECT_NE(Get("/console/citizens?q=CIT-7").body.find("CIT-777"), std::string::npos);
  EXPECT_EQ(Get("/console/citizens?q=zzz-nobody").body.find("CIT-777"), std::string::npos);
  // An exact id goes straight to the citizen.
  EXPECT_EQ(Location(Get("/console/citizens?q=CIT-777")), "/console/citizens/CIT-777");
}

TEST_F(ConsoleTest, AddCitizenValidation) {
  ASSERT_EQ(SignIn().status, 303);
  auto add = [&](const std::string& id, const std::string& claims) {
    return PostForm("/console/citizens/new", "/console/citizens/new", {{"id", id}, {"claims", claims}});
  };
  const std::string good = R"({"uk.gov.homeoffice.evisa": {}})";
  http::ClientResponse r = add("", good);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Enter the citizen ID"), std::string::npos);
  EXPECT_EQ(add("has space", good).status, 400);
  EXPECT_EQ(add(std::string(65, 'a'), good).status, 400);               // boundary: 65 too long
  r = add("demo-0001", good);                                           // exists
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("already exists"), std::string::npos);
  EXPECT_EQ(add("NEW-1", "[]").status, 400);                            // not an object
  EXPECT_EQ(add("NEW-1", R"({"uk.gov.homeoffice.evisa": 1})").status, 400);
  r = add("NEW-1", R"({"no.such.config": {}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("does not have"), std::string::npos);
  EXPECT_EQ(svc_->store().GetCitizen("NEW-1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(add(std::string(64, 'a'), good).status, 303);               // boundary: 64 fits
}

TEST_F(ConsoleTest, OfferShowsTheTxCodeOnce) {
  ASSERT_EQ(SignIn().status, 303);
  const std::string issue = "/console/citizens/demo-0003/issue";
  const int64_t seq_before = LastAudit().seq;
  Get(issue);
  EXPECT_EQ(Post(issue, {{"configuration", kEvisa}, {"tx_code", "yes"}}).status, 403);
  EXPECT_EQ(LastAudit().seq, seq_before);  // no offer made

  http::ClientResponse r = PostForm(issue, issue, {{"configuration", kEvisa}, {"tx_code", "yes"}});
  ASSERT_EQ(r.status, 303);
  const std::string offer_page = Location(r);
  ASSERT_TRUE(offer_page.starts_with("/console/offers/")) << offer_page;
  const store::AuditRecord audit = LastAudit();
  EXPECT_EQ(audit.action, "offer.create");
  EXPECT_EQ(audit.actor, kOfficer);

  r = Get(offer_page);
  ASSERT_EQ(r.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body, m, std::regex("id=\"tx-code\"[^>]*>([0-9]+)<"))) << r.body;
  const std::string tx_code = m[1].str();
  EXPECT_GE(tx_code.size(), 4u);
  EXPECT_NE(r.body.find("src=\"data:image/png;base64,"), std::string::npos);
  EXPECT_NE(r.body.find("openid-credential-offer://"), std::string::npos);
  EXPECT_NE(r.body.find("govuk-panel"), std::string::npos);
  EXPECT_NE(r.body.find("shown only once"), std::string::npos);

  r = Get(offer_page);  // a reload
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("tx-code"), std::string::npos);
  EXPECT_EQ(r.body.find(">" + tx_code + "<"), std::string::npos);
  EXPECT_NE(r.body.find("cannot be shown again"), std::string::npos);
  EXPECT_NE(r.body.find("openid-credential-offer://"), std::string::npos);  // the QR and link stay

  // Another offer's page is not this session's.
  EXPECT_EQ(Get("/console/offers/not-an-offer").status, 404);
}

TEST_F(ConsoleTest, OfferWithoutTxCodeAndValidation) {
  ASSERT_EQ(SignIn().status, 303);
  const std::string issue = "/console/citizens/demo-0001/issue";
  http::ClientResponse r = PostForm(issue, issue, {{"configuration", ""}, {"tx_code", "maybe"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Select the credential to issue"), std::string::npos);
  EXPECT_NE(r.body.find("Select whether a transaction code is required"), std::string::npos);
  EXPECT_EQ(PostForm(issue, issue, {{"configuration", "no.such"}, {"tx_code", "no"}}).status, 400);
  // A citizen whose record has no claims for the configuration cannot be offered it.
  ASSERT_TRUE(svc_->UpsertCitizen(R"({"id": "EVISA-ONLY", "claims": {"uk.gov.homeoffice.evisa": {}}})").ok());
  const std::string only = "/console/citizens/EVISA-ONLY/issue";
  r = PostForm(only, only, {{"configuration", "uk.gov.digital-id.sd-jwt"}, {"tx_code", "no"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("holds no claims for that credential"), std::string::npos);
  EXPECT_EQ(PostForm(only, only, {{"configuration", kEvisa}, {"tx_code", "no"}}).status, 303);
  r = PostForm(issue, issue, {{"configuration", "uk.gov.digital-id.sd-jwt"}, {"tx_code", "no"}});
  ASSERT_EQ(r.status, 303);
  r = Get(Location(r));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("tx-code"), std::string::npos);
  EXPECT_EQ(r.body.find("cannot be shown again"), std::string::npos);
  EXPECT_EQ(Get("/console/citizens/nobody-here/issue").status, 404);
}

TEST_F(ConsoleTest, RevokeSuspendReinstateWithTheOfficerAsActor) {
  ASSERT_EQ(SignIn().status, 303);
  // Two copies of one batch (what one Credential Request with two proofs issues), and another
  // citizen's credential.
  const std::string id = Issue("demo-0003", kEvisa, "batch-A");
  const std::string copy = Issue("demo-0003", kEvisa, "batch-A");
  const std::string other = Issue("demo-0001", kEvisa, "batch-B");
  const std::string page = "/console/citizens/demo-0003";
  const std::string post = page + "/status";
  auto status_of = [&](const std::string& c) { return svc_->store().GetIssuedCredential(c)->status; };
  http::ClientResponse r = Get(page);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("2 copies in the wallet"), std::string::npos);
  EXPECT_EQ(Count(r.body, "name=\"batch\" value=\"batch-A\""), 2u);  // suspend + revoke

  EXPECT_EQ(Post(post, {{"batch", "batch-A"}, {"action", "revoke"}}).status, 403);
  auto wrong = std::vector<std::pair<std::string, std::string>>{{"batch", "batch-A"}, {"action", "revoke"}, {"csrf_token", "x"}};
  EXPECT_EQ(Post(post, wrong).status, 403);
  EXPECT_EQ(status_of(id), store::CredentialStatus::kValid);
  // Another citizen's batch cannot be changed from this citizen's page.
  EXPECT_EQ(PostForm(page, post, {{"batch", "batch-B"}, {"action", "revoke"}}).status, 404);
  EXPECT_EQ(status_of(other), store::CredentialStatus::kValid);
  EXPECT_EQ(PostForm(page, post, {{"batch", "batch-A"}, {"action", "destroy"}}).status, 404);
  EXPECT_EQ(PostForm(page, post, {{"batch", ""}, {"action", "revoke"}}).status, 404);

  r = PostForm(page, post, {{"batch", "batch-A"}, {"action", "suspend"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(status_of(id), store::CredentialStatus::kSuspended);
  EXPECT_EQ(status_of(copy), store::CredentialStatus::kSuspended);
  EXPECT_EQ(LastAudit().action, "credential.suspend");
  r = Get(page);
  EXPECT_NE(r.body.find("Credential suspended"), std::string::npos);
  EXPECT_NE(r.body.find("Reinstate"), std::string::npos);

  EXPECT_EQ(PostForm(page, post, {{"batch", "batch-A"}, {"action", "reinstate"}}).status, 303);
  EXPECT_EQ(status_of(id), store::CredentialStatus::kValid);
  EXPECT_EQ(status_of(copy), store::CredentialStatus::kValid);

  EXPECT_EQ(PostForm(page, post, {{"batch", "batch-A"}, {"action", "revoke"}}).status, 303);
  EXPECT_EQ(status_of(id), store::CredentialStatus::kRevoked);
  EXPECT_EQ(status_of(copy), store::CredentialStatus::kRevoked);
  const store::AuditRecord audit = LastAudit();
  EXPECT_EQ(audit.action, "credential.revoke");
  EXPECT_EQ(audit.actor, kOfficer);
  EXPECT_NE(audit.details_json.find(copy), std::string::npos);
  r = Get(page);
  EXPECT_NE(r.body.find("Credential revoked"), std::string::npos);
  EXPECT_NE(r.body.find(">Revoked<"), std::string::npos);
  EXPECT_EQ(r.body.find("name=\"batch\""), std::string::npos);  // nothing left to do
  EXPECT_EQ(status_of(other), store::CredentialStatus::kValid);
}

TEST_F(ConsoleTest, ImportRunsAsAJobAndReportsBadRows) {
  ASSERT_EQ(SignIn().status, 303);
  const std::string csv =
      "id,uk.gov.homeoffice.evisa:uk.gov.homeoffice.evisa.1/given_name,uk.gov.homeoffice.evisa:uk.gov.homeoffice.evisa.1/family_name\n"
      "IMP-1,Ada,Lovelace\n"
      "IMP-2,Alan,Turing\n"
      ",No,Id\n"
      "IMP-3,Grace,Hopper\n";
  Get("/console/import");
  EXPECT_EQ(Post("/console/import", {{"csv", csv}}).status, 403);
  EXPECT_EQ(svc_->store().GetCitizen("IMP-1").status().code(), StatusCode::kNotFound);

  http::ClientResponse r = PostForm("/console/import", "/console/import", {{"csv", csv}});
  ASSERT_EQ(r.status, 303);
  const std::string job = Location(r);
  ASSERT_TRUE(job.starts_with("/console/import/")) << job;
  Json status;
  for (int i = 0; i < 200; ++i) {
    r = Get(job + "/status");
    ASSERT_EQ(r.status, 200);
    auto parsed = ParseJsonObject(r.body);
    ASSERT_TRUE(parsed.ok());
    status = *parsed;
    if (status["done"].get<bool>()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(status["done"].get<bool>());
  EXPECT_EQ(status["label"].get<std::string>(), "4 of 4 rows done");
  EXPECT_EQ(status["next"].get<std::string>(), job);
  r = Get(job);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Import complete"), std::string::npos);
  EXPECT_NE(r.body.find("<td class=\"govuk-table__cell\">4</td>"), std::string::npos);  // the bad row's line
  for (const char* id : {"IMP-1", "IMP-2", "IMP-3"}) EXPECT_TRUE(svc_->store().GetCitizen(id).ok()) << id;
  const store::AuditRecord audit = LastAudit();
  EXPECT_EQ(audit.action, "citizen.import");
  EXPECT_EQ(audit.actor, kOfficer);

  // A bad header is a form error, and no job starts.
  r = PostForm("/console/import", "/console/import", {{"csv", "name,x\nA,B\n"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The first line is not a valid header"), std::string::npos);
  r = PostForm("/console/import", "/console/import", {{"csv", "  \n"}});
  EXPECT_EQ(r.status, 400);
  r = PostForm("/console/import", "/console/import", {{"csv", "id\n"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("no rows"), std::string::npos);
  // Past the form's 64 KiB bound: a form error, nothing imported (boundary: the CSV above fits).
  std::string big = "id\n";
  while (big.size() < 64 * 1024) big += "TOO-LONG-ROW\n";
  r = PostForm("/console/import", "/console/import", {{"csv", big}});
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("too long"), std::string::npos);
  EXPECT_EQ(svc_->store().GetCitizen("TOO-LONG-ROW").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get("/console/import/no-such-job").status, 404);
  EXPECT_EQ(Get("/console/import/no-such-job/status").status, 404);
}

TEST_F(ConsoleTest, AuditLogNewestFirstAndVerified) {
  ASSERT_EQ(SignIn().status, 303);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(svc_->UpsertCitizen(R"({"id": "AUD-)" + std::to_string(i) + R"(", "claims": {}})", "bulk").ok());
  const int64_t last = LastAudit().seq;
  http::ClientResponse r = Get("/console/audit");
  EXPECT_EQ(r.status, 200);
  const size_t newest = r.body.find(">" + std::to_string(last) + "<");
  const size_t older = r.body.find(">" + std::to_string(last - 1) + "<");
  ASSERT_NE(newest, std::string::npos);
  ASSERT_NE(older, std::string::npos);
  EXPECT_LT(newest, older);
  EXPECT_EQ(Count(r.body, "govuk-table__row") - 1, 25u);  // header row + 25
  EXPECT_NE(r.body.find("/console/audit?before=" + std::to_string(last - 24)), std::string::npos);
  r = Get("/console/audit?before=" + std::to_string(last - 24));
  EXPECT_NE(r.body.find(">" + std::to_string(last - 25) + "<"), std::string::npos);
  EXPECT_EQ(r.body.find(">" + std::to_string(last) + "<"), std::string::npos);

  Get("/console/audit");
  EXPECT_EQ(Post("/console/audit/verify", {}).status, 403);
  r = PostForm("/console/audit", "/console/audit/verify", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("The audit log is intact"), std::string::npos);

  // Someone edits entry 3 in the database: the check names it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(svc_->config().SqlitePath().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  r = PostForm("/console/audit", "/console/audit/verify", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("The audit log has been altered"), std::string::npos);
  EXPECT_NE(r.body.find("digest_mismatch: audit record 3"), std::string::npos) << r.body;
}

TEST_F(ConsoleTest, WelshPages) {
  http::ClientResponse r = Get("/console/sign-in?lang=cy");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("lang=\"cy\""), std::string::npos);
  EXPECT_NE(r.body.find("Mewngofnodi i gonsol y cyhoeddwr"), std::string::npos);
  ASSERT_EQ(SignIn().status, 303);  // the lang cookie sticks
  r = Get("/console/citizens");
  EXPECT_NE(r.body.find("lang=\"cy\""), std::string::npos);
  EXPECT_NE(r.body.find("Dod o hyd i ddinesydd"), std::string::npos);
  r = Get("/console/audit");
  EXPECT_NE(r.body.find("Log archwilio"), std::string::npos);
  r = Get("/console/citizens?lang=en");
  EXPECT_NE(r.body.find("lang=\"en\""), std::string::npos);
  EXPECT_NE(r.body.find("Find a citizen"), std::string::npos);
}

TEST_F(ConsoleTest, EveryPageHasTheSecurityHeaders) {
  std::vector<std::string> pages = {"/console/sign-in"};
  for (const std::string& p : pages) {
    http::ClientResponse r = Get(p);
    EXPECT_TRUE(r.Header("Content-Security-Policy").has_value()) << p;
  }
  ASSERT_EQ(SignIn().status, 303);
  const std::string issue = "/console/citizens/demo-0001/issue";
  const std::string offer = Location(PostForm(issue, issue, {{"configuration", kEvisa}, {"tx_code", "no"}}));
  pages = {"/console/citizens", "/console/citizens?q=demo", "/console/citizens/new", "/console/citizens/demo-0001",
           issue, offer, "/console/import", "/console/audit", "/console/citizens/nobody", "/console/citizens?lang=cy"};
  for (const std::string& p : pages) {
    http::ClientResponse r = Get(p);
    EXPECT_TRUE(r.status == 200 || r.status == 404) << p << " " << r.status;
    auto csp = r.Header("Content-Security-Policy");
    ASSERT_TRUE(csp.has_value()) << p;
    EXPECT_NE(csp->find("default-src 'none'"), std::string::npos) << p;
    EXPECT_EQ(r.Header("X-Frame-Options").value_or(""), "DENY") << p;
    EXPECT_EQ(r.Header("Cache-Control").value_or(""), "no-store") << p;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << p;
    EXPECT_EQ(r.body.find(" style="), std::string::npos) << p;
  }
}

TEST_F(ConsoleTest, SignOutEndsTheSession) {
  ASSERT_EQ(SignIn().status, 303);
  const std::string token = Csrf(Get("/console/citizens").body);
  http::ClientResponse r = Post("/console/sign-out", {{"csrf_token", token}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Location(r), "/console/sign-in");
  EXPECT_EQ(Get("/console/citizens").status, 303);
}

TEST(ConsoleOptionsTest, RejectsMissingOptions) {
  auto server = http::Server::Create(http::ServerOptions{});
  ASSERT_TRUE(server.ok());
  ConsoleOptions o;
  EXPECT_EQ(RegisterConsoleRoutes(**server, [] { return static_cast<IssuerService*>(nullptr); }, o).code(),
            StatusCode::kInvalidArgument);
  o.clock = &SystemClock::Default();
  o.random = &crypto::SystemRandom();
  EXPECT_EQ(RegisterConsoleRoutes(**server, {}, o).code(), StatusCode::kInvalidArgument);
  o.import_chunk_rows = 0;
  EXPECT_EQ(RegisterConsoleRoutes(**server, [] { return static_cast<IssuerService*>(nullptr); }, o).code(),
            StatusCode::kInvalidArgument);
  o.import_chunk_rows = 1001;
  EXPECT_EQ(RegisterConsoleRoutes(**server, [] { return static_cast<IssuerService*>(nullptr); }, o).code(),
            StatusCode::kInvalidArgument);
  o.import_chunk_rows = 1000;  // boundary
  EXPECT_TRUE(RegisterConsoleRoutes(**server, [] { return static_cast<IssuerService*>(nullptr); }, o).ok());
}

TEST(ConsoleOptionsTest, PagesAre503WhileTheServiceStarts) {
  const fs::path dir = fs::temp_directory_path() / ("bonafide-console-503-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path users_file = dir / kConsoleUsersFile;
  auto users = web::UserFile::Load(users_file);
  ASSERT_TRUE(users.ok());
  ASSERT_TRUE(users->Add(kOfficer, kPassword, SystemClock::Default().NowSeconds()).ok());
  ASSERT_TRUE(users->Save(users_file).ok());
  http::ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.log_sink = [](std::string_view) {};
  auto server = http::Server::Create(so);
  ASSERT_TRUE(server.ok());
  ConsoleOptions o;
  o.users_file = users_file;
  o.clock = &SystemClock::Default();
  o.random = &crypto::SystemRandom();
  o.secure_cookie = false;
  ASSERT_TRUE(RegisterConsoleRoutes(**server, [] { return static_cast<IssuerService*>(nullptr); }, o).ok());
  ASSERT_TRUE((*server)->Start().ok());
  auto client = http::Client::Create("http://127.0.0.1:" + std::to_string((*server)->port()));
  ASSERT_TRUE(client.ok());
  auto page = (*client)->Get("/console/sign-in");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);  // signing in needs no service
  std::string cookie = page->Header("Set-Cookie").value_or("");
  cookie = cookie.substr(0, cookie.find(';'));
  auto signed_in = (*client)->Post(
      "/console/sign-in",
      FormEncode({{"user", kOfficer}, {"password", kPassword}, {"csrf_token", Csrf(page->body)}}),
      "application/x-www-form-urlencoded", {{"Cookie", cookie}});
  ASSERT_TRUE(signed_in.ok());
  ASSERT_EQ(signed_in->status, 303);
  cookie = signed_in->Header("Set-Cookie").value_or("");
  cookie = cookie.substr(0, cookie.find(';'));
  auto citizens = (*client)->Get("/console/citizens", {{"Cookie", cookie}});
  ASSERT_TRUE(citizens.ok());
  EXPECT_EQ(citizens->status, 503);
  EXPECT_NE(citizens->body.find("the service is unavailable"), std::string::npos);
  (*server)->Stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bonafide::issuer
