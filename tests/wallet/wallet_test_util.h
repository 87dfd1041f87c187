// tests/wallet/wallet_test_util.h: helpers for the wallet tests (temporary wallet directories,
// raw file scans, direct SQLite access for tampering).
#ifndef BONAFIDE_TESTS_WALLET_WALLET_TEST_UTIL_H_
#define BONAFIDE_TESTS_WALLET_WALLET_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/bytes.h"

namespace bonafide::wallet::testing {

// TempDir is a fresh directory under the system temp dir, removed on destruction. The wallet
// goes in the not-yet-existing subdirectory wallet(), so Create must make it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bonafide-wallet-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    root_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path wallet() const { return root_ / "wallet"; }
  std::filesystem::path db() const { return wallet() / "wallet.db"; }

 private:
  std::filesystem::path root_;
};

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// FilesContaining returns the names of the regular files in `dir` whose bytes contain `needle`.
inline std::vector<std::string> FilesContaining(const std::filesystem::path& dir, std::string_view needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (ReadAll(entry.path()).find(needle) != std::string::npos)
      hits.push_back(entry.path().filename().string());
  }
  return hits;
}

// RawDb opens the vault file directly, as an attacker with file access would.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
  }
  // Blob returns the blob of the first column of the first row of `sql`.
  Bytes Blob(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    Bytes out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 0));
      out.assign(p, p + sqlite3_column_bytes(stmt, 0));
    } else {
      ADD_FAILURE() << "no row for " << sql;
    }
    sqlite3_finalize(stmt);
    return out;
  }
  // Int returns the integer of the first column of the first row of `sql`.
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
  }
  // SetBlob runs `sql` with `blob` bound to its single parameter.
  void SetBlob(const std::string& sql, const Bytes& blob) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    sqlite3_bind_blob(stmt, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    EXPECT_EQ(sqlite3_changes(db_), 1) << sql;
    sqlite3_finalize(stmt);
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace bonafide::wallet::testing

#endif  // BONAFIDE_TESTS_WALLET_WALLET_TEST_UTIL_H_
