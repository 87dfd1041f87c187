#include "cose/cose_sign1.h"

#include <cbor.h>

#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>

namespace bonafide::cose {
namespace {

struct ItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Item = std::unique_ptr<cbor_item_t, ItemDeleter>;

Status EncodeFailed() { return Error(StatusCode::kInternal, "CBOR encoding failed"); }

// BuildUint makes an unsigned integer item of the smallest width, so it serializes in preferred
// (shortest) form.
Item BuildUint(uint64_t v) {
  if (v <= 0xff) return Item(cbor_build_uint8(static_cast<uint8_t>(v)));
  if (v <= 0xffff) return Item(cbor_build_uint16(static_cast<uint16_t>(v)));
  if (v <= 0xffffffff) return Item(cbor_build_uint32(static_cast<uint32_t>(v)));
  return Item(cbor_build_uint64(v));
}

// BuildInt makes an integer item of the smallest width.
Item BuildInt(int64_t v) {
  if (v >= 0) return BuildUint(static_cast<uint64_t>(v));
  const uint64_t n = static_cast<uint64_t>(-(v + 1));  // the encoded argument: v = -1 - n
  if (n <= 0xff) return Item(cbor_build_negint8(static_cast<uint8_t>(n)));
  if (n <= 0xffff) return Item(cbor_build_negint16(static_cast<uint16_t>(n)));
  if (n <= 0xffffffff) return Item(cbor_build_negint32(static_cast<uint32_t>(n)));
  return Item(cbor_build_negint64(n));
}

Item BuildBytes(ByteView b) {
  static const uint8_t kNothing = 0;  // libcbor copies from the pointer even for length 0
  return Item(cbor_build_bytestring(b.empty() ? &kNothing : b.data(), b.size()));
}

Item BuildText(std::string_view s) {
  static const char kNothing = 0;
  return Item(cbor_build_stringn(s.empty() ? &kNothing : s.data(), s.size()));
}

// Push appends `element` to `array` (which takes its own reference).
Status Push(cbor_item_t* array, const Item& element) {
  if (element == nullptr || !cbor_array_push(array, element.get())) return EncodeFailed();
  return OkStatus();
}

// Put adds key -> value to `map` (which takes its own references).
Status Put(cbor_item_t* map, const Item& key, const Item& value) {
  if (key == nullptr || value == nullptr) return EncodeFailed();
  if (!cbor_map_add(map, cbor_pair{key.get(), value.get()})) return EncodeFailed();
  return OkStatus();
}

// Encode serializes `item` with definite lengths.
Result<Bytes> Encode(const Item& item) {
  if (item == nullptr) return EncodeFailed();
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  const size_t n = cbor_serialize_alloc(item.get(), &buffer, &capacity);
  if (n == 0 || buffer == nullptr) {
    std::free(buffer);
    return EncodeFailed();
  }
  Bytes out(buffer, buffer + n);
  std::free(buffer);
  return out;
}

// SigStructure encodes ["Signature1", body_protected, external_aad, payload] (RFC 9052 4.4).
Result<Bytes> SigStructure(ByteView protected_header, ByteView external_aad, ByteView payload) {
  Item array(cbor_new_definite_array(4));
  if (array == nullptr) return EncodeFailed();
  RETURN_IF_ERROR(Push(array.get(), BuildText("Signature1")));
  RETURN_IF_ERROR(Push(array.get(), BuildBytes(protected_header)));
  RETURN_IF_ERROR(Push(array.get(), BuildBytes(external_aad)));
  RETURN_IF_ERROR(Push(array.get(), BuildBytes(payload)));
  return Encode(array);
}

void Append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

// Assemble signs and writes 18([protected bstr, unprotected map, payload bstr, signature bstr]).
// `unprotected_map` is an encoded CBOR map.
Result<Bytes> Assemble(ByteView protected_header, ByteView unprotected_map, ByteView payload,
                       ByteView external_aad, const crypto::Signer& signer) {
  ASSIGN_OR_RETURN(Bytes to_be_signed, SigStructure(protected_header, external_aad, payload));
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(to_be_signed));
  ASSIGN_OR_RETURN(Bytes protected_bstr, Encode(BuildBytes(protected_header)));
  ASSIGN_OR_RETURN(Bytes payload_bstr, Encode(BuildBytes(payload)));
  ASSIGN_OR_RETURN(Bytes signature_bstr, Encode(BuildBytes(signature)));
  Bytes out = {0xd2, 0x84};  // tag 18, array of 4
  Append(out, protected_bstr);
  Append(out, unprotected_map);
  Append(out, payload_bstr);
  Append(out, signature_bstr);
  return out;
}

// Unwrap removes an optional tag 61 (CWT) around an optional tag 18 (COSE_Sign1). Any other tag,
// or tag 61 around something other than tag 18, is kMalformed.
Result<CborValue> Unwrap(CborValue v) {
  if (!v.is_tag()) return v;
  ASSIGN_OR_RETURN(uint64_t tag, v.Tag());
  if (tag == kTagCwt) {
    ASSIGN_OR_RETURN(v, v.Tagged());
    if (!v.is_tag()) return Error(StatusCode::kMalformed, "CWT tag 61 must wrap a tagged COSE message");
    ASSIGN_OR_RETURN(tag, v.Tag());
  }
  if (tag != kTagCoseSign1) return Error(StatusCode::kMalformed, "CBOR tag is not COSE_Sign1 (18)");
  return v.Tagged();
}

// LabelIn returns whether `map` has the label `key` (an integer or text key).
Result<bool> LabelIn(CborValue map, CborValue key) {
  if (key.is_int()) {
    Result<int64_t> label = key.AsInt();
    if (!label.ok()) return false;  // no 64-bit label can equal it
    ASSIGN_OR_RETURN(std::optional<CborValue> found, map.FindInt(*label));
    return found.has_value();
  }
  if (key.is_text()) {
    ASSIGN_OR_RETURN(std::string_view label, key.AsText());
    ASSIGN_OR_RETURN(std::optional<CborValue> found, map.FindText(label));
    return found.has_value();
  }
  return Error(StatusCode::kMalformed, "COSE header label is neither an integer nor a text string");
}

// ReadTextOrUint reads a protected header that is a text string or a uint (content type, typ).
Status ReadTextOrUint(CborValue map, int64_t label, std::optional<std::string>& text,
                      std::optional<uint64_t>& number) {
  ASSIGN_OR_RETURN(std::optional<CborValue> v, map.FindInt(label));
  if (!v) return OkStatus();
  if (v->is_text()) {
    ASSIGN_OR_RETURN(std::string_view s, v->AsText());
    text = std::string(s);
    return OkStatus();
  }
  if (v->is_uint()) {
    ASSIGN_OR_RETURN(number, v->AsUint());
    return OkStatus();
  }
  return Error(StatusCode::kMalformed, "COSE header " + std::to_string(label) + " is neither text nor uint");
}

}  // namespace

