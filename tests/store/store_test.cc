// tests/store/store_test.cc: one integration suite, run against both IssuerStore adapters.
#include "store/store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/internal/sql.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "tests/store/pg_server.h"

namespace bonafide::store {
namespace {

// Each backend makes a fresh empty database (a location), opens stores on it and runs raw SQL on
// it behind the store's back.
struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  static Result<std::string> NewLocation() {
    char tmpl[] = "/tmp/bonafide-sqlite-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return Error(StatusCode::kIoError, "mkdtemp");
    return std::string(tmpl) + "/issuer.db";
  }
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& where) {
    return SqliteStore::Open(where);
  }
  static Status Raw(const std::string& where, const std::string& sql) {
    return SqliteStore::InsecureExecForTesting(where, sql);
  }
  static void Cleanup(const std::string& where) {
    std::filesystem::remove_all(std::filesystem::path(where).parent_path());
  }
};

struct PostgresBackend {
  static constexpr const char* kName = "postgres";
  static Result<std::string> NewLocation() {
    ASSIGN_OR_RETURN(testing::PgServer * server, testing::PgServer::Get());
    return server->NewDatabase();
  }
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& where) {
    return PostgresStore::Open(where);
  }
  static Status Raw(const std::string& where, const std::string& sql) {
    return PostgresStore::InsecureExecForTesting(where, sql);
  }
  static void Cleanup(const std::string&) {}
};

template <typename Backend>
class StoreTest : public ::testing::Test {
 public:
  void SetUp() override {
    auto where = Backend::NewLocation();
    ASSERT_TRUE(where.ok()) << where.status().ToString();
    where_ = *where;
    auto s = Backend::Open(where_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    if (!where_.empty()) Backend::Cleanup(where_);
  }

  std::unique_ptr<IssuerStore> OpenAnother() {
    auto s = Backend::Open(where_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  void Raw(const std::string& sql) {
    Status s = Backend::Raw(where_, sql);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void AddCitizen(const std::string& id) {
    ASSERT_TRUE(store_->UpsertCitizen(id, R"({"given_name":"Ann"})", 100).ok());
  }
  // MakeOffer creates citizen c1, offer `offer_id` and a code whose hash is H(code).
  void MakeOffer(const std::string& offer_id, const std::string& code, std::optional<std::string> tx_code,
                 int64_t expires_at = 10000, int64_t max_attempts = 3) {
    if (!store_->GetCitizen("c1").ok()) AddCitizen("c1");
    CredentialOffer o;
    o.offer_id = offer_id;
    o.citizen_id = "c1";
    o.credential_configuration_id = "uk_pid_sd_jwt";
    if (tx_code) o.tx_code_hash = H(*tx_code);
    o.created_at = 100;
    o.expires_at = expires_at;
    ASSERT_TRUE(store_->CreateOffer(o).ok());
    PreAuthorizedCode c;
    c.code_hash = H(code);
    c.offer_id = offer_id;
    c.expires_at = expires_at;
    c.max_tx_code_attempts = max_attempts;
    Status s = store_->CreatePreAuthorizedCode(c);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static Bytes H(const std::string& s) { return crypto::Sha256(AsBytes(s)); }
  void MakeList(const std::string& id, int bits, int64_t size) {
    Status s = store_->CreateStatusList(id, bits, size, 100);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  IssuedCredential Record(const std::string& id, const std::string& config, const std::string& batch,
                          int64_t index) {
    IssuedCredential c;
    c.id = id;
    c.citizen_id = "c1";
    c.credential_configuration_id = config;
    c.format = "dc+sd-jwt";
    c.batch_group_id = batch;
    c.status_list_id = "L1";
    c.status_index = index;
    c.issued_at = 200 + index;
    c.expires_at = 5000;
    return c;
  }

  std::string where_;
  std::unique_ptr<IssuerStore> store_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(StoreTest, Backends, BackendNames);

#define EXPECT_CODE(expr, code_)                                \
  do {                                                          \
    auto&& r_ = (expr);                                         \
    EXPECT_EQ(::bonafide::internal::AsStatus(r_).code(), code_) \
        << ::bonafide::internal::AsStatus(r_).ToString();       \
  } while (false)
#define EXPECT_OK(expr) EXPECT_CODE(expr, StatusCode::kOk)

// --- citizens ---

TYPED_TEST(StoreTest, CitizenUpsertGetListCount) {
  auto& s = *this->store_;
  EXPECT_OK(s.UpsertCitizen("c2", R"({"n":2})", 100));
  EXPECT_OK(s.UpsertCitizen("c1", R"({"n":1})", 100));
  EXPECT_OK(s.UpsertCitizen("c3", R"({"n":3})", 100));
  EXPECT_OK(s.UpsertCitizen("c1", R"({"n":11})", 150));
  auto c1 = s.GetCitizen("c1");
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(c1->data_json, R"({"n":11})");
  EXPECT_EQ(c1->created_at, 100);
  EXPECT_EQ(c1->updated_at, 150);
  EXPECT_CODE(s.GetCitizen("nobody"), StatusCode::kNotFound);
  auto count = s.CountCitizens();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
  auto page1 = s.ListCitizens("", 2);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].id, "c1");
  EXPECT_EQ((*page1)[1].id, "c2");
  auto page2 = s.ListCitizens((*page1)[1].id, 2);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, "c3");
  EXPECT_CODE(s.ListCitizens("", 0), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.ListCitizens("", kMaxListPage + 1), StatusCode::kInvalidArgument);
  EXPECT_OK(s.ListCitizens("", kMaxListPage));
}

TYPED_TEST(StoreTest, CitizenBadInputGivesTypedErrors) {
  auto& s = *this->store_;
  EXPECT_CODE(s.UpsertCitizen("", "{}", 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.UpsertCitizen(std::string(kMaxIdBytes + 1, 'a'), "{}", 1), StatusCode::kInvalidArgument);
  EXPECT_OK(s.UpsertCitizen(std::string(kMaxIdBytes, 'a'), "{}", 1));
  EXPECT_CODE(s.UpsertCitizen("has space", "{}", 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.UpsertCitizen("x", "not json", 1), StatusCode::kMalformed);
  EXPECT_CODE(s.UpsertCitizen("x", "[1]", 1), StatusCode::kMalformed);
  EXPECT_CODE(s.UpsertCitizen("x", R"({"a":1,"a":2})", 1), StatusCode::kMalformed);
  // {"k":"aaa..."} of exactly kMaxJsonBytes is accepted; one byte more is not.
  std::string fits = R"({"k":")" + std::string(kMaxJsonBytes - 8, 'a') + R"("})";
  ASSERT_EQ(fits.size(), kMaxJsonBytes);
  EXPECT_OK(s.UpsertCitizen("big", fits, 1));
  std::string huge = R"({"k":")" + std::string(kMaxJsonBytes - 7, 'a') + R"("})";
  EXPECT_CODE(s.UpsertCitizen("huge", huge, 1), StatusCode::kLimitExceeded);
  EXPECT_CODE(s.GetCitizen(""), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.GetCitizen("huge"), StatusCode::kNotFound);
}

TYPED_TEST(StoreTest, BulkUpsertIsAllOrNothing) {
  auto& s = *this->store_;
  std::vector<CitizenInput> rows = {{"a", "{}"}, {"b", "{}"}, {"", "{}"}};
  Status bad = s.UpsertCitizens(rows, 1);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("row 2"), std::string::npos) << bad.message();
  EXPECT_EQ(*s.CountCitizens(), 0);
  // A repeated id keeps the last row.
  rows = {{"a", R"({"v":1})"}, {"b", "{}"}, {"a", R"({"v":2})"}};
  EXPECT_OK(s.UpsertCitizens(rows, 1));
  EXPECT_EQ(*s.CountCitizens(), 2);
  EXPECT_EQ(s.GetCitizen("a")->data_json, R"({"v":2})");
  EXPECT_OK(s.UpsertCitizens({}, 1));
}

TYPED_TEST(StoreTest, BulkUpsertHundredThousandRows) {
  auto& s = *this->store_;
  constexpr int kRows = 100000;
  constexpr int kBatch = 10000;
  const auto start = std::chrono::steady_clock::now();
  std::vector<CitizenInput> batch;
  for (int i = 0; i < kRows; ++i) {
    batch.push_back(
        {"citizen-" + std::to_string(i), R"({"given_name":"Name )" + std::to_string(i) +
                                             R"(","family_name":"O\"Brien","birth_date":"1990-01-01"})"});
    if (batch.size() == kBatch) {
      ASSERT_TRUE(s.UpsertCitizens(batch, 1000).ok());
      batch.clear();
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ bulk ] %s: %d citizen rows in %.2f s\n", TypeParam::kName, kRows, secs);
  EXPECT_EQ(*s.CountCitizens(), kRows);
  auto c = s.GetCitizen("citizen-77777");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data_json,
            R"({"given_name":"Name 77777","family_name":"O\"Brien","birth_date":"1990-01-01"})");
}

// --- offers and pre-authorized codes ---

TYPED_TEST(StoreTest, OfferAndCodeRedeemOnce) {
  auto& s = *this->store_;
  CredentialOffer orphan{"o0", "no-such-citizen", "cfg", std::nullopt, 1, 2, false};
  EXPECT_CODE(s.CreateOffer(orphan), StatusCode::kNotFound);
  this->MakeOffer("o1", "code1", std::nullopt);
  CredentialOffer dup{"o1", "c1", "cfg", std::nullopt, 1, 2, false};
  EXPECT_CODE(s.CreateOffer(dup), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreatePreAuthorizedCode({this->H("x"), "no-such-offer", 10, 3}), StatusCode::kNotFound);
  EXPECT_CODE(s.CreatePreAuthorizedCode({this->H("code1"), "o1", 10, 3}), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreatePreAuthorizedCode({this->H("y"), "o1", 10, 0}), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreatePreAuthorizedCode({Bytes(), "o1", 10, 3}), StatusCode::kInvalidArgument);

  auto got = s.GetOffer("o1");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->redeemed);
  EXPECT_FALSE(got->tx_code_hash.has_value());
  auto r = s.RedeemPreAuthorizedCode(this->H("code1"), std::nullopt, 500);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->offer_id, "o1");
  EXPECT_EQ(r->citizen_id, "c1");
  EXPECT_EQ(r->credential_configuration_id, "uk_pid_sd_jwt");
  EXPECT_TRUE(s.GetOffer("o1")->redeemed);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code1"), std::nullopt, 500), StatusCode::kNotFound);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("unknown"), std::nullopt, 500), StatusCode::kNotFound);
  EXPECT_CODE(s.GetOffer("nope"), StatusCode::kNotFound);
}

TYPED_TEST(StoreTest, RedeemExpiryBoundary) {
  auto& s = *this->store_;
  FixedClock clock(999);
  this->MakeOffer("o1", "early", std::nullopt, 1000);
  this->MakeOffer("o2", "late", std::nullopt, 1000);
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("early"), std::nullopt, clock.NowSeconds()));
  clock.Set(1000);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("late"), std::nullopt, clock.NowSeconds()),
              StatusCode::kExpired);
}

