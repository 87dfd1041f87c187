// wallet/internal/sqlite.h: a minimal RAII wrapper over the SQLite C API for the wallet vault.
//
// Database owns one connection; Statement owns one prepared statement; Transaction rolls back
// unless committed. Errors map to Status: SQLITE_CORRUPT and SQLITE_NOTADB are kMalformed, every
// other failure kIoError (messages come from sqlite3_errmsg and carry no bound values).
// Thread safety: none; a Database and its statements belong to one thread at a time.
#ifndef BONAFIDE_WALLET_INTERNAL_SQLITE_H_
#define BONAFIDE_WALLET_INTERNAL_SQLITE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace bonafide::wallet::internal {

class Statement;

// Database is one open SQLite connection.
class Database {
 public:
  // Open opens the existing file `path` read-write (never creates it: the vault creates the file
  // itself with mode 0600 first). kNotFound if it does not exist, kIoError otherwise.
  static Result<Database> Open(const std::string& path);

  Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Exec runs one or more statements without parameters.
  Status Exec(const char* sql);
  // Prepare compiles one statement.
  Result<Statement> Prepare(const char* sql);
  // Changes returns the number of rows the last INSERT, UPDATE or DELETE changed.
  int64_t Changes() const;
  // ErrorStatus returns a Status for the connection's last error code `rc`.
  Status ErrorStatus(int rc, std::string_view what) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Statement is one prepared statement; parameters are 1-based, columns 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status BindText(int index, std::string_view text);
  Status BindBlob(int index, ByteView blob);
  Status BindInt(int index, int64_t value);
  Status BindNull(int index);
  // Step returns true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Run steps a statement that returns no rows to completion.
  Status Run();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  Bytes ColumnBlob(int column) const;

 private:
  friend class Database;
  Statement(const Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status BindResult(int rc);
  const Database* db_;
  sqlite3_stmt* stmt_;
};

// Transaction is BEGIN IMMEDIATE ... COMMIT; destroying it uncommitted rolls back.
class Transaction {
 public:
  // Begin takes the write lock at once, so read-check-write sequences (the PIN attempt counter)
  // cannot interleave with another connection.
  static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace bonafide::wallet::internal

#endif  // BONAFIDE_WALLET_INTERNAL_SQLITE_H_
