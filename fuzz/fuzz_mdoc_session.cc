// fuzz_mdoc_session: the ISO/IEC 18013-5 proximity session parsers (mdoc/session.h) and session
// decryption on arbitrary bytes.
//
// Input layout: the first byte picks the entry point (value % 5): 0 ParseDeviceEngagement,
// 1 ParseSessionEstablishment, 2 ParseSessionData, 3 ParseDeviceEngagementQrUri (rest as text),
// 4 SessionEncryption::Decrypt on the mdoc side of the Annex D session (its keys and
// SessionTranscriptBytes), so the Annex D SessionEstablishment "data" seed decrypts. The rest is
// the input.
// Invariants: nothing crashes; every failure carries one of the documented codes; what parses
// rebuilds and parses again to the same content (Build / Parse round trips); a QR URI re-encodes to
// itself (base64url is canonical); a message that decrypts re-encrypts on the reader side to the
// same ciphertext.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "fuzz_common.h"
#include "mdoc/session.h"

namespace {

using bonafide::Bytes;
using bonafide::ByteView;
using bonafide::Result;
using bonafide::StatusCode;
using bonafide::fuzz::Check;
namespace mdoc = bonafide::mdoc;

// Annex D: SessionTranscriptBytes (tests/vectors/mdoc-iso18013-5/annex-d/session_transcript_bytes.hex).
constexpr std::string_view kTranscriptHex =
    "d81859024183d8185858a20063312e30018201d818584ba4010220012158205a88d182bce5f42efa59943f33359d2e8a"
    "968ff289d93e5fa444b624343167fe225820b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32"
    "fc67d818584ba40102200121582060e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e2258"
    "20e58deb8fdbe907f7dd5368245551a34796f7d2215c440c339bb0f7b67beccdfa8258c391020f487315d10209616301"
    "013001046d646f631a200c016170706c69636174696f6e2f766e642e626c7565746f6f74682e6c652e6f6f6230081b28"
    "128b37282801021c015c1e580469736f2e6f72673a31383031333a646576696365656e676167656d656e746d646f63a2"
    "0063312e30018201d818584ba4010220012158205a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624"
    "343167fe225820b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc6758cd91022548721591"
    "020263720102110204616301013000110206616301036e6663005102046163010157001a201e016170706c6963617469"
    "6f6e2f766e642e626c7565746f6f74682e6c652e6f6f6230081b28078080bf2801021c021107c832fff6d26fa0beb34d"
    "fcd555d4823a1c11010369736f2e6f72673a31383031333a6e66636e6663015a172b016170706c69636174696f6e2f76"
    "6e642e7766612e6e616e57030101032302001324fec9a70b97ac9684a4e326176ef5b981c5e8533e5f00298cfccbc35e"
    "700a6b020414";

Bytes FromHex(std::string_view hex) {
  Result<Bytes> bytes = bonafide::HexDecode(hex);
  Check(bytes.ok(), "fixed hex decodes");
  return *bytes;
}

std::string B64(std::string_view hex) { return bonafide::Base64UrlEncode(FromHex(hex)); }

// AnnexDKey loads an Annex D ephemeral P-256 private key (tests/vectors/.../annex-d/keys.json).
bonafide::crypto::PrivateKey AnnexDKey(std::string_view x, std::string_view y, std::string_view d) {
  Result<bonafide::crypto::PrivateKey> key = bonafide::crypto::PrivateKey::FromJwk(
      bonafide::Json{{"kty", "EC"}, {"crv", "P-256"}, {"x", B64(x)}, {"y", B64(y)}, {"d", B64(d)}});
  Check(key.ok(), "Annex D key loads");
  return std::move(key).value();
}

struct Fixture {
  bonafide::crypto::PrivateKey e_device =
      AnnexDKey("5a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624343167fe",
                "b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc67",
                "c1917a1579949a042f1ba9fc53a2df9b1bc47adf31c10f813ed75702d1c1f136");
  bonafide::crypto::PrivateKey e_reader =
      AnnexDKey("60e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e",
                "e58deb8fdbe907f7dd5368245551a34796f7d2215c440c339bb0f7b67beccdfa",
                "de3b4b9e5f72dd9b58406ae3091434da48a6f9fd010d88fcb0958e2cebec947c");
  Bytes transcript_bytes = FromHex(kTranscriptHex);
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture();
  return *fixture;
}

bool IsOneOf(StatusCode code, std::initializer_list<StatusCode> codes) {
  for (StatusCode c : codes) {
    if (code == c) return true;
  }
  return false;
}

void FuzzDeviceEngagement(ByteView input) {
  Result<mdoc::DeviceEngagement> engagement = mdoc::ParseDeviceEngagement(input);
  if (!engagement.ok()) {
    Check(
        IsOneOf(engagement.status().code(), {StatusCode::kMalformed, StatusCode::kInvalidKey,
                                             StatusCode::kUnsupportedAlgorithm, StatusCode::kLimitExceeded}),
        "DeviceEngagement error code");
    return;
  }
  Check(engagement->encoded == Bytes(input.begin(), input.end()), "DeviceEngagement keeps its bytes");
  Check(engagement->e_device_key_bytes.original_encoding().has_value(), "EDeviceKeyBytes keeps its bytes");
  Result<Bytes> rebuilt =
      mdoc::BuildDeviceEngagement(engagement->e_device_key, engagement->device_retrieval_methods);
  Check(rebuilt.ok(), "parsed DeviceEngagement rebuilds");
  Result<mdoc::DeviceEngagement> again = mdoc::ParseDeviceEngagement(*rebuilt);
  Check(again.ok(), "rebuilt DeviceEngagement parses");
  Check(again->version == mdoc::kDeviceEngagementVersion, "rebuilt version");
  Check(again->e_device_key.Equals(engagement->e_device_key), "rebuilt EDeviceKey");
  // Build writes deterministic CBOR, so map order inside the retrieval options may change.
  Check(again->device_retrieval_methods.has_value() == engagement->device_retrieval_methods.has_value(),
        "rebuilt retrieval methods presence");
  if (engagement->device_retrieval_methods) {
    Check(bonafide::cbor::EncodeDeterministic(*again->device_retrieval_methods) ==
              bonafide::cbor::EncodeDeterministic(*engagement->device_retrieval_methods),
          "rebuilt retrieval methods");
  }
  Result<Bytes> third = mdoc::BuildDeviceEngagement(again->e_device_key, again->device_retrieval_methods);
  Check(third.ok() && *third == *rebuilt, "BuildDeviceEngagement is a fixed point");
}

void FuzzSessionEstablishment(ByteView input) {
  Result<mdoc::SessionEstablishment> message = mdoc::ParseSessionEstablishment(input);
  if (!message.ok()) {
    Check(IsOneOf(message.status().code(),
                  {StatusCode::kMalformed, StatusCode::kInvalidKey, StatusCode::kLimitExceeded}),
          "SessionEstablishment error code");
    return;
  }
  Check(message->e_reader_key_bytes.original_encoding().has_value(), "EReaderKeyBytes keeps its bytes");
  Result<Bytes> rebuilt = mdoc::BuildSessionEstablishment(message->e_reader_key, message->data);
  Check(rebuilt.ok(), "parsed SessionEstablishment rebuilds");
  Result<mdoc::SessionEstablishment> again = mdoc::ParseSessionEstablishment(*rebuilt);
  Check(again.ok(), "rebuilt SessionEstablishment parses");
  Check(again->e_reader_key.Equals(message->e_reader_key), "rebuilt EReaderKey");
  Check(again->data == message->data, "rebuilt data");
}

void FuzzSessionData(ByteView input) {
  Result<mdoc::SessionData> message = mdoc::ParseSessionData(input);
  if (!message.ok()) {
    Check(IsOneOf(message.status().code(), {StatusCode::kMalformed, StatusCode::kLimitExceeded}),
          "SessionData error code");
    return;
  }
  Check(message->data.has_value() || message->status.has_value(), "SessionData has a member");
  Result<Bytes> rebuilt = mdoc::BuildSessionData(*message);
  Check(rebuilt.ok(), "parsed SessionData rebuilds");
  Result<mdoc::SessionData> again = mdoc::ParseSessionData(*rebuilt);
  Check(again.ok(), "rebuilt SessionData parses");
  Check(again->data == message->data && again->status == message->status, "SessionData round trip");
}

void FuzzQrUri(ByteView input) {
  const std::string_view uri = bonafide::AsStringView(input);
  Result<Bytes> bytes = mdoc::ParseDeviceEngagementQrUri(uri);
  if (!bytes.ok()) {
    Check(bytes.status().code() == StatusCode::kMalformed, "QR URI error code");
    return;
  }
  Check(mdoc::DeviceEngagementQrUri(*bytes) == uri, "QR URI round trip");
  FuzzDeviceEngagement(*bytes);
}

void FuzzDecrypt(ByteView input) {
  const Fixture& f = GetFixture();
  Result<mdoc::SessionEncryption> device =
      mdoc::SessionEncryption::ForDevice(f.e_device, f.e_reader.public_key(), f.transcript_bytes);
  Check(device.ok(), "fixed mdoc session");
  Result<Bytes> plaintext = device->Decrypt(input);
  if (!plaintext.ok()) {
    Check(IsOneOf(plaintext.status().code(), {StatusCode::kInvalidSignature, StatusCode::kMalformed}),
          "Decrypt error code");
    return;
  }
  Result<mdoc::SessionEncryption> reader =
      mdoc::SessionEncryption::ForReader(f.e_reader, f.e_device.public_key(), f.transcript_bytes);
  Check(reader.ok(), "fixed reader session");
  Result<Bytes> sealed = reader->Encrypt(*plaintext);
  Check(sealed.ok() && *sealed == Bytes(input.begin(), input.end()), "decrypt / encrypt round trip");
  // The same message again is a replay.
  Check(device->Decrypt(input).status().code() == StatusCode::kInvalidSignature, "replay rejected");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ByteView input(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      FuzzDeviceEngagement(input);
      break;
    case 1:
      FuzzSessionEstablishment(input);
      break;
    case 2:
      FuzzSessionData(input);
      break;
    case 3:
      FuzzQrUri(input);
      break;
    default:
      FuzzDecrypt(input);
      break;
  }
  return 0;
}
