// crypto/keys.h: signing keys for ES256 (P-256), ES384 (P-384) and EdDSA (Ed25519), their JWK
// (RFC 7517/7518/8037) and PEM forms, ECDH on P-256, and the Signer seam for HSMs.
//
// Keys are created only through factories that validate them (points on the curve, private key
// matching public key, coordinates of exact length), so an invalid key object cannot exist.
// A key's type decides its algorithm: a P-256 key is ES256 and nothing else.
// Signatures are in JOSE/COSE form: r || s, each left-padded to the field size, for ECDSA; the
// 64-byte signature for Ed25519.
//
// Thread safety: PublicKey and PrivateKey are immutable after creation and safe to share across
// threads; copies share the underlying OpenSSL key (reference counted).
#ifndef BONAFIDE_CRYPTO_KEYS_H_
#define BONAFIDE_CRYPTO_KEYS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/json.h"
#include "base/secret.h"
#include "base/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept opaque outside src/crypto.

namespace bonafide::crypto {

// SignatureAlg is the set of signature algorithms bonafide accepts (an allow-list).
enum class SignatureAlg { kES256, kES384, kEdDSA };

// JwsAlgName returns "ES256", "ES384" or "EdDSA".
std::string_view JwsAlgName(SignatureAlg alg);
// ParseJwsAlg maps a JWS alg name to SignatureAlg; nullopt for anything else, including "none"
// and the HMAC algorithms.
std::optional<SignatureAlg> ParseJwsAlg(std::string_view name);
// CoseAlgId returns the COSE algorithm identifier (-7, -35, -8).
int CoseAlgId(SignatureAlg alg);
std::optional<SignatureAlg> ParseCoseAlg(int64_t id);

namespace internal {
using PkeyPtr = std::shared_ptr<evp_pkey_st>;
}  // namespace internal

// PublicKey is a validated public key of one of the supported types.
class PublicKey {
 public:
  // FromJwk parses a public JWK (kty EC with crv P-256/P-384, or kty OKP with crv Ed25519).
  // Private members are ignored. kInvalidKey for anything unsupported or malformed.
  static Result<PublicKey> FromJwk(const Json& jwk);
  // FromPem parses a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
  static Result<PublicKey> FromPem(std::string_view pem);
  // FromSpkiDer parses DER SubjectPublicKeyInfo.
  static Result<PublicKey> FromSpkiDer(ByteView der);
  // FromEncodedPoint builds a key of algorithm `alg` from a SEC1 point (compressed or
  // uncompressed) for ECDSA, or the 32 raw bytes for Ed25519.
  static Result<PublicKey> FromEncodedPoint(SignatureAlg alg, ByteView point);

  SignatureAlg alg() const { return alg_; }
  // ToJwk returns the public JWK with members kty, crv, x (and y for EC) only.
  Json ToJwk() const;
  std::string ToPem() const;
  Bytes ToSpkiDer() const;
  // EncodedPoint returns the SEC1 point (compressed if asked) or raw Ed25519 bytes.
  Bytes EncodedPoint(bool compressed) const;
  // EncodedPointView is EncodedPoint(false) without a copy, valid while this key or a copy of it
  // lives. Its length also tells the algorithm (65 bytes P-256, 97 P-384, 32 Ed25519).
  ByteView EncodedPointView() const { return point_ ? ByteView(*point_) : ByteView(); }

  // Verify checks `signature` over `data`. OK or kInvalidSignature; a signature of the wrong
  // length or a non-canonical encoding is kInvalidSignature, never a crash.
  Status Verify(ByteView data, ByteView signature) const;

  // Equals compares the public key material.
  bool Equals(const PublicKey& other) const;

  // raw is the OpenSSL key, for src/crypto only. A key built from an uncompressed EC point
  // (FromEncodedPoint, FromJwk) gets one only here, on first use: Verify checks a signature with a
  // per-thread key set to the point instead, so a key checked once, such as a holder key in a
  // proof, never costs a key of its own. nullptr only when OpenSSL runs out of memory.
  evp_pkey_st* raw() const;
  // FromPkeyInternal wraps a key OpenSSL already decoded (for src/crypto only); kInvalidKey when
  // it is not of a supported type.
  static Result<PublicKey> FromPkeyInternal(internal::PkeyPtr pkey);
  static PublicKey WrapInternal(internal::PkeyPtr pkey, SignatureAlg alg) {
    return PublicKey(std::move(pkey), alg);
  }
  // WrapInternal with the key's point (uncompressed SEC1, or raw Ed25519) already at hand.
  static PublicKey WrapInternal(internal::PkeyPtr pkey, SignatureAlg alg, Bytes point) {
    return PublicKey(std::move(pkey), alg, std::move(point));
  }

 private:
  struct Holder;  // the OpenSSL key, or the means to make it once (keys.cc)
  // Reads the public point out of `pkey` (slow: only when the caller does not have it).
  PublicKey(internal::PkeyPtr pkey, SignatureAlg alg);
  // `point` is the uncompressed SEC1 point (EC) or the raw key (Ed25519) of `pkey`; with a null
  // `pkey`, an EC key known by its point alone (checked to be on the curve), made by raw().
  PublicKey(internal::PkeyPtr pkey, SignatureAlg alg, Bytes point);
  std::shared_ptr<Holder> holder_;
  SignatureAlg alg_;
  // Cached encoding: ToJwk, EncodedPoint and thumbprints are on hot paths (issuance, key
  // binding) and reading it back out of OpenSSL costs more than the hash that follows.
  std::shared_ptr<const Bytes> point_;
};

// Signer produces signatures with a key it may not reveal. PrivateKey is the in-process signer;
// an HSM or cloud KMS implements the same interface.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual SignatureAlg alg() const = 0;
  virtual const PublicKey& public_key() const = 0;
  // Sign returns a JOSE/COSE-form signature over `data`, or kInternal on failure.
  virtual Result<Bytes> Sign(ByteView data) const = 0;
};

// PrivateKey is a validated private key; never printed, exported only on request.
class PrivateKey final : public Signer {
 public:
  // Generate makes a fresh key for `alg` from the system CSPRNG.
  static Result<PrivateKey> Generate(SignatureAlg alg);
  // FromJwk parses a private JWK (must contain d, matching x/y). kInvalidKey otherwise.
  static Result<PrivateKey> FromJwk(const Json& jwk);
  // FromPem parses PKCS#8 ("BEGIN PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY") PEM.
  static Result<PrivateKey> FromPem(std::string_view pem);

  SignatureAlg alg() const override { return public_key_.alg(); }
  const PublicKey& public_key() const override { return public_key_; }
  Result<Bytes> Sign(ByteView data) const override;

  // ExportJwk returns the private JWK including d. Treat the result as secret.
  Json ExportJwk() const;
  // ExportPem returns unencrypted PKCS#8 PEM. Treat the result as secret.
  SecretBytes ExportPem() const;

  evp_pkey_st* raw() const { return pkey_.get(); }  // for src/crypto only

 private:
  PrivateKey(internal::PkeyPtr pkey, PublicKey pub) : pkey_(std::move(pkey)), public_key_(std::move(pub)) {}
  internal::PkeyPtr pkey_;
  PublicKey public_key_;
};

// EcdhP256 returns the shared secret x-coordinate (32 bytes) of ECDH between a P-256 private and
// public key; kInvalidKey if either is not P-256.
Result<SecretBytes> EcdhP256(const PrivateKey& mine, const PublicKey& theirs);

}  // namespace bonafide::crypto

#endif  // BONAFIDE_CRYPTO_KEYS_H_
