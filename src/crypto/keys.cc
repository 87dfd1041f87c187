#include "crypto/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>

#include "base/encoding.h"
#include "crypto/internal/openssl_util.h"

namespace bonafide::crypto {
namespace {

using internal::OpenSslError;

struct BnFree { void operator()(BIGNUM* p) const { BN_clear_free(p); } };
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct ParamBldFree { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct EcdsaSigFree { void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); } };

internal::PkeyPtr Wrap(EVP_PKEY* p) { return internal::PkeyPtr(p, EVP_PKEY_free); }

// NoPassphrase is the PEM password callback: it supplies none. Without it OpenSSL's default
// callback would prompt on the terminal (blocking a server) for an encrypted PEM; with it an
// encrypted key simply fails to load.
int NoPassphrase(char*, int, int, void*) { return -1; }

// MemBio wraps `data` in a read-only BIO; nullptr if it is too large for OpenSSL's int length.
BioPtr MemBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

size_t FieldSize(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return 32;
    case SignatureAlg::kES384: return 48;
    case SignatureAlg::kEdDSA: return 32;
  }
  return 0;
}
const char* GroupName(SignatureAlg alg) {
  return alg == SignatureAlg::kES256 ? "prime256v1" : "secp384r1";
}
const char* JwkCurve(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return "P-256";
    case SignatureAlg::kES384: return "P-384";
    case SignatureAlg::kEdDSA: return "Ed25519";
  }
  return "";
}
const EVP_MD* MdFor(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return internal::Sha256Md();
    case SignatureAlg::kES384: return internal::Sha384Md();
    case SignatureAlg::kEdDSA: return nullptr;
  }
  return nullptr;
}

// AlgOfPkey identifies a supported key type; nullopt for anything else.
std::optional<SignatureAlg> AlgOfPkey(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return SignatureAlg::kEdDSA;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      return std::nullopt;
    }
    std::string_view g(group, len);
    if (g == "prime256v1" || g == "P-256") return SignatureAlg::kES256;
    if (g == "secp384r1" || g == "P-384") return SignatureAlg::kES384;
  }
  return std::nullopt;
}

std::optional<SignatureAlg> AlgOfJwk(const Json& jwk) {
  const Json* kty = Find(jwk, "kty");
  const Json* crv = Find(jwk, "crv");
  if (kty == nullptr || crv == nullptr || !kty->is_string() || !crv->is_string()) return std::nullopt;
  const std::string& k = kty->get_ref<const std::string&>();
  const std::string& c = crv->get_ref<const std::string&>();
  if (k == "EC" && c == "P-256") return SignatureAlg::kES256;
  if (k == "EC" && c == "P-384") return SignatureAlg::kES384;
  if (k == "OKP" && c == "Ed25519") return SignatureAlg::kEdDSA;
  return std::nullopt;
}

// JwkCoordinate decodes a base64url member that must be exactly `size` bytes.
Result<Bytes> JwkCoordinate(const Json& jwk, const char* name, size_t size) {
  const Json* v = Find(jwk, name);
  if (v == nullptr || !v->is_string()) {
    return Error(StatusCode::kInvalidKey, std::string("JWK member \"") + name + "\" missing");
  }
  auto b = Base64UrlDecode(v->get_ref<const std::string&>());
  if (!b.ok() || b->size() != size) {
    return Error(StatusCode::kInvalidKey, std::string("JWK member \"") + name + "\" is not " +
                                              std::to_string(size) + " base64url bytes");
  }
  return std::move(*b);
}

