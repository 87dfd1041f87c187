// store/sqlite_store.cc: the SQLite driver behind the internal SQL seam.
#include "store/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "store/internal/sql.h"

namespace bonafide::store {

namespace {

using internal::Param;
using internal::QueryResult;

Status SqliteError(sqlite3* db, int rc) {
  const int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) {
    return Error(StatusCode::kInvalidArgument, "store: a row with that key already exists");
  }
  if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Error(StatusCode::kNotFound, "store: a referenced row does not exist");
  }
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error(StatusCode::kIoError, "sqlite: " + msg);
}

class SqliteConnection final : public internal::Connection {
 public:
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, int busy_timeout_ms) {
    auto c = std::unique_ptr<SqliteConnection>(new SqliteConnection());
    int rc = sqlite3_open_v2(path.c_str(), &c->db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      Status s = SqliteError(c->db_, rc);
      return Error(StatusCode::kIoError, "cannot open " + path + ": " + s.message());
    }
    sqlite3_extended_result_codes(c->db_, 1);
    // A fine-grained busy handler instead of sqlite3_busy_timeout: SQLite's own backs off in
    // steps of up to 100 ms, so a writer queued behind a commit (one fsync, about a millisecond)
    // slept for tens of milliseconds; this one polls every 100 to 1000 microseconds.
    c->busy_timeout_us_ = static_cast<int64_t>(busy_timeout_ms) * 1000;
    sqlite3_busy_handler(c->db_, &SqliteConnection::OnBusy, c.get());
    RETURN_IF_ERROR(c->ExecScript("PRAGMA journal_mode=WAL"));
    // temp_store=MEMORY: the group commit's savepoints keep their sub-journals in memory, not in
    // a temporary file created and closed on every commit.
    // cache_size: SQLite's default of 2 MB. A bigger page cache costs more than it saves here:
    // after each commit SQLite scans the writer's whole cache (at 16 MB that was 5% of the
    // issuer's CPU at one credential per request), and in WAL mode every other connection drops
    // its cache anyway whenever another one has committed.
    RETURN_IF_ERROR(
        c->ExecScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-2000; "
                      "PRAGMA temp_store=MEMORY"));
    return c;
  }

  Result<QueryResult> Exec(std::string_view sql, std::span<const Param> params) override {
    sqlite3_stmt* stmt = nullptr;
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                  &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc);
      stmts_.emplace(std::string(sql), stmt);
    }
    Status bind_status;
    for (size_t i = 0; i < params.size() && bind_status.ok(); ++i) {
      const int pos = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (std::holds_alternative<int64_t>(params[i])) {
        rc = sqlite3_bind_int64(stmt, pos, std::get<int64_t>(params[i]));
      } else if (std::holds_alternative<std::string_view>(params[i])) {
        auto v = std::get<std::string_view>(params[i]);
        rc = sqlite3_bind_text64(stmt, pos, v.empty() ? "" : v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (std::holds_alternative<ByteView>(params[i])) {
        auto v = std::get<ByteView>(params[i]);
        rc = v.empty() ? sqlite3_bind_zeroblob(stmt, pos, 0)
                       : sqlite3_bind_blob64(stmt, pos, v.data(), v.size(), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, pos);
      }
      if (rc != SQLITE_OK) bind_status = SqliteError(db_, rc);
    }
    QueryResult out;
    if (bind_status.ok()) {
      for (;;) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) {
          out.rows_affected = sqlite3_changes64(db_);
          break;
        }
        if (rc != SQLITE_ROW) {
          bind_status = SqliteError(db_, rc);
          break;
        }
        const int n = sqlite3_column_count(stmt);
        auto& row = out.rows.emplace_back();
        for (int c = 0; c < n; ++c) {
          switch (sqlite3_column_type(stmt, c)) {
            case SQLITE_NULL:
              row.emplace_back(std::nullopt);
              break;
            case SQLITE_INTEGER:
              row.emplace_back(std::to_string(sqlite3_column_int64(stmt, c)));
              break;
            default: {
              const void* p = sqlite3_column_blob(stmt, c);
              const int len = sqlite3_column_bytes(stmt, c);
              row.emplace_back(p == nullptr
                                   ? std::string()
                                   : std::string(static_cast<const char*>(p), static_cast<size_t>(len)));
            }
          }
        }
      }
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!bind_status.ok()) return bind_status;
    return out;
  }

  Status ExecScript(std::string_view sql) override {
    // A single statement (the group commit's BEGIN, SAVEPOINT, RELEASE and COMMIT, run for every
    // write) goes through the statement cache instead of being parsed again each time.
    if (sql.find(';') == std::string_view::npos) return Exec(sql, {}).status();
    std::string s(sql);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc);
    return OkStatus();
  }

  bool Healthy() override { return true; }
  Status Reset() override { return OkStatus(); }

 private:
  SqliteConnection() = default;
  // OnBusy is the busy handler: `count` is how many times it ran for this lock attempt; returns
  // 0 (give up: SQLITE_BUSY) once the waits add up to the busy timeout.
  static int OnBusy(void* self, int count) {
    auto* c = static_cast<SqliteConnection*>(self);
    if (count == 0) c->busy_waited_us_ = 0;
    if (c->busy_waited_us_ >= c->busy_timeout_us_) return 0;
    const int64_t step = std::min<int64_t>(100 * (static_cast<int64_t>(count) + 1), 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(step));
    c->busy_waited_us_ += step;
    return 1;
  }
  sqlite3* db_ = nullptr;
  int64_t busy_timeout_us_ = 0;
  int64_t busy_waited_us_ = 0;
  // The statement cache, looked up by SQL text without building a string per call.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> stmts_;
};

}  // namespace

Result<std::unique_ptr<IssuerStore>> SqliteStore::Open(const std::string& path, const Options& options) {
  if (options.connections < 1 || options.connections > 64 || options.busy_timeout_ms < 0) {
    return Error(StatusCode::kInvalidArgument, "sqlite: options out of range");
  }
  if (path.empty()) return Error(StatusCode::kInvalidArgument, "sqlite: empty path");
  std::vector<std::unique_ptr<internal::Connection>> conns;
  for (int i = 0; i < options.connections; ++i) {
    ASSIGN_OR_RETURN(auto c, SqliteConnection::Open(path, options.busy_timeout_ms));
    if (i == 0) RETURN_IF_ERROR(internal::Migrate(*c, internal::Dialect::kSqlite));
    conns.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path, options.busy_timeout_ms));
  return internal::MakeSqlStore(std::make_unique<internal::ConnectionPool>(std::move(conns)),
                                internal::Dialect::kSqlite, std::move(writer));
}

namespace internal {
Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path, int busy_timeout_ms) {
  ASSIGN_OR_RETURN(auto c, SqliteConnection::Open(path, busy_timeout_ms));
  return std::unique_ptr<Connection>(std::move(c));
}
}  // namespace internal

Status SqliteStore::InsecureExecForTesting(const std::string& path, std::string_view sql) {
  ASSIGN_OR_RETURN(auto c, SqliteConnection::Open(path, 15000));
  return c->ExecScript(sql);
}

}  // namespace bonafide::store
