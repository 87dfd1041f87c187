// wallet/vault_key_store.h: VaultKeyStore, the software KeyStore that keeps device keys in the
// wallet's Vault.
//
// Each key is one Vault record of kind kDeviceKeyRecordKind under a random record id, which is
// the handle. The payload is the private key as unencrypted PKCS#8 PEM (so it is encrypted once,
// by the Vault, under the wallet key); the metadata is {"alg": "ES256", "public_jwk": {...}}, also
// encrypted. Keys are generated with crypto::PrivateKey::Generate (the system CSPRNG). Every
// operation needs the Vault unlocked (kInvalidKey otherwise, the Vault's "locked" code); the
// private key is parsed for each Sign and its PEM wiped afterwards.
//
// Thread safety: not thread-safe (the Vault is not). Ownership: the Vault must outlive the store.
#ifndef BONAFIDE_WALLET_VAULT_KEY_STORE_H_
#define BONAFIDE_WALLET_VAULT_KEY_STORE_H_

#include <string_view>

#include "wallet/key_store.h"
#include "wallet/vault.h"

namespace bonafide::wallet {

// kDeviceKeyRecordKind is the Vault record kind VaultKeyStore uses.
inline constexpr std::string_view kDeviceKeyRecordKind = "device_key";

// VaultKeyStore is a KeyStore over a Vault. Errors as KeyStore, plus the Vault's for a damaged
// record (kInvalidSignature if its ciphertext was altered).
class VaultKeyStore final : public KeyStore {
 public:
  explicit VaultKeyStore(Vault& vault) : vault_(vault) {}

  Result<DeviceKey> CreateKey(crypto::SignatureAlg alg) override;
  Result<Bytes> Sign(std::string_view handle, ByteView data) const override;
  Result<crypto::PublicKey> PublicKey(std::string_view handle) const override;
  Status DeleteKey(std::string_view handle) override;

 private:
  Vault& vault_;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_VAULT_KEY_STORE_H_
