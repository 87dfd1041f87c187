// jose/jwk.h: JWK helpers on top of crypto::PublicKey: RFC 7638 thumbprints.
#ifndef BONAFIDE_JOSE_JWK_H_
#define BONAFIDE_JOSE_JWK_H_

#include <string>

#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace bonafide::jose {

// JwkThumbprint returns the base64url SHA-256 RFC 7638 thumbprint of a public key: the hash of
// the required members (EC: crv, kty, x, y; OKP: crv, kty, x) in lexicographic order, no spaces.
std::string JwkThumbprint(const crypto::PublicKey& key);

// JwkThumbprintUri returns "urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>" (RFC 9278).
std::string JwkThumbprintUri(const crypto::PublicKey& key);

}  // namespace bonafide::jose

#endif  // BONAFIDE_JOSE_JWK_H_