// EcPkeyFromParts builds an EC EVP_PKEY from an uncompressed/compressed point and optional
// private scalar. OpenSSL rejects points not on the curve.
// EcPublicFromPoint is the hot path of EcPkeyFromParts (holder keys arrive with every
// presentation): parameters on the stack and a per-thread import context, so no provider fetch
// or parameter-builder allocation happens per key. OpenSSL still checks the point is on the curve.
Result<internal::PkeyPtr> EcPublicFromPoint(SignatureAlg alg, ByteView point) {
  // A per-thread template key per curve, duplicated and given the new point: duplicating shares
  // the curve set-up that importing by name would rebuild for every key.
  thread_local internal::PkeyPtr templates[2];
  internal::PkeyPtr& tmpl = templates[alg == SignatureAlg::kES256 ? 0 : 1];
  if (!tmpl) {
    internal::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(GroupName(alg)), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(point.data()), point.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* pkey = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      ERR_clear_error();
      return Error(StatusCode::kInvalidKey, "EC point is not valid for the curve");
    }
    tmpl = Wrap(pkey);
    return Wrap(EVP_PKEY_dup(pkey));
  }
  EVP_PKEY* pkey = EVP_PKEY_dup(tmpl.get());
  if (pkey == nullptr) return Error(StatusCode::kInternal, OpenSslError());
  // set1_encoded_public_key decodes the point and rejects one that is not on the curve.
  if (EVP_PKEY_set1_encoded_public_key(pkey, point.data(), point.size()) != 1) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "EC point is not valid for the curve");
  }
  return Wrap(pkey);
}

Result<internal::PkeyPtr> EcPkeyFromParts(SignatureAlg alg, ByteView point, const Bytes* priv) {
  if (priv == nullptr) return EcPublicFromPoint(alg, point);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  BnPtr d;
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, GroupName(alg), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  if (priv != nullptr) {
    d.reset(BN_bin2bn(priv->data(), static_cast<int>(priv->size()), nullptr));
    if (!d || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1) {
      return Error(StatusCode::kInternal, OpenSslError());
    }
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  internal::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "EC point or scalar is not valid for the curve");
  }
  auto out = Wrap(pkey);
  if (priv != nullptr) {
    internal::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
      ERR_clear_error();
      return Error(StatusCode::kInvalidKey, "private key does not match public key");
    }
  }
  return out;
}

Result<Bytes> RawEcSigToDer(ByteView sig, size_t field) {
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> s(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(field), nullptr);
  BIGNUM* ss = BN_bin2bn(sig.data() + field, static_cast<int>(field), nullptr);
  if (!s || !r || !ss || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
    BN_free(r);
    BN_free(ss);
    return Error(StatusCode::kInternal, OpenSslError());
  }
  int len = i2d_ECDSA_SIG(s.get(), nullptr);
  if (len <= 0) return Error(StatusCode::kInternal, OpenSslError());
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(s.get(), &p);
  return der;
}

Result<Bytes> DerEcSigToRaw(ByteView der, size_t field) {
  const uint8_t* p = der.data();
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!s) return Error(StatusCode::kInternal, OpenSslError());
  Bytes out(2 * field);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(s.get()), out.data(), static_cast<int>(field)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(s.get()), out.data() + field, static_cast<int>(field)) < 0) {
    return Error(StatusCode::kInternal, "ECDSA signature component too large");
  }
  return out;
}

Result<PublicKey> PublicFromPkey(internal::PkeyPtr pkey) {
  auto alg = AlgOfPkey(pkey.get());
  if (!alg) return Error(StatusCode::kInvalidKey, "unsupported key type (need P-256, P-384 or Ed25519)");
  return PublicKey::WrapInternal(std::move(pkey), *alg);
}

