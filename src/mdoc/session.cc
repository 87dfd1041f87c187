#include "mdoc/session.h"

#include <array>
#include <utility>

#include "base/encoding.h"
#include "cose/cose_key.h"
#include "crypto/aead.h"
#include "crypto/hash.h"

namespace bonafide::mdoc {
namespace {

constexpr int64_t kEngagementVersion = 0;
constexpr int64_t kEngagementSecurity = 1;
constexpr int64_t kEngagementRetrievalMethods = 2;
constexpr std::string_view kEReaderKey = "eReaderKey";
constexpr std::string_view kData = "data";
constexpr std::string_view kStatus = "status";
constexpr uint64_t kReaderIdentifier = 0;
constexpr uint64_t kDeviceIdentifier = 1;
constexpr uint64_t kMaxCounter = 0xFFFFFFFFu;
constexpr size_t kSessionKeySize = 32;

Status Malformed(std::string_view what, std::string_view detail) {
  return Error(StatusCode::kMalformed, std::string(what) + ": " + std::string(detail));
}

// ParseEphemeralKey reads an EDeviceKeyBytes / EReaderKeyBytes item: #6.24(bstr .cbor COSE_Key)
// with a P-256 public key.
Result<crypto::PublicKey> ParseEphemeralKey(const cbor::Value& item, std::string_view what) {
  if (!item.is_tag(cbor::kTagEncodedCbor) || !item.tagged().is_bytes()) {
    return Malformed(what, "not #6.24(bstr)");
  }
  Result<cbor::Value> cose_key = item.DecodeEmbedded();
  if (!cose_key.ok()) {
    if (cose_key.status().code() == StatusCode::kLimitExceeded) return cose_key.status();
    return Malformed(what, "embedded COSE_Key is not one CBOR item");
  }
  Result<crypto::PublicKey> key = cose::PublicKeyFromCoseKey(*cose_key);
  if (!key.ok()) {
    return Error(StatusCode::kInvalidKey, std::string(what) + ": " + key.status().message());
  }
  if (key->alg() != crypto::SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, std::string(what) + ": not a P-256 key (cipher suite 1)");
  }
  return std::move(key).value();
}

// IsDeviceEngagementVersion accepts "1." followed by one or more digits.
bool IsDeviceEngagementVersion(std::string_view v) {
  if (v.size() < 3 || v[0] != '1' || v[1] != '.') return false;
  for (size_t i = 2; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

// IsRetrievalMethods checks the DeviceRetrievalMethods shape: a non-empty array of
// [type (uint), version (uint), options (map)].
bool IsRetrievalMethods(const cbor::Value& methods) {
  if (!methods.is_array() || methods.size() == 0) return false;
  for (const cbor::Value& method : methods.array()) {
    if (!method.is_array() || method.size() != 3) return false;
    const cbor::Array& m = method.array();
    if (!m[0].is_uint() || !m[1].is_uint() || !m[2].is_map()) return false;
  }
  return true;
}

// Iv returns identifier (8 bytes) || counter (4 bytes), both big-endian.
std::array<uint8_t, crypto::kAesGcmIvSize> Iv(uint64_t identifier, uint64_t counter) {
  std::array<uint8_t, crypto::kAesGcmIvSize> iv{};
  for (size_t i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(identifier >> (8 * (7 - i)));
  for (size_t i = 0; i < 4; ++i) iv[8 + i] = static_cast<uint8_t>(counter >> (8 * (3 - i)));
  return iv;
}

}  // namespace

Result<cbor::Value> EphemeralKeyBytes(const crypto::PublicKey& key) {
  if (key.alg() != crypto::SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ephemeral session key is not P-256 (cipher suite 1)");
  }
  return cbor::Value::EmbeddedCbor(cose::CoseKeyFromPublicKey(key));
}

cbor::Value DeviceEngagement::DeviceEngagementBytes() const {
  return cbor::Value::EmbeddedCborBytes(encoded);
}

Result<Bytes> BuildDeviceEngagement(const crypto::PublicKey& e_device_key,
                                    const std::optional<cbor::Value>& device_retrieval_methods) {
  ASSIGN_OR_RETURN(cbor::Value key_bytes, EphemeralKeyBytes(e_device_key));
  if (device_retrieval_methods && !IsRetrievalMethods(*device_retrieval_methods)) {
    return Error(StatusCode::kInvalidArgument,
                 "DeviceRetrievalMethods must be a non-empty array of [uint, uint, map]");
  }
  cbor::Value security = cbor::Value::MakeArray();
  security.Append(cbor::Value::Uint(kCipherSuite1));
  security.Append(std::move(key_bytes));
  cbor::Value engagement = cbor::Value::MakeMap();
  engagement.Insert(kEngagementVersion, cbor::Value::Text(kDeviceEngagementVersion));
  engagement.Insert(kEngagementSecurity, std::move(security));
  if (device_retrieval_methods) {
    engagement.Insert(kEngagementRetrievalMethods, *device_retrieval_methods);
  }
  return cbor::EncodeDeterministic(engagement);
}

Result<DeviceEngagement> ParseDeviceEngagement(ByteView device_engagement) {
  constexpr std::string_view kWhat = "DeviceEngagement";
  ASSIGN_OR_RETURN(cbor::Value engagement, cbor::Decode(device_engagement));
  if (!engagement.is_map()) return Malformed(kWhat, "not a map");

  const cbor::Value* version = engagement.Find(kEngagementVersion);
  if (version == nullptr) return Malformed(kWhat, "version (0) is missing");
  if (!version->is_text() || !IsDeviceEngagementVersion(version->text())) {
    return Malformed(kWhat, "version (0) is not a \"1.x\" text string");
  }

  const cbor::Value* security = engagement.Find(kEngagementSecurity);
  if (security == nullptr) return Malformed(kWhat, "Security (1) is missing");
  if (!security->is_array() || security->size() != 2) {
    return Malformed(kWhat, "Security (1) is not [cipher suite, EDeviceKeyBytes]");
  }
  const cbor::Value& cipher_suite = security->array()[0];
  if (!cipher_suite.is_int()) return Malformed(kWhat, "cipher suite is not an integer");
  if (!cipher_suite.is_uint() || cipher_suite.uint_value() != kCipherSuite1) {
    return Error(StatusCode::kUnsupportedAlgorithm, "DeviceEngagement: cipher suite is not 1");
  }
  const cbor::Value& key_bytes = security->array()[1];
  ASSIGN_OR_RETURN(crypto::PublicKey key, ParseEphemeralKey(key_bytes, "EDeviceKeyBytes"));

  std::optional<cbor::Value> methods;
  if (const cbor::Value* m = engagement.Find(kEngagementRetrievalMethods); m != nullptr) {
    if (!IsRetrievalMethods(*m)) {
      return Malformed(kWhat, "DeviceRetrievalMethods (2) is not a non-empty array of [uint, uint, map]");
    }
    methods = *m;
  }
  return DeviceEngagement{
      .version = std::string(version->text()),
      .e_device_key = std::move(key),
      .e_device_key_bytes = key_bytes,
      .device_retrieval_methods = std::move(methods),
      .encoded = Bytes(device_engagement.begin(), device_engagement.end()),
  };
}

std::string DeviceEngagementQrUri(ByteView device_engagement) {
  std::string uri(kDeviceEngagementQrPrefix);
  Base64UrlAppend(uri, device_engagement);
  return uri;
}

Result<Bytes> ParseDeviceEngagementQrUri(std::string_view uri) {
  if (!uri.starts_with(kDeviceEngagementQrPrefix)) {
    return Error(StatusCode::kMalformed, "device engagement URI does not start with \"mdoc:\"");
  }
  const std::string_view payload = uri.substr(kDeviceEngagementQrPrefix.size());
  if (payload.empty()) return Error(StatusCode::kMalformed, "device engagement URI is empty");
  Result<Bytes> bytes = Base64UrlDecode(payload);
  if (!bytes.ok()) {
    return Error(StatusCode::kMalformed, "device engagement URI is not strict base64url");
  }
  return bytes;
}

Result<Bytes> BuildSessionEstablishment(const crypto::PublicKey& e_reader_key, ByteView data) {
  ASSIGN_OR_RETURN(cbor::Value key_bytes, EphemeralKeyBytes(e_reader_key));
  cbor::Value message = cbor::Value::MakeMap();
  message.Insert(kEReaderKey, std::move(key_bytes));
  message.Insert(kData, cbor::Value::ByteString(data));
  return cbor::Encode(message);
}

Result<SessionEstablishment> ParseSessionEstablishment(ByteView session_establishment) {
  constexpr std::string_view kWhat = "SessionEstablishment";
  ASSIGN_OR_RETURN(cbor::Value message, cbor::Decode(session_establishment));
  if (!message.is_map()) return Malformed(kWhat, "not a map");
  const cbor::Value* key_bytes = message.Find(kEReaderKey);
  if (key_bytes == nullptr) return Malformed(kWhat, "eReaderKey is missing");
  const cbor::Value* data = message.Find(kData);
  if (data == nullptr) return Malformed(kWhat, "data is missing");
  if (!data->is_bytes()) return Malformed(kWhat, "data is not a byte string");
  ASSIGN_OR_RETURN(crypto::PublicKey key, ParseEphemeralKey(*key_bytes, "EReaderKeyBytes"));
  return SessionEstablishment{
      .e_reader_key = std::move(key),
      .e_reader_key_bytes = *key_bytes,
      .data = Bytes(data->bytes().begin(), data->bytes().end()),
  };
}

Result<Bytes> BuildSessionData(const SessionData& message) {
  if (!message.data && !message.status) {
    return Error(StatusCode::kInvalidArgument, "SessionData needs data, status or both");
  }
  cbor::Value out = cbor::Value::MakeMap();
  if (message.data) out.Insert(kData, cbor::Value::ByteString(*message.data));
  if (message.status) out.Insert(kStatus, cbor::Value::Uint(static_cast<uint64_t>(*message.status)));
  return cbor::EncodeDeterministic(out);
}

Result<SessionData> ParseSessionData(ByteView session_data) {
  constexpr std::string_view kWhat = "SessionData";
  ASSIGN_OR_RETURN(cbor::Value message, cbor::Decode(session_data));
  if (!message.is_map()) return Malformed(kWhat, "not a map");
  SessionData out;
  if (const cbor::Value* data = message.Find(kData); data != nullptr) {
    if (!data->is_bytes()) return Malformed(kWhat, "data is not a byte string");
    out.data = Bytes(data->bytes().begin(), data->bytes().end());
  }
  if (const cbor::Value* status = message.Find(kStatus); status != nullptr) {
    if (!status->is_uint()) return Malformed(kWhat, "status is not an unsigned integer");
    switch (status->uint_value()) {
      case static_cast<uint64_t>(SessionStatus::kEncryptionError):
      case static_cast<uint64_t>(SessionStatus::kDecodingError):
      case static_cast<uint64_t>(SessionStatus::kTermination):
        out.status = static_cast<SessionStatus>(status->uint_value());
        break;
      default:
        return Malformed(kWhat, "status is not 10, 11 or 20");
    }
  }
  if (!out.data && !out.status) return Malformed(kWhat, "neither data nor status is present");
  return out;
}

Result<SessionEncryption> SessionEncryption::ForReader(const crypto::PrivateKey& e_reader_key,
                                                       const crypto::PublicKey& e_device_key,
                                                       ByteView session_transcript_bytes) {
  return Create(/*reader=*/true, e_reader_key, e_device_key, session_transcript_bytes);
}

Result<SessionEncryption> SessionEncryption::ForDevice(const crypto::PrivateKey& e_device_key,
                                                       const crypto::PublicKey& e_reader_key,
                                                       ByteView session_transcript_bytes) {
  return Create(/*reader=*/false, e_device_key, e_reader_key, session_transcript_bytes);
}

Result<SessionEncryption> SessionEncryption::Create(bool reader, const crypto::PrivateKey& own_key,
                                                    const crypto::PublicKey& peer_key,
                                                    ByteView session_transcript_bytes) {
  if (own_key.alg() != crypto::SignatureAlg::kES256 || peer_key.alg() != crypto::SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "session keys must be P-256 (cipher suite 1)");
  }
  Result<cbor::Value> transcript = cbor::Decode(session_transcript_bytes);
  if (!transcript.ok() || !transcript->is_tag(cbor::kTagEncodedCbor)) {
    return Error(StatusCode::kInvalidArgument,
                 "session_transcript_bytes is not #6.24(bstr .cbor SessionTranscript)");
  }
  ASSIGN_OR_RETURN(SecretBytes z, crypto::EcdhP256(own_key, peer_key));
  const Bytes salt = crypto::Sha256(session_transcript_bytes);
  ASSIGN_OR_RETURN(SecretBytes sk_reader, crypto::Hkdf(crypto::HashAlg::kSha256, z.view(), salt,
                                                       AsBytes("SKReader"), kSessionKeySize));
  ASSIGN_OR_RETURN(SecretBytes sk_device, crypto::Hkdf(crypto::HashAlg::kSha256, z.view(), salt,
                                                       AsBytes("SKDevice"), kSessionKeySize));
  if (reader) {
    return SessionEncryption(std::move(sk_reader), kReaderIdentifier, std::move(sk_device),
                             kDeviceIdentifier);
  }
  return SessionEncryption(std::move(sk_device), kDeviceIdentifier, std::move(sk_reader), kReaderIdentifier);
}

Result<Bytes> SessionEncryption::Encrypt(ByteView plaintext) {
  if (send_counter_ > kMaxCounter) {
    return Error(StatusCode::kLimitExceeded, "session message counter exhausted (2^32 - 1 sent)");
  }
  const auto iv = Iv(send_identifier_, send_counter_);
  ASSIGN_OR_RETURN(Bytes sealed, crypto::Aes256GcmSeal(send_key_.view(), iv, {}, plaintext));
  ++send_counter_;
  return sealed;
}

Result<Bytes> SessionEncryption::Decrypt(ByteView ciphertext) {
  if (receive_counter_ > kMaxCounter) {
    return Error(StatusCode::kLimitExceeded, "session message counter exhausted (2^32 - 1 received)");
  }
  const auto iv = Iv(receive_identifier_, receive_counter_);
  ASSIGN_OR_RETURN(Bytes plaintext, crypto::Aes256GcmOpen(receive_key_.view(), iv, {}, ciphertext));
  ++receive_counter_;
  return plaintext;
}

}  // namespace bonafide::mdoc
