#include "cose/cose_mac0.h"

#include <string>
#include <utility>

#include "cose/cose_sign1.h"
#include "cose/internal/headers.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"

namespace bonafide::cose {
namespace {

crypto::HashAlg HashOf(MacAlg alg) {
  switch (alg) {
    case MacAlg::kHmac384: return crypto::HashAlg::kSha384;
    case MacAlg::kHmac512: return crypto::HashAlg::kSha512;
    case MacAlg::kHmac256_64:
    case MacAlg::kHmac256: return crypto::HashAlg::kSha256;
  }
  return crypto::HashAlg::kSha256;
}

// ComputeTag returns the (possibly truncated) HMAC over the MAC_structure.
Result<Bytes> ComputeTag(MacAlg alg, ByteView key, ByteView protected_bytes, ByteView external_aad,
                         ByteView payload) {
  if (key.empty()) return Error(StatusCode::kInvalidArgument, "COSE_Mac0 key is empty");
  const Bytes to_be_maced = internal::ToBeSigned("MAC0", protected_bytes, external_aad, payload);
  ASSIGN_OR_RETURN(Bytes tag, crypto::Hmac(HashOf(alg), key, to_be_maced));
  if (alg == MacAlg::kHmac256_64) tag.resize(8);
  return tag;
}

}  // namespace

std::optional<MacAlg> ParseMacAlg(int64_t id) {
  switch (id) {
    case 4: return MacAlg::kHmac256_64;
    case 5: return MacAlg::kHmac256;
    case 6: return MacAlg::kHmac384;
    case 7: return MacAlg::kHmac512;
    default: return std::nullopt;
  }
}

Result<VerifiedMac0> VerifyMac0(const cbor::Value& value, MacAlg expected_alg, ByteView key, ByteView external_aad,
                                std::optional<ByteView> detached_payload) {
  ASSIGN_OR_RETURN(const cbor::Value* message, internal::UnwrapTag(value, kTagCoseMac0));
  if (!message->is_array() || message->size() != 4) {
    return Error(StatusCode::kMalformed, "COSE_Mac0 is not an array of four elements");
  }
  const cbor::Array& parts = message->array();
  ASSIGN_OR_RETURN(internal::Headers headers, internal::CheckHeaders(parts[0], parts[1]));
  std::optional<MacAlg> alg = ParseMacAlg(headers.alg);
  if (!alg) return Error(StatusCode::kUnsupportedAlgorithm, "COSE_Mac0 alg is not an HMAC algorithm");
  if (*alg != expected_alg) {
    return Error(StatusCode::kAlgorithmMismatch,
                 "COSE_Mac0 alg " + std::to_string(headers.alg) + " is not the expected " +
                     std::to_string(static_cast<int64_t>(expected_alg)));
  }
  ByteView payload;
  if (parts[2].is_null()) {
    if (!detached_payload) return Error(StatusCode::kMalformed, "COSE_Mac0 payload is detached (nil)");
    payload = *detached_payload;
  } else if (parts[2].is_bytes()) {
    if (detached_payload) {
      return Error(StatusCode::kInvalidArgument, "detached payload given but the COSE_Mac0 carries its payload");
    }
    payload = parts[2].bytes();
  } else {
    return Error(StatusCode::kMalformed, "COSE_Mac0 payload is neither a bstr nor nil");
  }
  if (!parts[3].is_bytes()) return Error(StatusCode::kMalformed, "COSE_Mac0 tag is not a bstr");
  ASSIGN_OR_RETURN(Bytes expected, ComputeTag(*alg, key, headers.protected_bytes, external_aad, payload));
  if (!crypto::ConstantTimeEquals(expected, parts[3].bytes())) {
    return Error(StatusCode::kInvalidSignature, "COSE_Mac0 tag does not verify");
  }
  VerifiedMac0 out;
  out.protected_header_ = std::move(headers.protected_bytes);
  out.alg_ = *alg;
  out.payload_.assign(payload.begin(), payload.end());
  return out;
}

Result<VerifiedMac0> VerifyMac0Bytes(ByteView cose, MacAlg expected_alg, ByteView key, ByteView external_aad,
                                     std::optional<ByteView> detached_payload) {
  ASSIGN_OR_RETURN(cbor::Value message, cbor::Decode(cose));
  return VerifyMac0(message, expected_alg, key, external_aad, detached_payload);
}

Result<cbor::Value> CreateMac0(MacAlg alg, ByteView key, ByteView payload, ByteView external_aad, Mac0Form form) {
  cbor::Value prot = cbor::Value::MakeMap();
  prot.Insert(kHeaderAlg, cbor::Value::Int(static_cast<int64_t>(alg)));
  Bytes protected_bytes = cbor::EncodeDeterministic(prot);
  ASSIGN_OR_RETURN(Bytes tag, ComputeTag(alg, key, protected_bytes, external_aad, payload));
  cbor::Array parts;
  parts.reserve(4);
  parts.push_back(cbor::Value::ByteString(std::move(protected_bytes)));
  parts.push_back(cbor::Value::MakeMap());
  parts.push_back(form.detached ? cbor::Value::Null() : cbor::Value::ByteString(payload));
  parts.push_back(cbor::Value::ByteString(std::move(tag)));
  cbor::Value message = cbor::Value::MakeArray(std::move(parts));
  if (form.tagged) return cbor::Value::Tagged(kTagCoseMac0, std::move(message));
  return message;
}

}  // namespace bonafide::cose