// PublicOnlyCopy extracts the public half of a key pair into its own EVP_PKEY. EC keys go through
// their encoded point and EcPublicFromPoint's per-thread template: the DER round trip (Ed25519,
// or an EC key whose point cannot be read) sets up an OpenSSL 3 decoder per call, which costs
// more than generating the key.
Result<internal::PkeyPtr> PublicOnlyCopy(EVP_PKEY* pkey) {
  if (const std::optional<SignatureAlg> alg = AlgOfPkey(pkey); alg && *alg != SignatureAlg::kEdDSA) {
    uint8_t point[1 + 2 * 48];  // an uncompressed P-384 point, the largest
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len) == 1) {
      return EcPublicFromPoint(*alg, ByteView(point, len));
    }
    ERR_clear_error();
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return Error(StatusCode::kInternal, OpenSslError());
  const unsigned char* p = der;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  OPENSSL_free(der);
  if (pub == nullptr) return Error(StatusCode::kInternal, OpenSslError());
  return Wrap(pub);
}

}  // namespace

std::string_view JwsAlgName(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return "ES256";
    case SignatureAlg::kES384: return "ES384";
    case SignatureAlg::kEdDSA: return "EdDSA";
  }
  return "";
}

std::optional<SignatureAlg> ParseJwsAlg(std::string_view name) {
  if (name == "ES256") return SignatureAlg::kES256;
  if (name == "ES384") return SignatureAlg::kES384;
  if (name == "EdDSA") return SignatureAlg::kEdDSA;
  return std::nullopt;
}

int CoseAlgId(SignatureAlg alg) {
  switch (alg) {
    case SignatureAlg::kES256: return -7;
    case SignatureAlg::kES384: return -35;
    case SignatureAlg::kEdDSA: return -8;
  }
  return 0;
}

std::optional<SignatureAlg> ParseCoseAlg(int64_t id) {
  if (id == -7) return SignatureAlg::kES256;
  if (id == -35) return SignatureAlg::kES384;
  if (id == -8) return SignatureAlg::kEdDSA;
  return std::nullopt;
}

// ---- PublicKey ----

Result<PublicKey> PublicKey::FromJwk(const Json& jwk) {
  if (!jwk.is_object()) return Error(StatusCode::kInvalidKey, "JWK is not an object");
  auto alg = AlgOfJwk(jwk);
  if (!alg) return Error(StatusCode::kInvalidKey, "unsupported JWK kty/crv (need EC P-256, EC P-384 or OKP Ed25519)");
  size_t field = FieldSize(*alg);
  ASSIGN_OR_RETURN(Bytes x, JwkCoordinate(jwk, "x", field));
  if (*alg == SignatureAlg::kEdDSA) return FromEncodedPoint(*alg, x);
  ASSIGN_OR_RETURN(Bytes y, JwkCoordinate(jwk, "y", field));
  Bytes point;
  point.reserve(1 + 2 * field);
  point.push_back(0x04);
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  return FromEncodedPoint(*alg, point);
}

namespace {

// ScratchKey returns this thread's reusable key of `alg` (an EC curve) holding `point`, an
// uncompressed point: set to it unless it holds it already, which checks that the point is on
// the curve. nullptr when it is not (or memory ran out). Verifying with it costs no key
// allocation, set-up or free per key.
EVP_PKEY* ScratchKey(SignatureAlg alg, const Bytes& point) {
  struct Scratch {
    internal::PkeyPtr pkey;
    Bytes point;  // what pkey holds now
  };
  thread_local Scratch scratch[2];
  Scratch& s = scratch[alg == SignatureAlg::kES256 ? 0 : 1];
  if (s.pkey && s.point == point) return s.pkey.get();
  s.point.clear();
  if (!s.pkey) {
    Result<internal::PkeyPtr> made = EcPublicFromPoint(alg, point);
    if (!made.ok()) return nullptr;
    s.pkey = std::move(*made);
  } else if (EVP_PKEY_set1_encoded_public_key(s.pkey.get(), point.data(), point.size()) != 1) {
    ERR_clear_error();
    s.pkey.reset();  // not knowing what a failed update left, start again next time
    return nullptr;
  }
  s.point = point;
  return s.pkey.get();
}

}  // namespace

