// store/internal/sql.h: the small SQL seam both adapters implement, and the shared store.
//
// A Connection runs parameterised statements (placeholders are `?`; the PostgreSQL driver
// rewrites them to $1, $2, ... and both drivers cache prepared statements by SQL text). Data only
// ever travels as parameters. SqlStore implements IssuerStore once over a ConnectionPool.
//
// Thread safety: a Connection is used by one thread at a time (the pool hands it out);
// ConnectionPool and SqlStore are thread-safe.
#ifndef BONAFIDE_STORE_INTERNAL_SQL_H_
#define BONAFIDE_STORE_INTERNAL_SQL_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "store/store.h"

namespace bonafide::store::internal {

// Param is one statement parameter: NULL, an integer, text or bytes.
using Param = std::variant<std::nullptr_t, int64_t, std::string_view, ByteView>;

// QueryResult holds the rows of a statement (cells as raw bytes; integers in decimal) and the
// number of rows an INSERT/UPDATE/DELETE changed.
struct QueryResult {
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t rows_affected = 0;

  // Accessors; kInternal when the cell is NULL or does not decode.
  Result<int64_t> Int(size_t row, size_t col) const;
  Result<std::string> Text(size_t row, size_t col) const;
  Result<Bytes> Blob(size_t row, size_t col) const;
  bool IsNull(size_t row, size_t col) const { return !rows[row][col].has_value(); }
};

enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  // Exec runs one statement. Errors: kInvalidArgument for a unique-key violation ("already
  // exists"), kNotFound for a foreign-key violation, kIoError otherwise.
  virtual Result<QueryResult> Exec(std::string_view sql, std::span<const Param> params) = 0;
  // ExecScript runs parameterless statements (schema, BEGIN/COMMIT).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Healthy is false after a lost connection; the pool then calls Reset.
  virtual bool Healthy() = 0;
  virtual Status Reset() = 0;
};

// ConnectionPool hands out connections; Acquire blocks until one is free.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(ConnectionPool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) { other.conn_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    ConnectionPool* pool_;
    Connection* conn_;
  };
  Lease Acquire();

 private:
  void Release(Connection* conn);
  std::vector<std::unique_ptr<Connection>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Connection*> free_;
};

// OpenSqliteConnection / OpenPostgresConnection open one raw connection, configured as the
// adapters configure theirs (SQLite: WAL, synchronous=FULL, the busy handler), for a schema other
// than the issuer's (the verifier's session store). No migration runs. kIoError when the database
// cannot be opened or reached.
Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path, int busy_timeout_ms);
Result<std::unique_ptr<Connection>> OpenPostgresConnection(const std::string& conninfo);

// Migration steps: schema version i+1 is reached by running migrations[i].
std::span<const std::string_view> Migrations(Dialect dialect);

// Migrate brings the schema to the newest version in one transaction; a no-op when current;
// kInvalidArgument if the database is newer than this build.
Status Migrate(Connection& conn, Dialect dialect);

// MakeSqlStore returns the shared IssuerStore implementation over `pool`. With `group_writer`
// (SQLite), the issuance path's writes are group-committed on that connection (see
// GroupCommitter in sql_store.cc); without it each write commits on its own.
std::unique_ptr<IssuerStore> MakeSqlStore(std::unique_ptr<ConnectionPool> pool, Dialect dialect,
                                          std::unique_ptr<Connection> group_writer = nullptr);

}  // namespace bonafide::store::internal

#endif  // BONAFIDE_STORE_INTERNAL_SQL_H_
