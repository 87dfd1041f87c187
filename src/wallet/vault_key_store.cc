#include "wallet/vault_key_store.h"

#include <utility>

#include "base/json.h"

namespace bonafide::wallet {
namespace {

// StoredAlg returns the "alg" of a device-key record's metadata; kInvalidKey if absent or unknown.
Result<crypto::SignatureAlg> StoredAlg(const Record& record) {
  if (!record.metadata.has_value())
    return Error(StatusCode::kInvalidKey, "device key record has no metadata");
  Result<std::string> name = GetString(*record.metadata, "alg");
  if (!name.ok()) return Error(StatusCode::kInvalidKey, "device key record has no alg");
  std::optional<crypto::SignatureAlg> alg = crypto::ParseJwsAlg(*name);
  if (!alg.has_value()) return Error(StatusCode::kInvalidKey, "device key record has an unknown alg");
  return *alg;
}

}  // namespace

Result<DeviceKey> VaultKeyStore::CreateKey(crypto::SignatureAlg alg) {
  if (!vault_.unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(alg));
  SecretBytes pem = key.ExportPem();
  Json metadata = Json::object();
  metadata["alg"] = std::string(crypto::JwsAlgName(alg));
  metadata["public_jwk"] = key.public_key().ToJwk();
  ASSIGN_OR_RETURN(std::string handle, vault_.Add(kDeviceKeyRecordKind, pem.view(), metadata));
  return DeviceKey{std::move(handle), key.public_key()};
}

Result<Bytes> VaultKeyStore::Sign(std::string_view handle, ByteView data) const {
  ASSIGN_OR_RETURN(Record record, vault_.Get(kDeviceKeyRecordKind, handle));
  ASSIGN_OR_RETURN(crypto::SignatureAlg alg, StoredAlg(record));
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(AsStringView(record.payload.view()));
  if (!key.ok()) return Error(StatusCode::kInvalidKey, "device key record holds no usable private key");
  // The key's type decides its algorithm; a record whose alg disagrees has been tampered with.
  if (key->alg() != alg)
    return Error(StatusCode::kInvalidKey, "device key record alg does not match its key");
  return key->Sign(data);
}

Result<crypto::PublicKey> VaultKeyStore::PublicKey(std::string_view handle) const {
  ASSIGN_OR_RETURN(Record record, vault_.Get(kDeviceKeyRecordKind, handle));
  ASSIGN_OR_RETURN(crypto::SignatureAlg alg, StoredAlg(record));
  const Json* jwk = Find(*record.metadata, "public_jwk");
  if (jwk == nullptr) return Error(StatusCode::kInvalidKey, "device key record has no public key");
  Result<crypto::PublicKey> key = crypto::PublicKey::FromJwk(*jwk);
  if (!key.ok()) return Error(StatusCode::kInvalidKey, "device key record has an unusable public key");
  if (key->alg() != alg)
    return Error(StatusCode::kInvalidKey, "device key record alg does not match its key");
  return std::move(key).value();
}

Status VaultKeyStore::DeleteKey(std::string_view handle) {
  return vault_.Delete(kDeviceKeyRecordKind, handle);
}

}  // namespace bonafide::wallet