Result<VerifiedSign1> VerifySign1(ByteView cose, const crypto::PublicKey& key, ByteView external_aad,
                                  std::optional<ByteView> detached_payload) {
  ASSIGN_OR_RETURN(CborDocument doc, CborDocument::Decode(cose));
  ASSIGN_OR_RETURN(CborValue message, Unwrap(doc.root()));
  if (!message.is_array() || message.size() != 4) {
    return Error(StatusCode::kMalformed, "COSE_Sign1 is not an array of four elements");
  }
  ASSIGN_OR_RETURN(CborValue protected_item, message.At(0));
  ASSIGN_OR_RETURN(CborValue unprotected, message.At(1));
  ASSIGN_OR_RETURN(CborValue payload_item, message.At(2));
  ASSIGN_OR_RETURN(CborValue signature_item, message.At(3));

  if (!protected_item.is_bytes()) return Error(StatusCode::kMalformed, "COSE protected header is not a bstr");
  ASSIGN_OR_RETURN(ByteView protected_bytes, protected_item.AsBytes());
  if (!unprotected.is_map()) return Error(StatusCode::kMalformed, "COSE unprotected header is not a map");
  if (!signature_item.is_bytes()) return Error(StatusCode::kMalformed, "COSE signature is not a bstr");
  ASSIGN_OR_RETURN(ByteView signature, signature_item.AsBytes());

  // An empty bstr stands for the empty map (RFC 9052 section 3).
  static const uint8_t kEmptyMap[] = {0xa0};
  ASSIGN_OR_RETURN(CborDocument protected_doc,
                   CborDocument::Decode(protected_bytes.empty() ? ByteView(kEmptyMap) : protected_bytes));
  CborValue prot = protected_doc.root();
  if (!prot.is_map()) return Error(StatusCode::kMalformed, "COSE protected header is not a map");

  for (size_t i = 0; i < prot.size(); ++i) {
    ASSIGN_OR_RETURN(auto entry, prot.EntryAt(i));
    ASSIGN_OR_RETURN(bool duplicated, LabelIn(unprotected, entry.first));
    if (duplicated) return Error(StatusCode::kMalformed, "COSE header label in both protected and unprotected");
  }
  for (size_t i = 0; i < unprotected.size(); ++i) {
    ASSIGN_OR_RETURN(auto entry, unprotected.EntryAt(i));
    if (!entry.first.is_int() && !entry.first.is_text()) {
      return Error(StatusCode::kMalformed, "COSE header label is neither an integer nor a text string");
    }
  }

  VerifiedSign1 out;
  ASSIGN_OR_RETURN(std::optional<CborValue> alg_item, prot.FindInt(kHeaderAlg));
  if (!alg_item) {
    ASSIGN_OR_RETURN(std::optional<CborValue> unprotected_alg, unprotected.FindInt(kHeaderAlg));
    return Error(StatusCode::kUnsupportedAlgorithm, unprotected_alg ? "COSE alg must be in the protected header"
                                                                    : "COSE protected header has no alg");
  }
  if (!alg_item->is_int()) return Error(StatusCode::kUnsupportedAlgorithm, "COSE alg is not an integer");
  Result<int64_t> alg_id = alg_item->AsInt();
  std::optional<crypto::SignatureAlg> alg;
  if (alg_id.ok()) alg = crypto::ParseCoseAlg(*alg_id);
  if (!alg) return Error(StatusCode::kUnsupportedAlgorithm, "COSE alg is not ES256, ES384 or EdDSA");
  if (*alg != key.alg()) {
    return Error(StatusCode::kAlgorithmMismatch,
                 "COSE alg " + std::string(crypto::JwsAlgName(*alg)) + " is not the key's algorithm " +
                     std::string(crypto::JwsAlgName(key.alg())));
  }
  out.alg_ = *alg;

  ASSIGN_OR_RETURN(std::optional<CborValue> crit, prot.FindInt(kHeaderCrit));
  if (crit) {
    if (!crit->is_array() || crit->size() == 0) return Error(StatusCode::kMalformed, "COSE crit is not a non-empty array");
    return Error(StatusCode::kUnknownCritical, "COSE crit lists header parameters this verifier does not process");
  }
  ASSIGN_OR_RETURN(std::optional<CborValue> unprotected_crit, unprotected.FindInt(kHeaderCrit));
  if (unprotected_crit) return Error(StatusCode::kMalformed, "COSE crit must be in the protected header");

  RETURN_IF_ERROR(ReadTextOrUint(prot, kHeaderContentType, out.content_type_, out.content_format_));
  RETURN_IF_ERROR(ReadTextOrUint(prot, kHeaderTyp, out.typ_, out.typ_format_));

  ASSIGN_OR_RETURN(std::optional<CborValue> kid, prot.FindInt(kHeaderKid));
  if (!kid) { ASSIGN_OR_RETURN(kid, unprotected.FindInt(kHeaderKid)); }
  if (kid) {
    if (!kid->is_bytes()) return Error(StatusCode::kMalformed, "COSE kid is not a bstr");
    ASSIGN_OR_RETURN(ByteView kid_bytes, kid->AsBytes());
    out.kid_ = Bytes(kid_bytes.begin(), kid_bytes.end());
  }

  ByteView payload;
  if (payload_item.is_null()) {
    if (!detached_payload) return Error(StatusCode::kMalformed, "COSE_Sign1 payload is detached (nil)");
    payload = *detached_payload;
  } else if (payload_item.is_bytes()) {
    if (detached_payload) {
      return Error(StatusCode::kInvalidArgument, "detached payload given but the COSE_Sign1 carries its payload");
    }
    ASSIGN_OR_RETURN(payload, payload_item.AsBytes());
  } else {
    return Error(StatusCode::kMalformed, "COSE_Sign1 payload is neither a bstr nor nil");
  }

  ASSIGN_OR_RETURN(Bytes to_be_verified, SigStructure(protected_bytes, external_aad, payload));
  RETURN_IF_ERROR(key.Verify(to_be_verified, signature));

  out.protected_header_ = Bytes(protected_bytes.begin(), protected_bytes.end());
  out.payload_ = Bytes(payload.begin(), payload.end());
  return out;
}

