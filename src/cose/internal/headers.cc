#include "cose/internal/headers.h"

#include <string_view>
#include <utility>

namespace bonafide::cose::internal {
namespace {

constexpr int64_t kAlg = 1;
constexpr int64_t kCrit = 2;
constexpr int64_t kContentType = 3;
constexpr int64_t kKid = 4;
constexpr int64_t kTyp = 16;
constexpr uint64_t kCwt = 61;

// Contains returns whether `map` has a key equal to `key`.
bool Contains(const cbor::Value& map, const cbor::Value& key) {
  for (const auto& [k, v] : map.map()) {
    if (k == key) return true;
  }
  return false;
}

Status ReadTextOrUint(const cbor::Value& map, int64_t label, std::optional<std::string>& text,
                      std::optional<uint64_t>& number) {
  const cbor::Value* v = map.Find(label);
  if (v == nullptr) return OkStatus();
  if (v->is_text()) {
    text = std::string(v->text());
    return OkStatus();
  }
  if (v->is_uint()) {
    number = v->uint_value();
    return OkStatus();
  }
  return Error(StatusCode::kMalformed, "COSE header " + std::to_string(label) + " is neither text nor uint");
}

}  // namespace

Result<const cbor::Value*> UnwrapTag(const cbor::Value& message, uint64_t tag) {
  const cbor::Value* v = &message;
  if (v->is_tag(kCwt)) {
    v = &v->tagged();
    if (!v->is_tag()) return Error(StatusCode::kMalformed, "CWT tag 61 must wrap a tagged COSE message");
  }
  if (v->is_tag()) {
    if (!v->is_tag(tag)) {
      return Error(StatusCode::kMalformed,
                   "CBOR tag " + std::to_string(v->tag()) + " is not the COSE message tag " + std::to_string(tag));
    }
    v = &v->tagged();
  }
  return v;
}

Result<Headers> CheckHeaders(const cbor::Value& protected_item, const cbor::Value& unprotected) {
  if (!protected_item.is_bytes()) return Error(StatusCode::kMalformed, "COSE protected header is not a bstr");
  if (!unprotected.is_map()) return Error(StatusCode::kMalformed, "COSE unprotected header is not a map");
  Headers h;
  ByteView protected_bytes = protected_item.bytes();
  h.protected_bytes.assign(protected_bytes.begin(), protected_bytes.end());
  if (protected_bytes.empty()) {
    h.protected_map = cbor::Value::MakeMap();
  } else {
    cbor::DecodeLimits limits;
    limits.max_depth = 8;
    ASSIGN_OR_RETURN(h.protected_map, cbor::Decode(protected_bytes, limits));
    if (!h.protected_map.is_map()) return Error(StatusCode::kMalformed, "COSE protected header is not a map");
  }
  const cbor::Value& prot = h.protected_map;
  for (const auto& [key, value] : prot.map()) {
    if (!key.is_int() && !key.is_text()) {
      return Error(StatusCode::kMalformed, "COSE header label is neither an integer nor a text string");
    }
    if (Contains(unprotected, key)) {
      return Error(StatusCode::kMalformed, "COSE header label in both protected and unprotected");
    }
  }
  for (const auto& [key, value] : unprotected.map()) {
    if (!key.is_int() && !key.is_text()) {
      return Error(StatusCode::kMalformed, "COSE header label is neither an integer nor a text string");
    }
  }

  const cbor::Value* alg = prot.Find(kAlg);
  if (alg == nullptr) {
    return Error(StatusCode::kUnsupportedAlgorithm, unprotected.Find(kAlg) != nullptr
                                                        ? "COSE alg must be in the protected header"
                                                        : "COSE protected header has no alg");
  }
  Result<int64_t> alg_id = alg->AsInt();
  if (!alg_id.ok()) return Error(StatusCode::kUnsupportedAlgorithm, "COSE alg is not an integer");
  h.alg = *alg_id;

  if (const cbor::Value* crit = prot.Find(kCrit)) {
    if (!crit->is_array() || crit->size() == 0) {
      return Error(StatusCode::kMalformed, "COSE crit is not a non-empty array");
    }
    return Error(StatusCode::kUnknownCritical, "COSE crit lists header parameters this verifier does not process");
  }
  if (unprotected.Find(kCrit) != nullptr) {
    return Error(StatusCode::kMalformed, "COSE crit must be in the protected header");
  }
  RETURN_IF_ERROR(ReadTextOrUint(prot, kContentType, h.content_type, h.content_format));
  RETURN_IF_ERROR(ReadTextOrUint(prot, kTyp, h.typ, h.typ_format));

  const cbor::Value* kid = prot.Find(kKid);
  if (kid == nullptr) kid = unprotected.Find(kKid);
  if (kid != nullptr) {
    if (!kid->is_bytes()) return Error(StatusCode::kMalformed, "COSE kid is not a bstr");
    h.kid = Bytes(kid->bytes().begin(), kid->bytes().end());
  }
  h.unprotected = unprotected;
  return h;
}

void AppendBstr(Bytes& out, ByteView b) { cbor::AppendByteString(out, b); }

Bytes ToBeSigned(std::string_view context, ByteView protected_bytes, ByteView external_aad, ByteView payload) {
  Bytes out;
  out.reserve(32 + protected_bytes.size() + external_aad.size() + payload.size());
  out.push_back(0x84);  // array of 4
  cbor::AppendTextString(out, context);
  AppendBstr(out, protected_bytes);
  AppendBstr(out, external_aad);
  AppendBstr(out, payload);
  return out;
}

}  // namespace bonafide::cose::internal