TYPED_TEST(StoreTest, TxCodeAttemptLimit) {
  auto& s = *this->store_;
  const Bytes right = this->H("123456");
  const Bytes wrong = this->H("000000");
  // Boundary: max_attempts - 1 wrong tries still leave the code usable.
  this->MakeOffer("o1", "code1", "123456", 10000, 3);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code1"), ByteView(wrong), 1), StatusCode::kInvalidArgument);
  // A missing tx_code is malformed, not a guess: no attempt is counted.
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code1"), std::nullopt, 1), StatusCode::kMalformed);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code1"), ByteView(wrong), 1), StatusCode::kInvalidArgument);
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("code1"), ByteView(right), 1));
  // Nor is a tx_code sent for an offer that has none; the code stays usable.
  this->MakeOffer("o0", "code0", std::nullopt);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code0"), ByteView(right), 1), StatusCode::kMalformed);
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("code0"), std::nullopt, 1));
  // The third wrong try kills the code; the right tx_code no longer helps.
  this->MakeOffer("o2", "code2", "123456", 10000, 3);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code2"), ByteView(wrong), 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code2"), ByteView(wrong), 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code2"), ByteView(wrong), 1), StatusCode::kLimitExceeded);
  EXPECT_CODE(s.RedeemPreAuthorizedCode(this->H("code2"), ByteView(right), 1), StatusCode::kLimitExceeded);
  // The counter is durable: a new store on the same database sees the dead code.
  auto other = this->OpenAnother();
  ASSERT_NE(other, nullptr);
  EXPECT_CODE(other->RedeemPreAuthorizedCode(this->H("code2"), ByteView(right), 1),
              StatusCode::kLimitExceeded);
}

// RaceRedeem has `threads` threads redeem one code at once over `stores` and returns how many
// won; every loser must see kNotFound.
template <typename Fixture>
int RaceRedeem(Fixture* t, const std::vector<IssuerStore*>& stores, const std::string& code, int threads) {
  std::atomic<int> wins{0};
  std::atomic<int> other_errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  const Bytes h = t->H(code);
  for (int i = 0; i < threads; ++i) {
    IssuerStore* s = stores[static_cast<size_t>(i) % stores.size()];
    pool.emplace_back([&, s] {
      while (!go.load()) std::this_thread::yield();
      auto r = s->RedeemPreAuthorizedCode(h, std::nullopt, 500);
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() != StatusCode::kNotFound) {
        ADD_FAILURE() << r.status().ToString();
        ++other_errors;
      }
    });
  }
  go = true;
  for (auto& th : pool) th.join();
  EXPECT_EQ(other_errors.load(), 0);
  return wins.load();
}

