#include "wallet/vault.h"

#include <fcntl.h>
#include <string.h>  // explicit_bzero (glibc)
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include <sys/stat.h>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "wallet/internal/argon2id.h"
#include "wallet/internal/sqlite.h"

namespace bonafide::wallet {
namespace {

using internal::Database;
using internal::Statement;
using internal::Transaction;

constexpr size_t kWalletKeySize = crypto::kAesGcmKeySize;
constexpr size_t kRecordIdRandomBytes = 16;
constexpr size_t kMaxNameLength = 64;
constexpr int64_t kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE vault_key(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kdf_salt BLOB NOT NULL,
  kdf_opslimit INTEGER NOT NULL,
  kdf_memlimit INTEGER NOT NULL,
  sealed_key BLOB NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  erased INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE records(
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  payload BLOB NOT NULL,
  metadata BLOB,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

// The vault_key row.
struct KeyRow {
  Bytes salt;
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;
  Bytes sealed_key;  // IV || ciphertext || tag
  int failed_attempts = 0;
  int64_t locked_until = 0;
  bool erased = false;
};

void WipeString(std::string& s) {
  if (!s.empty()) explicit_bzero(s.data(), s.size());
  s.clear();
}

bool IsPinShaped(std::string_view pin) {
  if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits) return false;
  for (char c : pin) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status CheckKind(std::string_view kind) {
  if (kind.empty() || kind.size() > kMaxNameLength) {
    return Error(StatusCode::kInvalidArgument, "record kind must be 1..64 characters");
  }
  for (char c : kind) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return Error(StatusCode::kInvalidArgument, "record kind must use [a-z0-9_.-]");
  }
  return OkStatus();
}

Status CheckId(std::string_view id) {
  if (id.empty() || id.size() > kMaxNameLength) {
    return Error(StatusCode::kInvalidArgument, "record id must be 1..64 characters");
  }
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return Error(StatusCode::kInvalidArgument, "record id must be base64url");
  }
  return OkStatus();
}

void AppendU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// The AAD of the sealed wallet key binds the KDF salt and parameters it was sealed under.
std::string WalletKeyAad(ByteView salt, uint64_t opslimit, uint64_t memlimit) {
  std::string aad = "bonafide.wallet.v1/wallet-key";
  aad.push_back('\0');
  aad.append(AsStringView(salt));
  AppendU64(aad, opslimit);
  AppendU64(aad, memlimit);
  return aad;
}

// The AAD of a record blob: field name, kind and id (neither contains NUL, so the encoding is
// unambiguous), and whether the row has metadata (so deleting the metadata blob is detected).
std::string RecordAad(std::string_view field, std::string_view kind, std::string_view id, bool has_metadata) {
  std::string aad = "bonafide.wallet.v1/record";
  for (std::string_view part : {field, kind, id}) {
    aad.push_back('\0');
    aad.append(part);
  }
  aad.push_back('\0');
  aad.push_back(has_metadata ? '1' : '0');
  return aad;
}

// CheckSealedSize: kMalformed if `blob` cannot hold IV || ciphertext || tag.
Status CheckSealedSize(ByteView blob) {
  if (blob.size() < crypto::kAesGcmIvSize + crypto::kAesGcmTagSize) {
    return Error(StatusCode::kMalformed, "sealed blob too short");
  }
  return OkStatus();
}

Result<Bytes> OpenSealed(ByteView key, std::string_view aad, ByteView blob) {
  RETURN_IF_ERROR(CheckSealedSize(blob));
  return crypto::Aes256GcmOpen(key, blob.first(crypto::kAesGcmIvSize), AsBytes(aad),
                               blob.subspan(crypto::kAesGcmIvSize));
}

Result<Bytes> SealWithIv(ByteView key, Random& random, std::string_view aad, ByteView plaintext) {
  Bytes blob = random.Generate(crypto::kAesGcmIvSize);
  ASSIGN_OR_RETURN(Bytes sealed, crypto::Aes256GcmSeal(key, blob, AsBytes(aad), plaintext));
  blob.insert(blob.end(), sealed.begin(), sealed.end());
  return blob;
}

int64_t LockoutSeconds(int failed_attempts) {
  if (failed_attempts < kPinFailuresBeforeLockout) return 0;
  int shift = failed_attempts - kPinFailuresBeforeLockout;
  if (shift > 30) shift = 30;  // unreachable with the erase at 10; keeps the shift defined
  return kFirstLockoutSeconds << shift;
}

Status ApplyConnectionSettings(Database& db) {
  // busy_timeout: wait for another process's write lock instead of failing at once.
  // trusted_schema=OFF: the schema of a file we did not write cannot run functions on us.
  return db.Exec(
      "PRAGMA busy_timeout = 5000;"
      "PRAGMA journal_mode = WAL;"
      "PRAGMA synchronous = FULL;"
      "PRAGMA secure_delete = ON;"
      "PRAGMA trusted_schema = OFF;");
}

Result<KeyRow> LoadKeyRow(Database& db) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("SELECT kdf_salt, kdf_opslimit, kdf_memlimit, sealed_key, "
                              "failed_attempts, locked_until, erased FROM vault_key WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Error(StatusCode::kMalformed, "wallet database has no key record");
  KeyRow key;
  key.salt = stmt.ColumnBlob(0);
  int64_t ops = stmt.ColumnInt(1);
  int64_t mem = stmt.ColumnInt(2);
  key.sealed_key = stmt.ColumnBlob(3);
  int64_t failed = stmt.ColumnInt(4);
  key.locked_until = stmt.ColumnInt(5);
  key.erased = stmt.ColumnInt(6) != 0;
  if (ops < 0 || mem < 0 || failed < 0 || failed > 1000) {
    return Error(StatusCode::kMalformed, "wallet key record out of range");
  }
  key.opslimit = static_cast<uint64_t>(ops);
  key.memlimit = static_cast<uint64_t>(mem);
  key.failed_attempts = static_cast<int>(failed);
  return key;
}

Status WriteAttemptState(Database& db, int failed_attempts, int64_t locked_until) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("UPDATE vault_key SET failed_attempts = ?, locked_until = ? WHERE id = 1"));
  RETURN_IF_ERROR(stmt.BindInt(1, failed_attempts));
  RETURN_IF_ERROR(stmt.BindInt(2, locked_until));
  return stmt.Run();
}