struct PublicKey::Holder {
  explicit Holder(internal::PkeyPtr p) : pkey(std::move(p)), from_point(pkey == nullptr) {}
  std::once_flag once;
  internal::PkeyPtr pkey;  // set at construction, or by raw() for a key built from its point
  const bool from_point;
  std::atomic<uint32_t> verifies{0};  // Verify calls of a key built from its point
};

PublicKey::PublicKey(internal::PkeyPtr pkey, SignatureAlg alg, Bytes point)
    : holder_(std::make_shared<Holder>(std::move(pkey))),
      alg_(alg),
      point_(std::make_shared<const Bytes>(std::move(point))) {}

EVP_PKEY* PublicKey::raw() const {
  if (!holder_) return nullptr;
  Holder& h = *holder_;
  std::call_once(h.once, [&] {
    if (h.pkey != nullptr) return;
    Result<internal::PkeyPtr> made = EcPublicFromPoint(alg_, *point_);
    if (made.ok()) h.pkey = std::move(*made);
  });
  return h.pkey.get();
}

Result<PublicKey> PublicKey::FromEncodedPoint(SignatureAlg alg, ByteView point) {
  if (alg == SignatureAlg::kEdDSA) {
    if (point.size() != 32) return Error(StatusCode::kInvalidKey, "Ed25519 public key must be 32 bytes");
    EVP_PKEY* p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, point.data(), point.size());
    if (p == nullptr) {
      ERR_clear_error();
      return Error(StatusCode::kInvalidKey, "invalid Ed25519 public key");
    }
    return PublicKey(Wrap(p), alg, Bytes(point.begin(), point.end()));
  }
  size_t field = FieldSize(alg);
  bool shape_ok = (point.size() == 1 + 2 * field && point[0] == 0x04) ||
                  (point.size() == 1 + field && (point[0] == 0x02 || point[0] == 0x03));
  if (!shape_ok) return Error(StatusCode::kInvalidKey, "EC point has the wrong encoding or length");
  if (point[0] == 0x04) {
    // Checked on this thread's scratch key; the key's own OpenSSL key is made only if needed.
    Bytes uncompressed(point.begin(), point.end());
    if (ScratchKey(alg, uncompressed) == nullptr) return Error(StatusCode::kInvalidKey, "EC point is not valid for the curve");
    return PublicKey(nullptr, alg, std::move(uncompressed));
  }
  ASSIGN_OR_RETURN(auto pkey, EcPkeyFromParts(alg, point, nullptr));
  return PublicKey(std::move(pkey), alg);
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  EVP_PKEY* p = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr;
  if (p == nullptr) {
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "not a PEM public key");
  }
  return PublicFromPkey(Wrap(p));
}

Result<PublicKey> PublicKey::FromPkeyInternal(internal::PkeyPtr pkey) { return PublicFromPkey(std::move(pkey)); }

Result<PublicKey> PublicKey::FromSpkiDer(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr || p != der.data() + der.size()) {
    EVP_PKEY_free(k);
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "not a DER SubjectPublicKeyInfo");
  }
  return PublicFromPkey(Wrap(k));
}

namespace {
// ExtractPoint reads the uncompressed SEC1 point (EC) or raw key (Ed25519) out of `pkey`.
Bytes ExtractPoint(EVP_PKEY* pkey, SignatureAlg alg) {
  if (alg == SignatureAlg::kEdDSA) {
    Bytes out(32);
    size_t len = out.size();
    EVP_PKEY_get_raw_public_key(pkey, out.data(), &len);
    return out;
  }
  // Read x and y, then encode ourselves so the output form does not depend on key settings.
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x);
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
  size_t field = FieldSize(alg);
  Bytes out(1 + 2 * field);
  out[0] = 0x04;
  BN_bn2binpad(x, out.data() + 1, static_cast<int>(field));
  BN_bn2binpad(y, out.data() + 1 + field, static_cast<int>(field));
  BN_free(x);
  BN_free(y);
  return out;
}
}  // namespace

