#include "wallet/key_store.h"

#include <utility>

namespace bonafide::wallet {

Result<KeyStoreSigner> KeyStoreSigner::Create(const KeyStore& store, std::string handle) {
  ASSIGN_OR_RETURN(crypto::PublicKey public_key, store.PublicKey(handle));
  return KeyStoreSigner(&store, std::move(handle), std::move(public_key));
}

}  // namespace bonafide::wallet
