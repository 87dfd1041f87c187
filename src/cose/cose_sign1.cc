#include "cose/cose_sign1.h"

#include <utility>

#include "cose/internal/headers.h"

namespace bonafide::cose {
namespace {

// ReadX5Chain reads label 33 from either bucket: one bstr, or an array of two or more bstrs.
Result<std::vector<Bytes>> ReadX5Chain(const cbor::Value& prot, const cbor::Value& unprotected) {
  const cbor::Value* v = prot.Find(kHeaderX5Chain);
  if (v == nullptr) v = unprotected.Find(kHeaderX5Chain);
  std::vector<Bytes> chain;
  if (v == nullptr) return chain;
  auto add = [&chain](const cbor::Value& cert) -> Status {
    if (!cert.is_bytes() || cert.bytes().empty()) {
      return Error(StatusCode::kMalformed, "COSE x5chain entry is not a non-empty bstr");
    }
    chain.emplace_back(cert.bytes().begin(), cert.bytes().end());
    return OkStatus();
  };
  if (v->is_bytes()) {
    RETURN_IF_ERROR(add(*v));
  } else if (v->is_array() && v->size() >= 2) {
    for (const cbor::Value& cert : v->array()) RETURN_IF_ERROR(add(cert));
  } else {
    return Error(StatusCode::kMalformed, "COSE x5chain is neither a bstr nor an array of two or more bstrs");
  }
  return chain;
}

}  // namespace

Result<UnverifiedSign1> UnverifiedSign1::Parse(ByteView cose, const cbor::DecodeLimits& limits) {
  ASSIGN_OR_RETURN(cbor::Value message, cbor::Decode(cose, limits));
  return FromValue(message);
}

Result<UnverifiedSign1> UnverifiedSign1::FromValue(const cbor::Value& value) {
  ASSIGN_OR_RETURN(const cbor::Value* message, internal::UnwrapTag(value, kTagCoseSign1));
  if (!message->is_array() || message->size() != 4) {
    return Error(StatusCode::kMalformed, "COSE_Sign1 is not an array of four elements");
  }
  const cbor::Array& parts = message->array();
  ASSIGN_OR_RETURN(internal::Headers headers, internal::CheckHeaders(parts[0], parts[1]));
  UnverifiedSign1 out;
  ASSIGN_OR_RETURN(out.x5chain_, ReadX5Chain(headers.protected_map, headers.unprotected));
  if (parts[2].is_bytes()) {
    out.payload_ = Bytes(parts[2].bytes().begin(), parts[2].bytes().end());
  } else if (!parts[2].is_null()) {
    return Error(StatusCode::kMalformed, "COSE_Sign1 payload is neither a bstr nor nil");
  }
  if (!parts[3].is_bytes()) return Error(StatusCode::kMalformed, "COSE signature is not a bstr");
  out.signature_.assign(parts[3].bytes().begin(), parts[3].bytes().end());
  out.protected_bytes_ = std::move(headers.protected_bytes);
  out.alg_id_ = headers.alg;
  out.content_type_ = std::move(headers.content_type);
  out.content_format_ = headers.content_format;
  out.typ_ = std::move(headers.typ);
  out.typ_format_ = headers.typ_format;
  out.kid_ = std::move(headers.kid);
  return out;
}

std::optional<crypto::SignatureAlg> UnverifiedSign1::alg() const { return crypto::ParseCoseAlg(alg_id_); }

Result<VerifiedSign1> UnverifiedSign1::Verify(const crypto::PublicKey& key, ByteView external_aad,
                                              std::optional<ByteView> detached_payload) const {
  std::optional<crypto::SignatureAlg> a = alg();
  if (!a) return Error(StatusCode::kUnsupportedAlgorithm, "COSE alg is not ES256, ES384 or EdDSA");
  if (*a != key.alg()) {
    return Error(StatusCode::kAlgorithmMismatch, "COSE alg " + std::string(crypto::JwsAlgName(*a)) +
                                                     " is not the key's algorithm " +
                                                     std::string(crypto::JwsAlgName(key.alg())));
  }
  ByteView payload;
  if (!payload_) {
    if (!detached_payload) return Error(StatusCode::kMalformed, "COSE_Sign1 payload is detached (nil)");
    payload = *detached_payload;
  } else {
    if (detached_payload) {
      return Error(StatusCode::kInvalidArgument, "detached payload given but the COSE_Sign1 carries its payload");
    }
    payload = *payload_;
  }
  const Bytes to_be_verified = internal::ToBeSigned("Signature1", protected_bytes_, external_aad, payload);
  RETURN_IF_ERROR(key.Verify(to_be_verified, signature_));

  VerifiedSign1 out;
  out.protected_header_ = protected_bytes_;
  out.alg_ = *a;
  out.content_type_ = content_type_;
  out.content_format_ = content_format_;
  out.typ_ = typ_;
  out.typ_format_ = typ_format_;
  out.kid_ = kid_;
  out.x5chain_ = x5chain_;
  out.payload_.assign(payload.begin(), payload.end());
  return out;
}

Result<VerifiedSign1> VerifySign1(ByteView cose, const crypto::PublicKey& key, ByteView external_aad,
                                  std::optional<ByteView> detached_payload) {
  ASSIGN_OR_RETURN(UnverifiedSign1 message, UnverifiedSign1::Parse(cose));
  return message.Verify(key, external_aad, detached_payload);
}

Result<cbor::Value> SignSign1Value(const Sign1Headers& headers, ByteView payload, const crypto::Signer& signer,
                                   ByteView external_aad, Sign1Form form) {
  cbor::Value prot = cbor::Value::MakeMap();
  prot.Insert(kHeaderAlg, cbor::Value::Int(crypto::CoseAlgId(signer.alg())));
  if (headers.content_type) prot.Insert(kHeaderContentType, cbor::Value::Text(*headers.content_type));
  if (headers.typ) prot.Insert(kHeaderTyp, cbor::Value::Text(*headers.typ));
  Bytes protected_bytes = cbor::EncodeDeterministic(prot);

  cbor::Value unprot = cbor::Value::MakeMap();
  if (headers.kid) unprot.Insert(kHeaderKid, cbor::Value::ByteString(*headers.kid));
  if (headers.x5chain.size() == 1) {
    unprot.Insert(kHeaderX5Chain, cbor::Value::ByteString(headers.x5chain[0]));
  } else if (headers.x5chain.size() > 1) {
    cbor::Array certs;
    certs.reserve(headers.x5chain.size());
    for (const Bytes& cert : headers.x5chain) certs.push_back(cbor::Value::ByteString(cert));
    unprot.Insert(kHeaderX5Chain, cbor::Value::MakeArray(std::move(certs)));
  }

  const Bytes to_be_signed = internal::ToBeSigned("Signature1", protected_bytes, external_aad, payload);
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(to_be_signed));
  cbor::Array parts;
  parts.reserve(4);
  parts.push_back(cbor::Value::ByteString(std::move(protected_bytes)));
  parts.push_back(std::move(unprot));
  parts.push_back(form.detached ? cbor::Value::Null() : cbor::Value::ByteString(payload));
  parts.push_back(cbor::Value::ByteString(std::move(signature)));
  cbor::Value message = cbor::Value::MakeArray(std::move(parts));
  if (form.tagged) return cbor::Value::Tagged(kTagCoseSign1, std::move(message));
  return message;
}

Result<Bytes> SignSign1(const Sign1Headers& headers, ByteView payload, const crypto::Signer& signer,
                        ByteView external_aad) {
  ASSIGN_OR_RETURN(cbor::Value message, SignSign1Value(headers, payload, signer, external_aad));
  return cbor::EncodeDeterministic(message);
}

Result<Bytes> InsecureSignSign1WithRawProtected(ByteView protected_header, ByteView unprotected_header,
                                                ByteView payload, const crypto::Signer& signer) {
  static const uint8_t kEmptyMap[] = {0xa0};
  const Bytes to_be_signed = internal::ToBeSigned("Signature1", protected_header, {}, payload);
  ASSIGN_OR_RETURN(Bytes signature, signer.Sign(to_be_signed));
  Bytes out = {0xd2, 0x84};  // tag 18, array of 4
  internal::AppendBstr(out, protected_header);
  ByteView unprotected = unprotected_header.empty() ? ByteView(kEmptyMap) : unprotected_header;
  out.insert(out.end(), unprotected.begin(), unprotected.end());
  internal::AppendBstr(out, payload);
  internal::AppendBstr(out, signature);
  return out;
}

}  // namespace bonafide::cose
