// mdoc/session.h: proximity session establishment and encryption between an mdoc and an mdoc
// reader (ISO/IEC 18013-5:2021 clause 8.2 and 9.1.1): DeviceEngagement and its QR `mdoc:` URI,
// SessionEstablishment, SessionData, and the AES-256-GCM session encryption with the SKReader /
// SKDevice keys and message counters. Transport-agnostic: bytes in, bytes out (BLE, NFC and Wi-Fi
// Aware belong to the phone platform).
//
// Cipher suite 1 only (the one 18013-5 defines): ephemeral keys EDeviceKey and EReaderKey on
// P-256, ECDH, HKDF-SHA-256, AES-256-GCM. A key on another curve is kInvalidKey.
//
// Parsers take untrusted bytes. They are strict about what they read (kMalformed for a wrong
// structure or type, trailing bytes, indefinite lengths, duplicate keys; kInvalidKey for an
// unusable key) and ignore map members they do not know, as 18013-5 structures are extensible.
// Each keeps the original encoding of the tag-24 key items, so that transcripts hash what was
// received.
//
// Thread safety: the free functions are pure. A SessionEncryption is not thread-safe (its message
// counters change with every call); confine it to one thread or synchronise externally.
// Ownership: results are owned values; arguments are only read.
#ifndef BONAFIDE_MDOC_SESSION_H_
#define BONAFIDE_MDOC_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/secret.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"

namespace bonafide::mdoc {

// kDeviceEngagementVersion is the DeviceEngagement version bonafide writes.
inline constexpr std::string_view kDeviceEngagementVersion = "1.0";
// kCipherSuite1 is the only cipher suite identifier 18013-5 defines (9.1.5.1, Table 22).
inline constexpr uint64_t kCipherSuite1 = 1;
// kDeviceEngagementQrPrefix is the URI scheme of a QR device engagement (18013-5 8.2.2.3).
inline constexpr std::string_view kDeviceEngagementQrPrefix = "mdoc:";

// EphemeralKeyBytes returns #6.24(bstr .cbor COSE_Key) for the public `key` (EDeviceKeyBytes /
// EReaderKeyBytes, 18013-5 9.1.5.1), the COSE_Key in deterministic encoding {1: 2, -1: 1, -2: x,
// -3: y}; kInvalidKey if `key` is not P-256.
Result<cbor::Value> EphemeralKeyBytes(const crypto::PublicKey& key);

// DeviceEngagement is a parsed DeviceEngagement (18013-5 8.2.1.1):
//   {0: version, 1: Security = [cipher suite 1, EDeviceKeyBytes], ? 2: DeviceRetrievalMethods, ...}
struct DeviceEngagement {
  // version is the version text, "1.0" or another "1.x".
  std::string version;
  // e_device_key is the mdoc's ephemeral P-256 key.
  crypto::PublicKey e_device_key;
  // e_device_key_bytes is the EDeviceKeyBytes tag-24 item with its original encoding.
  cbor::Value e_device_key_bytes;
  // device_retrieval_methods is the DeviceRetrievalMethods array as received, if present.
  std::optional<cbor::Value> device_retrieval_methods;
  // encoded is the whole DeviceEngagement as received: the content of DeviceEngagementBytes.
  Bytes encoded;