Result<Bytes> SignSign1(const Sign1Headers& headers, ByteView payload, const crypto::Signer& signer,
                        ByteView external_aad) {
  Item prot(cbor_new_definite_map(3));
  if (prot == nullptr) return EncodeFailed();
  // Keys in ascending order (RFC 8949 section 4.2.1): 1, 3, 16.
  RETURN_IF_ERROR(Put(prot.get(), BuildInt(kHeaderAlg), BuildInt(crypto::CoseAlgId(signer.alg()))));
  if (headers.content_type) {
    RETURN_IF_ERROR(Put(prot.get(), BuildInt(kHeaderContentType), BuildText(*headers.content_type)));
  }
  if (headers.typ) RETURN_IF_ERROR(Put(prot.get(), BuildInt(kHeaderTyp), BuildText(*headers.typ)));
  ASSIGN_OR_RETURN(Bytes protected_header, Encode(prot));

  Item unprot(cbor_new_definite_map(1));
  if (unprot == nullptr) return EncodeFailed();
  if (headers.kid) RETURN_IF_ERROR(Put(unprot.get(), BuildInt(kHeaderKid), BuildBytes(*headers.kid)));
  ASSIGN_OR_RETURN(Bytes unprotected_header, Encode(unprot));
  return Assemble(protected_header, unprotected_header, payload, external_aad, signer);
}

Result<Bytes> InsecureSignSign1WithRawProtected(ByteView protected_header, ByteView unprotected_header,
                                                ByteView payload, const crypto::Signer& signer) {
  static const uint8_t kEmptyMap[] = {0xa0};
  return Assemble(protected_header, unprotected_header.empty() ? ByteView(kEmptyMap) : unprotected_header, payload,
                  {}, signer);
}

}  // namespace bonafide::cose
