#include "jose/jwk.h"

#include "base/encoding.h"
#include "crypto/hash.h"

namespace bonafide::jose {

std::string JwkThumbprint(const crypto::PublicKey& key) {
  // ToJwk emits exactly the required members; nlohmann::json objects iterate in sorted key
  // order and DumpJson writes no whitespace, which is the RFC 7638 canonical form.
  std::string canonical = DumpJson(key.ToJwk());
  return Base64UrlEncode(crypto::Sha256(AsBytes(canonical)));
}

std::string JwkThumbprintUri(const crypto::PublicKey& key) {
  return "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + JwkThumbprint(key);
}

}  // namespace bonafide::jose
