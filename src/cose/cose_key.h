// cose/cose_key.h: COSE_Key (RFC 9052 section 7, RFC 9053 section 7) for the public keys mdoc
// carries: the device key in the MSO, the ephemeral session keys (EDeviceKey, EReaderKey).
//
// Supported: kty EC2 (2) with crv P-256 (1) or P-384 (2), x and y as byte strings of the curve
// size, or y as a bool (point compression, RFC 9053 7.1.1); kty OKP (1) with crv Ed25519 (6) and
// x of 32 bytes. A key with `d` (a private key) is refused: mdoc structures carry public keys only.
// Labels other than kty, kid (2), alg (3), key_ops (4), crv, x, y are ignored; alg, when present,
// must be an integer matching the curve (ES256 for P-256, ES384 for P-384, EdDSA for Ed25519) or
// ECDH-ES+HKDF-256 (-25) for an EC2 key used for key agreement.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_COSE_COSE_KEY_H_
#define BONAFIDE_COSE_COSE_KEY_H_

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"

namespace bonafide::cose {

// PublicKeyFromCoseKey returns the public key a COSE_Key map describes; kInvalidKey for a key of
// an unsupported type or curve, a point not on the curve, a private key, or wrong member types.
Result<crypto::PublicKey> PublicKeyFromCoseKey(const cbor::Value& cose_key);

// CoseKeyFromPublicKey returns `key` as a COSE_Key map without alg or kid: {1: 2, -1: crv, -2: x,
// -3: y} for EC2 (uncompressed), {1: 1, -1: 6, -2: x} for Ed25519.
cbor::Value CoseKeyFromPublicKey(const crypto::PublicKey& key);

}  // namespace bonafide::cose

#endif  // BONAFIDE_COSE_COSE_KEY_H_
