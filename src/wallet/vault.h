// wallet/vault.h: Vault, the wallet's encrypted store (issue 4, section 3, "everything stored is
// encrypted at rest").
//
// A vault is one SQLite file, `<dir>/wallet.db` (WAL journal, synchronous=FULL so every commit
// is durable, secure_delete so freed pages are zeroed). The directory is mode 0700 and the file
// 0600; SQLite gives its -wal and -shm files the mode of the database file.
//
// Keys:
// - The wallet key is 32 random bytes (from the injected Random) made at Create. It never
//   changes, so changing the PIN re-seals one key and re-encrypts no records.
// - The key-encryption key (KEK) is Argon2id(PIN, salt) (RFC 9106; libsodium crypto_pwhash,
//   ALG_ARGON2ID13) with a random 16-byte per-wallet salt and the cost parameters of
//   VaultOptions; salt and parameters are stored in the vault.
// - The wallet key is sealed with AES-256-GCM under the KEK (random 96-bit IV; the AAD binds the
//   salt and parameters). A wrong PIN is detected by the GCM tag failing.
// - Every record payload and metadata blob is AES-256-GCM under the wallet key with a fresh
//   random 96-bit IV and AAD binding (field, kind, id, metadata present?), so a blob moved to
//   another row, another field, or a metadata blob removed, fails to open.
// - In the clear are only: the record kind (a short label such as "credential"), the record id
//   (random, made by Add), the KDF salt and parameters, and the PIN attempt counter. Put no
//   personal data in a kind.
//
// PIN rules (CheckPinRules): 6 to 64 ASCII digits, not one digit repeated ("000000") and not a
// straight run of consecutive ascending or descending digits ("123456", "987654"; runs do not
// wrap, so "890123" is allowed). Anything else is kInvalidArgument at Create and ChangePin. Unlock
// only checks the shape (6..64 digits), so tightening the rules never locks out an old PIN.
//
// Wrong-PIN policy (persisted in the vault, so closing and reopening does not reset it; time from
// the injected Clock):
// - Each Unlock/ChangePin attempt is counted *before* the PIN is tried and the count is committed
//   durably, so cutting power during the attempt cannot hide a guess. A correct PIN resets it.
// - Failures 1..4: no delay. The 5th consecutive failure locks the vault for 60 s; each further
//   failure (made after the lockout ended) locks for twice as long as the previous one: 120 s,
//   240 s, 480 s, 960 s. While locked, Unlock is refused with kLimitExceeded without trying the
//   PIN, even when it is right.
// - The 10th consecutive failure erases the sealed wallet key and every record (secure_delete,
//   then a WAL checkpoint that truncates the -wal file): the wallet is gone, like a phone that
//   erases itself. Credentials must then be re-issued. Every later Unlock is kNotFound.
// - Scope: this defends against guessing through the application. Someone who copies the file can
//   reset the counter and guess offline, limited only by the Argon2id cost (a 6-digit PIN is 10^6
//   guesses). On a phone the KEK should additionally be bound to a secure-element key.
//
// Error codes:
//   wrong PIN                               kInvalidSignature (the sealed key's GCM tag fails)
//   locked out                              kLimitExceeded
//   key material erased after 10 failures   kNotFound
//   record operation while locked           kInvalidKey (the wallet key is not available)
//   PIN breaking the rules                  kInvalidArgument (not counted as an attempt)
//   tampered record ciphertext / moved row  kInvalidSignature
//   unknown record                          kNotFound
//   bad kind or id syntax                   kInvalidArgument
//   database file unreadable or corrupt     kIoError / kMalformed
//
// Thread safety: a Vault is not thread-safe; use one per thread or synchronise externally.
// Several processes may open the same directory: SQLite serialises writers and the attempt
// counter is updated under an immediate write transaction.
// Ownership: the Clock and Random passed to Create/Open must outlive the Vault.
#ifndef BONAFIDE_WALLET_VAULT_H_
#define BONAFIDE_WALLET_VAULT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/secret.h"
#include "base/status.h"

namespace bonafide::wallet {

namespace internal {
class Database;
}  // namespace internal

// kVaultFileName is the database file inside the wallet directory.
inline constexpr std::string_view kVaultFileName = "wallet.db";

// PIN rules; see the file comment.
inline constexpr size_t kMinPinDigits = 6;
inline constexpr size_t kMaxPinDigits = 64;

// Wrong-PIN policy; see the file comment.
inline constexpr int kPinFailuresBeforeLockout = 5;  // the 5th consecutive failure locks
inline constexpr int64_t kFirstLockoutSeconds = 60;  // doubles with every further failure
inline constexpr int kPinFailuresBeforeWipe = 10;    // the 10th consecutive failure erases

// Size bounds on what Add/Put accept (kLimitExceeded beyond them).
inline constexpr size_t kMaxPayloadBytes = size_t{64} << 20;  // 64 MiB
inline constexpr size_t kMaxMetadataBytes = size_t{1} << 20;  // 1 MiB serialised, depth <= 32

// CheckPinRules returns OK if `pin` satisfies the PIN rules, else kInvalidArgument.
Status CheckPinRules(std::string_view pin);

// VaultOptions are fixed at Create and stored in the vault.
struct VaultOptions {
  // Argon2id cost (RFC 9106 section 4, second recommended option, with one lane): 3 passes over
  // 64 MiB. Bounds: opslimit 1..32, memlimit 8 KiB..1 GiB, else kInvalidArgument.
  uint64_t kdf_opslimit = 3;
  uint64_t kdf_memlimit_bytes = uint64_t{64} << 20;