TYPED_TEST(StoreTest, ConcurrentRedeemExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    const std::string code = "race" + std::to_string(round);
    this->MakeOffer("o" + std::to_string(round), code, std::nullopt);
    EXPECT_EQ(RaceRedeem(this, {this->store_.get()}, code, 8), 1);
  }
}

TYPED_TEST(StoreTest, ConcurrentRedeemAcrossTwoStoresExactlyOneWins) {
  auto second = this->OpenAnother();
  ASSERT_NE(second, nullptr);
  for (int round = 0; round < 5; ++round) {
    const std::string code = "race" + std::to_string(round);
    this->MakeOffer("o" + std::to_string(round), code, std::nullopt);
    EXPECT_EQ(RaceRedeem(this, {this->store_.get(), second.get()}, code, 8), 1);
  }
}

// --- nonces ---

TYPED_TEST(StoreTest, NoncesAreSingleUse) {
  auto& s = *this->store_;
  EXPECT_OK(s.CreateNonce("n1", 1000));
  EXPECT_CODE(s.CreateNonce("n1", 1000), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreateNonce("", 1000), StatusCode::kInvalidArgument);
  EXPECT_OK(s.ConsumeNonce("n1", 999));
  EXPECT_CODE(s.ConsumeNonce("n1", 999), StatusCode::kNotFound);
  EXPECT_OK(s.CreateNonce("n2", 1000));
  EXPECT_CODE(s.ConsumeNonce("n2", 1000), StatusCode::kExpired);
  EXPECT_CODE(s.ConsumeNonce("n2", 1), StatusCode::kNotFound);
  // Racing consumers: exactly one succeeds.
  EXPECT_OK(s.CreateNonce("n3", 1000));
  auto second = this->OpenAnother();
  ASSERT_NE(second, nullptr);
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    IssuerStore* target = i % 2 == 0 ? &s : second.get();
    threads.emplace_back([&, target] {
      Status st = target->ConsumeNonce("n3", 5);
      if (st.ok()) {
        ++wins;
      } else {
        EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
}

TYPED_TEST(StoreTest, PurgeExpiredRemovesOnlyExpired) {
  auto& s = *this->store_;
  this->MakeOffer("o1", "old", std::nullopt, 50);
  EXPECT_OK(s.CreatePreAuthorizedCode({this->H("new"), "o1", 500, 3}));
  EXPECT_OK(s.CreateNonce("old", 50));
  EXPECT_OK(s.CreateNonce("edge", 100));  // expired at 100 (now >= expires_at)
  EXPECT_OK(s.CreateNonce("live", 101));  // boundary: one second to go
  auto n = s.PurgeExpired(100);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  // old code, old and edge nonces; offer o1 expired but code "new" still points at it.
  EXPECT_EQ(*n, 3);
  EXPECT_CODE(s.ConsumeNonce("edge", 99), StatusCode::kNotFound);
  EXPECT_CODE(s.ConsumeNonce("live", 100), StatusCode::kOk);
  EXPECT_OK(s.GetOffer("o1"));
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("new"), std::nullopt, 99));
  // Nothing left to purge at the same time: zero, not an error.
  auto again = s.PurgeExpired(100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TYPED_TEST(StoreTest, PurgeExpiredRemovesOffersOnceNothingPointsAtThem) {
  auto& s = *this->store_;
  this->MakeOffer("o1", "c-o1", std::nullopt, 200);  // offer and code expire at 200
  this->MakeOffer("o2", "c-o2", std::nullopt, 201);  // boundary: one second later
  this->MakeOffer("o3", "c-o3", std::nullopt, 200);
  ASSERT_TRUE(s.RedeemPreAuthorizedCode(this->H("c-o3"), std::nullopt, 150).ok());
  auto n = s.PurgeExpired(200);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  // codes of o1 and o3 (used or not, both expired), then offers o1 and o3.
  EXPECT_EQ(*n, 4);
  EXPECT_CODE(s.GetOffer("o1"), StatusCode::kNotFound);
  EXPECT_CODE(s.GetOffer("o3"), StatusCode::kNotFound);
  EXPECT_OK(s.GetOffer("o2"));
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("c-o2"), std::nullopt, 200));  // its code is live
  auto later = s.PurgeExpired(300);  // code of o2, offer o2
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, 2);
  EXPECT_CODE(s.GetOffer("o2"), StatusCode::kNotFound);
  // Citizens are never purged.
  EXPECT_OK(s.GetCitizen("c1"));
}

// --- issued credentials ---

TYPED_TEST(StoreTest, IssuedCredentialRecords) {
  auto& s = *this->store_;
  this->AddCitizen("c1");
  this->MakeList("L1", 2, 1000);
  EXPECT_OK(s.InsertIssuedCredential(this->Record("cred1", "pid", "b1", 7)));
  EXPECT_OK(s.InsertIssuedCredential(this->Record("cred2", "pid", "b1", 3)));
  EXPECT_OK(s.InsertIssuedCredential(this->Record("cred3", "licence", "b2", 5)));
  EXPECT_CODE(s.InsertIssuedCredential(this->Record("cred3", "licence", "b2", 5)),
              StatusCode::kInvalidArgument);
  auto orphan = this->Record("cred4", "pid", "b3", 1);
  orphan.status_list_id = "nolist";
  EXPECT_CODE(s.InsertIssuedCredential(orphan), StatusCode::kNotFound);
  orphan = this->Record("cred4", "pid", "b3", 1);
  orphan.citizen_id = "nobody";
  EXPECT_CODE(s.InsertIssuedCredential(orphan), StatusCode::kNotFound);

  auto one = s.GetIssuedCredential("cred1");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->status_index, 7);
  EXPECT_EQ(one->format, "dc+sd-jwt");
  EXPECT_EQ(one->status, CredentialStatus::kValid);
  EXPECT_EQ(one->notification, NotificationState::kNone);
  EXPECT_CODE(s.GetIssuedCredential("nope"), StatusCode::kNotFound);

  auto all = s.ListIssuedCredentials("c1", std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "cred2");  // issued_at order
  auto pid = s.ListIssuedCredentials("c1", std::string_view("pid"));
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(pid->size(), 2u);
  EXPECT_EQ(s.ListIssuedCredentials("other", std::nullopt)->size(), 0u);

  EXPECT_OK(s.SetCredentialStatus("cred1", CredentialStatus::kRevoked));
  EXPECT_EQ(s.GetIssuedCredential("cred1")->status, CredentialStatus::kRevoked);
  EXPECT_CODE(s.SetCredentialStatus("nope", CredentialStatus::kRevoked), StatusCode::kNotFound);
  EXPECT_OK(s.SetNotificationState("b1", NotificationState::kAccepted));
  EXPECT_EQ(s.GetIssuedCredential("cred2")->notification, NotificationState::kAccepted);
  EXPECT_EQ(s.GetIssuedCredential("cred3")->notification, NotificationState::kNone);
  EXPECT_CODE(s.SetNotificationState("b9", NotificationState::kDeleted), StatusCode::kNotFound);
}