Status IoError(const std::string& what, int err) {
  return Error(StatusCode::kIoError, what + ": " + std::generic_category().message(err));
}

// MakeWalletDirectory creates `dir` (and parents) and sets it to 0700.
Status MakeWalletDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec)
      return Error(StatusCode::kIoError, "cannot create " + dir.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return IoError("cannot create " + dir.string(), errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return IoError("cannot stat " + dir.string(), errno);
  if (!S_ISDIR(st.st_mode)) return Error(StatusCode::kInvalidArgument, dir.string() + " is not a directory");
  if (::chmod(dir.c_str(), 0700) != 0) return IoError("cannot chmod " + dir.string(), errno);
  return OkStatus();
}

std::string SidePath(const std::filesystem::path& db_path, const char* suffix) {
  return db_path.string() + suffix;
}

}  // namespace

Status CheckPinRules(std::string_view pin) {
  if (!IsPinShaped(pin)) {
    return Error(StatusCode::kInvalidArgument, "PIN must be 6 to 64 digits");
  }
  bool all_same = true, ascending = true, descending = true;
  for (size_t i = 1; i < pin.size(); ++i) {
    int step = pin[i] - pin[i - 1];
    all_same = all_same && step == 0;
    ascending = ascending && step == 1;
    descending = descending && step == -1;
  }
  if (all_same || ascending || descending) {
    return Error(StatusCode::kInvalidArgument,
                 "PIN must not be one repeated digit or a run of consecutive digits");
  }
  return OkStatus();
}

