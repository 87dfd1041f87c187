// wallet/key_store.h: KeyStore, the seam for the wallet's device keys (issue 4, section 3: "a
// device key per credential copy, generated in the wallet's key store behind an interface that a
// phone's secure element or a PKCS#11 token can implement").
//
// A device key is the holder key a credential is bound to (the `cnf` key of an SD-JWT VC, the
// DeviceKey of an mdoc, the key of an OpenID4VCI proof JWT). The private key never leaves the
// store: callers hold an opaque handle and ask the store to sign. Key use requires the user to
// have unlocked the store (PIN or platform biometric); a locked store refuses with kInvalidKey.
//
// Implementations: VaultKeyStore (wallet/vault_key_store.h) keeps keys encrypted in the Vault. A
// secure-element or PKCS#11 implementation maps handles to its own key references.
//
// Thread safety: as the implementation documents (VaultKeyStore: not thread-safe).
#ifndef BONAFIDE_WALLET_KEY_STORE_H_
#define BONAFIDE_WALLET_KEY_STORE_H_

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace bonafide::wallet {

// DeviceKey is a newly created key: its handle and public key.
struct DeviceKey {
  std::string handle;  // opaque, random; not derived from the key or any credential
  crypto::PublicKey public_key;
};

// KeyStore holds device keys addressed by opaque handles.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // CreateKey generates a key for `alg` inside the store and returns its handle and public key.
  // kInvalidKey if the store is locked; kUnsupportedAlgorithm if the store cannot make such keys.
  virtual Result<DeviceKey> CreateKey(crypto::SignatureAlg alg) = 0;

  // Sign returns a JOSE/COSE-form signature (crypto/keys.h) over `data` with the key `handle`.
  // kInvalidKey if the store is locked or the stored key is unusable; kNotFound for an unknown
  // handle; kInvalidArgument for a handle that is not syntactically one of this store's.
  virtual Result<Bytes> Sign(std::string_view handle, ByteView data) const = 0;

  // PublicKey returns the public key of `handle`. Errors as Sign (a store may require unlocking
  // for this too: VaultKeyStore does, because a public key identifies the holder).
  virtual Result<crypto::PublicKey> PublicKey(std::string_view handle) const = 0;

  // DeleteKey destroys the key `handle`. Errors as Sign.
  virtual Status DeleteKey(std::string_view handle) = 0;
};

// KeyStoreSigner adapts one key of a KeyStore to crypto::Signer, so it can sign JWS/COSE
// (jose::SignJws, ...). It holds a pointer to the store, which must outlive it; its Sign returns
// the store's errors (kInvalidKey when the store has been locked meanwhile).
class KeyStoreSigner final : public crypto::Signer {
 public:
  // Create looks up the public key of `handle`; errors as KeyStore::PublicKey.
  static Result<KeyStoreSigner> Create(const KeyStore& store, std::string handle);

  crypto::SignatureAlg alg() const override { return public_key_.alg(); }
  const crypto::PublicKey& public_key() const override { return public_key_; }
  Result<Bytes> Sign(ByteView data) const override { return store_->Sign(handle_, data); }
  const std::string& handle() const { return handle_; }

 private:
  KeyStoreSigner(const KeyStore* store, std::string handle, crypto::PublicKey public_key)
      : store_(store), handle_(std::move(handle)), public_key_(std::move(public_key)) {}
  const KeyStore* store_;
  std::string handle_;
  crypto::PublicKey public_key_;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_KEY_STORE_H_