IssuedBatch Batch(const std::string& prefix, const std::string& group, std::vector<int64_t> indices,
                  int64_t issued_at) {
  IssuedBatch b;
  b.id_prefix = prefix;
  b.citizen_id = "c1";
  b.credential_configuration_id = "pid";
  b.format = "mso_mdoc";
  b.batch_group_id = group;
  b.status_list_id = "L1";
  b.status_indices = std::move(indices);
  b.issued_at = issued_at;
  b.expires_at = 6000;
  return b;
}

// A batch is one row, read back as one record per copy, each with its own status index and
// status, next to the records stored alone.
TYPED_TEST(StoreTest, IssuedBatchReadsAsOneRecordPerCopy) {
  auto& s = *this->store_;
  this->AddCitizen("c1");
  this->MakeList("L1", 2, 1000);
  EXPECT_OK(s.InsertIssuedCredential(this->Record("alone", "licence", "b2", 5)));  // issued at 205
  EXPECT_OK(s.InsertIssuedBatch(Batch("P", "b1", {7, 3, 9}, 150)));
  for (size_t k = 0; k < 3; ++k) {
    auto copy = s.GetIssuedCredential(BatchCopyId("P", k));
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ(copy->id, "P0" + std::to_string(k));
    EXPECT_EQ(copy->status_index, (std::vector<int64_t>{7, 3, 9})[k]);
    EXPECT_EQ(copy->citizen_id, "c1");
    EXPECT_EQ(copy->credential_configuration_id, "pid");
    EXPECT_EQ(copy->format, "mso_mdoc");
    EXPECT_EQ(copy->batch_group_id, "b1");
    EXPECT_EQ(copy->status_list_id, "L1");
    EXPECT_EQ(copy->issued_at, 150);
    EXPECT_EQ(copy->expires_at, 6000);
    EXPECT_EQ(copy->status, CredentialStatus::kValid);
    EXPECT_EQ(copy->notification, NotificationState::kNone);
  }
  EXPECT_CODE(s.GetIssuedCredential("P03"), StatusCode::kNotFound);  // past the last copy
  EXPECT_CODE(s.GetIssuedCredential("P"), StatusCode::kNotFound);
  EXPECT_CODE(s.GetIssuedCredential("P0"), StatusCode::kNotFound);

  auto all = s.ListIssuedCredentials("c1", std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> ids;
  for (const IssuedCredential& c : *all) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"P00", "P01", "P02", "alone"}));  // issued_at, then id
  EXPECT_EQ(s.ListIssuedCredentials("c1", std::string_view("pid"))->size(), 3u);
  EXPECT_EQ(s.ListIssuedCredentials("c1", std::string_view("licence"))->size(), 1u);

  // Each copy's status changes alone.
  EXPECT_OK(s.SetCredentialStatus("P01", CredentialStatus::kRevoked));
  EXPECT_OK(s.SetCredentialStatus("P02", CredentialStatus::kSuspended));
  EXPECT_OK(s.SetCredentialStatus("P00", CredentialStatus::kSuspended));
  EXPECT_OK(s.SetCredentialStatus("P00", CredentialStatus::kValid));
  EXPECT_EQ(s.GetIssuedCredential("P00")->status, CredentialStatus::kValid);
  EXPECT_EQ(s.GetIssuedCredential("P01")->status, CredentialStatus::kRevoked);
  EXPECT_EQ(s.GetIssuedCredential("P02")->status, CredentialStatus::kSuspended);
  EXPECT_EQ(s.GetIssuedCredential("alone")->status, CredentialStatus::kValid);
  EXPECT_CODE(s.SetCredentialStatus("P03", CredentialStatus::kRevoked), StatusCode::kNotFound);
  EXPECT_EQ(s.GetIssuedCredential("P02")->status_index, 9);

  // A notification reaches every copy of its group, in a batch or stored alone.
  EXPECT_OK(s.InsertIssuedCredential(this->Record("alone2", "pid", "b1", 6)));
  EXPECT_OK(s.SetNotificationState("b1", NotificationState::kAccepted));
  for (const char* id : {"P00", "P01", "P02", "alone2"}) {
    EXPECT_EQ(s.GetIssuedCredential(id)->notification, NotificationState::kAccepted) << id;
  }
  EXPECT_EQ(s.GetIssuedCredential("alone")->notification, NotificationState::kNone);
  EXPECT_OK(s.InsertIssuedBatch(Batch("Q", "b3", {11}, 300)));
  EXPECT_OK(s.SetNotificationState("b3", NotificationState::kDeleted));
  EXPECT_EQ(s.GetIssuedCredential("Q00")->notification, NotificationState::kDeleted);
  EXPECT_EQ(s.GetIssuedCredential("P00")->notification, NotificationState::kAccepted);
}

// Bad batches are refused with a typed error and leave nothing behind; no id is ever held twice,
// whether by a batch's copy or by a record stored alone.
TYPED_TEST(StoreTest, IssuedBatchRefusalsChangeNothing) {
  auto& s = *this->store_;
  this->AddCitizen("c1");
  this->MakeList("L1", 2, 1000);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P", "b1", {}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P", "b1", std::vector<int64_t>(kMaxBatchCopies + 1, 1), 1)),
              StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P", "b1", {1, -1}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P", "b1", {int64_t{1} << 32}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("", "b1", {1}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P Q", "b1", {1}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.InsertIssuedBatch(Batch(std::string(kMaxIdBytes - 1, 'p'), "b1", {1}, 1)),
              StatusCode::kInvalidArgument);
  EXPECT_OK(s.InsertIssuedBatch(Batch(std::string(kMaxIdBytes - 2, 'p'), "b1", {1}, 1)));  // longest
  IssuedBatch orphan = Batch("O", "b1", {1}, 1);
  orphan.citizen_id = "nobody";
  EXPECT_CODE(s.InsertIssuedBatch(orphan), StatusCode::kNotFound);
  orphan = Batch("O", "b1", {1}, 1);
  orphan.status_list_id = "nolist";
  EXPECT_CODE(s.InsertIssuedBatch(orphan), StatusCode::kNotFound);
  EXPECT_EQ(s.ListIssuedCredentials("c1", std::nullopt)->size(), 1u);  // the longest prefix alone

  EXPECT_OK(s.InsertIssuedBatch(Batch("P", "b1", {1, 2}, 1)));
  EXPECT_CODE(s.InsertIssuedBatch(Batch("P", "b2", {3}, 1)), StatusCode::kInvalidArgument);  // same prefix
  EXPECT_CODE(s.InsertIssuedCredential(this->Record("P01", "pid", "b2", 4)), StatusCode::kInvalidArgument);
  EXPECT_OK(s.InsertIssuedCredential(this->Record("P02", "pid", "b2", 4)));  // the batch has 2 copies
  EXPECT_EQ(s.GetIssuedCredential("P02")->status_index, 4);
  // A record stored alone holds R01: a batch R of two copies would hold it too; one copy would not.
  EXPECT_OK(s.InsertIssuedCredential(this->Record("R01", "pid", "b2", 5)));
  EXPECT_OK(s.InsertIssuedCredential(this->Record("R00x", "pid", "b2", 6)));  // in range, not a copy's id
  EXPECT_CODE(s.InsertIssuedBatch(Batch("R", "b3", {7, 8}, 1)), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.GetIssuedCredential("R00"), StatusCode::kNotFound);  // nothing half-written
  EXPECT_OK(s.InsertIssuedBatch(Batch("R", "b3", {7}, 1)));
  EXPECT_EQ(s.GetIssuedCredential("R00")->status_index, 7);
  EXPECT_EQ(s.GetIssuedCredential("R01")->status_index, 5);
  EXPECT_EQ(s.GetIssuedCredential("R00x")->status_index, 6);
  // Upper-case hex is not a copy's number: such an id is only ever a record stored alone.
  EXPECT_OK(s.InsertIssuedCredential(this->Record("P0A", "pid", "b2", 8)));
  EXPECT_EQ(s.GetIssuedCredential("P0A")->status_index, 8);
  EXPECT_EQ(s.ListIssuedCredentials("c1", std::nullopt)->size(), 8u);
}

