// Tests for wallet/vault.h: creation, PIN unlock and lockout, record encryption and its AAD
// binding, the at-rest grep check, ChangePin and file permissions.
#include "wallet/vault.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "crypto/random.h"
#include "tests/wallet/wallet_test_util.h"

namespace bonafide::wallet {
namespace {

using testing::FilesContaining;
using testing::RawDb;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000;
constexpr std::string_view kPin = "270419";
constexpr std::string_view kWrongPin = "270418";

class VaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<Vault> CreateVault(std::string_view pin = kPin) {
    auto vault = Vault::Create(dir_.wallet(), pin, VaultOptions::InsecureFastKdfForTests(), clock_,
                               crypto::SystemRandom());
    EXPECT_TRUE(vault.ok()) << vault.status().ToString();
    return vault.ok() ? std::move(vault).value() : nullptr;
  }
  std::unique_ptr<Vault> OpenVault() {
    auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
    EXPECT_TRUE(vault.ok()) << vault.status().ToString();
    return vault.ok() ? std::move(vault).value() : nullptr;
  }
  PinState State(const Vault& vault) {
    auto state = vault.GetPinState();
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : PinState{};
  }

  TempDir dir_;
  FixedClock clock_{kT0};
};

std::string PayloadText(const Record& record) { return ToString(record.payload.view()); }

TEST_F(VaultTest, CreateOpenUnlockRoundTrip) {
  std::string id;
  {
    auto vault = CreateVault();
    ASSERT_NE(vault, nullptr);
    EXPECT_TRUE(vault->unlocked());  // Create returns the vault unlocked
    auto added = vault->Add("credential", AsBytes("credential bytes"), Json{{"format", "dc+sd-jwt"}});
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    id = *added;
    EXPECT_EQ(id.size(), 22u);  // 16 random bytes, base64url
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_FALSE(vault->unlocked());
  EXPECT_EQ(vault->Get("credential", id).status().code(), StatusCode::kInvalidKey);
  ASSERT_TRUE(vault->Unlock(kPin).ok());
  EXPECT_TRUE(vault->unlocked());

  auto record = vault->Get("credential", id);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->kind, "credential");
  EXPECT_EQ(record->id, id);
  EXPECT_EQ(PayloadText(*record), "credential bytes");
  ASSERT_TRUE(record->metadata.has_value());
  EXPECT_EQ(*record->metadata, (Json{{"format", "dc+sd-jwt"}}));

  // Put replaces payload and metadata; a record without metadata comes back without it.
  ASSERT_TRUE(vault->Put("credential", id, AsBytes("replaced")).ok());
  record = vault->Get("credential", id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(PayloadText(*record), "replaced");
  EXPECT_FALSE(record->metadata.has_value());

  // An empty payload is a valid payload.
  auto empty = vault->Add("credential", ByteView());
  ASSERT_TRUE(empty.ok());
  auto list = vault->List("credential");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(vault->List("other").ok());
  EXPECT_TRUE(vault->List("other")->empty());

  ASSERT_TRUE(vault->Delete("credential", id).ok());
  EXPECT_EQ(vault->Get("credential", id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault->Delete("credential", id).code(), StatusCode::kNotFound);
  EXPECT_EQ(vault->Put("credential", id, AsBytes("x")).code(), StatusCode::kNotFound);
  // Records are addressed by (kind, id): the same id under another kind is a different record.
  EXPECT_EQ(vault->Get("device_key", *empty).status().code(), StatusCode::kNotFound);
}

TEST_F(VaultTest, IdsAreRandomNotDerivedFromContent) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  auto a = vault->Add("credential", AsBytes("same"));
  auto b = vault->Add("credential", AsBytes("same"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(VaultTest, OpenWithoutWalletIsNotFound) {
  EXPECT_EQ(Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(VaultTest, CreateRefusesExistingWallet) {
  ASSERT_NE(CreateVault(), nullptr);
  auto again = Vault::Create(dir_.wallet(), "864209", VaultOptions::InsecureFastKdfForTests(), clock_,
                             crypto::SystemRandom());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  // The first wallet is untouched: its PIN still opens it.
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_TRUE(vault->Unlock(kPin).ok());
}

TEST_F(VaultTest, OpenRejectsAFileThatIsNotAVault) {
  std::filesystem::create_directories(dir_.wallet());
  {
    std::ofstream out(dir_.db(), std::ios::binary);
    out << "this is not an SQLite database, just some text long enough to fill a header......";
  }
  EXPECT_EQ(Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom()).status().code(),
            StatusCode::kMalformed);
}

TEST(PinRulesTest, WeakPinsRefused) {
  for (std::string_view pin : {"", "12345", "02468", "1357a9", "135 79", "000000", "999999999", "123456",
                               "987654", "0123456789", "3456789"}) {
    EXPECT_EQ(CheckPinRules(pin).code(), StatusCode::kInvalidArgument) << pin;
  }
  EXPECT_EQ(CheckPinRules(std::string(65, '1') + "2").code(), StatusCode::kInvalidArgument);
  std::string long_pin(64, '0');
  long_pin[10] = '7';
  EXPECT_TRUE(CheckPinRules(long_pin).ok());  // 64 digits: the upper boundary
  long_pin.push_back('1');
  EXPECT_EQ(CheckPinRules(long_pin).code(), StatusCode::kInvalidArgument);  // 65 digits
}

TEST(PinRulesTest, BoundaryPinsAccepted) {
  for (std::string_view pin : {"024680", "112345", "123457", "890123", "000001", "987653"}) {
    EXPECT_TRUE(CheckPinRules(pin).ok()) << pin;
  }
}

TEST_F(VaultTest, CreateWithWeakPinLeavesNothing) {
  auto vault = Vault::Create(dir_.wallet(), "12345", VaultOptions::InsecureFastKdfForTests(), clock_,
                             crypto::SystemRandom());
  EXPECT_EQ(vault.status().code(), StatusCode::kInvalidArgument);
  vault = Vault::Create(dir_.wallet(), "123456", VaultOptions::InsecureFastKdfForTests(), clock_,
                        crypto::SystemRandom());
  EXPECT_EQ(vault.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir_.db()));
}

TEST_F(VaultTest, KdfOptionsBounded) {
  auto make = [&](uint64_t ops, uint64_t mem) {
    return Vault::Create(dir_.wallet(), kPin, VaultOptions{ops, mem}, clock_, crypto::SystemRandom())
        .status();
  };
  EXPECT_EQ(make(0, 8192).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make(1, 8191).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make(33, 8192).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(make(1, (uint64_t{1} << 30) + 1).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir_.db()));
  EXPECT_TRUE(make(1, 8192).ok());  // the lower boundary
}

TEST_F(VaultTest, ProductionDefaultsAreArgon2idModerate) {
  VaultOptions options;
  EXPECT_EQ(options.kdf_opslimit, 3u);
  EXPECT_EQ(options.kdf_memlimit_bytes, uint64_t{64} << 20);
}

TEST_F(VaultTest, WrongPinIsInvalidSignatureAndCounted) {
  ASSERT_NE(CreateVault(), nullptr);
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  EXPECT_FALSE(vault->unlocked());
  EXPECT_EQ(State(*vault).failed_attempts, 1);
  // Not a possible PIN: refused without counting.
  EXPECT_EQ(vault->Unlock("12ab56").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Unlock("12345").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(State(*vault).failed_attempts, 1);
  // The correct PIN resets the counter.
  ASSERT_TRUE(vault->Unlock(kPin).ok());
  EXPECT_EQ(State(*vault).failed_attempts, 0);
}

TEST_F(VaultTest, FourFailuresDoNotLock) {
  ASSERT_NE(CreateVault(), nullptr);
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  for (int i = 0; i < kPinFailuresBeforeLockout - 1; ++i) {
    EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  }
  EXPECT_EQ(State(*vault).failed_attempts, 4);
  EXPECT_EQ(State(*vault).locked_until, 0);
  ASSERT_TRUE(vault->Unlock(kPin).ok());  // same second: no delay
  // Counter reset: four more failures still do not lock.
  for (int i = 0; i < kPinFailuresBeforeLockout - 1; ++i) {
    EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  }
  EXPECT_EQ(State(*vault).locked_until, 0);
  EXPECT_TRUE(vault->Unlock(kPin).ok());
}

TEST_F(VaultTest, FifthFailureLocksForOneMinute) {
  ASSERT_NE(CreateVault(), nullptr);
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  for (int i = 0; i < kPinFailuresBeforeLockout; ++i) {
    EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature) << i;
  }
  PinState state = State(*vault);
  EXPECT_EQ(state.failed_attempts, 5);
  EXPECT_EQ(state.locked_until, kT0 + 60);
  // Refused even with the right PIN until the lockout ends; refusals are not counted.
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kLimitExceeded);
  clock_.Set(kT0 + 59);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(vault->ChangePin(kPin, "864209").code(), StatusCode::kLimitExceeded);
  EXPECT_FALSE(vault->unlocked());
  EXPECT_EQ(State(*vault).failed_attempts, 5);
  clock_.Set(kT0 + 60);
  ASSERT_TRUE(vault->Unlock(kPin).ok());
  state = State(*vault);
  EXPECT_EQ(state.failed_attempts, 0);
  EXPECT_EQ(state.locked_until, 0);
}

TEST_F(VaultTest, LockoutDoublesWithEachFurtherFailure) {
  ASSERT_NE(CreateVault(), nullptr);
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  for (int i = 0; i < kPinFailuresBeforeLockout; ++i)
    ASSERT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  clock_.Set(kT0 + 60);
  EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);  // 6th
  EXPECT_EQ(State(*vault).locked_until, kT0 + 60 + 120);
  clock_.Set(kT0 + 179);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kLimitExceeded);
  clock_.Set(kT0 + 180);
  EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);  // 7th
  EXPECT_EQ(State(*vault).locked_until, kT0 + 180 + 240);
  clock_.Set(kT0 + 420);
  EXPECT_TRUE(vault->Unlock(kPin).ok());
}

TEST_F(VaultTest, CounterPersistsAcrossOpen) {
  ASSERT_NE(CreateVault(), nullptr);
  {
    auto vault = OpenVault();
    ASSERT_NE(vault, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  }
  {
    auto vault = OpenVault();
    ASSERT_NE(vault, nullptr);
    EXPECT_EQ(State(*vault).failed_attempts, 3);
    EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
    EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);  // 5th overall: locks
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kLimitExceeded);
  clock_.Set(kT0 + 60);
  EXPECT_TRUE(vault->Unlock(kPin).ok());
}

TEST_F(VaultTest, TenthFailureErasesTheWallet) {
  std::string id;
  {
    auto vault = CreateVault();
    ASSERT_NE(vault, nullptr);
    auto added = vault->Add("credential", AsBytes("doomed"));
    ASSERT_TRUE(added.ok());
    id = *added;
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  int64_t now = kT0;
  for (int attempt = 1; attempt < kPinFailuresBeforeWipe; ++attempt) {
    ASSERT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature) << attempt;
    now = std::max(now, State(*vault).locked_until);
    clock_.Set(now);
  }
  PinState state = State(*vault);
  EXPECT_EQ(state.failed_attempts, 9);
  EXPECT_FALSE(state.erased);  // the 9th failure does not erase
  EXPECT_EQ(state.locked_until, now);
  EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);  // 10th
  EXPECT_TRUE(State(*vault).erased);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kNotFound);
  vault.reset();

  {
    RawDb raw(dir_.db());
    EXPECT_EQ(raw.Int("SELECT count(*) FROM records"), 0);
    EXPECT_EQ(raw.Int("SELECT length(sealed_key) FROM vault_key"), 0);
  }
  vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kNotFound);
}