Vault::Vault(std::unique_ptr<Database> db, const Clock& clock, Random& random)
    : db_(std::move(db)), clock_(clock), random_(random) {}

Vault::~Vault() = default;

Result<std::unique_ptr<Vault>> Vault::Create(const std::filesystem::path& dir, std::string_view pin,
                                             const VaultOptions& options, const Clock& clock,
                                             Random& random) {
  RETURN_IF_ERROR(CheckPinRules(pin));
  RETURN_IF_ERROR(internal::CheckArgon2idParams(options.kdf_opslimit, options.kdf_memlimit_bytes));
  RETURN_IF_ERROR(MakeWalletDirectory(dir));

  const std::filesystem::path db_path = dir / kVaultFileName;
  // O_EXCL: never take over an existing wallet. Mode 0600, then fchmod in case the umask took
  // owner bits away; SQLite gives -wal and -shm this file's mode.
  int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return Error(StatusCode::kInvalidArgument, "a wallet already exists in " + dir.string());
    return IoError("cannot create " + db_path.string(), errno);
  }
  int chmod_rc = ::fchmod(fd, 0600);
  int chmod_errno = errno;
  ::close(fd);
  // Leftover -wal/-shm files without a database belong to no live wallet; SQLite would try to
  // replay such a WAL into the new file.
  ::unlink(SidePath(db_path, "-wal").c_str());
  ::unlink(SidePath(db_path, "-shm").c_str());

  auto build = [&]() -> Result<std::unique_ptr<Vault>> {
    if (chmod_rc != 0) return IoError("cannot chmod " + db_path.string(), chmod_errno);
    ASSIGN_OR_RETURN(Database opened, Database::Open(db_path.string()));
    auto db = std::make_unique<Database>(std::move(opened));
    RETURN_IF_ERROR(ApplyConnectionSettings(*db));
    {
      ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db));
      RETURN_IF_ERROR(db->Exec(kSchema));
      ASSIGN_OR_RETURN(Statement insert, db->Prepare("INSERT INTO vault_key (id, kdf_salt, kdf_opslimit, "
                                                     "kdf_memlimit, sealed_key) VALUES (1, X'', 0, 0, X'')"));
      RETURN_IF_ERROR(insert.Run());
      RETURN_IF_ERROR(tx.Commit());
    }
    std::unique_ptr<Vault> vault(new Vault(std::move(db), clock, random));
    SecretBytes wallet_key(random.Generate(kWalletKeySize));
    RETURN_IF_ERROR(vault->SealWalletKey(pin, wallet_key, options.kdf_opslimit, options.kdf_memlimit_bytes));
    vault->wallet_key_ = std::move(wallet_key);
    return vault;
  };
  Result<std::unique_ptr<Vault>> result = build();
  if (!result.ok()) {
    ::unlink(db_path.c_str());
    ::unlink(SidePath(db_path, "-wal").c_str());
    ::unlink(SidePath(db_path, "-shm").c_str());
  }
  return result;
}