// Revocations of different copies of one batch, at once from many threads and (PostgreSQL)
// connections, all land: each rewrites its copy's status in one statement.
TYPED_TEST(StoreTest, ConcurrentStatusChangesToOneBatchLoseNothing) {
  auto& s = *this->store_;
  this->AddCitizen("c1");
  this->MakeList("L1", 2, 1000);
  std::vector<int64_t> indices(100);
  for (size_t k = 0; k < indices.size(); ++k) indices[k] = static_cast<int64_t>(k);
  ASSERT_TRUE(s.InsertIssuedBatch(Batch("P", "b1", indices, 1)).ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t k = t; k < indices.size(); k += 4) {
        if (k % 10 == 9) continue;  // every tenth copy stays valid
        const auto status = k % 2 == 0 ? CredentialStatus::kRevoked : CredentialStatus::kSuspended;
        if (!s.SetCredentialStatus(BatchCopyId("P", k), status).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = s.ListIssuedCredentials("c1", std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 100u);
  for (size_t k = 0; k < all->size(); ++k) {
    const IssuedCredential& c = (*all)[k];
    EXPECT_EQ(c.id, BatchCopyId("P", k));
    EXPECT_EQ(c.status_index, static_cast<int64_t>(k));
    const auto want = k % 10 == 9 ? CredentialStatus::kValid
                      : k % 2 == 0 ? CredentialStatus::kRevoked
                                   : CredentialStatus::kSuspended;
    EXPECT_EQ(c.status, want) << c.id;
  }
}

// --- status lists ---

TYPED_TEST(StoreTest, StatusListCreateAndSet) {
  auto& s = *this->store_;
  EXPECT_CODE(s.CreateStatusList("bad", 3, 10, 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreateStatusList("bad", 1, 0, 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.CreateStatusList("bad", 1, kMaxStatusListSize + 1, 1), StatusCode::kInvalidArgument);
  this->MakeList("L2", 2, 16);
  EXPECT_CODE(s.CreateStatusList("L2", 2, 16, 1), StatusCode::kInvalidArgument);
  auto l = s.GetStatusList("L2");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->bits, 2);
  EXPECT_EQ(l->size, 16);
  EXPECT_EQ(l->list_bytes, Bytes(4, 0));
  EXPECT_EQ(l->version, 1);
  // Entry 5 of a 2-bit list: byte 1, bit offset 2 (least significant bit first).
  EXPECT_OK(s.SetStatus("L2", 5, 3, 300));
  EXPECT_OK(s.SetStatus("L2", 15, 1, 301));  // last index
  EXPECT_CODE(s.SetStatus("L2", 16, 1, 301), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.SetStatus("L2", -1, 1, 301), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.SetStatus("L2", 0, 4, 301), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.SetStatus("nolist", 0, 1, 301), StatusCode::kNotFound);
  l = s.GetStatusList("L2");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->list_bytes, (Bytes{0x00, 0x0c, 0x00, 0x40}));
  EXPECT_EQ(l->version, 3);
  EXPECT_EQ(l->updated_at, 301);
  EXPECT_OK(s.SetStatus("L2", 5, 0, 302));
  EXPECT_EQ(s.GetStatusList("L2")->list_bytes, (Bytes{0x00, 0x00, 0x00, 0x40}));
  this->MakeList("L8", 8, 3);
  EXPECT_OK(s.SetStatus("L8", 2, 255, 1));
  EXPECT_EQ(s.GetStatusList("L8")->list_bytes, (Bytes{0, 0, 255}));
  auto ids = s.ListStatusListIds();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"L2", "L8"}));
  EXPECT_CODE(s.GetStatusList("nolist"), StatusCode::kNotFound);
}

// Many indices in one call: the list is rewritten and its version bumped once; a value or any
// index out of range refuses the whole call and leaves the list as it was.
TYPED_TEST(StoreTest, SetStatusesWritesAllOrNothing) {
  auto& s = *this->store_;
  this->MakeList("L2", 2, 16);
  const std::vector<int64_t> copies = {0, 5, 6, 15};
  EXPECT_OK(s.SetStatuses("L2", copies, 1, 400));
  auto l = s.GetStatusList("L2");
  ASSERT_TRUE(l.ok());
  // Entries 0 and 5, 6 and 15 at 1: byte 0 bit 0, byte 1 bits 2 and 4, byte 3 bit 6.
  EXPECT_EQ(l->list_bytes, (Bytes{0x01, 0x14, 0x00, 0x40}));
  EXPECT_EQ(l->version, 2);
  EXPECT_EQ(l->updated_at, 400);
  const std::vector<int64_t> one_bad = {1, 2, 16};
  EXPECT_CODE(s.SetStatuses("L2", one_bad, 2, 401), StatusCode::kInvalidArgument);
  const std::vector<int64_t> negative = {-1, 3};
  EXPECT_CODE(s.SetStatuses("L2", negative, 2, 401), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.SetStatuses("L2", copies, 4, 401), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.SetStatuses("nolist", copies, 1, 401), StatusCode::kNotFound);
  l = s.GetStatusList("L2");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->list_bytes, (Bytes{0x01, 0x14, 0x00, 0x40}));  // unchanged
  EXPECT_EQ(l->version, 2);
  // Back to 0, the same index twice and an empty set of indices are all fine.
  const std::vector<int64_t> again = {5, 5, 6};
  EXPECT_OK(s.SetStatuses("L2", again, 0, 402));
  EXPECT_EQ(s.GetStatusList("L2")->list_bytes, (Bytes{0x01, 0x00, 0x00, 0x40}));
  EXPECT_OK(s.SetStatuses("L2", std::vector<int64_t>{}, 3, 403));
  EXPECT_EQ(s.GetStatusList("L2")->list_bytes, (Bytes{0x01, 0x00, 0x00, 0x40}));
}