PublicKey::PublicKey(internal::PkeyPtr pkey, SignatureAlg alg)
    : holder_(std::make_shared<Holder>(std::move(pkey))), alg_(alg) {
  point_ = std::make_shared<const Bytes>(ExtractPoint(holder_->pkey.get(), alg));
}

Bytes PublicKey::EncodedPoint(bool compressed) const {
  const Bytes& p = *point_;
  if (alg_ == SignatureAlg::kEdDSA || !compressed) return p;
  size_t field = FieldSize(alg_);
  Bytes out(p.begin(), p.begin() + 1 + static_cast<std::ptrdiff_t>(field));
  out[0] = (p.back() & 1) ? 0x03 : 0x02;
  return out;
}

Json PublicKey::ToJwk() const {
  Json jwk = Json::object();
  size_t field = FieldSize(alg_);
  if (alg_ == SignatureAlg::kEdDSA) {
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = Base64UrlEncode(EncodedPoint(false));
  } else {
    Bytes p = EncodedPoint(false);
    jwk["kty"] = "EC";
    jwk["crv"] = JwkCurve(alg_);
    jwk["x"] = Base64UrlEncode(ByteView(p).subspan(1, field));
    jwk["y"] = Base64UrlEncode(ByteView(p).subspan(1 + field, field));
  }
  return jwk;
}

Bytes PublicKey::ToSpkiDer() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(raw(), &der);
  Bytes out;
  if (len > 0) out.assign(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), raw());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Status PublicKey::Verify(ByteView data, ByteView signature) const {
  // A key built from its point checks its first signature with this thread's scratch key (a
  // holder key in a proof or a presentation is checked once); from the second on it makes and
  // keeps its own (an issuer's key is checked again and again).
  EVP_PKEY* key = nullptr;
  if (holder_ && holder_->from_point && holder_->verifies.fetch_add(1, std::memory_order_relaxed) == 0) {
    key = ScratchKey(alg_, *point_);
  }
  if (key == nullptr) key = raw();
  if (key == nullptr) return Error(StatusCode::kInternal, "out of memory");
  internal::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return Error(StatusCode::kInternal, "out of memory");
  if (alg_ == SignatureAlg::kEdDSA) {
    if (signature.size() != 64) return Error(StatusCode::kInvalidSignature, "Ed25519 signature must be 64 bytes");
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) {
      return Error(StatusCode::kInternal, OpenSslError());
    }
    int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
    ERR_clear_error();
    if (rc != 1) return Error(StatusCode::kInvalidSignature, "signature does not verify");
    return OkStatus();
  }
  size_t field = FieldSize(alg_);
  if (signature.size() != 2 * field) {
    return Error(StatusCode::kInvalidSignature, "ECDSA signature must be " + std::to_string(2 * field) + " bytes (r||s)");
  }
  ASSIGN_OR_RETURN(Bytes der, RawEcSigToDer(signature, field));
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, MdFor(alg_), nullptr, key) != 1 ||
      EVP_DigestVerifyUpdate(ctx.get(), data.data(), data.size()) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  int rc = EVP_DigestVerifyFinal(ctx.get(), der.data(), der.size());
  ERR_clear_error();
  if (rc != 1) return Error(StatusCode::kInvalidSignature, "signature does not verify");
  return OkStatus();
}

bool PublicKey::Equals(const PublicKey& other) const {
  // The cached point is the key's one canonical encoding (uncompressed SEC1, or the raw Ed25519
  // key), so comparing it is comparing the keys, without OpenSSL comparing the curve groups
  // field by field (EVP_PKEY_eq), which cost more than a signature check in a batch of proofs.
  if (alg_ != other.alg_) return false;
  if (point_ && other.point_) return *point_ == *other.point_;
  return EVP_PKEY_eq(raw(), other.raw()) == 1;
}

// ---- PrivateKey ----

