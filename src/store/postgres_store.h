// store/postgres_store.h: the PostgreSQL adapter of IssuerStore (libpq).
//
// `--db postgresql://...` selects it. A pool of `connections` libpq connections; every statement
// is prepared once per connection and run with parameters (never SQL built from data).
// Read-modify-write operations lock their rows (SELECT ... FOR UPDATE) in READ COMMITTED
// transactions, so single-use codes and nonces stay single-use across issuer processes that share
// the database. A lost connection is reset on its next use.
//
// Thread safety: the returned store is thread-safe. Ownership: the caller owns it.
#ifndef BONAFIDE_STORE_POSTGRES_STORE_H_
#define BONAFIDE_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/store.h"

namespace bonafide::store {

class PostgresStore {
 public:
  struct Options {
    int connections = 4;  // pool size, 1..64
  };

  // Open connects `options.connections` times with `conninfo` (a libpq URI or key=value string)
  // and migrates the schema. kIoError if the server cannot be reached; kInvalidArgument if the
  // schema is newer than this build or the options are out of range.
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& conninfo, const Options& options);
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& conninfo) {
    return Open(conninfo, Options());
  }

  // InsecureExecForTesting runs `sql` on a fresh connection, behind any store's back (tests
  // tamper with rows to prove the audit chain notices). Never call it in production.
  static Status InsecureExecForTesting(const std::string& conninfo, std::string_view sql);
};

}  // namespace bonafide::store

#endif  // BONAFIDE_STORE_POSTGRES_STORE_H_
