#include "mdoc/session_transcript.h"

#include <utility>

#include "crypto/hash.h"

namespace bonafide::mdoc {
namespace {

cbor::Value ThumbprintOrNull(std::optional<ByteView> jwk_thumbprint) {
  return jwk_thumbprint ? cbor::Value::ByteString(*jwk_thumbprint) : cbor::Value::Null();
}

// Handover returns [identifier, SHA-256(info)].
cbor::Value Handover(std::string_view identifier, ByteView info) {
  cbor::Value handover = cbor::Value::MakeArray();
  handover.Append(cbor::Value::Text(identifier));
  handover.Append(cbor::Value::ByteString(crypto::Sha256(info)));
  return handover;
}

// TranscriptWithoutEngagement returns [null, null, handover].
cbor::Value TranscriptWithoutEngagement(cbor::Value handover) {
  cbor::Value transcript = cbor::Value::MakeArray();
  transcript.Append(cbor::Value::Null());
  transcript.Append(cbor::Value::Null());
  transcript.Append(std::move(handover));
  return transcript;
}

bool IsEmbeddedCbor(const cbor::Value& v) { return v.is_tag(cbor::kTagEncodedCbor) && v.tagged().is_bytes(); }

}  // namespace

Bytes OpenId4VpHandoverInfo(std::string_view client_id, std::string_view nonce,
                            std::optional<ByteView> jwk_thumbprint, std::string_view response_uri) {
  cbor::Value info = cbor::Value::MakeArray();
  info.Append(cbor::Value::Text(client_id));
  info.Append(cbor::Value::Text(nonce));
  info.Append(ThumbprintOrNull(jwk_thumbprint));
  info.Append(cbor::Value::Text(response_uri));
  return cbor::Encode(info);
}

cbor::Value OpenId4VpHandover(std::string_view client_id, std::string_view nonce,
                              std::optional<ByteView> jwk_thumbprint, std::string_view response_uri) {
  return Handover(kOpenId4VpHandoverId,
                  OpenId4VpHandoverInfo(client_id, nonce, jwk_thumbprint, response_uri));
}

cbor::Value OpenId4VpRedirectTranscript(std::string_view client_id, std::string_view nonce,
                                        std::optional<ByteView> jwk_thumbprint,
                                        std::string_view response_uri) {
  return TranscriptWithoutEngagement(OpenId4VpHandover(client_id, nonce, jwk_thumbprint, response_uri));
}

Bytes OpenId4VpDcApiHandoverInfo(std::string_view origin, std::string_view nonce,
                                 std::optional<ByteView> jwk_thumbprint) {
  cbor::Value info = cbor::Value::MakeArray();
  info.Append(cbor::Value::Text(origin));
  info.Append(cbor::Value::Text(nonce));
  info.Append(ThumbprintOrNull(jwk_thumbprint));
  return cbor::Encode(info);
}

cbor::Value OpenId4VpDcApiHandover(std::string_view origin, std::string_view nonce,
                                   std::optional<ByteView> jwk_thumbprint) {
  return Handover(kOpenId4VpDcApiHandoverId, OpenId4VpDcApiHandoverInfo(origin, nonce, jwk_thumbprint));
}

cbor::Value OpenId4VpDcApiTranscript(std::string_view origin, std::string_view nonce,
                                     std::optional<ByteView> jwk_thumbprint) {
  return TranscriptWithoutEngagement(OpenId4VpDcApiHandover(origin, nonce, jwk_thumbprint));
}

cbor::Value QrHandover() { return cbor::Value::Null(); }

cbor::Value NfcHandover(ByteView handover_select, std::optional<ByteView> handover_request) {
  cbor::Value handover = cbor::Value::MakeArray();
  handover.Append(cbor::Value::ByteString(handover_select));
  handover.Append(handover_request ? cbor::Value::ByteString(*handover_request) : cbor::Value::Null());
  return handover;
}

Result<cbor::Value> ProximityTranscript(const cbor::Value& device_engagement_bytes,
                                        const cbor::Value& e_reader_key_bytes, cbor::Value handover) {
  if (!IsEmbeddedCbor(device_engagement_bytes)) {
    return Error(StatusCode::kInvalidArgument, "SessionTranscript: DeviceEngagementBytes is not #6.24(bstr)");
  }
  if (!IsEmbeddedCbor(e_reader_key_bytes)) {
    return Error(StatusCode::kInvalidArgument, "SessionTranscript: EReaderKeyBytes is not #6.24(bstr)");
  }
  if (!handover.is_null() && !handover.is_array()) {
    return Error(StatusCode::kInvalidArgument,
                 "SessionTranscript: Handover is neither null (QR) nor an array (NFC)");
  }
  cbor::Value transcript = cbor::Value::MakeArray();
  transcript.Append(device_engagement_bytes);
  transcript.Append(e_reader_key_bytes);
  transcript.Append(std::move(handover));
  return transcript;
}

Bytes EncodeSessionTranscript(const cbor::Value& session_transcript) {
  return cbor::Encode(session_transcript);
}

Bytes SessionTranscriptBytes(const cbor::Value& session_transcript) {
  return cbor::Encode(cbor::Value::EmbeddedCborBytes(cbor::Encode(session_transcript)));
}

}  // namespace bonafide::mdoc