Result<PrivateKey> PrivateKey::Generate(SignatureAlg alg) {
  internal::PkeyPtr pkey;
  if (alg == SignatureAlg::kEdDSA) {
    EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (p == nullptr) return Error(StatusCode::kInternal, OpenSslError());
    pkey = Wrap(p);
  } else {
    // EC keys are made often (a device key per credential copy, an ephemeral key per encrypted
    // response or verifier session), so each thread keeps a key generation context per curve,
    // set up once, instead of fetching the algorithm and setting the group for every key; and
    // the public half is built from the encoded point read once, which also becomes the
    // PublicKey's cached point (reading x and y back as BIGNUMs cost more than making the key).
    thread_local internal::PkeyCtx contexts[2];
    internal::PkeyCtx& ctx = contexts[alg == SignatureAlg::kES256 ? 0 : 1];
    if (!ctx) {
      internal::PkeyCtx fresh(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(GroupName(alg)), 0),
          OSSL_PARAM_construct_end()};
      if (!fresh || EVP_PKEY_keygen_init(fresh.get()) != 1 || EVP_PKEY_CTX_set_params(fresh.get(), params) != 1) {
        return Error(StatusCode::kInternal, OpenSslError());
      }
      ctx = std::move(fresh);
    }
    EVP_PKEY* p = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &p) != 1 || p == nullptr) return Error(StatusCode::kInternal, OpenSslError());
    pkey = Wrap(p);
    uint8_t point[1 + 2 * 48];  // an uncompressed P-384 point, the largest
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point,
                                        &len) == 1 &&
        len == 1 + 2 * FieldSize(alg) && point[0] == 0x04) {
      ASSIGN_OR_RETURN(auto pub, EcPublicFromPoint(alg, ByteView(point, len)));
      return PrivateKey(std::move(pkey), PublicKey::WrapInternal(std::move(pub), alg, Bytes(point, point + len)));
    }
    ERR_clear_error();
  }
  ASSIGN_OR_RETURN(auto pub, PublicOnlyCopy(pkey.get()));
  return PrivateKey(std::move(pkey), PublicKey::WrapInternal(std::move(pub), alg));
}

Result<PrivateKey> PrivateKey::FromJwk(const Json& jwk) {
  if (!jwk.is_object()) return Error(StatusCode::kInvalidKey, "JWK is not an object");
  auto alg = AlgOfJwk(jwk);
  if (!alg) return Error(StatusCode::kInvalidKey, "unsupported JWK kty/crv (need EC P-256, EC P-384 or OKP Ed25519)");
  if (Find(jwk, "d") == nullptr) return Error(StatusCode::kInvalidKey, "JWK has no private member \"d\"");
  size_t field = FieldSize(*alg);
  ASSIGN_OR_RETURN(Bytes d, JwkCoordinate(jwk, "d", field));
  SecretBytes d_secret(std::move(d));
  ASSIGN_OR_RETURN(PublicKey declared, PublicKey::FromJwk(jwk));
  internal::PkeyPtr pkey;
  if (*alg == SignatureAlg::kEdDSA) {
    EVP_PKEY* p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, d_secret.view().data(), field);
    if (p == nullptr) {
      ERR_clear_error();
      return Error(StatusCode::kInvalidKey, "invalid Ed25519 private key");
    }
    pkey = Wrap(p);
  } else {
    Bytes dcopy(d_secret.view().begin(), d_secret.view().end());
    auto made = EcPkeyFromParts(*alg, declared.EncodedPoint(false), &dcopy);
    OPENSSL_cleanse(dcopy.data(), dcopy.size());
    if (!made.ok()) return made.status();
    pkey = std::move(*made);
  }
  ASSIGN_OR_RETURN(auto pub, PublicOnlyCopy(pkey.get()));
  PublicKey derived = PublicKey::WrapInternal(std::move(pub), *alg);
  if (!derived.Equals(declared)) return Error(StatusCode::kInvalidKey, "private key does not match public key");
  return PrivateKey(std::move(pkey), std::move(derived));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  EVP_PKEY* p = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr;
  if (p == nullptr) {
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "not a PEM private key");
  }
  auto pkey = Wrap(p);
  auto alg = AlgOfPkey(pkey.get());
  if (!alg) return Error(StatusCode::kInvalidKey, "unsupported key type (need P-256, P-384 or Ed25519)");
  if (*alg != SignatureAlg::kEdDSA) {
    // A SEC1 or PKCS#8 EC key carries both the scalar and (optionally) the point; check they agree
    // and the point is on the curve, as FromJwk does.
    internal::PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
      ERR_clear_error();
      return Error(StatusCode::kInvalidKey, "PEM private key does not match its public key");
    }
  }
  ASSIGN_OR_RETURN(auto pub, PublicOnlyCopy(pkey.get()));
  return PrivateKey(std::move(pkey), PublicKey::WrapInternal(std::move(pub), *alg));
}

