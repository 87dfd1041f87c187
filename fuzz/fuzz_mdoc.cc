// fuzz_mdoc: the mdoc parsers and verifiers on arbitrary bytes: DeviceResponse verification,
// IssuerSigned verification and the holder's parse (HeldMdoc), DeviceRequest parsing with reader
// authentication, and COSE_Sign1 / COSE_Mac0 as mdoc uses them.
//
// Input layout: the first byte picks the entry point; the rest is the CBOR. The trust anchor is the
// ISO 18013-5 Annex D IACA and the clock is the Annex D time (2021-01-01), so the Annex D seeds pass
// the chain and signature checks and mutations of their items reach the digest and element
// checks. Invariants: nothing crashes; every rejection is one of the documented codes; whatever
// verifies has at least one element per returned namespace, and its elements re-encode to CBOR
// that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_common.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "cbor/cbor.h"
#include "cose/cose_mac0.h"
#include "cose/cose_sign1.h"
#include "crypto/x509.h"
#include "mdoc/device_request.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"

namespace {

using bonafide::fuzz::Check;
namespace mdoc = bonafide::mdoc;

constexpr char kAnnexDIaca[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBzjCCAXOgAwIBAgIUKrTt0FKyWC9Matlhht5w9N5aOZQwCgYIKoZIzj0EAwIw\n"
    "IzEUMBIGA1UEAwwLdXRvcGlhIGlhY2ExCzAJBgNVBAYTAlVTMB4XDTIwMTAwMTAw\n"
    "MDAwMFoXDTI5MDkyOTAwMDAwMFowIzEUMBIGA1UEAwwLdXRvcGlhIGlhY2ExCzAJ\n"
    "BgNVBAYTAlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELD4QPbwHslxadwru\n"
    "36XYvRVBfj5nYUJGGnh147QYiiIh5kI1mdHbGarvZvkj05S2FwlUm87C6m/2DsdS\n"
    "aPLglKOBhDCBgTAeBgNVHRIEFzAVgRNleGFtcGxlQGV4YW1wbGUuY29tMBwGA1Ud\n"
    "HwQVMBMwEaAPoA2CC2V4YW1wbGUuY29tMB0GA1UdDgQWBBRU+iODoEwo4NkweSJh\n"
    "yAxIgdLACzAOBgNVHQ8BAf8EBAMCAQYwEgYDVR0TAQH/BAgwBgEB/wIBADAKBggq\n"
    "hkjOPQQDAgNJADBGAiEA7Il/C4rlECgoiVUDH4YAaWWbdZia9xKfpgnCQpmlx4cC\n"
    "IQDQiNh0H10Fs2DvboUCPpDfHTHdHmcBqI7+mnEDAh+YbA==\n"
    "-----END CERTIFICATE-----\n";

struct Fixture {
  std::unique_ptr<mdoc::IacaTrustStore> trust;
  bonafide::FixedClock clock{1609459200};
  bonafide::crypto::PrivateKey reader_key;
  bonafide::Bytes transcript;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto cert = bonafide::crypto::Certificate::FromPem(kAnnexDIaca);
    Check(cert.ok(), "Annex D IACA parses");
    auto trust = mdoc::IacaTrustStore::Create({*cert});
    Check(trust.ok(), "trust store");
    auto b64 = [](const char* hex) { return bonafide::Base64UrlEncode(*bonafide::HexDecode(hex)); };
    bonafide::Json jwk = {{"kty", "EC"},
                          {"crv", "P-256"},
                          {"x", b64("60e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e")},
                          {"y", b64("e58deb8fdbe907f7dd5368245551a34796f7d2215c440c339bb0f7b67beccdfa")},
                          {"d", b64("de3b4b9e5f72dd9b58406ae3091434da48a6f9fd010d88fcb0958e2cebec947c")}};
    auto key = bonafide::crypto::PrivateKey::FromJwk(jwk);
    Check(key.ok(), "Annex D reader key");
    return new Fixture{std::move(*trust), bonafide::FixedClock(1609459200), std::move(*key),
                       mdoc::EncodeSessionTranscript(mdoc::OpenId4VpRedirectTranscript(
                           "x509_san_dns:fuzz.example", "nonce", std::nullopt, "https://fuzz.example/post"))};
  }();
  return *fixture;
}

bool Documented(bonafide::StatusCode code) {
  using bonafide::StatusCode;
  switch (code) {
    case StatusCode::kMalformed:
    case StatusCode::kLimitExceeded:
    case StatusCode::kInvalidSignature:
    case StatusCode::kUntrustedIssuer:
    case StatusCode::kInvalidCertificate:
    case StatusCode::kExpired:
    case StatusCode::kNotYetValid:
    case StatusCode::kDigestMismatch:
    case StatusCode::kDuplicateDisclosure:
    case StatusCode::kUnsupportedAlgorithm:
    case StatusCode::kAlgorithmMismatch:
    case StatusCode::kInvalidKey:
    case StatusCode::kUnknownCritical:
    case StatusCode::kInvalidType:
    case StatusCode::kInvalidClaims:
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kStatusUnavailable:
      return true;
    default:
      return false;
  }
}

void CheckDocument(const mdoc::VerifiedDocument& doc) {
  for (const auto& [ns, elements] : doc.issuer_signed()) {
    Check(!elements.empty(), "a returned namespace has elements");
    for (const auto& [name, value] : elements) {
      auto again = bonafide::cbor::Decode(bonafide::cbor::Encode(value));
      Check(again.ok() && *again == value, "a verified element re-encodes to itself");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bonafide::ByteView input(data + 1, size - 1);
  const Fixture& f = GetFixture();
  mdoc::DeviceResponseVerifier verifier(*f.trust, f.clock);
  verifier.SkipStatusCheck().WithReaderKey(f.reader_key);
  switch (data[0] % 4) {
    case 0: {
      auto docs = verifier.Verify(input, f.transcript);
      if (docs.ok()) {
        for (const auto& doc : *docs) CheckDocument(doc);
      } else {
        Check(Documented(docs.status().code()), "DeviceResponse error code is documented");
      }
      break;
    }
    case 1: {
      auto value = bonafide::cbor::Decode(input);
      if (!value.ok()) break;
      auto doc = verifier.VerifyIssuerSigned(*value);
      if (doc.ok()) {
        CheckDocument(*doc);
      } else {
        Check(Documented(doc.status().code()), "IssuerSigned error code is documented");
      }
      auto held = mdoc::HeldMdoc::FromIssuerSigned(*value);
      if (held.ok()) {
        for (const auto& [ns, names] : held->element_names()) Check(!ns.empty(), "held namespace has a name");
      }
      break;
    }
    case 2: {
      auto requests = mdoc::ParseDeviceRequest(input);
      if (!requests.ok()) {
        Check(Documented(requests.status().code()), "DeviceRequest error code is documented");
        break;
      }
      for (const auto& request : *requests) {
        Check(!request.items_request.doc_type.empty(), "a parsed request has a docType");
        auto reader = mdoc::VerifyReaderAuth(request, f.transcript, *f.trust, 1609459200);
        if (!reader.ok()) Check(Documented(reader.status().code()), "readerAuth error code is documented");
      }
      break;
    }
    default: {
      auto sign1 = bonafide::cose::UnverifiedSign1::Parse(input);
      if (sign1.ok()) {
        auto verified = sign1->Verify(f.reader_key.public_key(), {},
                                      sign1->detached() ? std::optional<bonafide::ByteView>(input) : std::nullopt);
        Check(!verified.ok(), "nothing verifies under the fuzz reader key");
      }
      auto value = bonafide::cbor::Decode(input);
      if (value.ok()) {
        static const uint8_t kKey[32] = {1};
        auto mac = bonafide::cose::VerifyMac0(*value, bonafide::cose::MacAlg::kHmac256, kKey, {},
                                              bonafide::ByteView(kKey));
        if (!mac.ok()) Check(Documented(mac.status().code()), "COSE_Mac0 error code is documented");
      }
      break;
    }
  }
  return 0;
}
