// The employer portal's check list (verifier/portal_store.h) on SQLite and on a throwaway
// PostgreSQL (tests/store/pg_server.h).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/verifier/store_backend.h"
#include "verifier/portal_store.h"

namespace bonafide::verifier {
namespace {

using testing::Backend;

class PortalCheckStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Status made = db_.Make(GetParam(), "portal");
    ASSERT_TRUE(made.ok()) << made.ToString();
    target_ = db_.target();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  std::unique_ptr<PortalCheckStore> Open() {
    auto s = GetParam() == Backend::kSqlite ? PortalCheckStore::OpenSqlite(target_) : PortalCheckStore::OpenPostgres(target_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static PortalCheck Make(const std::string& id, int64_t created_at) {
    PortalCheck c;
    c.session_id = id;
    c.check = "right_to_work";
    c.started_by = "employer";
    c.created_at = created_at;
    return c;
  }

  testing::FreshDatabase db_;  // outlives store_ (members are destroyed in reverse order)
  std::string target_;
  std::unique_ptr<PortalCheckStore> store_;
};

TEST_P(PortalCheckStoreTest, InsertGetAndListNewestFirstWithPaging) {
  ASSERT_TRUE(store_->Insert(Make("a", 100)).ok());
  ASSERT_TRUE(store_->Insert(Make("b", 300)).ok());
  ASSERT_TRUE(store_->Insert(Make("c", 200)).ok());
  auto got = store_->Get("b");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->check, "right_to_work");
  EXPECT_EQ(got->status, "created");
  EXPECT_FALSE(got->finished());
  auto all = store_->List(10, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].session_id, "b");
  EXPECT_EQ((*all)[1].session_id, "c");
  EXPECT_EQ((*all)[2].session_id, "a");
  auto second_page = store_->List(2, 2);
  ASSERT_TRUE(second_page.ok());
  ASSERT_EQ(second_page->size(), 1u);
  EXPECT_EQ((*second_page)[0].session_id, "a");
  EXPECT_EQ(*store_->Count(), 3);
}

TEST_P(PortalCheckStoreTest, RefusesIncompleteAndRepeatedChecksAndBadPaging) {
  PortalCheck missing = Make("x", 1);
  missing.started_by.clear();
  EXPECT_EQ(store_->Insert(missing).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Insert(Make("x", 1)).ok());
  EXPECT_EQ(store_->Insert(Make("x", 2)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->List(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List(501, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List(1, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->List(500, 0).ok());
}

TEST_P(PortalCheckStoreTest, FinishRecordsOnceAndSurvivesAReopen) {
  ASSERT_TRUE(store_->Insert(Make("s", 100)).ok());
  ASSERT_TRUE(store_->Finish("s", "completed", "unrestricted", "eyJ.record.jwt", 150).ok());
  // A later Finish (a second page view racing the first) changes nothing.
  ASSERT_TRUE(store_->Finish("s", "failed", "revoked", "", 160).ok());
  EXPECT_EQ(store_->Finish("unknown", "failed", "x", "", 1).code(), StatusCode::kNotFound);
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  auto got = store_->Get("s");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "completed");
  EXPECT_EQ(got->outcome, "unrestricted");
  EXPECT_EQ(got->check_record, "eyJ.record.jwt");
  EXPECT_EQ(got->finished_at, 150);
  EXPECT_TRUE(got->finished());
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalCheckStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace bonafide::verifier
