#include "cose/cose_key.h"

#include <optional>

namespace bonafide::cose {
namespace {

constexpr int64_t kKty = 1;
constexpr int64_t kAlg = 3;
constexpr int64_t kCrv = -1;
constexpr int64_t kX = -2;
constexpr int64_t kY = -3;
constexpr int64_t kD = -4;
constexpr int64_t kKtyOkp = 1;
constexpr int64_t kKtyEc2 = 2;
constexpr int64_t kCrvP256 = 1;
constexpr int64_t kCrvP384 = 2;
constexpr int64_t kCrvEd25519 = 6;
constexpr int64_t kAlgEcdhEsHkdf256 = -25;

Status Bad(const std::string& what) { return Error(StatusCode::kInvalidKey, "COSE_Key: " + what); }

Result<int64_t> IntMember(const cbor::Value& key, int64_t label, const char* name) {
  const cbor::Value* v = key.Find(label);
  if (v == nullptr) return Bad(std::string(name) + " is missing");
  Result<int64_t> i = v->AsInt();
  if (!i.ok()) return Bad(std::string(name) + " is not an integer");
  return *i;
}

Result<ByteView> BytesMember(const cbor::Value& key, int64_t label, const char* name, size_t size) {
  const cbor::Value* v = key.Find(label);
  if (v == nullptr) return Bad(std::string(name) + " is missing");
  if (!v->is_bytes()) return Bad(std::string(name) + " is not a byte string");
  if (v->bytes().size() != size) return Bad(std::string(name) + " has the wrong length for the curve");
  return v->bytes();
}

}  // namespace

Result<crypto::PublicKey> PublicKeyFromCoseKey(const cbor::Value& key) {
  if (!key.is_map()) return Bad("not a map");
  if (key.Find(kD) != nullptr) return Bad("carries a private key (d)");
  ASSIGN_OR_RETURN(int64_t kty, IntMember(key, kKty, "kty"));
  ASSIGN_OR_RETURN(int64_t crv, IntMember(key, kCrv, "crv"));
  std::optional<int64_t> alg;
  if (key.Find(kAlg) != nullptr) {
    ASSIGN_OR_RETURN(alg, IntMember(key, kAlg, "alg"));
  }
  if (kty == kKtyOkp) {
    if (crv != kCrvEd25519) return Bad("OKP curve is not Ed25519");
    if (alg && *alg != crypto::CoseAlgId(crypto::SignatureAlg::kEdDSA)) return Bad("alg does not match Ed25519");
    ASSIGN_OR_RETURN(ByteView x, BytesMember(key, kX, "x", 32));
    return crypto::PublicKey::FromEncodedPoint(crypto::SignatureAlg::kEdDSA, x);
  }
  if (kty != kKtyEc2) return Bad("kty is neither EC2 nor OKP");
  crypto::SignatureAlg sig_alg;
  size_t size = 0;
  if (crv == kCrvP256) {
    sig_alg = crypto::SignatureAlg::kES256;
    size = 32;
  } else if (crv == kCrvP384) {
    sig_alg = crypto::SignatureAlg::kES384;
    size = 48;
  } else {
    return Bad("EC2 curve is not P-256 or P-384");
  }
  if (alg && *alg != crypto::CoseAlgId(sig_alg) && *alg != kAlgEcdhEsHkdf256) {
    return Bad("alg does not match the curve");
  }
  ASSIGN_OR_RETURN(ByteView x, BytesMember(key, kX, "x", size));
  const cbor::Value* y = key.Find(kY);
  if (y == nullptr) return Bad("y is missing");
  Bytes point;
  point.reserve(1 + 2 * size);
  if (y->is_bool()) {
    point.push_back(*y->AsBool() ? 0x03 : 0x02);
    point.insert(point.end(), x.begin(), x.end());
  } else {
    ASSIGN_OR_RETURN(ByteView y_bytes, BytesMember(key, kY, "y", size));
    point.push_back(0x04);
    point.insert(point.end(), x.begin(), x.end());
    point.insert(point.end(), y_bytes.begin(), y_bytes.end());
  }
  return crypto::PublicKey::FromEncodedPoint(sig_alg, point);
}

cbor::Value CoseKeyFromPublicKey(const crypto::PublicKey& key) {
  cbor::Value out = cbor::Value::MakeMap();
  const Bytes point = key.EncodedPoint(/*compressed=*/false);
  if (key.alg() == crypto::SignatureAlg::kEdDSA) {
    out.Insert(kKty, cbor::Value::Int(kKtyOkp));
    out.Insert(kCrv, cbor::Value::Int(kCrvEd25519));
    out.Insert(kX, cbor::Value::ByteString(point));
    return out;
  }
  const size_t size = (point.size() - 1) / 2;
  out.Insert(kKty, cbor::Value::Int(kKtyEc2));
  out.Insert(kCrv, cbor::Value::Int(key.alg() == crypto::SignatureAlg::kES384 ? kCrvP384 : kCrvP256));
  out.Insert(kX, cbor::Value::ByteString(ByteView(point).subspan(1, size)));
  out.Insert(kY, cbor::Value::ByteString(ByteView(point).subspan(1 + size, size)));
  return out;
}

}  // namespace bonafide::cose