  // InsecureFastKdfForTests returns the cheapest parameters libsodium allows (1 pass, 8 KiB):
  // a PIN can then be brute-forced from a copied file in moments. Tests only.
  static VaultOptions InsecureFastKdfForTests() { return VaultOptions{1, 8192}; }
};

// PinState reports the wrong-PIN counter, for telling the user how long to wait.
struct PinState {
  int failed_attempts = 0;   // consecutive failures since the last correct PIN
  int64_t locked_until = 0;  // Unix seconds; Unlock is refused while now < locked_until
  bool erased = false;       // the 10th failure erased the wallet key and records
};

// Record is one decrypted entry of the vault.
struct Record {
  std::string kind;
  std::string id;
  SecretBytes payload;           // plaintext; wiped when the Record is destroyed
  std::optional<Json> metadata;  // a JSON object, if one was stored
};

// Vault is an encrypted record store unlocked by a PIN. See the file comment.
class Vault {
 public:
  // Create makes a new wallet in `dir` (creating it and its parents; the directory is chmod-ed to
  // 0700), protected by `pin`, and returns it unlocked. kInvalidArgument if the PIN breaks the
  // rules, the options are out of bounds, or `dir` already holds a wallet; kIoError if the
  // directory or file cannot be created. On failure no wallet file is left behind.
  static Result<std::unique_ptr<Vault>> Create(const std::filesystem::path& dir, std::string_view pin,
                                               const VaultOptions& options, const Clock& clock,
                                               Random& random);

  // Open opens the wallet in `dir`, locked. kNotFound if there is none; kMalformed if the file is
  // not a bonafide vault of a known version; kIoError if it cannot be read.
  static Result<std::unique_ptr<Vault>> Open(const std::filesystem::path& dir, const Clock& clock,
                                             Random& random);

  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;
  ~Vault();  // wipes the wallet key

  // Unlock checks `pin` under the wrong-PIN policy and, if it is right, keeps the wallet key in
  // memory. The vault is locked first, so a failed Unlock leaves it locked. Errors as in the
  // file comment: kInvalidSignature (wrong), kLimitExceeded (locked out), kNotFound (erased),
  // kInvalidArgument (not a possible PIN; not counted).
  Status Unlock(std::string_view pin);

  // Lock wipes the wallet key from memory. Records stay on disk.
  void Lock();

  // unlocked returns whether the wallet key is in memory.
  bool unlocked() const { return !wallet_key_.empty(); }

  // ChangePin re-seals the wallet key under `new_pin`. `old_pin` is checked exactly as by Unlock
  // (same counter, same errors); `new_pin` is checked against the rules first (kInvalidArgument,
  // and then `old_pin` is not tried). On success the vault is unlocked.
  Status ChangePin(std::string_view old_pin, std::string_view new_pin);

  // GetPinState returns the wrong-PIN counter (works while locked). kIoError / kMalformed if the
  // vault cannot be read.
  Result<PinState> GetPinState() const;

  // Add stores a new record of `kind` under a fresh random id (16 random bytes, base64url: 22
  // characters) and returns the id. `kind` is 1..64 characters of [a-z0-9_.-]. `metadata`, if
  // given, must be a JSON object. Errors: kInvalidKey (locked), kInvalidArgument (bad kind,
  // metadata not an object), kLimitExceeded (payload or metadata too large), kIoError.
  Result<std::string> Add(std::string_view kind, ByteView payload,
                          const std::optional<Json>& metadata = std::nullopt);

  // Put replaces the payload and metadata of the existing record (kind, id), re-encrypting both
  // with fresh IVs. kNotFound if there is no such record; other errors as Add.
  Status Put(std::string_view kind, std::string_view id, ByteView payload,
             const std::optional<Json>& metadata = std::nullopt);

  // Get returns the decrypted record (kind, id). kInvalidKey (locked), kInvalidArgument (bad kind
  // or id syntax), kNotFound, kInvalidSignature (ciphertext altered or moved), kMalformed (a
  // stored blob too short to hold IV and tag).
  Result<Record> Get(std::string_view kind, std::string_view id) const;

  // List returns every record of `kind`, decrypted, ordered by id. Fails as a whole (with Get's
  // errors) if any record fails to decrypt.
  Result<std::vector<Record>> List(std::string_view kind) const;

  // Delete removes the record (kind, id); its pages are zeroed (secure_delete). kInvalidKey
  // (locked: deleting is a wallet operation too), kInvalidArgument, kNotFound.
  Status Delete(std::string_view kind, std::string_view id);

 private:
  Vault(std::unique_ptr<internal::Database> db, const Clock& clock, Random& random);
  // AttemptPin runs the counted PIN check and returns the wallet key.
  Result<SecretBytes> AttemptPin(std::string_view pin);
  // SealWalletKey stores `wallet_key` sealed under a KEK derived from `pin` with a new salt.
  Status SealWalletKey(std::string_view pin, const SecretBytes& wallet_key, uint64_t opslimit,
                       uint64_t memlimit);
  Status Erase();
  Result<Bytes> SealField(std::string_view field, std::string_view kind, std::string_view id,
                          bool has_metadata, ByteView plaintext) const;
  Result<Record> DecryptRow(std::string kind, std::string id, ByteView payload_blob,
                            const std::optional<Bytes>& metadata_blob) const;
  Status WriteRecord(bool insert, std::string_view kind, std::string_view id, ByteView payload,
                     const std::optional<Json>& metadata);

  std::unique_ptr<internal::Database> db_;
  const Clock& clock_;
  Random& random_;
  SecretBytes wallet_key_;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_VAULT_H_
