// Tests for verifier/session_store.h, run on both backends: SQLite (a temp file) and PostgreSQL
// (a throwaway server from tests/store/pg_server.h).
#include "verifier/session_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/internal/sql.h"
#include "tests/verifier/store_backend.h"

namespace bonafide::verifier {
namespace {

constexpr int64_t kNow = 1795694400;

using testing::Backend;

class SessionStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Status made = db_.Make(GetParam(), "sessions");
    ASSERT_TRUE(made.ok()) << made.ToString();
    target_ = db_.target();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  std::unique_ptr<SessionStore> Open() {
    auto s = GetParam() == Backend::kSqlite ? SessionStore::OpenSqlite(target_) : SessionStore::OpenPostgres(target_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::unique_ptr<store::internal::Connection> Raw() {
    auto c = GetParam() == Backend::kSqlite ? store::internal::OpenSqliteConnection(target_, 1000)
                                            : store::internal::OpenPostgresConnection(target_);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  static Session Make(const std::string& id, int64_t expires_at = kNow + 600) {
    Session s;
    s.id = id;
    s.request_id = "req-" + id;
    s.check = "age_over_18";
    s.dcql_query = R"({"credentials":[]})";
    s.nonce = "nonce-nonce-nonce-1";
    s.state = "state-1";
    s.encryption_jwk = R"({"kty":"EC","d":"secret"})";
    s.encryption_kid = "enc-1";
    s.response_mode = "direct_post.jwt";
    s.same_device = true;
    s.request_object = "a.b.c";
    s.webhook_url = "https://hooks.example/x";
    s.created_at = kNow;
    s.updated_at = kNow;
    s.expires_at = expires_at;
    return s;
  }

  testing::FreshDatabase db_;  // outlives store_ (members are destroyed in reverse order)
  std::string target_;
  std::unique_ptr<SessionStore> store_;
};

TEST_P(SessionStoreTest, InsertAndGet) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  auto got = store_->Get("s1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->request_id, "req-s1");
  EXPECT_EQ(got->status, SessionStatus::kCreated);
  EXPECT_TRUE(got->same_device);
  EXPECT_EQ(got->encryption_jwk, R"({"kty":"EC","d":"secret"})");
  EXPECT_EQ(got->expires_at, kNow + 600);
  auto by_request = store_->GetByRequestId("req-s1");
  ASSERT_TRUE(by_request.ok());
  EXPECT_EQ(by_request->id, "s1");
  EXPECT_EQ(store_->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetByRequestId("s1").status().code(), StatusCode::kNotFound);  // ids are not request ids
  // Duplicate id; missing fields.
  EXPECT_EQ(store_->Insert(Make("s1")).code(), StatusCode::kInvalidArgument);
  Session empty = Make("s2");
  empty.nonce.clear();
  EXPECT_EQ(store_->Insert(empty).code(), StatusCode::kInvalidArgument);
}

TEST_P(SessionStoreTest, ClaimOnce) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  store_->MarkRequestFetched("req-s1", kNow);
  EXPECT_EQ(store_->Get("s1")->status, SessionStatus::kRequestFetched);
  auto claimed = store_->ClaimResponse("req-s1", kNow + 1);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->status, SessionStatus::kResponded);
  EXPECT_EQ(store_->ClaimResponse("req-s1", kNow + 1).status().code(), StatusCode::kNonceMismatch);
  EXPECT_EQ(store_->ClaimResponse("req-nope", kNow).status().code(), StatusCode::kNotFound);
  store_->MarkRequestFetched("req-nope", kNow);  // no such session: nothing to mark, nothing made
  EXPECT_EQ(store_->GetByRequestId("req-nope").status().code(), StatusCode::kNotFound);
}

TEST_P(SessionStoreTest, ClaimExpiryBoundary) {
  ASSERT_TRUE(store_->Insert(Make("a", kNow + 10)).ok());
  ASSERT_TRUE(store_->Insert(Make("b", kNow + 10)).ok());
  EXPECT_EQ(store_->ClaimResponse("req-a", kNow + 10).status().code(), StatusCode::kExpired);
  EXPECT_TRUE(store_->ClaimResponse("req-b", kNow + 9).ok());
}

TEST_P(SessionStoreTest, ConcurrentClaimsAcrossStoresOneWins) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  std::unique_ptr<SessionStore> other = Open();  // a second process's store on the same database
  ASSERT_NE(other, nullptr);
  std::atomic<int> wins{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    SessionStore* s = i % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([s, &wins, &refused] {
      auto r = s->ClaimResponse("req-s1", kNow);
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == StatusCode::kNonceMismatch) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST_P(SessionStoreTest, CompleteWipesKey) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  EXPECT_EQ(store_->Complete("s1", SessionStatus::kCompleted, "{}", "", kNow).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->ClaimResponse("req-s1", kNow).ok());
  EXPECT_EQ(store_->Complete("s1", SessionStatus::kExpired, "{}", "", kNow).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Complete("s1", SessionStatus::kCompleted, R"({"outcome":"pass"})", "code-1", kNow + 2).ok());
  auto got = store_->Get("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, SessionStatus::kCompleted);
  EXPECT_EQ(got->result, R"({"outcome":"pass"})");
  EXPECT_EQ(got->response_code, "code-1");
  EXPECT_EQ(got->encryption_jwk, "");
  EXPECT_EQ(got->updated_at, kNow + 2);
  EXPECT_EQ(store_->Complete("s1", SessionStatus::kFailed, "{}", "", kNow).code(), StatusCode::kNotFound);
  // A finished session is not answerable again.
  EXPECT_EQ(store_->ClaimResponse("req-s1", kNow).status().code(), StatusCode::kNonceMismatch);
}

TEST_P(SessionStoreTest, PurgeBoundary) {
  ASSERT_TRUE(store_->Insert(Make("old", kNow)).ok());
  ASSERT_TRUE(store_->Insert(Make("new", kNow + 1)).ok());
  auto purged = store_->PurgeExpired(kNow);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(store_->Get("old").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Get("new").ok());
  EXPECT_EQ(store_->PurgeExpired(kNow).value(), 0);
}

TEST_P(SessionStoreTest, ReopenKeepsRowsAndNewerSchemaRefused) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->Get("s1").ok());
  store_.reset();
  ASSERT_TRUE(Raw()->ExecScript("UPDATE verifier_schema SET version = 2").ok());
  auto s = GetParam() == Backend::kSqlite ? SessionStore::OpenSqlite(target_) : SessionStore::OpenPostgres(target_);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

// CompleteResponse: the claim and the result in one write; every refusal has its own code.
TEST_P(SessionStoreTest, CompleteResponseOnceWithCodes) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  EXPECT_EQ(store_->CompleteResponse("req-s1", SessionStatus::kResponded, "{}", "", kNow).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CompleteResponse("req-nope", SessionStatus::kCompleted, "{}", "", kNow).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store_->CompleteResponse("req-s1", SessionStatus::kFailed, R"({"error":"x"})", "code-1", kNow).ok());
  auto got = store_->Get("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, SessionStatus::kFailed);
  EXPECT_EQ(got->result, R"({"error":"x"})");
  EXPECT_EQ(got->response_code, "code-1");
  EXPECT_EQ(got->encryption_jwk, "");  // wiped
  EXPECT_EQ(got->updated_at, kNow);
  // Spent: neither form of claim takes it again, and the stored result is kept.
  EXPECT_EQ(store_->CompleteResponse("req-s1", SessionStatus::kCompleted, "{}", "", kNow).code(),
            StatusCode::kNonceMismatch);
  EXPECT_EQ(store_->ClaimResponse("req-s1", kNow).status().code(), StatusCode::kNonceMismatch);
  EXPECT_EQ(store_->Get("s1")->result, R"({"error":"x"})");
}

TEST_P(SessionStoreTest, CompleteResponseExpiryBoundary) {
  ASSERT_TRUE(store_->Insert(Make("a", kNow + 10)).ok());
  ASSERT_TRUE(store_->Insert(Make("b", kNow + 10)).ok());
  EXPECT_EQ(store_->CompleteResponse("req-a", SessionStatus::kCompleted, "{}", "", kNow + 10).code(),
            StatusCode::kExpired);
  EXPECT_EQ(store_->Get("a")->status, SessionStatus::kCreated);  // nothing stored
  EXPECT_TRUE(store_->CompleteResponse("req-b", SessionStatus::kCompleted, "{}", "", kNow + 9).ok());
}

TEST_P(SessionStoreTest, CompleteResponseOneWinnerAcrossStores) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  std::unique_ptr<SessionStore> other = Open();  // a second process's store on the same database
  ASSERT_NE(other, nullptr);
  std::atomic<int> wins{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    SessionStore* s = i % 2 == 0 ? store_.get() : other.get();
    threads.emplace_back([s, i, &wins, &refused] {
      Status r = s->CompleteResponse("req-s1", SessionStatus::kCompleted, "{\"by\":" + std::to_string(i) + "}", "", kNow);
      if (r.ok()) {
        ++wins;
      } else if (r.code() == StatusCode::kNonceMismatch) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

// Writes from many threads share commits (SQLite group commit); each is on disk when it returns
// (a new store sees it), and a failing write (a duplicate id) fails alone.
TEST_P(SessionStoreTest, ConcurrentWritesAllDurableAndFailAlone) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> duplicate{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([this, i, &ok, &duplicate] {
      // Threads 0..7 and 8..15 insert the same 8 ids: exactly one of each pair succeeds.
      Status s = store_->Insert(Make("c" + std::to_string(i % 8)));
      if (s.ok()) {
        ++ok;
      } else if (s.code() == StatusCode::kInvalidArgument) {
        ++duplicate;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(duplicate.load(), 8);
  std::unique_ptr<SessionStore> other = Open();
  ASSERT_NE(other, nullptr);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(other->Get("c" + std::to_string(i)).ok()) << i;
}

// request_fetched: reported by this store at once; written in the background, and by the time the
// store is destroyed (another store then reads it from the database).
TEST_P(SessionStoreTest, RequestFetchedVisibleAtOnceAndWrittenByClose) {
  ASSERT_TRUE(store_->Insert(Make("s1")).ok());
  ASSERT_TRUE(store_->Insert(Make("s2")).ok());
  store_->MarkRequestFetched("req-s1", kNow + 1);
  EXPECT_EQ(store_->Get("s1")->status, SessionStatus::kRequestFetched);
  EXPECT_EQ(store_->GetByRequestId("req-s1")->status, SessionStatus::kRequestFetched);
  EXPECT_EQ(store_->Get("s2")->status, SessionStatus::kCreated);  // only the marked one
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  auto got = store_->Get("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, SessionStatus::kRequestFetched);
  EXPECT_EQ(got->updated_at, kNow + 1);
  EXPECT_EQ(store_->Get("s2")->status, SessionStatus::kCreated);
  // A mark never moves a finished session back.
  ASSERT_TRUE(store_->CompleteResponse("req-s2", SessionStatus::kCompleted, "{}", "", kNow).ok());
  store_->MarkRequestFetched("req-s2", kNow + 2);
  EXPECT_EQ(store_->Get("s2")->status, SessionStatus::kCompleted);
  store_.reset();
  store_ = Open();
  EXPECT_EQ(store_->Get("s2")->status, SessionStatus::kCompleted);
}

TEST(SessionStatusNames, RoundTrip) {
  for (SessionStatus s : {SessionStatus::kCreated, SessionStatus::kRequestFetched, SessionStatus::kResponded,
                          SessionStatus::kCompleted, SessionStatus::kFailed, SessionStatus::kExpired}) {
    EXPECT_EQ(ParseSessionStatus(SessionStatusName(s)).value(), s);
  }
  EXPECT_EQ(ParseSessionStatus("done").status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace bonafide::verifier
