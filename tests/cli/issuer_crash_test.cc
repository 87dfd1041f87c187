// Crash safety (issue 4, section 5): `bonafide issuer serve` is killed with SIGKILL while two
// clients stream issuance requests at it (Token, Nonce, Credential per offer: the Pre-Authorized
// Code flow, tests/common/issuance_driver.h). After a restart on the same data directory every
// credential a client received is in the issuer's records (matched by its status list and
// index, which are unique per credential), every one of them shows as valid on the list, the
// audit chain verifies (`bonafide issuer audit verify`), and issuance works again. Runs on
// SQLite (the durable default) and on PostgreSQL.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "background.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cli_runner.h"
#include "crypto/keys.h"
#include "http/client.h"
#include "tests/common/issuance_driver.h"
#include "tests/store/pg_server.h"

namespace bonafide::clitest {
namespace {

constexpr char kCitizen[] = "demo-0002";
constexpr char kConfig[] = "uk.gov.digital-id.sd-jwt";
constexpr int kClients = 2;
constexpr int kOffersPerClient = 150;
constexpr size_t kKillAfter = 40;  // credentials received before the kill

std::string PostgresUrl() {
  Result<store::testing::PgServer*> pg = store::testing::PgServer::Get();
  if (!pg.ok()) return {};
  Result<std::string> url = (*pg)->NewDatabaseUrl();
  return url.ok() ? *url : std::string();
}

// StatusOf returns (list id, index) of an SD-JWT VC's status reference ("" when absent).
std::pair<std::string, int64_t> StatusOf(const std::string& sd_jwt) {
  const size_t a = sd_jwt.find('.');
  const size_t b = sd_jwt.find('.', a + 1);
  if (a == std::string::npos || b == std::string::npos) return {"", -1};
  Result<Bytes> bytes = Base64UrlDecode(std::string_view(sd_jwt).substr(a + 1, b - a - 1));
  if (!bytes.ok()) return {"", -1};
  Result<Json> payload = ParseJson(AsStringView(*bytes));
  if (!payload.ok() || !payload->contains("status")) return {"", -1};
  const Json& ref = (*payload)["status"]["status_list"];
  const std::string uri = ref["uri"].get<std::string>();
  return {uri.substr(uri.rfind('/') + 1), ref["idx"].get<int64_t>()};
}

class IssuerCrashTest : public CliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Serve starts `issuer serve` and returns its URL ("" with a failure).
  std::string Serve(std::unique_ptr<Background>& serve, const std::string& log) {
    serve = std::make_unique<Background>(
        std::vector<std::string>{CliPath(), "issuer", "serve", "--data-dir", Path("issuer"), "--listen", "127.0.0.1:0"},
        Path(log));
    Result<Json> printed = ParseJson(serve->FirstLine());
    if (!printed.ok()) {
      ADD_FAILURE() << "serve printed no JSON line; log: " << ReadFile(log);
      return {};
    }
    return (*printed)["url"].get<std::string>();
  }
};

TEST_P(IssuerCrashTest, KillDuringIssuanceLosesNoReceivedCredential) {
  std::vector<std::string> init = {"issuer", "init", "--data-dir", Path("issuer"), "--issuer-url",
                                   "http://127.0.0.1:0", "--demo"};
  if (GetParam() == "postgresql") {
    const std::string db = PostgresUrl();
    ASSERT_FALSE(db.empty()) << "PostgreSQL could not start";
    init.push_back("--db");
    init.push_back(db);
  }
  ASSERT_TRUE(Succeeds(Cli(init)));
  std::string token = ReadFile("issuer/admin-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  const http::Headers admin = {{"Authorization", "Bearer " + token}};

  std::unique_ptr<Background> serve;
  const std::string url = Serve(serve, "serve-1.log");
  ASSERT_FALSE(url.empty());

  // The offers first (admin API), then the stream.
  std::vector<std::vector<std::string>> offers(kClients);
  {
    Result<std::unique_ptr<http::Client>> c = http::Client::Create(url);
    ASSERT_TRUE(c.ok());
    for (int i = 0; i < kClients * kOffersPerClient; ++i) {
      Json request = {{"citizen_id", kCitizen}, {"credential_configuration_id", kConfig}};
      Result<http::ClientResponse> r = (*c)->Post("/admin/offers", DumpJson(request), "application/json", admin);
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
      offers[static_cast<size_t>(i % kClients)].push_back((*ParseJson(r->body))["offer_uri"].get<std::string>());
    }
  }

  SystemClock clock;
  std::mutex mu;
  std::vector<std::string> received;  // guarded by mu
  std::atomic<int> failures_after_kill{0};
  std::atomic<bool> killed{false};
  std::vector<std::string> unexpected;  // guarded by mu: failures before the kill
  auto client = [&](size_t k) {
    Result<std::unique_ptr<http::Client>> c = http::Client::Create(url);
    if (!c.ok()) return;
    Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    if (!key.ok()) return;
    for (const std::string& uri : offers[k]) {
      Result<testing::PreAuthorizedOffer> offer = testing::ParseOffer(uri);
      if (!offer.ok()) return;
      Result<std::string> access = testing::RedeemToken(**c, *offer);
      Result<std::vector<std::string>> creds =
          access.ok() ? testing::RequestCredentials(**c, *offer, *access, {&*key}, clock)
                      : Result<std::vector<std::string>>(access.status());
      std::lock_guard lock(mu);
      if (creds.ok()) {
        for (std::string& s : *creds) received.push_back(std::move(s));
      } else if (killed.load()) {
        failures_after_kill.fetch_add(1);
        return;  // the server is gone
      } else {
        unexpected.push_back(creds.status().ToString());
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t k = 0; k < static_cast<size_t>(kClients); ++k) threads.emplace_back(client, k);
  // Kill while requests are in flight: once kKillAfter credentials have arrived (bounded wait).
  for (int i = 0; i < 600; ++i) {
    {
      std::lock_guard lock(mu);
      if (received.size() >= kKillAfter || !unexpected.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  killed.store(true);
  ASSERT_TRUE(serve->Kill());
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(unexpected.empty()) << unexpected.front();
  ASSERT_GE(received.size(), kKillAfter);
  // The stream was cut, not finished: at least one client saw the server vanish.
  EXPECT_GE(failures_after_kill.load(), 1);
  EXPECT_LT(received.size(), static_cast<size_t>(kClients * kOffersPerClient));

  // Restart on the same data directory.
  const std::string url2 = Serve(serve, "serve-2.log");
  ASSERT_FALSE(url2.empty());
  Result<std::unique_ptr<http::Client>> c = http::Client::Create(url2);
  ASSERT_TRUE(c.ok());
  Result<http::ClientResponse> listed = (*c)->Get(std::string("/admin/citizens/") + kCitizen + "/credentials", admin);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->status, 200) << listed->body;
  Result<Json> records = ParseJson(listed->body);
  ASSERT_TRUE(records.ok());
  std::set<std::pair<std::string, int64_t>> recorded;
  for (const Json& rec : (*records)["credentials"]) {
    EXPECT_EQ(rec["status"], "valid");
    recorded.insert({rec["status_list_id"].get<std::string>(), rec["status_index"].get<int64_t>()});
  }
  EXPECT_EQ(recorded.size(), (*records)["credentials"].size()) << "two records share a status entry";
  std::set<std::pair<std::string, int64_t>> seen;
  for (const std::string& credential : received) {
    const auto ref = StatusOf(credential);
    ASSERT_FALSE(ref.first.empty()) << "received credential without a status reference";
    EXPECT_TRUE(seen.insert(ref).second) << "two received credentials share " << ref.first << "/" << ref.second;
    EXPECT_TRUE(recorded.contains(ref)) << "received but not recorded: " << ref.first << "/" << ref.second;
  }
  // The issuer may have recorded a few the client never saw (killed before the response left),
  // never the other way round.
  EXPECT_GE(recorded.size(), received.size());

  // The audit chain survived the kill.
  RunResult audit = Cli({"issuer", "audit", "verify", "--data-dir", Path("issuer")});
  EXPECT_TRUE(Succeeds(audit)) << audit.Describe();

  // The restarted issuer issues again, for an offer left over from before the kill.
  SystemClock clock2;
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(key.ok());
  Result<testing::PreAuthorizedOffer> offer = testing::ParseOffer(offers[0].back());
  ASSERT_TRUE(offer.ok());
  // The server was started on port 0 both times, so its issuer identifier followed the new port;
  // the pre-authorized code stored before the kill is what is being tested.
  offer->credential_issuer = url2;
  Result<std::string> access = testing::RedeemToken(**c, *offer);
  ASSERT_TRUE(access.ok()) << access.status().ToString();
  Result<std::vector<std::string>> again = testing::RequestCredentials(**c, *offer, *access, {&*key}, clock2);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->size(), 1u);
  c->reset();
  EXPECT_EQ(serve->Terminate(), 0) << ReadFile("serve-2.log");
}

INSTANTIATE_TEST_SUITE_P(Stores, IssuerCrashTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

}  // namespace
}  // namespace bonafide::clitest
