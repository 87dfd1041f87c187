// jose/jwe.h: JWE compact serialization (RFC 7516) with ECDH-ES direct key agreement (RFC 7518
// section 4.6) and AES-GCM content encryption (RFC 7518 section 5.3), as OpenID4VP 1.0 uses it for
// `direct_post.jwt` and `dc_api.jwt` Authorization Responses (section 8.3).
//
// The sender generates an ephemeral P-256 key, agrees a secret Z with the recipient's P-256 key,
// derives the content encryption key with the Concat KDF (crypto::ConcatKdfSha256; OtherInfo is
// the "enc" value, apu and apv, and the key length), and encrypts with AES-GCM. The JWE has five
// base64url parts: protected header, an empty encrypted key (Direct Key Agreement), a 96-bit IV,
// the ciphertext and a 128-bit tag; the additional authenticated data is the ASCII of the first
// part as transmitted.
//
// Supported: alg "ECDH-ES" only (not the "+A*KW" key-wrapping variants, not RSA, never "none");
// enc "A256GCM" and "A128GCM" only (no AES-CBC-HMAC); P-256 keys only. Not supported, and
// rejected on decryption: the "zip" header (compression before encryption; kUnsupportedAlgorithm),
// any "crit" header (we process no extensions; kUnknownCritical), the JSON serialization and
// unprotected headers. There is no "Unverified" JWE type: AES-GCM authenticates the header,
// so nothing of a JWE is returned before its tag has been checked.
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_JOSE_JWE_H_
#define BONAFIDE_JOSE_JWE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace bonafide::jose {

// kJweAlgEcdhEs is the one JWE "alg" value supported.
inline constexpr std::string_view kJweAlgEcdhEs = "ECDH-ES";
// kJweEncA256Gcm and kJweEncA128Gcm are the supported "enc" values (RFC 7518 section 5.3).
inline constexpr std::string_view kJweEncA256Gcm = "A256GCM";
inline constexpr std::string_view kJweEncA128Gcm = "A128GCM";

// kMaxJweHeaderBytes bounds the decoded protected header, on both sides.
inline constexpr size_t kMaxJweHeaderBytes = 64 * 1024;

// JweEncryptOptions are the choices of the sender. Empty strings and byte strings are left out of
// the header.
struct JweEncryptOptions {
  std::string enc = std::string(kJweEncA256Gcm);  // "A256GCM" or "A128GCM"
  std::string kid{};  // the recipient key's kid (OpenID4VP: copy it from the chosen JWK)
  Bytes apu{};        // Agreement PartyUInfo, sent base64url-encoded and mixed into the KDF
  Bytes apv{};        // Agreement PartyVInfo, likewise
  std::string typ{};
  std::string cty{};
};

// EncryptEcdhEs returns a compact JWE of `plaintext` for `recipient`. The 96-bit IV is drawn from
// `random`; the ephemeral key comes from crypto::PrivateKey::Generate (the system CSPRNG: crypto
// has no key generation from a Random). The protected header holds alg, enc, epk (kty, crv, x, y
// only) and whichever of kid, apu, apv, typ, cty are set. Returns kInvalidKey when `recipient` is
// not a P-256 key, kUnsupportedAlgorithm for an enc other than A256GCM / A128GCM,
// kInvalidArgument when the header would exceed kMaxJweHeaderBytes or the plaintext is too large
// for AES-GCM.
Result<std::string> EncryptEcdhEs(const crypto::PublicKey& recipient, ByteView plaintext,
                                  const JweEncryptOptions& options, Random& random);

// JweDecryptOptions are the recipient's rules.
struct JweDecryptOptions {
  // accepted_enc lists the enc values accepted (OpenID4VP: the verifier's
  // encrypted_response_enc_values_supported). Values we do not implement never match.
  std::vector<std::string> accepted_enc = {std::string(kJweEncA256Gcm), std::string(kJweEncA128Gcm)};
  // max_bytes bounds the compact serialization; longer input is kLimitExceeded.
  size_t max_bytes = 1 << 20;
  // expected_kid, when set, must equal the header's kid (an absent kid does not match).
  std::optional<std::string> expected_kid{};
};

// DecryptedJwe is the authenticated content of a JWE.
struct DecryptedJwe {
  Bytes plaintext{};
  Json protected_header{};  // the whole decoded protected header
  std::string kid{};        // "" when the header has none
  std::string enc{};
  Bytes apu{};  // decoded; empty when absent
  Bytes apv{};
};

// DecryptEcdhEs authenticates and decrypts the compact JWE `compact` with `recipient`. Returns
//   kLimitExceeded        for input longer than options.max_bytes;
//   kMalformed            for anything but five parts, bad base64url in any part, a header that
//                         is not a JSON object (or has duplicate members, or is larger than
//                         kMaxJweHeaderBytes), a missing or non-string alg / enc, a non-empty
//                         encrypted key part, an IV that is not 12 bytes, a tag that is not 16
//                         bytes, and apu / apv / kid of the wrong type;
//   kUnsupportedAlgorithm for an alg other than ECDH-ES, an enc not supported or not accepted,
//                         and a "zip" header;
//   kUnknownCritical      for any "crit" header;
//   kInvalidKey           for an epk that is missing, not a P-256 public JWK or not on the curve,
//                         a recipient key that is not P-256, or a kid other than expected_kid;
//   kInvalidSignature     when the AES-GCM tag does not verify (a changed header, IV,
//                         ciphertext, tag or a different recipient key), as crypto::Aes*GcmOpen.
Result<DecryptedJwe> DecryptEcdhEs(std::string_view compact, const crypto::PrivateKey& recipient,
                                   const JweDecryptOptions& options = {});

namespace internal {
// EncryptEcdhEsWithEphemeralKey is EncryptEcdhEs with the ephemeral key supplied, for known-answer
// tests only: reusing an ephemeral key links messages and, with a repeated IV, breaks AES-GCM.
// kInvalidKey also when `ephemeral` is not P-256.
Result<std::string> EncryptEcdhEsWithEphemeralKey(const crypto::PublicKey& recipient,
                                                  const crypto::PrivateKey& ephemeral, ByteView plaintext,
                                                  const JweEncryptOptions& options, Random& random);
}  // namespace internal

}  // namespace bonafide::jose

#endif  // BONAFIDE_JOSE_JWE_H_