Result<std::unique_ptr<Vault>> Vault::Open(const std::filesystem::path& dir, const Clock& clock,
                                           Random& random) {
  const std::filesystem::path db_path = dir / kVaultFileName;
  struct stat st {};
  if (::lstat(db_path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return Error(StatusCode::kNotFound, "no wallet in " + dir.string());
    return IoError("cannot stat " + db_path.string(), errno);
  }
  if (!S_ISREG(st.st_mode)) return Error(StatusCode::kMalformed, db_path.string() + " is not a regular file");
  ASSIGN_OR_RETURN(Database opened, Database::Open(db_path.string()));
  auto db = std::make_unique<Database>(std::move(opened));
  RETURN_IF_ERROR(ApplyConnectionSettings(*db));
  {
    ASSIGN_OR_RETURN(Statement version, db->Prepare("PRAGMA user_version"));
    ASSIGN_OR_RETURN(bool row, version.Step());
    if (!row || version.ColumnInt(0) != kSchemaVersion) {
      return Error(StatusCode::kMalformed, "not a bonafide wallet of a known version");
    }
  }
  Result<KeyRow> key = LoadKeyRow(*db);
  if (!key.ok())
    return Error(StatusCode::kMalformed, "wallet key record unreadable: " + key.status().message());
  return std::unique_ptr<Vault>(new Vault(std::move(db), clock, random));
}

Status Vault::SealWalletKey(std::string_view pin, const SecretBytes& wallet_key, uint64_t opslimit,
                            uint64_t memlimit) {
  Bytes salt = random_.Generate(internal::kArgon2idSaltSize);
  ASSIGN_OR_RETURN(SecretBytes kek, internal::DeriveArgon2id(pin, salt, opslimit, memlimit, kWalletKeySize));
  ASSIGN_OR_RETURN(Bytes sealed, SealWithIv(kek.view(), random_, WalletKeyAad(salt, opslimit, memlimit),
                                            wallet_key.view()));
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("UPDATE vault_key SET kdf_salt = ?, kdf_opslimit = ?, "
                                                "kdf_memlimit = ?, sealed_key = ?, failed_attempts = 0, "
                                                "locked_until = 0 WHERE id = 1"));
  RETURN_IF_ERROR(stmt.BindBlob(1, salt));
  RETURN_IF_ERROR(stmt.BindInt(2, static_cast<int64_t>(opslimit)));
  RETURN_IF_ERROR(stmt.BindInt(3, static_cast<int64_t>(memlimit)));
  RETURN_IF_ERROR(stmt.BindBlob(4, sealed));
  return stmt.Run();
}

Status Vault::Erase() {
  Lock();
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
    RETURN_IF_ERROR(
        db_->Exec("UPDATE vault_key SET sealed_key = X'', kdf_salt = X'', erased = 1 WHERE id = 1;"
                  "DELETE FROM records;"));
    RETURN_IF_ERROR(tx.Commit());
  }
  // Move the change into the main file and truncate the WAL, so the old pages (sealed key
  // included) do not linger in the -wal file. A checkpoint blocked by another reader is retried by
  // SQLite later; the key is already unusable either way.
  return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<SecretBytes> Vault::AttemptPin(std::string_view pin) {
  if (!IsPinShaped(pin)) return Error(StatusCode::kInvalidArgument, "PIN must be 6 to 64 digits");
  KeyRow key;
  int attempt = 0;
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
    ASSIGN_OR_RETURN(key, LoadKeyRow(*db_));
    if (key.erased) return Error(StatusCode::kNotFound, "wallet erased after too many wrong PINs");
    if (key.failed_attempts >= kPinFailuresBeforeWipe) {
      // The erasing attempt was counted but the process stopped before erasing: finish it.
      RETURN_IF_ERROR(tx.Commit());
      RETURN_IF_ERROR(Erase());
      return Error(StatusCode::kNotFound, "wallet erased after too many wrong PINs");
    }
    const int64_t now = clock_.NowSeconds();
    if (now < key.locked_until) {
      return Error(StatusCode::kLimitExceeded, "too many wrong PINs: locked for " +
                                                   std::to_string(key.locked_until - now) + " more seconds");
    }
    // Count the attempt, and the lockout it would cause, durably before trying the PIN.
    attempt = key.failed_attempts + 1;
    const int64_t lockout = LockoutSeconds(attempt);
    RETURN_IF_ERROR(WriteAttemptState(*db_, attempt, lockout > 0 ? now + lockout : 0));
    RETURN_IF_ERROR(tx.Commit());
  }
  if (key.sealed_key.size() != crypto::kAesGcmIvSize + kWalletKeySize + crypto::kAesGcmTagSize) {
    return Error(StatusCode::kMalformed, "sealed wallet key has the wrong size");
  }
  ASSIGN_OR_RETURN(SecretBytes kek,
                   internal::DeriveArgon2id(pin, key.salt, key.opslimit, key.memlimit, kWalletKeySize));
  Result<Bytes> opened =
      OpenSealed(kek.view(), WalletKeyAad(key.salt, key.opslimit, key.memlimit), key.sealed_key);
  if (!opened.ok()) {
    if (opened.status().code() != StatusCode::kInvalidSignature) return opened.status();
    if (attempt >= kPinFailuresBeforeWipe) {
      RETURN_IF_ERROR(Erase());
      return Error(StatusCode::kInvalidSignature, "wrong PIN; the wallet has been erased");
    }
    return Error(StatusCode::kInvalidSignature, "wrong PIN");
  }
  SecretBytes wallet_key(std::move(opened).value());
  RETURN_IF_ERROR(WriteAttemptState(*db_, 0, 0));
  return wallet_key;
}