  // DeviceEngagementBytes returns #6.24(bstr .cbor DeviceEngagement) over `encoded`, the first
  // element of a proximity SessionTranscript.
  cbor::Value DeviceEngagementBytes() const;
};

// BuildDeviceEngagement returns the deterministic encoding of {0: "1.0", 1: [1, EDeviceKeyBytes],
// 2: device_retrieval_methods} (member 2 only when given). `device_retrieval_methods` is the
// DeviceRetrievalMethods array, e.g. [[2, 1, {0: false, 1: true, 11: h'<uuid>'}]] for BLE (kept
// generic: each entry must be [type (uint), version (uint), options (map)]). kInvalidKey if
// `e_device_key` is not P-256; kInvalidArgument for a retrieval method array of another shape.
Result<Bytes> BuildDeviceEngagement(
    const crypto::PublicKey& e_device_key,
    const std::optional<cbor::Value>& device_retrieval_methods = std::nullopt);

// ParseDeviceEngagement parses `device_engagement` (the bytes inside DeviceEngagementBytes, e.g.
// from ParseDeviceEngagementQrUri). Returns kMalformed for a structure that is not a
// DeviceEngagement (not a map, version missing or not "1.x", Security not [uint, #6.24(bstr)],
// embedded COSE_Key not CBOR, retrieval methods not an array of [uint, uint, map], trailing
// bytes), kUnsupportedAlgorithm for a cipher suite other than 1, kInvalidKey for an EDeviceKey
// that is not a valid P-256 public COSE_Key, kLimitExceeded above the CBOR decode limits.
Result<DeviceEngagement> ParseDeviceEngagement(ByteView device_engagement);

// DeviceEngagementQrUri returns "mdoc:" + base64url (no padding) of `device_engagement`, the text
// of the engagement QR code (18013-5 8.2.2.3). Cannot fail.
std::string DeviceEngagementQrUri(ByteView device_engagement);

// ParseDeviceEngagementQrUri returns the DeviceEngagement bytes of a QR `mdoc:` URI; kMalformed if
// the text does not start with the (lower-case) scheme "mdoc:", or the rest is empty or not strict
// unpadded base64url. The bytes still need ParseDeviceEngagement.
Result<Bytes> ParseDeviceEngagementQrUri(std::string_view uri);

// SessionEstablishment is a parsed SessionEstablishment (18013-5 9.1.1.4):
//   {"eReaderKey": EReaderKeyBytes, "data": bstr}
struct SessionEstablishment {
  // e_reader_key is the reader's ephemeral P-256 key.
  crypto::PublicKey e_reader_key;
  // e_reader_key_bytes is the EReaderKeyBytes tag-24 item with its original encoding, the second
  // element of the proximity SessionTranscript.
  cbor::Value e_reader_key_bytes;
  // data is the encrypted mdoc request (decrypt with SessionEncryption::Decrypt).
  Bytes data;
};

// BuildSessionEstablishment returns the encoding of {"eReaderKey": EphemeralKeyBytes(e_reader_key),
// "data": data}, members in that order (as in 18013-5 Annex D). kInvalidKey if `e_reader_key` is
// not P-256.
Result<Bytes> BuildSessionEstablishment(const crypto::PublicKey& e_reader_key, ByteView data);

// ParseSessionEstablishment parses a received SessionEstablishment. kMalformed if it is not a map,
// "eReaderKey" or "data" is missing, "eReaderKey" is not #6.24(bstr) holding one CBOR item, "data"
// is not a byte string, or bytes trail; kInvalidKey if the key is not a valid P-256 public
// COSE_Key; kLimitExceeded above the CBOR decode limits.
Result<SessionEstablishment> ParseSessionEstablishment(ByteView session_establishment);

// SessionStatus is the SessionData status code (18013-5 9.1.1.4, Table 20).
enum class SessionStatus : uint64_t {
  kEncryptionError = 10,  // "Error: session encryption"
  kDecodingError = 11,    // "Error: CBOR decoding"
  kTermination = 20,      // "Session termination"
};

// SessionData is a SessionData message (18013-5 9.1.1.4): {? "data": bstr, ? "status": uint},
// at least one of the two present.
struct SessionData {
  // data is the encrypted message, if any.
  std::optional<Bytes> data = std::nullopt;
  // status is the status code, if any.
  std::optional<SessionStatus> status = std::nullopt;
};

// BuildSessionData returns the deterministic encoding of `message` ("data" before "status");
// kInvalidArgument if neither member is set.
Result<Bytes> BuildSessionData(const SessionData& message);

// ParseSessionData parses a received SessionData. kMalformed if it is not a map, has neither
// "data" nor "status", "data" is not a byte string, "status" is not one of 10, 11, 20, or bytes
// trail; kLimitExceeded above the CBOR decode limits.
Result<SessionData> ParseSessionData(ByteView session_data);

class SessionEncryptionTestPeer;

// SessionEncryption encrypts the messages one side of a proximity session sends and decrypts
// those it receives (18013-5 9.1.1.5). Z = ECDH(own ephemeral key, peer's ephemeral key);
// SKReader / SKDevice = HKDF-SHA-256(IKM = Z, salt = SHA-256(SessionTranscriptBytes),
// info = "SKReader" / "SKDevice", L = 32); AES-256-GCM with empty AAD and the 12-byte IV
// identifier (8 bytes: 0x00..00 for the reader, 0x00..01 for the mdoc) || message counter
// (4 bytes big-endian, starting at 1, one per message in each direction). The reader encrypts with
// SKReader and decrypts with SKDevice; the mdoc the other way round.
//
// Messages must be decrypted in order: a replayed, reordered, dropped or altered message fails.
// A failed Encrypt or Decrypt leaves the counters unchanged; 18013-5 then ends the session
// (SessionData status 10), which is the caller's decision. Keys are held in SecretBytes and not
// exposed. Movable, not copyable (a copy would reuse IVs).
class SessionEncryption {
 public:
  // ForReader returns the reader side's session encryption; kInvalidKey if either key is not
  // P-256, kInvalidArgument if `session_transcript_bytes` is not one #6.24(bstr) CBOR item.
  static Result<SessionEncryption> ForReader(const crypto::PrivateKey& e_reader_key,
                                             const crypto::PublicKey& e_device_key,
                                             ByteView session_transcript_bytes);
  // ForDevice returns the mdoc side's session encryption; errors as ForReader.
  static Result<SessionEncryption> ForDevice(const crypto::PrivateKey& e_device_key,
                                             const crypto::PublicKey& e_reader_key,
                                             ByteView session_transcript_bytes);

