#include "wallet/internal/sqlite.h"

#include <climits>
#include <utility>

#include <sqlite3.h>

namespace bonafide::wallet::internal {

Result<Database> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // SQLITE_OPEN_NOFOLLOW: a symlink planted in place of the wallet file is refused.
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc != SQLITE_OK) {
    int ext = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    if ((ext & 0xff) == SQLITE_CANTOPEN)
      return Error(StatusCode::kNotFound, "cannot open wallet database: " + message);
    return Error(StatusCode::kIoError, "cannot open wallet database: " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db);
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::ErrorStatus(int rc, std::string_view what) const {
  int primary = rc & 0xff;
  std::string message =
      std::string(what) + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Error(StatusCode::kMalformed, message);
  return Error(StatusCode::kIoError, message);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Status Database::Exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "wallet database");
  return OkStatus();
}

Result<Statement> Database::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(rc, "wallet database");
  }
  return Statement(this, stmt);
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Status Statement::BindResult(int rc) {
  if (rc != SQLITE_OK) return db_->ErrorStatus(rc, "wallet database bind");
  return OkStatus();
}

Status Statement::BindText(int index, std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) return Error(StatusCode::kLimitExceeded, "text too large");
  return BindResult(
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
}

Status Statement::BindBlob(int index, ByteView blob) {
  if (blob.size() > static_cast<size_t>(INT_MAX)) return Error(StatusCode::kLimitExceeded, "blob too large");
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  return BindResult(sqlite3_bind_blob(stmt_, index, data, static_cast<int>(blob.size()), SQLITE_TRANSIENT));
}

Status Statement::BindInt(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_, index, value));
}

Status Statement::BindNull(int index) { return BindResult(sqlite3_bind_null(stmt_, index)); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorStatus(rc, "wallet database step");
}

Status Statement::Run() {
  ASSIGN_OR_RETURN(bool row, Step());
  if (row) return Error(StatusCode::kInternal, "statement unexpectedly returned a row");
  return OkStatus();
}

bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Bytes Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || size <= 0) return Bytes();
  const auto* p = static_cast<const uint8_t*>(blob);
  return Bytes(p, p + size);
}

Result<Transaction> Transaction::Begin(Database& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Error(StatusCode::kInternal, "transaction already finished");
  Database* db = std::exchange(db_, nullptr);
  Status s = db->Exec("COMMIT");
  if (!s.ok()) (void)db->Exec("ROLLBACK");
  return s;
}

}  // namespace bonafide::wallet::internal