Status Vault::Unlock(std::string_view pin) {
  Lock();
  ASSIGN_OR_RETURN(wallet_key_, AttemptPin(pin));
  return OkStatus();
}

void Vault::Lock() { wallet_key_ = SecretBytes(); }

Status Vault::ChangePin(std::string_view old_pin, std::string_view new_pin) {
  RETURN_IF_ERROR(CheckPinRules(new_pin));
  Lock();
  ASSIGN_OR_RETURN(SecretBytes wallet_key, AttemptPin(old_pin));
  ASSIGN_OR_RETURN(KeyRow key, LoadKeyRow(*db_));
  RETURN_IF_ERROR(SealWalletKey(new_pin, wallet_key, key.opslimit, key.memlimit));
  wallet_key_ = std::move(wallet_key);
  return OkStatus();
}

Result<PinState> Vault::GetPinState() const {
  ASSIGN_OR_RETURN(KeyRow key, LoadKeyRow(*db_));
  PinState state;
  state.failed_attempts = key.failed_attempts;
  state.locked_until = key.locked_until;
  state.erased = key.erased;
  return state;
}

Result<Bytes> Vault::SealField(std::string_view field, std::string_view kind, std::string_view id,
                               bool has_metadata, ByteView plaintext) const {
  return SealWithIv(wallet_key_.view(), random_, RecordAad(field, kind, id, has_metadata), plaintext);
}

Status Vault::WriteRecord(bool insert, std::string_view kind, std::string_view id, ByteView payload,
                          const std::optional<Json>& metadata) {
  if (!unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  RETURN_IF_ERROR(CheckKind(kind));
  RETURN_IF_ERROR(CheckId(id));
  if (payload.size() > kMaxPayloadBytes) return Error(StatusCode::kLimitExceeded, "record payload too large");
  std::optional<Bytes> metadata_blob;
  if (metadata.has_value()) {
    if (!metadata->is_object())
      return Error(StatusCode::kInvalidArgument, "record metadata must be a JSON object");
    if (JsonDepth(*metadata) > JsonLimits{}.max_depth) {
      return Error(StatusCode::kLimitExceeded, "record metadata nested too deeply");
    }
    std::string text = DumpJson(*metadata);
    if (text.size() > kMaxMetadataBytes) {
      WipeString(text);
      return Error(StatusCode::kLimitExceeded, "record metadata too large");
    }
    Result<Bytes> sealed = SealField("metadata", kind, id, true, AsBytes(text));
    WipeString(text);
    if (!sealed.ok()) return sealed.status();
    metadata_blob = std::move(sealed).value();
  }
  ASSIGN_OR_RETURN(Bytes payload_blob, SealField("payload", kind, id, metadata.has_value(), payload));

  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare(insert ? "INSERT INTO records (payload, metadata, kind, id) VALUES (?, ?, ?, ?)"
                          : "UPDATE records SET payload = ?, metadata = ? WHERE kind = ? AND id = ?"));
  RETURN_IF_ERROR(stmt.BindBlob(1, payload_blob));
  if (metadata_blob.has_value()) {
    RETURN_IF_ERROR(stmt.BindBlob(2, *metadata_blob));
  } else {
    RETURN_IF_ERROR(stmt.BindNull(2));
  }
  RETURN_IF_ERROR(stmt.BindText(3, kind));
  RETURN_IF_ERROR(stmt.BindText(4, id));
  RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() != 1) return Error(StatusCode::kNotFound, "no such record");
  return OkStatus();
}

