#include "web/password.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/json.h"

namespace bonafide::web {

namespace {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// DummyHash is a valid hash of a random password, verified against for unknown names.
const std::string& DummyHash() {
  static const std::string hash = [] {
    char out[crypto_pwhash_STRBYTES] = {};
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    if (crypto_pwhash_str(out, reinterpret_cast<const char*>(random), sizeof random,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return std::string();
    }
    return std::string(out);
  }();
  return hash;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Status(StatusCode::kInvalidArgument, "a password must be 12 to 256 characters long");
  }
  if (!SodiumReady()) return Status(StatusCode::kInternal, "libsodium did not initialise");
  char out[crypto_pwhash_STRBYTES] = {};
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status(StatusCode::kInternal, "Argon2id hashing failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!SodiumReady() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.substr(0, 10) != "$argon2id$" || password.size() > kMaxPasswordLength) {
    return false;
  }
  const std::string terminated(hash);  // crypto_pwhash_str_verify reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

Result<UserFile> UserFile::Load(const std::filesystem::path& path) {
  UserFile file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return file;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(Json json, ParseJsonObject(text.str()));
  const Json* users = Find(json, "users");
  if (users == nullptr || !users->is_array()) return Status(StatusCode::kMalformed, "users file without a users array");
  for (const Json& user : *users) {
    const Json* name = Find(user, "name");
    const Json* hash = Find(user, "password_hash");
    const Json* created = Find(user, "created_at");
    if (name == nullptr || !name->is_string() || hash == nullptr || !hash->is_string() ||
        !ValidName(name->get<std::string>()) || (created != nullptr && !created->is_number_integer())) {
      return Status(StatusCode::kMalformed, "a user entry lacks a valid name or password_hash");
    }
    file.users_.push_back(StaffUser{.name = name->get<std::string>(),
                                    .password_hash = hash->get<std::string>(),
                                    .created_at = created != nullptr ? created->get<int64_t>() : 0});
  }
  return file;
}

Status UserFile::Add(std::string_view name, std::string_view password, int64_t now) {
  if (!ValidName(name)) {
    return Status(StatusCode::kInvalidArgument, "a user name is 1 to 64 of A-Z a-z 0-9 . _ @ -");
  }
  for (const StaffUser& user : users_) {
    if (user.name == name) return Status(StatusCode::kInvalidArgument, "user " + std::string(name) + " exists");
  }
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  users_.push_back(StaffUser{.name = std::string(name), .password_hash = std::move(hash), .created_at = now});
  return OkStatus();
}

Status UserFile::Save(const std::filesystem::path& path) const {
  Json users = Json::array();
  for (const StaffUser& user : users_) {
    users.push_back(Json{{"name", user.name}, {"password_hash", user.password_hash}, {"created_at", user.created_at}});
  }
  const std::string text = DumpJson(Json{{"users", users}}) + "\n";
  const std::filesystem::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return Status(StatusCode::kIoError, "cannot write " + temp.string());
    ::chmod(temp.c_str(), 0600);
    out << text;
    out.flush();
    if (!out) return Status(StatusCode::kIoError, "cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status(StatusCode::kIoError, "cannot replace " + path.string() + ": " + ec.message());
  return OkStatus();
}

bool UserFile::Authenticate(std::string_view name, std::string_view password) const {
  for (const StaffUser& user : users_) {
    if (user.name == name) return VerifyPassword(user.password_hash, password);
  }
  (void)VerifyPassword(DummyHash(), password);
  return false;
}

}  // namespace bonafide::web