TYPED_TEST(StoreTest, ConcurrentSetStatusLosesNoUpdate) {
  auto& s = *this->store_;
  this->MakeList("L1", 1, 64);
  auto second = this->OpenAnother();
  ASSERT_NE(second, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    IssuerStore* target = t % 2 == 0 ? &s : second.get();
    threads.emplace_back([target, t] {
      for (int i = t; i < 64; i += 4) EXPECT_OK(target->SetStatus("L1", i, 1, 5));
    });
  }
  for (auto& th : threads) th.join();
  auto l = s.GetStatusList("L1");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->list_bytes, Bytes(8, 0xff));
  EXPECT_EQ(l->version, 65);
}

TYPED_TEST(StoreTest, StatusIndexAllocationIsUniqueRandomAndBounded) {
  auto& s = *this->store_;
  this->MakeList("small", 1, 64);
  std::vector<int64_t> got;
  for (int i = 0; i < 64; ++i) {
    auto idx = s.AllocateStatusIndex("small", crypto::SystemRandom());
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    got.push_back(*idx);
  }
  std::vector<int64_t> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  // Issue order is not index order (a sorted sequence has probability 1/64!).
  EXPECT_NE(got, sorted);
  EXPECT_CODE(s.AllocateStatusIndex("small", crypto::SystemRandom()), StatusCode::kLimitExceeded);
  EXPECT_CODE(s.AllocateStatusIndex("nolist", crypto::SystemRandom()), StatusCode::kNotFound);

  // Spread: 20 draws from a list of 2^20 are not ascending and not clustered at the start.
  this->MakeList("big", 1, 1 << 20);
  std::vector<int64_t> big;
  for (int i = 0; i < 20; ++i) big.push_back(*s.AllocateStatusIndex("big", crypto::SystemRandom()));
  EXPECT_FALSE(std::is_sorted(big.begin(), big.end()));
  EXPECT_GT(*std::max_element(big.begin(), big.end()), 1 << 18);
}

// A batch of credentials takes its indices in one call: distinct, within the list, and all or
// none (a batch that does not fit reserves nothing, so the next smaller batch still fits).
TYPED_TEST(StoreTest, StatusIndicesForABatchAreDistinctAndAllOrNone) {
  auto& s = *this->store_;
  this->MakeList("ten", 1, 10);
  auto first = s.AllocateStatusIndices("ten", 4, crypto::SystemRandom());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 4u);
  EXPECT_CODE(s.AllocateStatusIndices("ten", 7, crypto::SystemRandom()), StatusCode::kLimitExceeded);
  auto rest = s.AllocateStatusIndices("ten", 6, crypto::SystemRandom());
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  std::set<int64_t> all(first->begin(), first->end());
  all.insert(rest->begin(), rest->end());
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 9);
  EXPECT_CODE(s.AllocateStatusIndices("ten", 1, crypto::SystemRandom()), StatusCode::kLimitExceeded);
  EXPECT_CODE(s.AllocateStatusIndices("ten", 0, crypto::SystemRandom()), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.AllocateStatusIndices("ten", 1001, crypto::SystemRandom()), StatusCode::kInvalidArgument);
}

// A list that took indices before schema version 4 (one status_allocations row each) keeps them
// taken: its pool is made of the other indices. A pool that has lost rows is an internal error
// that reserves nothing.
TYPED_TEST(StoreTest, StatusPoolSkipsIndicesTakenBeforeItAndRefusesAMissingChunk) {
  auto& s = *this->store_;
  this->MakeList("old", 1, 8);
  this->Raw("INSERT INTO status_allocations (list_id, idx) VALUES ('old', 3), ('old', 5)");
  auto rest = s.AllocateStatusIndices("old", 6, crypto::SystemRandom());
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(std::set<int64_t>(rest->begin(), rest->end()), (std::set<int64_t>{0, 1, 2, 4, 6, 7}));
  EXPECT_CODE(s.AllocateStatusIndices("old", 1, crypto::SystemRandom()), StatusCode::kLimitExceeded);

  this->MakeList("lost", 1, 2000);
  auto first = s.AllocateStatusIndices("lost", 10, crypto::SystemRandom());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  this->Raw("DELETE FROM status_pool WHERE list_id = 'lost' AND chunk = 1");
  EXPECT_CODE(s.AllocateStatusIndices("lost", 600, crypto::SystemRandom()), StatusCode::kInternal);
  // The cursor did not move: the first chunk's remaining entries are still handed out.
  auto more = s.AllocateStatusIndices("lost", 500, crypto::SystemRandom());
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  std::set<int64_t> all(more->begin(), more->end());
  all.insert(first->begin(), first->end());
  EXPECT_EQ(all.size(), 510u);
}

