// web/password.h: staff accounts of the front ends (the issuer console, the employer portal).
//
// Passwords are stored as Argon2id hashes in libsodium's crypto_pwhash_str format (the algorithm,
// its parameters and a random salt in one string; RFC 9106), with libsodium's interactive limits.
// UserFile is a JSON file {"users": [{"name", "password_hash", "created_at"}]} written with mode
// 0600 through a temporary file and a rename, so a crash never leaves half a file.
//
// Thread safety: the functions are safe to call concurrently; a UserFile value is immutable once
// loaded. libsodium is thin-wrapped here (and in wallet/internal/argon2id.h); OpenSSL 3.0 has no
// Argon2.
#ifndef BONAFIDE_WEB_PASSWORD_H_
#define BONAFIDE_WEB_PASSWORD_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace bonafide::web {

// Password rules: at least kMinPasswordLength bytes (NCSC guidance favours length over
// composition rules), at most kMaxPasswordLength.
inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 256;

// HashPassword returns the Argon2id hash string of `password`. kInvalidArgument for a password
// outside the length rules; kInternal when libsodium fails (out of memory).
Result<std::string> HashPassword(std::string_view password);

// VerifyPassword reports whether `password` matches `hash` (false for a malformed hash).
bool VerifyPassword(std::string_view hash, std::string_view password);

// StaffUser is one account.
struct StaffUser {
  std::string name{};
  std::string password_hash{};
  int64_t created_at = 0;
};

// UserFile is a set of staff accounts.
class UserFile {
 public:
  // Load reads `path`; a missing file is an empty set. kMalformed for a file that is not the
  // format above; kIoError when it cannot be read.
  static Result<UserFile> Load(const std::filesystem::path& path);

  // Add adds a user with `password` (HashPassword) at time `now`. kInvalidArgument for a name that
  // is empty, longer than 64 bytes or not [A-Za-z0-9._@-], a name already present, or a password
  // outside the rules.
  Status Add(std::string_view name, std::string_view password, int64_t now);
  // Save writes the file to `path` (mode 0600, atomically). kIoError on failure.
  Status Save(const std::filesystem::path& path) const;

  // Authenticate reports whether `name` exists and `password` matches. An unknown name costs the
  // same Argon2id work as a known one, so timing does not tell which names exist.
  bool Authenticate(std::string_view name, std::string_view password) const;

  const std::vector<StaffUser>& users() const { return users_; }

 private:
  std::vector<StaffUser> users_;
};

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_PASSWORD_H_
