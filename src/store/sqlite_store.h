// store/sqlite_store.h: the SQLite adapter of IssuerStore (the embedded default).
//
// One database file (e.g. DATA_DIR/issuer.db) in WAL mode with synchronous=FULL, so a commit
// that returned is on disk; foreign keys on; a busy timeout so writers queue instead of failing.
// Concurrency: a pool of `connections` connections, each used by one thread at a time; readers
// run in parallel under WAL, and every write transaction takes the write lock up front
// (BEGIN IMMEDIATE), which also serialises writers of other processes on the same file.
//
// Thread safety: the returned store is thread-safe. Ownership: the caller owns it.
#ifndef BONAFIDE_STORE_SQLITE_STORE_H_
#define BONAFIDE_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/store.h"

namespace bonafide::store {

class SqliteStore {
 public:
  struct Options {
    int connections = 4;          // pool size, 1..64
    int busy_timeout_ms = 15000;  // how long a writer waits for the lock before kIoError
  };

  // Open opens (creating if absent) the database at `path` and migrates its schema. kIoError if
  // the file cannot be opened; kInvalidArgument if its schema is newer than this build or the
  // options are out of range.
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& path, const Options& options);
  static Result<std::unique_ptr<IssuerStore>> Open(const std::string& path) { return Open(path, Options()); }

  // InsecureExecForTesting runs `sql` on a fresh connection to `path`, behind any store's back
  // (tests tamper with rows to prove the audit chain notices). Never call it in production.
  static Status InsecureExecForTesting(const std::string& path, std::string_view sql);
};

}  // namespace bonafide::store

#endif  // BONAFIDE_STORE_SQLITE_STORE_H_