TYPED_TEST(StoreTest, ConcurrentAllocationNeverRepeats) {
  auto& s = *this->store_;
  this->MakeList("L1", 1, 200);
  auto second = this->OpenAnother();
  ASSERT_NE(second, nullptr);
  std::mutex mu;
  std::set<int64_t> seen;
  std::atomic<int> dups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    IssuerStore* target = t % 2 == 0 ? &s : second.get();
    threads.emplace_back([&, target] {
      for (int i = 0; i < 50; ++i) {
        auto idx = target->AllocateStatusIndex("L1", crypto::SystemRandom());
        ASSERT_TRUE(idx.ok()) << idx.status().ToString();
        std::lock_guard lock(mu);
        if (!seen.insert(*idx).second) ++dups;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(dups.load(), 0);
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_CODE(s.AllocateStatusIndex("L1", crypto::SystemRandom()), StatusCode::kLimitExceeded);
}

// --- audit log ---

TYPED_TEST(StoreTest, AuditChainVerifiesAndDetectsEditedRow) {
  auto& s = *this->store_;
  EXPECT_OK(s.VerifyAuditChain());  // empty chain
  for (int i = 1; i <= 5; ++i) {
    auto r = s.AppendAudit("admin", "issue", R"({"n":)" + std::to_string(i) + "}", 1000 + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->seq, i);
    EXPECT_EQ(r->hash.size(), 32u);
  }
  EXPECT_OK(s.VerifyAuditChain());
  auto list = s.ListAudit(0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 5u);
  EXPECT_EQ((*list)[0].prev_hash, Bytes(32, 0));
  EXPECT_EQ((*list)[1].prev_hash, (*list)[0].hash);
  Bytes input = (*list)[2].prev_hash;
  Bytes canon = AuditCanonicalBytes((*list)[2]);
  input.insert(input.end(), canon.begin(), canon.end());
  EXPECT_EQ(crypto::Sha256(input), (*list)[2].hash);
  EXPECT_EQ(s.ListAudit(3, 10)->size(), 2u);

  this->Raw(R"(UPDATE audit_log SET details = '{"n":99}' WHERE seq = 3)");
  Status v = s.VerifyAuditChain();
  EXPECT_EQ(v.code(), StatusCode::kDigestMismatch);
  EXPECT_NE(v.message().find("audit record 3:"), std::string::npos) << v.message();
}

TYPED_TEST(StoreTest, AuditChainDetectsDeletedAndTruncatedRows) {
  auto& s = *this->store_;
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(s.AppendAudit("a", "x", "{}", i).ok());
  this->Raw("DELETE FROM audit_log WHERE seq = 4");
  Status v = s.VerifyAuditChain();
  EXPECT_EQ(v.code(), StatusCode::kDigestMismatch);
  EXPECT_NE(v.message().find("audit record 4:"), std::string::npos) << v.message();
  this->Raw("DELETE FROM audit_log WHERE seq = 2");
  v = s.VerifyAuditChain();
  EXPECT_EQ(v.code(), StatusCode::kDigestMismatch);
  EXPECT_NE(v.message().find("audit record 2:"), std::string::npos) << v.message();
}

TYPED_TEST(StoreTest, AuditConcurrentAppendersKeepOneChain) {
  auto& s = *this->store_;
  auto second = this->OpenAnother();
  ASSERT_NE(second, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    IssuerStore* target = t % 2 == 0 ? &s : second.get();
    threads.emplace_back([target, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_OK(target->AppendAudit("worker" + std::to_string(t), "issue", "{}", i));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_OK(s.VerifyAuditChain());
  auto list = s.ListAudit(0, kMaxListPage);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 100u);
  EXPECT_EQ(list->back().seq, 100);
}

TYPED_TEST(StoreTest, AuditBadInput) {
  auto& s = *this->store_;
  EXPECT_CODE(s.AppendAudit("", "x", "{}", 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.AppendAudit("a", "", "{}", 1), StatusCode::kInvalidArgument);
  EXPECT_CODE(s.AppendAudit("a", "x", "nope", 1), StatusCode::kMalformed);
  std::string huge = R"({"k":")" + std::string(kMaxJsonBytes, 'a') + R"("})";
  EXPECT_CODE(s.AppendAudit("a", "x", huge, 1), StatusCode::kLimitExceeded);
  EXPECT_CODE(s.ListAudit(0, 0), StatusCode::kInvalidArgument);
  EXPECT_OK(s.VerifyAuditChain());
  EXPECT_EQ(s.ListAudit(0, 10)->size(), 0u);
}

// --- transactions ---

TYPED_TEST(StoreTest, WithTransactionCommitsOrRollsBackEverything) {
  auto& s = *this->store_;
  this->AddCitizen("c1");
  this->MakeList("L1", 1, 100);
  Status ok = s.WithTransaction([&](IssuerStore& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t idx, tx.AllocateStatusIndex("L1", crypto::SystemRandom()));
    RETURN_IF_ERROR(tx.InsertIssuedCredential(this->Record("cred1", "pid", "b1", idx)));
    RETURN_IF_ERROR(tx.AppendAudit("issuer", "issue", R"({"credential":"cred1"})", 5).status());
    return tx.WithTransaction([](IssuerStore& inner) { return inner.CreateNonce("n1", 10); });
  });
  EXPECT_OK(ok);
  EXPECT_OK(s.GetIssuedCredential("cred1"));
  EXPECT_EQ(s.ListAudit(0, 10)->size(), 1u);
  EXPECT_OK(s.ConsumeNonce("n1", 1));

  Status failed = s.WithTransaction([&](IssuerStore& tx) -> Status {
    RETURN_IF_ERROR(tx.UpsertCitizen("c2", "{}", 1));
    RETURN_IF_ERROR(tx.SetStatus("L1", 0, 1, 9));
    RETURN_IF_ERROR(tx.AppendAudit("issuer", "revoke", "{}", 6).status());
    return Error(StatusCode::kInvalidClaims, "caller gives up");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInvalidClaims);
  EXPECT_CODE(s.GetCitizen("c2"), StatusCode::kNotFound);
  EXPECT_EQ(s.GetStatusList("L1")->version, 1);
  EXPECT_EQ(s.ListAudit(0, 10)->size(), 1u);
  EXPECT_OK(s.VerifyAuditChain());

  this->MakeOffer("o1", "code1", std::nullopt);
  Status in_tx = s.WithTransaction([&](IssuerStore& tx) -> Status {
    return tx.RedeemPreAuthorizedCode(this->H("code1"), std::nullopt, 1).status();
  });
  EXPECT_EQ(in_tx.code(), StatusCode::kInvalidArgument);
  EXPECT_OK(s.RedeemPreAuthorizedCode(this->H("code1"), std::nullopt, 1));
}

// --- migrations ---

TYPED_TEST(StoreTest, ReopenIsNoOpAndNewerSchemaIsRefused) {
  this->AddCitizen("c1");
  ASSERT_TRUE(this->store_->AppendAudit("a", "x", "{}", 1).ok());
  this->store_.reset();
  auto again = TypeParam::Open(this->where_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_OK((*again)->GetCitizen("c1"));
  EXPECT_OK((*again)->VerifyAuditChain());
  again->reset();
  this->Raw("UPDATE schema_version SET version = 999");
  auto refused = TypeParam::Open(this->where_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("newer"), std::string::npos);
}


// A database made by an older release (schema version 2: rowid tables, taken status indices as
// rows) is migrated to the newest version when opened (3: WITHOUT ROWID tables; 4: status index
// pools; 5: no access_tokens table; 6: issued_batches), and every row of the rebuilt tables is
// still there.
TEST(SqliteMigrationTest, Version2DatabaseKeepsItsRowsThroughTheNewestVersion) {
  Result<std::string> where = SqliteBackend::NewLocation();
  ASSERT_TRUE(where.ok());
  {
    Result<std::unique_ptr<internal::Connection>> c = internal::OpenSqliteConnection(*where, 5000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    const auto steps = internal::Migrations(internal::Dialect::kSqlite);
    ASSERT_GE(steps.size(), 3u);
    ASSERT_TRUE((*c)->ExecScript("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                               "INSERT INTO schema_version (version) VALUES (2)").ok());
    ASSERT_TRUE((*c)->ExecScript(steps[0]).ok());
    ASSERT_TRUE((*c)->ExecScript(steps[1]).ok());
    ASSERT_TRUE((*c)->ExecScript(
        "INSERT INTO citizens VALUES ('c1', '{}', 1, 1);"
        "INSERT INTO offers VALUES ('o1', 'c1', 'cfg', NULL, 1, 9999999999, 1);"
        "INSERT INTO status_lists VALUES ('L', 1, 8, zeroblob(1), 1, 1, 2);"
        "INSERT INTO status_allocations VALUES ('L', 3), ('L', 5);"
        "INSERT INTO issued_credentials VALUES ('cred1', 'c1', 'cfg', 'dc+sd-jwt', 'b1', 'L', 3, 1, "
        "9999999999, 0, 0), ('cred2', 'c1', 'cfg', 'dc+sd-jwt', 'b1', 'L', 5, 1, 9999999999, 0, 0);"
        "INSERT INTO nonces VALUES ('n1', 9999999999);"
        "INSERT INTO access_tokens VALUES (x'" + std::string(64, 'a') + "', 'o1', 'c1', 'cfg', 9999999999);").ok());
  }
  Result<std::unique_ptr<IssuerStore>> opened = SqliteStore::Open(*where);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  IssuerStore& s = **opened;
  auto cred = s.GetIssuedCredential("cred2");
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->status_index, 5);
  EXPECT_EQ(cred->batch_group_id, "b1");
  auto listed = s.ListIssuedCredentials("c1", std::nullopt);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_OK(s.GetOffer("o1"));
  EXPECT_CODE(s.CreateNonce("n1", 9999999999), StatusCode::kInvalidArgument);  // still spent
  // Indices 3 and 5 stay taken: the other six are all that is left.
  auto rest = s.AllocateStatusIndices("L", 6, crypto::SystemRandom());
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(std::set<int64_t>(rest->begin(), rest->end()), (std::set<int64_t>{0, 1, 2, 4, 6, 7}));
  EXPECT_CODE(s.AllocateStatusIndices("L", 1, crypto::SystemRandom()), StatusCode::kLimitExceeded);
  opened->reset();
  {
    Result<std::unique_ptr<internal::Connection>> c = internal::OpenSqliteConnection(*where, 5000);
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Exec("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID'", {});
    ASSERT_TRUE(r.ok());
    // status_allocations, issued_credentials, nonces, status_pool, status_cursors, issued_batches
    EXPECT_EQ(*r->Int(0, 0), 6);
    auto tokens = (*c)->Exec("SELECT count(*) FROM sqlite_master WHERE name LIKE '%token%'", {});
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ(*tokens->Int(0, 0), 0);  // the table and its two indexes
    // The taken indices moved into the pool (as the positions before its cursor).
    auto rows = (*c)->Exec("SELECT count(*) FROM status_allocations", {});
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(*rows->Int(0, 0), 0);
    auto v = (*c)->Exec("SELECT version FROM schema_version", {});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v->Int(0, 0), static_cast<int64_t>(internal::Migrations(internal::Dialect::kSqlite).size()));
    EXPECT_EQ(*v->Int(0, 0), 6);
  }
  SqliteBackend::Cleanup(*where);
}

// --- SQLite group commit (sql_store.cc GroupCommitter) ---

// Many threads writing at once share commits; each caller sees exactly its own outcome: a job
// that fails in a batch (a duplicate nonce) rolls back only itself, its batch-mates' writes stay.
TEST(SqliteGroupCommitTest, ConcurrentWritersEachGetTheirOwnOutcome) {
  Result<std::string> where = SqliteBackend::NewLocation();
  ASSERT_TRUE(where.ok());
  {
    Result<std::unique_ptr<IssuerStore>> opened = SqliteStore::Open(*where);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    IssuerStore& s = **opened;
    constexpr int kThreads = 8;
    constexpr int kPerThread = 50;
    std::atomic<int> created{0};
    std::atomic<int> duplicates{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Every nonce is created by two threads: exactly one of them must win.
          const std::string nonce = "n-" + std::to_string((t / 2) * kPerThread + i);
          Status st = s.CreateNonce(nonce, 1000);
          if (st.ok()) {
            created.fetch_add(1);
          } else if (st.code() == StatusCode::kInvalidArgument) {
            duplicates.fetch_add(1);
          } else {
            other.fetch_add(1);
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(created.load(), kThreads / 2 * kPerThread);
    EXPECT_EQ(duplicates.load(), kThreads / 2 * kPerThread);
    // Every created nonce is really there (once), and nothing else is.
    for (int k = 0; k < kThreads / 2 * kPerThread; ++k) {
      EXPECT_OK(s.ConsumeNonce("n-" + std::to_string(k), 5));
    }
    EXPECT_CODE(s.ConsumeNonce("n-" + std::to_string(kThreads / 2 * kPerThread), 5), StatusCode::kNotFound);
  }
  // Reopened: the writes were durable commits, not lost buffers.
  {
    Result<std::unique_ptr<IssuerStore>> again = SqliteStore::Open(*where);
    ASSERT_TRUE(again.ok());
    EXPECT_CODE((*again)->ConsumeNonce("n-0", 5), StatusCode::kNotFound);  // consumed above
  }
  SqliteBackend::Cleanup(*where);
}

// A transaction body that writes through the store instead of its transaction is refused with
// kInternal (with group commit it would otherwise wait for its own batch forever).
TEST(SqliteGroupCommitTest, StoreWriteInsideATransactionIsRefusedNotHung) {
  Result<std::string> where = SqliteBackend::NewLocation();
  ASSERT_TRUE(where.ok());
  {
    Result<std::unique_ptr<IssuerStore>> opened = SqliteStore::Open(*where);
    ASSERT_TRUE(opened.ok());
    IssuerStore& s = **opened;
    Status inner;
    Status outer = s.WithTransaction([&](IssuerStore& tx) -> Status {
      RETURN_IF_ERROR(tx.CreateNonce("inside", 1000));
      inner = s.CreateNonce("outside", 1000);  // wrong: not through tx
      return inner;
    });
    EXPECT_EQ(inner.code(), StatusCode::kInternal);
    EXPECT_EQ(outer.code(), StatusCode::kInternal);
    // The failed transaction left nothing; the store still works.
    EXPECT_CODE(s.ConsumeNonce("inside", 5), StatusCode::kNotFound);
    EXPECT_OK(s.CreateNonce("after", 1000));
    EXPECT_OK(s.ConsumeNonce("after", 5));
  }
  SqliteBackend::Cleanup(*where);
}

// A transaction body that throws (a bug) fails its own write with kInternal and leaves nothing;
// the writers after it are not stuck behind a half-run batch.
TEST(SqliteGroupCommitTest, AThrowingTransactionBodyFailsAloneAndLeavesNothing) {
  Result<std::string> where = SqliteBackend::NewLocation();
  ASSERT_TRUE(where.ok());
  {
    Result<std::unique_ptr<IssuerStore>> opened = SqliteStore::Open(*where);
    ASSERT_TRUE(opened.ok());
    IssuerStore& s = **opened;
    Status thrown = s.WithTransaction([](IssuerStore& tx) -> Status {
      RETURN_IF_ERROR(tx.CreateNonce("before-throw", 1000));
      throw std::runtime_error("boom");
    });
    EXPECT_EQ(thrown.code(), StatusCode::kInternal);
    EXPECT_CODE(s.ConsumeNonce("before-throw", 5), StatusCode::kNotFound);
    EXPECT_OK(s.CreateNonce("after", 1000));
    EXPECT_OK(s.ConsumeNonce("after", 5));
  }
  SqliteBackend::Cleanup(*where);
}

}  // namespace
}  // namespace bonafide::store
