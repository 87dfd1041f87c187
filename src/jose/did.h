// jose/did.h: holder and issuer identifiers as DIDs: did:key (P-256, P-384 and Ed25519, multibase
// base58btc with multicodec prefixes p256-pub 0x1200, p384-pub 0x1201 and ed25519-pub 0xed,
// EC points compressed), did:jwk, and
// did:web documents supplied by the caller (no network here).
//
// Thread safety: pure functions.
#ifndef BONAFIDE_JOSE_DID_H_
#define BONAFIDE_JOSE_DID_H_

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace bonafide::jose {

// DidKeyFromPublicKey returns "did:key:z..." for a P-256 / P-384 (compressed point) or Ed25519
// key. The Result is kept for key types did:key cannot express; every current type succeeds.
Result<std::string> DidKeyFromPublicKey(const crypto::PublicKey& key);

// DidJwkFromPublicKey returns "did:jwk:<base64url(public JWK)>".
std::string DidJwkFromPublicKey(const crypto::PublicKey& key);

// ResolveDidKey resolves a did:key or did:jwk DID, or a DID URL with a fragment (the fragment
// must be the did:key's own multibase value or "0" for did:jwk), to the public key it encodes.
// kMalformed for syntax errors (not did:key/did:jwk, multibase other than 'z', bad base58 or
// base64url, a wrong or empty fragment), kInvalidKey for an unsupported multicodec, a key of the
// wrong length, a point off the curve, or a did:jwk carrying a private key; kLimitExceeded for
// a did:key value longer than 256 characters.
Result<crypto::PublicKey> ResolveDidKey(std::string_view did);

// Base58BtcEncode / Base58BtcDecode (Bitcoin alphabet). Decode is kMalformed on bad input.
std::string Base58BtcEncode(ByteView data);
Result<Bytes> Base58BtcDecode(std::string_view text);

// DidWebFromUrl returns the did:web DID of an http(s) URL (e.g. an issuer identifier):
// "did:web:" + host (":" of a port as "%3A") + ":"-joined path segments (query and fragment
// ignored). kInvalidArgument for a URL without scheme or host.
Result<std::string> DidWebFromUrl(std::string_view url);

// DidWebDocumentUrl returns where the document of `did` (a did:web DID without fragment) lives:
// https://<host>/.well-known/did.json without path segments, https://<host>/<path>/did.json with
// them; http instead of https when `use_http`. kMalformed for a DID that is not did:web.
Result<std::string> DidWebDocumentUrl(std::string_view did, bool use_http);

// ResolveDidWebKey finds the verification method `kid` (a DID URL "did:web:host#key-1", or a
// bare fragment) in the did:web document `doc` whose `id` must equal the DID part of `kid`.
// Supports JsonWebKey2020 / JsonWebKey (publicKeyJwk) methods. kNotFound when absent.
Result<crypto::PublicKey> ResolveDidWebKey(const Json& doc, std::string_view kid);

}  // namespace bonafide::jose

#endif  // BONAFIDE_JOSE_DID_H_
