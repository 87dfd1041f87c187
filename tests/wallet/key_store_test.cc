// Tests for wallet/key_store.h and wallet/vault_key_store.h.
#include "wallet/key_store.h"

#include <string>

#include <gtest/gtest.h>

#include "crypto/random.h"
#include "tests/wallet/wallet_test_util.h"
#include "wallet/vault_key_store.h"

namespace bonafide::wallet {
namespace {

using testing::FilesContaining;
using testing::TempDir;

constexpr std::string_view kPin = "270419";

class KeyStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto vault = Vault::Create(dir_.wallet(), kPin, VaultOptions::InsecureFastKdfForTests(), clock_,
                               crypto::SystemRandom());
    ASSERT_TRUE(vault.ok()) << vault.status().ToString();
    vault_ = std::move(vault).value();
  }

  TempDir dir_;
  FixedClock clock_{1'700'000'000};
  std::unique_ptr<Vault> vault_;
};

class VaultKeyStoreTest : public KeyStoreFixture,
                          public ::testing::WithParamInterface<crypto::SignatureAlg> {};

TEST_P(VaultKeyStoreTest, CreateSignVerifyDelete) {
  VaultKeyStore store(*vault_);
  auto key = store.CreateKey(GetParam());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->public_key.alg(), GetParam());

  const Bytes data = ToBytes("proof of possession");
  auto signature = store.Sign(key->handle, data);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_TRUE(key->public_key.Verify(data, *signature).ok());
  EXPECT_EQ(key->public_key.Verify(ToBytes("other data"), *signature).code(), StatusCode::kInvalidSignature);

  auto public_key = store.PublicKey(key->handle);
  ASSERT_TRUE(public_key.ok());
  EXPECT_TRUE(public_key->Equals(key->public_key));

  ASSERT_TRUE(store.DeleteKey(key->handle).ok());
  EXPECT_EQ(store.Sign(key->handle, data).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.PublicKey(key->handle).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.DeleteKey(key->handle).code(), StatusCode::kNotFound);
}

TEST_P(VaultKeyStoreTest, KeysSurviveReopenAndNeedUnlock) {
  std::string handle;
  std::optional<crypto::PublicKey> public_key;
  {
    VaultKeyStore store(*vault_);
    auto key = store.CreateKey(GetParam());
    ASSERT_TRUE(key.ok());
    handle = key->handle;
    public_key = key->public_key;
  }
  vault_.reset();
  auto vault = Vault::Open(dir_.wallet(), clock_, crypto::SystemRandom());
  ASSERT_TRUE(vault.ok());
  VaultKeyStore store(**vault);
  const Bytes data = ToBytes("after reopen");
  EXPECT_EQ(store.Sign(handle, data).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.PublicKey(handle).status().code(), StatusCode::kInvalidKey);
  ASSERT_TRUE((*vault)->Unlock(kPin).ok());
  auto signature = store.Sign(handle, data);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(public_key->Verify(data, *signature).ok());
}

INSTANTIATE_TEST_SUITE_P(AllAlgs, VaultKeyStoreTest,
                         ::testing::Values(crypto::SignatureAlg::kES256, crypto::SignatureAlg::kES384,
                                           crypto::SignatureAlg::kEdDSA),
                         [](const auto& param_info) {
                           return std::string(crypto::JwsAlgName(param_info.param));
                         });

using VaultKeyStoreLockTest = KeyStoreFixture;

TEST_F(VaultKeyStoreLockTest, EveryOperationRefusedWhenLocked) {
  VaultKeyStore store(*vault_);
  auto key = store.CreateKey(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(key.ok());
  auto signer = KeyStoreSigner::Create(store, key->handle);
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE(signer->Sign(ToBytes("ok")).ok());

  vault_->Lock();
  EXPECT_EQ(store.Sign(key->handle, ToBytes("x")).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(signer->Sign(ToBytes("x")).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.CreateKey(crypto::SignatureAlg::kES256).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.PublicKey(key->handle).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.DeleteKey(key->handle).code(), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyStoreSigner::Create(store, key->handle).status().code(), StatusCode::kInvalidKey);

  ASSERT_TRUE(vault_->Unlock(kPin).ok());
  EXPECT_TRUE(signer->Sign(ToBytes("x")).ok());
}

TEST_F(VaultKeyStoreLockTest, SignerAdapterSignsWithTheStoredKey) {
  VaultKeyStore store(*vault_);
  auto key = store.CreateKey(crypto::SignatureAlg::kEdDSA);
  ASSERT_TRUE(key.ok());
  auto signer = KeyStoreSigner::Create(store, key->handle);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->alg(), crypto::SignatureAlg::kEdDSA);
  EXPECT_EQ(signer->handle(), key->handle);
  EXPECT_TRUE(signer->public_key().Equals(key->public_key));
  const Bytes data = ToBytes("jws signing input");
  auto signature = signer->Sign(data);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(key->public_key.Verify(data, *signature).ok());
}

TEST_F(VaultKeyStoreLockTest, UnknownAndMalformedHandles) {
  VaultKeyStore store(*vault_);
  EXPECT_EQ(store.Sign(std::string(22, 'A'), ToBytes("x")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Sign("../../key", ToBytes("x")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Sign("", ToBytes("x")).status().code(), StatusCode::kInvalidArgument);
  // A record of another kind is not a key, even under the same id.
  auto other = vault_->Add("credential", AsBytes("not a key"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(store.Sign(*other, ToBytes("x")).status().code(), StatusCode::kNotFound);
}

TEST_F(VaultKeyStoreLockTest, RecordOfKeyKindWithoutKeyIsInvalidKey) {
  VaultKeyStore store(*vault_);
  auto bogus = vault_->Add(kDeviceKeyRecordKind, AsBytes("not a PEM"), Json{{"alg", "ES256"}});
  ASSERT_TRUE(bogus.ok());
  EXPECT_EQ(store.Sign(*bogus, ToBytes("x")).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.PublicKey(*bogus).status().code(), StatusCode::kInvalidKey);
  // A real key whose recorded alg disagrees with the key type.
  auto key = store.CreateKey(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(key.ok());
  auto record = vault_->Get(kDeviceKeyRecordKind, key->handle);
  ASSERT_TRUE(record.ok());
  Json metadata = *record->metadata;
  metadata["alg"] = "ES384";
  ASSERT_TRUE(vault_->Put(kDeviceKeyRecordKind, key->handle, record->payload.view(), metadata).ok());
  EXPECT_EQ(store.Sign(key->handle, ToBytes("x")).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(store.PublicKey(key->handle).status().code(), StatusCode::kInvalidKey);
}

TEST_F(VaultKeyStoreLockTest, HandlesAreDistinctAndPrivateKeysNotInFiles) {
  VaultKeyStore store(*vault_);
  auto a = store.CreateKey(crypto::SignatureAlg::kES256);
  auto b = store.CreateKey(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->handle, b->handle);
  EXPECT_FALSE(a->public_key.Equals(b->public_key));
  EXPECT_EQ(FilesContaining(dir_.wallet(), "PRIVATE KEY"), std::vector<std::string>());
  EXPECT_EQ(FilesContaining(dir_.wallet(), a->public_key.ToJwk()["x"].get<std::string>()),
            std::vector<std::string>());
  vault_.reset();
  EXPECT_EQ(FilesContaining(dir_.wallet(), "PRIVATE KEY"), std::vector<std::string>());
}

}  // namespace
}  // namespace bonafide::wallet