  SessionEncryption(const SessionEncryption&) = delete;
  SessionEncryption& operator=(const SessionEncryption&) = delete;
  SessionEncryption(SessionEncryption&&) noexcept = default;
  SessionEncryption& operator=(SessionEncryption&&) noexcept = default;
  ~SessionEncryption() = default;

  // Encrypt returns ciphertext || tag of the next outgoing message (the SessionEstablishment /
  // SessionData "data") and advances the outgoing counter; kLimitExceeded once 2^32 - 1 messages
  // have been sent.
  Result<Bytes> Encrypt(ByteView plaintext);

  // Decrypt returns the plaintext of the next incoming message and advances the incoming counter.
  // kInvalidSignature if the authentication tag does not verify (an integrity failure: altered
  // bytes, wrong keys or transcript, a replayed or out-of-order message); kMalformed if the input
  // is shorter than the 16-byte tag; kLimitExceeded once 2^32 - 1 messages have been received.
  Result<Bytes> Decrypt(ByteView ciphertext);

 private:
  friend class SessionEncryptionTestPeer;  // tests set the counters to reach the 2^32 - 1 bound
  SessionEncryption(SecretBytes send_key, uint64_t send_identifier, SecretBytes receive_key,
                    uint64_t receive_identifier)
      : send_key_(std::move(send_key)),
        receive_key_(std::move(receive_key)),
        send_identifier_(send_identifier),
        receive_identifier_(receive_identifier) {}
  static Result<SessionEncryption> Create(bool reader, const crypto::PrivateKey& own_key,
                                          const crypto::PublicKey& peer_key,
                                          ByteView session_transcript_bytes);

  SecretBytes send_key_;
  SecretBytes receive_key_;
  uint64_t send_identifier_;
  uint64_t receive_identifier_;
  uint64_t send_counter_ = 1;     // counter of the next message sent
  uint64_t receive_counter_ = 1;  // counter of the next message expected
};

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_SESSION_H_