Result<Bytes> PrivateKey::Sign(ByteView data) const {
  internal::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return Error(StatusCode::kInternal, "out of memory");
  SignatureAlg a = alg();
  if (EVP_DigestSignInit(ctx.get(), nullptr, MdFor(a), nullptr, pkey_.get()) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  if (a == SignatureAlg::kEdDSA) {
    Bytes sig(64);
    size_t len = sig.size();
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
      return Error(StatusCode::kInternal, OpenSslError());
    }
    return sig;
  }
  size_t len = 0;
  if (EVP_DigestSignUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestSignFinal(ctx.get(), nullptr, &len) != 1) {
    return Error(StatusCode::kInternal, OpenSslError());
  }
  Bytes der(len);
  if (EVP_DigestSignFinal(ctx.get(), der.data(), &len) != 1) return Error(StatusCode::kInternal, OpenSslError());
  der.resize(len);
  return DerEcSigToRaw(der, FieldSize(a));
}

Json PrivateKey::ExportJwk() const {
  Json jwk = public_key_.ToJwk();
  size_t field = FieldSize(alg());
  Bytes d(field);
  if (alg() == SignatureAlg::kEdDSA) {
    size_t len = d.size();
    EVP_PKEY_get_raw_private_key(pkey_.get(), d.data(), &len);
  } else {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &bn);
    BN_bn2binpad(bn, d.data(), static_cast<int>(field));
    BN_clear_free(bn);
  }
  jwk["d"] = Base64UrlEncode(d);
  OPENSSL_cleanse(d.data(), d.size());
  return jwk;
}

SecretBytes PrivateKey::ExportPem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(Bytes(data, data + len));
}

Result<SecretBytes> EcdhP256(const PrivateKey& mine, const PublicKey& theirs) {
  if (mine.alg() != SignatureAlg::kES256 || theirs.alg() != SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ECDH needs two P-256 keys");
  }
  // Peer validation: P-256 has cofactor 1, so a point that is on the curve and not the point at
  // infinity is a valid public key (NIST SP 800-56A rev. 3, 5.6.2.3.4, partial validation, which
  // suffices for ephemeral keys). EVP_PKEY_derive_set_peer's default full check adds a
  // multiplication by the group order, as costly as the ECDH itself, that can never fail here.
  internal::PkeyCtx peer(EVP_PKEY_CTX_new_from_pkey(nullptr, theirs.raw(), nullptr));
  if (!peer || EVP_PKEY_public_check_quick(peer.get()) != 1) {
    ERR_clear_error();
    return Error(StatusCode::kInvalidKey, "ECDH peer key is not a valid P-256 point");
  }
  internal::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine.raw(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), theirs.raw(), /*validate_peer=*/0) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return Error(StatusCode::kInvalidKey, OpenSslError());
  }
  SecretBytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.mutable_data(), &len) != 1) return Error(StatusCode::kInternal, OpenSslError());
  return out;
}

}  // namespace bonafide::crypto