TEST_F(VaultTest, InterruptedEraseIsCompletedOnNextAttempt) {
  ASSERT_NE(CreateVault(), nullptr);
  {
    // As if the process died after counting the 10th attempt but before erasing.
    RawDb raw(dir_.db());
    raw.Exec("UPDATE vault_key SET failed_attempts = 10");
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kNotFound);
  EXPECT_TRUE(State(*vault).erased);
}

TEST_F(VaultTest, FailedUnlockOfUnlockedVaultLocksIt) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault->unlocked());
  EXPECT_EQ(vault->Unlock(kWrongPin).code(), StatusCode::kInvalidSignature);
  EXPECT_FALSE(vault->unlocked());
}

TEST_F(VaultTest, LockWipesKeyAndRefusesRecordOperations) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  auto id = vault->Add("credential", AsBytes("x"));
  ASSERT_TRUE(id.ok());
  vault->Lock();
  EXPECT_FALSE(vault->unlocked());
  EXPECT_EQ(vault->Get("credential", *id).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(vault->List("credential").status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(vault->Add("credential", AsBytes("y")).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(vault->Put("credential", *id, AsBytes("y")).code(), StatusCode::kInvalidKey);
  EXPECT_EQ(vault->Delete("credential", *id).code(), StatusCode::kInvalidKey);
  ASSERT_TRUE(vault->Unlock(kPin).ok());
  EXPECT_TRUE(vault->Get("credential", *id).ok());
}

TEST_F(VaultTest, KindIdAndMetadataValidated) {
  auto vault = CreateVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Add("", AsBytes("x")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Add("Credential", AsBytes("x")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Add(std::string(65, 'a'), AsBytes("x")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(vault->Add(std::string(64, 'a'), AsBytes("x")).ok());
  EXPECT_EQ(vault->Get("credential", "../etc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Get("credential", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Get("credential", std::string(65, 'A')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Get("credential", std::string(64, 'A')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(vault->Add("credential", AsBytes("x"), Json::array()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(vault->Add("credential", AsBytes("x"), Json("text")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(vault->Add("credential", AsBytes("x"), Json::object()).ok());
  Json deep = Json::object();
  for (int i = 0; i < 32; ++i) deep = Json{{"a", deep}};  // depth 33
  EXPECT_EQ(vault->Add("credential", AsBytes("x"), deep).status().code(), StatusCode::kLimitExceeded);
  Json big = Json{{"a", std::string(kMaxMetadataBytes, 'x')}};
  EXPECT_EQ(vault->Add("credential", AsBytes("x"), big).status().code(), StatusCode::kLimitExceeded);
}

// Tampering: the attacker can rewrite the file but not the wallet key.
class VaultTamperTest : public VaultTest {
 protected:
  void SetUp() override {
    auto vault = CreateVault();
    ASSERT_NE(vault, nullptr);
    auto a = vault->Add("credential", AsBytes("first credential"), Json{{"n", 1}});
    auto b = vault->Add("credential", AsBytes("second credential"), Json{{"n", 2}});
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = *a;
    b_ = *b;
  }
  std::unique_ptr<Vault> Reopen() {
    auto vault = OpenVault();
    EXPECT_TRUE(vault != nullptr && vault->Unlock(kPin).ok());
    return vault;
  }
  std::string Where(const std::string& id) { return " WHERE kind = 'credential' AND id = '" + id + "'"; }

  std::string a_, b_;
};

TEST_F(VaultTamperTest, UntouchedRecordsOpen) {
  auto vault = Reopen();
  EXPECT_TRUE(vault->Get("credential", a_).ok());
  EXPECT_TRUE(vault->Get("credential", b_).ok());
}

TEST_F(VaultTamperTest, FlippedCiphertextByteDetected) {
  {
    RawDb raw(dir_.db());
    Bytes blob = raw.Blob("SELECT payload FROM records" + Where(a_));
    blob[20] ^= 0x01;
    raw.SetBlob("UPDATE records SET payload = ?" + Where(a_), blob);
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kInvalidSignature);
  EXPECT_TRUE(vault->Get("credential", b_).ok());
  EXPECT_EQ(vault->List("credential").status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, FlippedMetadataByteDetected) {
  {
    RawDb raw(dir_.db());
    Bytes blob = raw.Blob("SELECT metadata FROM records" + Where(a_));
    blob[0] ^= 0x80;  // the IV
    raw.SetBlob("UPDATE records SET metadata = ?" + Where(a_), blob);
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, SwappedPayloadsDetected) {
  {
    RawDb raw(dir_.db());
    Bytes pa = raw.Blob("SELECT payload FROM records" + Where(a_));
    Bytes pb = raw.Blob("SELECT payload FROM records" + Where(b_));
    raw.SetBlob("UPDATE records SET payload = ?" + Where(a_), pb);
    raw.SetBlob("UPDATE records SET payload = ?" + Where(b_), pa);
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(vault->Get("credential", b_).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, PayloadMovedIntoMetadataDetected) {
  {
    RawDb raw(dir_.db());
    Bytes pa = raw.Blob("SELECT payload FROM records" + Where(a_));
    raw.SetBlob("UPDATE records SET metadata = ?" + Where(a_), pa);
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, RenamedRowDetected) {
  const std::string moved(22, 'Q');
  {
    RawDb raw(dir_.db());
    raw.Exec("UPDATE records SET id = '" + moved + "'" + Where(a_));
    raw.Exec("UPDATE records SET kind = 'other'" + Where(b_));
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", moved).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(vault->Get("other", b_).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, DroppedMetadataDetected) {
  {
    RawDb raw(dir_.db());
    raw.Exec("UPDATE records SET metadata = NULL" + Where(a_));
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, TruncatedBlobMalformed) {
  {
    RawDb raw(dir_.db());
    raw.SetBlob("UPDATE records SET payload = ?" + Where(a_), Bytes(27, 0));  // IV + tag - 1
  }
  auto vault = Reopen();
  EXPECT_EQ(vault->Get("credential", a_).status().code(), StatusCode::kMalformed);
}

TEST_F(VaultTamperTest, TamperedSealedKeyFailsLikeAWrongPin) {
  {
    RawDb raw(dir_.db());
    Bytes sealed = raw.Blob("SELECT sealed_key FROM vault_key");
    sealed.back() ^= 0x01;
    raw.SetBlob("UPDATE vault_key SET sealed_key = ?", sealed);
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTamperTest, ChangedKdfParametersDetected) {
  {
    RawDb raw(dir_.db());
    raw.Exec("UPDATE vault_key SET kdf_opslimit = 2");
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kInvalidSignature);
}

TEST_F(VaultTest, NothingReadableInWalletFiles) {
  const std::string name = "OKONKWO-HUGHES";
  const std::string docnum = "DOCNUM123456";
  const std::string payload = R"({"family_name":")" + name + R"(","document_number":")" + docnum + R"("})";
  std::string id;
  {
    auto vault = CreateVault();
    ASSERT_NE(vault, nullptr);
    auto added = vault->Add("credential", AsBytes(payload), Json{{"holder", name}, {"doc", docnum}});
    ASSERT_TRUE(added.ok());
    id = *added;
    auto other = vault->Add("credential", AsBytes(name + " copy 2"), Json{{"holder", name}});
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(vault->Put("credential", *other, AsBytes(docnum + " updated")).ok());
    ASSERT_TRUE(vault->Delete("credential", *other).ok());

    // While open, the WAL holds the latest pages: scan db, -wal and -shm.
    ASSERT_TRUE(std::filesystem::exists(dir_.wallet() / "wallet.db-wal"));
    ASSERT_TRUE(std::filesystem::exists(dir_.wallet() / "wallet.db-shm"));
    ASSERT_GT(std::filesystem::file_size(dir_.wallet() / "wallet.db-wal"), 0u);
    EXPECT_EQ(FilesContaining(dir_.wallet(), name), std::vector<std::string>());
    EXPECT_EQ(FilesContaining(dir_.wallet(), docnum), std::vector<std::string>());
    // Control: the scan does see SQLite's plaintext structure (table names, record kinds).
    EXPECT_FALSE(FilesContaining(dir_.wallet(), "credential").empty());
  }
  // Closed (WAL checkpointed into the main file).
  EXPECT_EQ(FilesContaining(dir_.wallet(), name), std::vector<std::string>());
  EXPECT_EQ(FilesContaining(dir_.wallet(), docnum), std::vector<std::string>());
  EXPECT_FALSE(FilesContaining(dir_.wallet(), "CREATE TABLE records").empty());

  // And the data is really there.
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault->Unlock(kPin).ok());
  auto record = vault->Get("credential", id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(PayloadText(*record), payload);
  EXPECT_EQ((*record->metadata)["holder"], name);
}

TEST_F(VaultTest, ChangePin) {
  std::string id;
  {
    auto vault = CreateVault();
    ASSERT_NE(vault, nullptr);
    auto added = vault->Add("credential", AsBytes("kept"));
    ASSERT_TRUE(added.ok());
    id = *added;
    // A weak new PIN is refused before the old one is tried (nothing counted).
    EXPECT_EQ(vault->ChangePin(kPin, "111111").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(State(*vault).failed_attempts, 0);
    // A wrong old PIN counts like a failed Unlock.
    EXPECT_EQ(vault->ChangePin(kWrongPin, "864209").code(), StatusCode::kInvalidSignature);
    EXPECT_EQ(State(*vault).failed_attempts, 1);
    EXPECT_FALSE(vault->unlocked());
    ASSERT_TRUE(vault->ChangePin(kPin, "864209").ok());
    EXPECT_TRUE(vault->unlocked());
    EXPECT_EQ(State(*vault).failed_attempts, 0);
  }
  auto vault = OpenVault();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->Unlock(kPin).code(), StatusCode::kInvalidSignature);
  ASSERT_TRUE(vault->Unlock("864209").ok());
  auto record = vault->Get("credential", id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(PayloadText(*record), "kept");
}

mode_t Mode(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(VaultTest, FilePermissions) {
  // With an empty umask, anything not explicitly restricted would come out world-readable.
  mode_t old_umask = ::umask(0);
  auto vault = CreateVault();
  ::umask(old_umask);
  ASSERT_NE(vault, nullptr);
  ASSERT_TRUE(vault->Add("credential", AsBytes("x")).ok());
  EXPECT_EQ(Mode(dir_.wallet()), 0700u);
  EXPECT_EQ(Mode(dir_.db()), 0600u);
  EXPECT_EQ(Mode(dir_.wallet() / "wallet.db-wal"), 0600u);
  EXPECT_EQ(Mode(dir_.wallet() / "wallet.db-shm"), 0600u);
}

TEST_F(VaultTest, ExistingDirectoryTightenedTo0700) {
  std::filesystem::create_directories(dir_.wallet());
  ASSERT_EQ(::chmod(dir_.wallet().c_str(), 0755), 0);
  ASSERT_NE(CreateVault(), nullptr);
  EXPECT_EQ(Mode(dir_.wallet()), 0700u);
}

}  // namespace
}  // namespace bonafide::wallet
