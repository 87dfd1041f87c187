// tests/verifier/store_backend.h: a fresh, empty database for the verifier's store tests, on
// either backend: a file in a new temporary directory (SQLite) or a new database on the
// tests' throwaway PostgreSQL server (tests/store/pg_server.h).
#ifndef BONAFIDE_TESTS_VERIFIER_STORE_BACKEND_H_
#define BONAFIDE_TESTS_VERIFIER_STORE_BACKEND_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/status.h"
#include "crypto/random.h"
#include "tests/store/pg_server.h"

namespace bonafide::verifier::testing {

enum class Backend { kSqlite, kPostgres };

// BackendName names the parameter in test names (.../Sqlite, .../Postgres).
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// FreshDatabase makes the database and, for SQLite, removes its directory when destroyed
// (destroy the stores on it first).
class FreshDatabase {
 public:
  FreshDatabase() = default;
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;
  ~FreshDatabase() {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // Make creates it; `name` tells the temporary directories of different tests apart.
  Status Make(Backend backend, std::string_view name) {
    if (backend == Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() /
             ("bonafide-" + std::string(name) + "-" + Base64UrlEncode(crypto::SystemRandom().Generate(6)));
      std::error_code ec;
      std::filesystem::create_directories(dir_, ec);
      if (ec) return Error(StatusCode::kIoError, "cannot create " + dir_.string());
      target_ = (dir_ / "verifier.db").string();
      return OkStatus();
    }
    ASSIGN_OR_RETURN(store::testing::PgServer * pg, store::testing::PgServer::Get());
    ASSIGN_OR_RETURN(target_, pg->NewDatabase());
    return OkStatus();
  }

  // target is the SQLite file path or the PostgreSQL connection string.
  const std::string& target() const { return target_; }

 private:
  std::filesystem::path dir_;
  std::string target_;
};

}  // namespace bonafide::verifier::testing

#endif  // BONAFIDE_TESTS_VERIFIER_STORE_BACKEND_H_