Result<std::string> Vault::Add(std::string_view kind, ByteView payload, const std::optional<Json>& metadata) {
  if (!unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  std::string id = random_.Identifier(kRecordIdRandomBytes);
  RETURN_IF_ERROR(WriteRecord(/*insert=*/true, kind, id, payload, metadata));
  return id;
}

Status Vault::Put(std::string_view kind, std::string_view id, ByteView payload,
                  const std::optional<Json>& metadata) {
  return WriteRecord(/*insert=*/false, kind, id, payload, metadata);
}

Result<Record> Vault::DecryptRow(std::string kind, std::string id, ByteView payload_blob,
                                 const std::optional<Bytes>& metadata_blob) const {
  const bool has_metadata = metadata_blob.has_value();
  ASSIGN_OR_RETURN(Bytes payload, OpenSealed(wallet_key_.view(), RecordAad("payload", kind, id, has_metadata),
                                             payload_blob));
  Record record{std::move(kind), std::move(id), SecretBytes(std::move(payload)), std::nullopt};
  if (has_metadata) {
    ASSIGN_OR_RETURN(
        Bytes text,
        OpenSealed(wallet_key_.view(), RecordAad("metadata", record.kind, record.id, true), *metadata_blob));
    SecretBytes secret_text(std::move(text));
    Result<Json> parsed = ParseJsonObject(AsStringView(secret_text.view()));
    if (!parsed.ok()) return Error(StatusCode::kMalformed, "record metadata is not a JSON object");
    record.metadata = std::move(parsed).value();
  }
  return record;
}

Result<Record> Vault::Get(std::string_view kind, std::string_view id) const {
  if (!unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  RETURN_IF_ERROR(CheckKind(kind));
  RETURN_IF_ERROR(CheckId(id));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT payload, metadata FROM records WHERE kind = ? AND id = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, kind));
  RETURN_IF_ERROR(stmt.BindText(2, id));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Error(StatusCode::kNotFound, "no such record");
  std::optional<Bytes> metadata;
  if (!stmt.ColumnIsNull(1)) metadata = stmt.ColumnBlob(1);
  return DecryptRow(std::string(kind), std::string(id), stmt.ColumnBlob(0), metadata);
}

Result<std::vector<Record>> Vault::List(std::string_view kind) const {
  if (!unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  RETURN_IF_ERROR(CheckKind(kind));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT id, payload, metadata FROM records WHERE kind = ? ORDER BY id"));
  RETURN_IF_ERROR(stmt.BindText(1, kind));
  std::vector<Record> records;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string id = stmt.ColumnText(0);
    RETURN_IF_ERROR(CheckId(id));
    std::optional<Bytes> metadata;
    if (!stmt.ColumnIsNull(2)) metadata = stmt.ColumnBlob(2);
    ASSIGN_OR_RETURN(Record record,
                     DecryptRow(std::string(kind), std::move(id), stmt.ColumnBlob(1), metadata));
    records.push_back(std::move(record));
  }
  return records;
}

Status Vault::Delete(std::string_view kind, std::string_view id) {
  if (!unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  RETURN_IF_ERROR(CheckKind(kind));
  RETURN_IF_ERROR(CheckId(id));
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("DELETE FROM records WHERE kind = ? AND id = ?"));
  RETURN_IF_ERROR(stmt.BindText(1, kind));
  RETURN_IF_ERROR(stmt.BindText(2, id));
  RETURN_IF_ERROR(stmt.Run());
  if (db_->Changes() != 1) return Error(StatusCode::kNotFound, "no such record");
  return OkStatus();
}

}  // namespace bonafide::wallet
