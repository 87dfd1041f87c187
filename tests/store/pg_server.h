// tests/store/pg_server.h: a throwaway PostgreSQL server for the store tests.
//
// PgServer::Get() starts one server per test process on first use (initdb into a temp directory,
// pg_ctl start on 127.0.0.1 with a free port and the unix socket in that directory, fsync off);
// the gtest Environment below stops it and deletes the directory at exit. As root, initdb and
// postgres run as `nobody` (runuser), since both refuse to run as root. If the binaries are
// missing the PostgreSQL tests fail: `make test` must exercise both adapters for real.
// BONAFIDE_PG_BIN overrides the binary directory (default /usr/lib/postgresql/15/bin).
#ifndef BONAFIDE_TESTS_STORE_PG_SERVER_H_
#define BONAFIDE_TESTS_STORE_PG_SERVER_H_

#include <string>

#include "base/status.h"

namespace bonafide::store::testing {

class PgServer {
 public:
  // Get returns the running server, starting it on first use; the error when it cannot start.
  static Result<PgServer*> Get();
  // NewDatabase creates an empty database and returns its conninfo.
  Result<std::string> NewDatabase();
  // NewDatabaseUrl is NewDatabase as a postgresql:// URL (what `issuer init --db` takes).
  Result<std::string> NewDatabaseUrl();
  // Stop stops the server (if started) and removes its directory.
  static void StopIfRunning();

 private:
  std::string dir_;
  std::string bin_;
  int port_ = 0;
  int next_db_ = 0;
};

}  // namespace bonafide::store::testing

#endif  // BONAFIDE_TESTS_STORE_PG_SERVER_H_
