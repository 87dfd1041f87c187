// Tests for mdoc/session_transcript.h and mdoc/session.h against ISO/IEC 18013-5:2021 Annex D and
// the OpenID4VP 1.0 handover examples (tests/vectors/mdoc-iso18013-5), plus negative and boundary
// cases for every parsing and counter rule.
#include "mdoc/session.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "../common/test_util.h"
#include "base/encoding.h"
#include "cbor/cbor.h"
#include "cose/cose_key.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "jose/jwk.h"
#include "mdoc/session_transcript.h"

namespace bonafide::mdoc {

// SessionEncryptionTestPeer reaches the message counters, so the 2^32 - 1 bound can be tested
// without sending four billion messages.
class SessionEncryptionTestPeer {
 public:
  static void SetCounters(SessionEncryption& s, uint64_t send, uint64_t receive) {
    s.send_counter_ = send;
    s.receive_counter_ = receive;
  }
};

namespace {

using cbor::Value;

constexpr char kAnnexD[] = "mdoc-iso18013-5/annex-d/";
constexpr char kHandover[] = "mdoc-iso18013-5/openid4vp-handover/";

Bytes ReadHex(const std::string& relative) {
  std::string text = testing::ReadFile(std::string(BONAFIDE_VECTORS_DIR) + "/" + relative);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Result<Bytes> bytes = HexDecode(text);
  EXPECT_TRUE(bytes.ok()) << relative;
  return bytes.ok() ? *bytes : Bytes{};
}

Bytes Hex(std::string_view text) {
  Result<Bytes> bytes = HexDecode(text);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : Bytes{};
}

std::string B64(std::string_view hex) { return Base64UrlEncode(Hex(hex)); }

Json AnnexKey(const std::string& name) {
  return testing::LoadVector(std::string(kAnnexD) + "keys.json")[name];
}

crypto::PrivateKey AnnexPrivateKey(const std::string& name) {
  const Json k = AnnexKey(name);
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromJwk(Json{{"kty", "EC"},
                                                                    {"crv", "P-256"},
                                                                    {"x", B64(k["x"].get<std::string>())},
                                                                    {"y", B64(k["y"].get<std::string>())},
                                                                    {"d", B64(k["d"].get<std::string>())}});
  EXPECT_TRUE(key.ok()) << name;
  return *key;
}

std::string Derived(const std::string& name) {
  return testing::LoadVector(std::string(kAnnexD) +
                             "derived-intermediates.json")["session_encryption"][name]["value"]
      .get<std::string>();
}

Bytes Enc(const Value& v) { return cbor::Encode(v); }

Value Map(std::initializer_list<std::pair<Value, Value>> entries) {
  Value m = Value::MakeMap();
  for (const auto& [k, v] : entries) m.Insert(k, v);
  return m;
}

Value Arr(std::initializer_list<Value> items) {
  Value a = Value::MakeArray();
  for (const auto& v : items) a.Append(v);
  return a;
}

crypto::PublicKey GeneratedPublic(crypto::SignatureAlg alg) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok());
  return key->public_key();
}

// ---------------------------------------------------------------------------------------------
// SessionTranscript: OpenID4VP 1.0 Appendix B.2.6

class OpenId4VpHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inputs_ = testing::LoadVector(std::string(kHandover) + "inputs.json");
    Result<crypto::PublicKey> jwk = crypto::PublicKey::FromJwk(inputs_["verifier_encryption_jwk"]);
    ASSERT_TRUE(jwk.ok());
    Result<Bytes> thumbprint = Base64UrlDecode(jose::JwkThumbprint(*jwk));
    ASSERT_TRUE(thumbprint.ok());
    thumbprint_ = *thumbprint;
    ASSERT_EQ(thumbprint_, Hex(inputs_["jwk_sha256_thumbprint_hex"].get<std::string>()));
  }
  std::string Redirect(const char* name) { return inputs_["redirect_flow"][name].get<std::string>(); }
  std::string DcApi(const char* name) { return inputs_["dc_api_flow"][name].get<std::string>(); }

  Json inputs_;
  Bytes thumbprint_;
};

TEST_F(OpenId4VpHandoverTest, RedirectHandoverReproducesTheSpecExampleByteForByte) {
  const std::string client_id = Redirect("client_id"), nonce = Redirect("nonce"),
                    response_uri = Redirect("response_uri");
  EXPECT_EQ(OpenId4VpHandoverInfo(client_id, nonce, ByteView(thumbprint_), response_uri),
            ReadHex(std::string(kHandover) + "openid4vp_handover_info.hex"));
  EXPECT_EQ(Enc(OpenId4VpHandover(client_id, nonce, ByteView(thumbprint_), response_uri)),
            ReadHex(std::string(kHandover) + "openid4vp_handover.hex"));
  const Value transcript = OpenId4VpRedirectTranscript(client_id, nonce, ByteView(thumbprint_), response_uri);
  EXPECT_EQ(EncodeSessionTranscript(transcript),
            ReadHex(std::string(kHandover) + "session_transcript_redirect.hex"));
  // SessionTranscriptBytes is the same bytes inside tag 24.
  EXPECT_EQ(
      SessionTranscriptBytes(transcript),
      Enc(Value::EmbeddedCborBytes(ReadHex(std::string(kHandover) + "session_transcript_redirect.hex"))));
}

TEST_F(OpenId4VpHandoverTest, DcApiHandoverReproducesTheSpecExampleByteForByte) {
  const std::string origin = DcApi("origin"), nonce = DcApi("nonce");
  EXPECT_EQ(OpenId4VpDcApiHandoverInfo(origin, nonce, ByteView(thumbprint_)),
            ReadHex(std::string(kHandover) + "openid4vp_dcapi_handover_info.hex"));
  EXPECT_EQ(Enc(OpenId4VpDcApiHandover(origin, nonce, ByteView(thumbprint_))),
            ReadHex(std::string(kHandover) + "openid4vp_dcapi_handover.hex"));
  EXPECT_EQ(EncodeSessionTranscript(OpenId4VpDcApiTranscript(origin, nonce, ByteView(thumbprint_))),
            ReadHex(std::string(kHandover) + "session_transcript_dcapi.hex"));
}

TEST_F(OpenId4VpHandoverTest, AbsentThumbprintIsNullAndChangesTheHandover) {
  const Bytes info = OpenId4VpHandoverInfo("c", "n", std::nullopt, "https://r");
  Result<Value> decoded = cbor::Decode(info);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 4u);
  EXPECT_TRUE(decoded->array()[2].is_null());
  EXPECT_NE(Enc(OpenId4VpHandover("c", "n", std::nullopt, "https://r")),
            Enc(OpenId4VpHandover("c", "n", ByteView(thumbprint_), "https://r")));

  const Bytes dc_info = OpenId4VpDcApiHandoverInfo("https://o", "n", std::nullopt);
  Result<Value> dc_decoded = cbor::Decode(dc_info);
  ASSERT_TRUE(dc_decoded.ok());
  ASSERT_EQ(dc_decoded->size(), 3u);
  EXPECT_TRUE(dc_decoded->array()[2].is_null());
}

TEST_F(OpenId4VpHandoverTest, EveryInputChangesTheTranscript) {
  const Bytes base = EncodeSessionTranscript(OpenId4VpRedirectTranscript("c", "n", std::nullopt, "u"));
  EXPECT_NE(base, EncodeSessionTranscript(OpenId4VpRedirectTranscript("c2", "n", std::nullopt, "u")));
  EXPECT_NE(base, EncodeSessionTranscript(OpenId4VpRedirectTranscript("c", "n2", std::nullopt, "u")));
  EXPECT_NE(base, EncodeSessionTranscript(OpenId4VpRedirectTranscript("c", "n", std::nullopt, "u2")));
  // The redirect and DC API forms never collide, even over the same strings.
  EXPECT_NE(EncodeSessionTranscript(OpenId4VpDcApiTranscript("c", "n", std::nullopt)),
            EncodeSessionTranscript(OpenId4VpRedirectTranscript("c", "n", std::nullopt, "")));
}

// ---------------------------------------------------------------------------------------------
// SessionTranscript: proximity (18013-5 9.1.5.1, Annex D.5.1)

TEST(ProximityTranscriptTest, RebuildsTheAnnexDTranscriptFromItsParts) {
  const Bytes expected = ReadHex(std::string(kAnnexD) + "session_transcript_bytes.hex");
  Result<Value> outer = cbor::Decode(expected);
  ASSERT_TRUE(outer.ok());
  Result<Value> transcript = outer->DecodeEmbedded();
  ASSERT_TRUE(transcript.ok());
  ASSERT_EQ(transcript->size(), 3u);
  const cbor::Array& parts = transcript->array();

  // From the decoded items (original encodings kept).
  Result<Value> rebuilt = ProximityTranscript(parts[0], parts[1], parts[2]);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(SessionTranscriptBytes(*rebuilt), expected);
  EXPECT_EQ(EncodeSessionTranscript(*rebuilt),
            Bytes(outer->tagged().bytes().begin(), outer->tagged().bytes().end()));

  // From raw pieces: the engagement bytes, EReaderKeyBytes rebuilt from the key, the NFC handover.
  const cbor::Array& nfc = parts[2].array();
  ASSERT_EQ(nfc.size(), 2u);
  const crypto::PrivateKey reader = AnnexPrivateKey("ephemeral_reader_key");
  Result<Value> reader_key_bytes = EphemeralKeyBytes(reader.public_key());
  ASSERT_TRUE(reader_key_bytes.ok());
  Result<Value> from_parts =
      ProximityTranscript(Value::EmbeddedCborBytes(parts[0].tagged().bytes()), *reader_key_bytes,
                          NfcHandover(nfc[0].bytes(), nfc[1].bytes()));
  ASSERT_TRUE(from_parts.ok());
  EXPECT_EQ(SessionTranscriptBytes(*from_parts), expected);
}

TEST(ProximityTranscriptTest, QrAndNfcHandoverShapes) {
  EXPECT_EQ(Enc(QrHandover()), Hex("f6"));
  EXPECT_EQ(Enc(NfcHandover(Hex("0102"), std::nullopt)), Hex("82420102f6"));
  EXPECT_EQ(Enc(NfcHandover(Hex("0102"), Hex("03"))), Hex("824201024103"));
}

TEST(ProximityTranscriptTest, RejectsItemsThatAreNotTag24OverBytes) {
  const Value engagement = Value::EmbeddedCborBytes(Hex("a0"));
  const Value key = Value::EmbeddedCborBytes(Hex("a0"));
  // Boundary: the well-formed QR form.
  Result<Value> ok = ProximityTranscript(engagement, key, QrHandover());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(EncodeSessionTranscript(*ok), Hex("83d81841a0d81841a0f6"));

  EXPECT_EQ(ProximityTranscript(Value::ByteString(Hex("a0")), key, QrHandover()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ProximityTranscript(engagement, Map({}), QrHandover()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ProximityTranscript(engagement, Value::Tagged(25, Value::ByteString(Hex("a0"))), QrHandover())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ProximityTranscript(engagement, key, Value::Text("qr")).status().code(),
            StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// DeviceEngagement (18013-5 8.2.1.1)

Value CoseKeyBytesValue(const crypto::PublicKey& key) {
  return Value::EmbeddedCbor(cose::CoseKeyFromPublicKey(key));
}

// Engagement builds {0: version, 1: [suite, key_bytes]} plus extra entries.
Bytes Engagement(Value version, Value suite, Value key_bytes,
                 std::initializer_list<std::pair<Value, Value>> extra = {}) {
  Value m = Map(
      {{Value::Int(0), std::move(version)}, {Value::Int(1), Arr({std::move(suite), std::move(key_bytes)})}});
  for (const auto& [k, v] : extra) m.Insert(k, v);
  return Enc(m);
}

class DeviceEngagementTest : public ::testing::Test {
 protected:
  DeviceEngagementTest()
      : device_(AnnexPrivateKey("ephemeral_device_key")),
        key_bytes_(CoseKeyBytesValue(device_.public_key())) {}
  crypto::PrivateKey device_;
  Value key_bytes_;
};

TEST_F(DeviceEngagementTest, ParsesAnnexD) {
  const Bytes input = ReadHex(std::string(kAnnexD) + "device_engagement.hex");
  Result<DeviceEngagement> engagement = ParseDeviceEngagement(input);
  ASSERT_TRUE(engagement.ok()) << engagement.status().ToString();
  EXPECT_EQ(engagement->version, "1.0");
  EXPECT_TRUE(engagement->e_device_key.Equals(device_.public_key()));
  EXPECT_EQ(Enc(engagement->e_device_key_bytes), ReadHex(std::string(kAnnexD) + "e_device_key_bytes.hex"));
  ASSERT_TRUE(engagement->device_retrieval_methods.has_value());
  EXPECT_EQ(Enc(*engagement->device_retrieval_methods),
            Hex("81830201a300f401f50b5045efef742b2c4837a9a3b0e1d05a6917"));
  EXPECT_EQ(engagement->encoded, input);
  EXPECT_EQ(Enc(engagement->DeviceEngagementBytes()), Enc(Value::EmbeddedCborBytes(input)));

  // Building from the parsed parts reproduces the Annex D bytes.
  Result<Bytes> rebuilt =
      BuildDeviceEngagement(engagement->e_device_key, engagement->device_retrieval_methods);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, input);
}

TEST_F(DeviceEngagementTest, BuildWithoutRetrievalMethodsMatchesTheTranscriptEngagement) {
  // The DeviceEngagement inside the Annex D transcript has no retrieval methods.
  Result<Value> outer = cbor::Decode(ReadHex(std::string(kAnnexD) + "session_transcript_bytes.hex"));
  ASSERT_TRUE(outer.ok());
  Result<Value> transcript = outer->DecodeEmbedded();
  ASSERT_TRUE(transcript.ok());
  const ByteView in_transcript = transcript->array()[0].tagged().bytes();
  Result<Bytes> built = BuildDeviceEngagement(device_.public_key());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, Bytes(in_transcript.begin(), in_transcript.end()));
  Result<DeviceEngagement> parsed = ParseDeviceEngagement(*built);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->device_retrieval_methods.has_value());
}

TEST_F(DeviceEngagementTest, BuildRejectsNonP256KeysAndBadRetrievalMethods) {
  EXPECT_EQ(BuildDeviceEngagement(GeneratedPublic(crypto::SignatureAlg::kES384)).status().code(),
            StatusCode::kInvalidKey);
  EXPECT_EQ(BuildDeviceEngagement(GeneratedPublic(crypto::SignatureAlg::kEdDSA)).status().code(),
            StatusCode::kInvalidKey);
  EXPECT_EQ(BuildDeviceEngagement(device_.public_key(), Arr({})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildDeviceEngagement(device_.public_key(), Map({})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildDeviceEngagement(device_.public_key(), Arr({Arr({Value::Uint(2), Value::Uint(1)})}))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildDeviceEngagement(device_.public_key(),
                                  Arr({Arr({Value::Uint(2), Value::Uint(1), Value::Text("x")})}))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Boundary: one method of the right shape.
  EXPECT_TRUE(
      BuildDeviceEngagement(device_.public_key(), Arr({Arr({Value::Uint(2), Value::Uint(1), Map({})})}))
          .ok());
}

TEST_F(DeviceEngagementTest, VersionRules) {
  EXPECT_TRUE(ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), key_bytes_)).ok());
  Result<DeviceEngagement> v11 =
      ParseDeviceEngagement(Engagement(Value::Text("1.1"), Value::Uint(1), key_bytes_));
  ASSERT_TRUE(v11.ok());
  EXPECT_EQ(v11->version, "1.1");
  for (const char* bad : {"2.0", "1", "1.", "1.x", "01.0", "", "1.0 "}) {
    EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Text(bad), Value::Uint(1), key_bytes_)).status().code(),
              StatusCode::kMalformed)
        << bad;
  }
  EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Uint(1), Value::Uint(1), key_bytes_)).status().code(),
            StatusCode::kMalformed);
  // Version missing.
  EXPECT_EQ(
      ParseDeviceEngagement(Enc(Map({{Value::Int(1), Arr({Value::Uint(1), key_bytes_})}}))).status().code(),
      StatusCode::kMalformed);
}

TEST_F(DeviceEngagementTest, SecurityRules) {
  // Security missing, not an array, wrong length.
  EXPECT_EQ(ParseDeviceEngagement(Enc(Map({{Value::Int(0), Value::Text("1.0")}}))).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(
      ParseDeviceEngagement(Enc(Map({{Value::Int(0), Value::Text("1.0")}, {Value::Int(1), key_bytes_}})))
          .status()
          .code(),
      StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagement(
                Enc(Map({{Value::Int(0), Value::Text("1.0")}, {Value::Int(1), Arr({Value::Uint(1)})}})))
                .status()
                .code(),
            StatusCode::kMalformed);
  EXPECT_EQ(
      ParseDeviceEngagement(Enc(Map({{Value::Int(0), Value::Text("1.0")},
                                     {Value::Int(1), Arr({Value::Uint(1), key_bytes_, Value::Null()})}})))
          .status()
          .code(),
      StatusCode::kMalformed);
  // Cipher suite: 1 only; another number is unsupported, another type malformed.
  EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(2), key_bytes_)).status().code(),
            StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(0), key_bytes_)).status().code(),
            StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Int(-1), key_bytes_)).status().code(),
            StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Text("1"), key_bytes_)).status().code(),
      StatusCode::kMalformed);
}

TEST_F(DeviceEngagementTest, KeyRules) {
  const Value cose_key = cose::CoseKeyFromPublicKey(device_.public_key());
  // Not tag 24: a bare COSE_Key map, a bare byte string, tag 24 over garbage.
  EXPECT_EQ(ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), cose_key)).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), Value::ByteString(Enc(cose_key))))
          .status()
          .code(),
      StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagement(
                Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCborBytes(Hex("ff"))))
                .status()
                .code(),
            StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagement(
                Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCborBytes(Hex("a0a0"))))
                .status()
                .code(),
            StatusCode::kMalformed);
  // Tag 24 over CBOR that is not a usable P-256 COSE_Key.
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCbor(Map({}))))
          .status()
          .code(),
      StatusCode::kInvalidKey);
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1),
                                       CoseKeyBytesValue(GeneratedPublic(crypto::SignatureAlg::kES384))))
          .status()
          .code(),
      StatusCode::kInvalidKey);
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1),
                                       CoseKeyBytesValue(GeneratedPublic(crypto::SignatureAlg::kEdDSA))))
          .status()
          .code(),
      StatusCode::kInvalidKey);
  Value with_private = cose_key;
  with_private.Insert(-4, Value::ByteString(Bytes(32, 1)));
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCbor(with_private)))
          .status()
          .code(),
      StatusCode::kInvalidKey);
  // A point off the curve: y changed.
  Value off_curve = Map({{Value::Int(1), Value::Int(2)},
                         {Value::Int(-1), Value::Int(1)},
                         {Value::Int(-2), *cose_key.Find(-2)},
                         {Value::Int(-3), Value::ByteString(Bytes(32, 7))}});
  EXPECT_EQ(
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCbor(off_curve)))
          .status()
          .code(),
      StatusCode::kInvalidKey);
  // Boundary: a compressed point (y as bool) is a valid P-256 COSE_Key.
  Value compressed = Map({{Value::Int(1), Value::Int(2)},
                          {Value::Int(-1), Value::Int(1)},
                          {Value::Int(-2), *cose_key.Find(-2)},
                          {Value::Int(-3), Value::Bool(device_.public_key().EncodedPoint(true)[0] == 0x03)}});
  Result<DeviceEngagement> ok =
      ParseDeviceEngagement(Engagement(Value::Text("1.0"), Value::Uint(1), Value::EmbeddedCbor(compressed)));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->e_device_key.Equals(device_.public_key()));
}

TEST_F(DeviceEngagementTest, StructureRules) {
  const Bytes good = Engagement(Value::Text("1.0"), Value::Uint(1), key_bytes_);
  EXPECT_EQ(ParseDeviceEngagement(Enc(Arr({Value::Text("1.0")}))).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagement({}).status().code(), StatusCode::kMalformed);
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_EQ(ParseDeviceEngagement(trailing).status().code(), StatusCode::kMalformed);
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_EQ(ParseDeviceEngagement(truncated).status().code(), StatusCode::kMalformed);
  // Retrieval methods of the wrong shape.
  for (const Value& methods :
       {Arr({}), Map({}), Arr({Value::Uint(2)}), Arr({Arr({Value::Uint(2), Value::Uint(1), Arr({})})}),
        Arr({Arr({Value::Int(-2), Value::Uint(1), Map({})})})}) {
    EXPECT_EQ(ParseDeviceEngagement(
                  Engagement(Value::Text("1.0"), Value::Uint(1), key_bytes_, {{Value::Int(2), methods}}))
                  .status()
                  .code(),
              StatusCode::kMalformed)
        << cbor::ToDiagnostic(methods);
  }
  // Boundary: unknown members (e.g. 5 OriginInfos, 6 Capabilities, a text key) are ignored.
  Result<DeviceEngagement> extended = ParseDeviceEngagement(
      Engagement(Value::Text("1.0"), Value::Uint(1), key_bytes_,
                 {{Value::Int(5), Arr({})}, {Value::Int(6), Map({})}, {Value::Text("x"), Value::Null()}}));
  ASSERT_TRUE(extended.ok());
  EXPECT_FALSE(extended->device_retrieval_methods.has_value());
}

TEST_F(DeviceEngagementTest, QrUriRoundTripsAnnexD) {
  const Bytes input = ReadHex(std::string(kAnnexD) + "device_engagement.hex");
  const std::string uri = DeviceEngagementQrUri(input);
  EXPECT_EQ(uri, "mdoc:" + Base64UrlEncode(input));
  EXPECT_EQ(uri.find('='), std::string::npos);
  Result<Bytes> parsed = ParseDeviceEngagementQrUri(uri);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, input);
  EXPECT_TRUE(ParseDeviceEngagement(*parsed).ok());
}

TEST(DeviceEngagementQrTest, RejectsOtherSchemesAndLaxBase64) {
  EXPECT_EQ(*ParseDeviceEngagementQrUri("mdoc:AA"), Bytes{0x00});  // boundary: one byte
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc:").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("MDOC:AA").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc//AA").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("AA").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc:AA==").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc:AB").status().code(), StatusCode::kMalformed);  // trailing bits
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc:A+").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseDeviceEngagementQrUri("mdoc: AA").status().code(), StatusCode::kMalformed);
}

// ---------------------------------------------------------------------------------------------
// SessionEstablishment and SessionData (18013-5 9.1.1.4)

TEST(SessionEstablishmentTest, ParsesAndRebuildsAnnexD) {
  const Bytes input = ReadHex(std::string(kAnnexD) + "session_establishment.hex");
  Result<SessionEstablishment> message = ParseSessionEstablishment(input);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  const crypto::PrivateKey reader = AnnexPrivateKey("ephemeral_reader_key");
  EXPECT_TRUE(message->e_reader_key.Equals(reader.public_key()));
  EXPECT_EQ(Enc(message->e_reader_key_bytes), Enc(*EphemeralKeyBytes(reader.public_key())));
  EXPECT_EQ(message->data.size(), 0x2dfu);
  Result<Bytes> rebuilt = BuildSessionEstablishment(message->e_reader_key, message->data);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, input);
}

TEST(SessionEstablishmentTest, KeepsTheReceivedKeyEncoding) {
  // A COSE_Key in non-deterministic order (x before kty) is accepted, and the transcript item
  // keeps those bytes rather than a re-encoding.
  const crypto::PrivateKey reader = AnnexPrivateKey("ephemeral_reader_key");
  const Value key = cose::CoseKeyFromPublicKey(reader.public_key());
  const Value reordered = Map({{Value::Int(-2), *key.Find(-2)},
                               {Value::Int(-3), *key.Find(-3)},
                               {Value::Int(1), Value::Int(2)},
                               {Value::Int(-1), Value::Int(1)}});
  const Bytes key_encoding = Enc(reordered);
  const Bytes input = Enc(Map({{Value::Text("eReaderKey"), Value::EmbeddedCborBytes(key_encoding)},
                               {Value::Text("data"), Value::ByteString(Hex("00"))}}));
  Result<SessionEstablishment> message = ParseSessionEstablishment(input);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(Enc(message->e_reader_key_bytes), Enc(Value::EmbeddedCborBytes(key_encoding)));
  EXPECT_NE(Enc(message->e_reader_key_bytes), Enc(*EphemeralKeyBytes(reader.public_key())));
}

TEST(SessionEstablishmentTest, Rules) {
  const crypto::PrivateKey reader = AnnexPrivateKey("ephemeral_reader_key");
  const Value key_bytes = *EphemeralKeyBytes(reader.public_key());
  const Value data = Value::ByteString(Hex("0102"));
  auto parse = [](const Value& v) { return ParseSessionEstablishment(Enc(v)).status().code(); };

  // Boundary: both members, in either order, empty data, plus an unknown member.
  EXPECT_EQ(parse(Map({{Value::Text("data"), data}, {Value::Text("eReaderKey"), key_bytes}})),
            StatusCode::kOk);
  EXPECT_EQ(
      parse(Map({{Value::Text("eReaderKey"), key_bytes}, {Value::Text("data"), Value::ByteString(Bytes{})}})),
      StatusCode::kOk);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), key_bytes},
                       {Value::Text("data"), data},
                       {Value::Text("other"), Value::Null()}})),
            StatusCode::kOk);

  EXPECT_EQ(parse(Map({{Value::Text("data"), data}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), key_bytes}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), key_bytes}, {Value::Text("data"), Value::Text("0102")}})),
            StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), key_bytes}, {Value::Text("data"), Value::Null()}})),
            StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), key_bytes.tagged()}, {Value::Text("data"), data}})),
            StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), cose::CoseKeyFromPublicKey(reader.public_key())},
                       {Value::Text("data"), data}})),
            StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("EReaderKey"), key_bytes}, {Value::Text("data"), data}})),
            StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"),
                        CoseKeyBytesValue(GeneratedPublic(crypto::SignatureAlg::kES384))},
                       {Value::Text("data"), data}})),
            StatusCode::kInvalidKey);
  EXPECT_EQ(parse(Map({{Value::Text("eReaderKey"), Value::EmbeddedCbor(Value::Uint(1))},
                       {Value::Text("data"), data}})),
            StatusCode::kInvalidKey);
  EXPECT_EQ(parse(Arr({key_bytes, data})), StatusCode::kMalformed);

  Bytes trailing = Enc(Map({{Value::Text("eReaderKey"), key_bytes}, {Value::Text("data"), data}}));
  trailing.push_back(0xf6);
  EXPECT_EQ(ParseSessionEstablishment(trailing).status().code(), StatusCode::kMalformed);
  // Duplicate member: the CBOR decoder refuses it.
  EXPECT_EQ(ParseSessionEstablishment(Hex("a364646174614101646461746141026a655265616465724b6579f6"))
                .status()
                .code(),
            StatusCode::kMalformed);

  EXPECT_EQ(
      BuildSessionEstablishment(GeneratedPublic(crypto::SignatureAlg::kES384), Hex("00")).status().code(),
      StatusCode::kInvalidKey);
}

TEST(SessionDataTest, ParsesAndRebuildsAnnexD) {
  const Bytes input = ReadHex(std::string(kAnnexD) + "session_data.hex");
  Result<SessionData> message = ParseSessionData(input);
  ASSERT_TRUE(message.ok());
  ASSERT_TRUE(message->data.has_value());
  EXPECT_FALSE(message->status.has_value());
  EXPECT_EQ(*BuildSessionData(*message), input);

  const Bytes termination = ReadHex(std::string(kAnnexD) + "session_termination.hex");
  Result<SessionData> end = ParseSessionData(termination);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->data.has_value());
  EXPECT_EQ(end->status, SessionStatus::kTermination);
  EXPECT_EQ(*BuildSessionData(*end), termination);
}

TEST(SessionDataTest, Rules) {
  auto parse = [](const Value& v) { return ParseSessionData(Enc(v)).status().code(); };
  for (uint64_t status : {10u, 11u, 20u}) {
    Result<SessionData> ok = ParseSessionData(Enc(Map({{Value::Text("status"), Value::Uint(status)}})));
    ASSERT_TRUE(ok.ok()) << status;
    EXPECT_EQ(static_cast<uint64_t>(*ok->status), status);
  }
  for (uint64_t status : {0u, 9u, 12u, 19u, 21u}) {
    EXPECT_EQ(parse(Map({{Value::Text("status"), Value::Uint(status)}})), StatusCode::kMalformed) << status;
  }
  EXPECT_EQ(parse(Map({{Value::Text("status"), Value::Int(-20)}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("status"), Value::Text("20")}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("other"), Value::Uint(1)}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Map({{Value::Text("data"), Value::Uint(1)}})), StatusCode::kMalformed);
  EXPECT_EQ(parse(Value::ByteString(Hex("00"))), StatusCode::kMalformed);
  // Boundary: both members, and empty data.
  Result<SessionData> both = ParseSessionData(Enc(
      Map({{Value::Text("data"), Value::ByteString(Bytes{})}, {Value::Text("status"), Value::Uint(10)}})));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->data, Bytes{});
  EXPECT_EQ(both->status, SessionStatus::kEncryptionError);
  EXPECT_EQ(*BuildSessionData(*both), Hex("a2646461746140667374617475730a"));

  EXPECT_EQ(BuildSessionData(SessionData{}).status().code(), StatusCode::kInvalidArgument);
  Bytes trailing = Hex("a16673746174757314");
  trailing.push_back(0x00);
  EXPECT_EQ(ParseSessionData(trailing).status().code(), StatusCode::kMalformed);
}

// ---------------------------------------------------------------------------------------------
// SessionEncryption (18013-5 9.1.1.5)

class SessionEncryptionTest : public ::testing::Test {
 protected:
  SessionEncryptionTest()
      : device_(AnnexPrivateKey("ephemeral_device_key")),
        reader_(AnnexPrivateKey("ephemeral_reader_key")),
        transcript_bytes_(ReadHex(std::string(kAnnexD) + "session_transcript_bytes.hex")),
        request_(ReadHex(std::string(kAnnexD) + "device_request.hex")),
        response_(ReadHex(std::string(kAnnexD) + "device_response.hex")) {}

  SessionEncryption Device() {
    Result<SessionEncryption> s =
        SessionEncryption::ForDevice(device_, reader_.public_key(), transcript_bytes_);
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  SessionEncryption Reader() {
    Result<SessionEncryption> s =
        SessionEncryption::ForReader(reader_, device_.public_key(), transcript_bytes_);
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  Bytes EstablishmentData() {
    return ParseSessionEstablishment(ReadHex(std::string(kAnnexD) + "session_establishment.hex"))->data;
  }
  Bytes SessionDataData() {
    return *ParseSessionData(ReadHex(std::string(kAnnexD) + "session_data.hex"))->data;
  }

  crypto::PrivateKey device_;
  crypto::PrivateKey reader_;
  Bytes transcript_bytes_;
  Bytes request_;
  Bytes response_;
};

TEST_F(SessionEncryptionTest, DeviceDecryptsTheAnnexDRequestAndReproducesTheResponse) {
  // The mdoc side takes the reader key from the SessionEstablishment it received.
  Result<SessionEstablishment> establishment =
      ParseSessionEstablishment(ReadHex(std::string(kAnnexD) + "session_establishment.hex"));
  ASSERT_TRUE(establishment.ok());
  Result<SessionEncryption> device =
      SessionEncryption::ForDevice(device_, establishment->e_reader_key, transcript_bytes_);
  ASSERT_TRUE(device.ok());
  Result<Bytes> request = device->Decrypt(establishment->data);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(*request, request_);
  Result<Bytes> response = device->Encrypt(response_);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(*response, SessionDataData());
}

TEST_F(SessionEncryptionTest, ReaderReproducesTheRequestAndDecryptsTheAnnexDResponse) {
  // The reader side takes the device key from the DeviceEngagement it scanned.
  Result<DeviceEngagement> engagement =
      ParseDeviceEngagement(ReadHex(std::string(kAnnexD) + "device_engagement.hex"));
  ASSERT_TRUE(engagement.ok());
  Result<SessionEncryption> reader =
      SessionEncryption::ForReader(reader_, engagement->e_device_key, transcript_bytes_);
  ASSERT_TRUE(reader.ok());
  Result<Bytes> request = reader->Encrypt(request_);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(*request, EstablishmentData());
  Result<Bytes> response = reader->Decrypt(SessionDataData());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(*response, response_);
}

TEST_F(SessionEncryptionTest, MatchesTheDerivedIntermediates) {
  // ECDH and the first IVs / keys of derived-intermediates.json (cross-checked with spruceid/isomdl).
  Result<SecretBytes> z = crypto::EcdhP256(device_, reader_.public_key());
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(HexEncode(z->view()), Derived("ecdh_z"));
  const Bytes by_reader = *Reader().Encrypt(request_);
  EXPECT_EQ(by_reader, *crypto::Aes256GcmSeal(Hex(Derived("sk_reader")),
                                              Hex(Derived("iv_reader_first_message")), {}, request_));
  const Bytes by_device = *Device().Encrypt(response_);
  EXPECT_EQ(by_device, *crypto::Aes256GcmSeal(Hex(Derived("sk_device")),
                                              Hex(Derived("iv_device_first_message")), {}, response_));
}

TEST_F(SessionEncryptionTest, ReplayedMessageFails) {
  SessionEncryption device = Device();
  const Bytes data = EstablishmentData();
  ASSERT_TRUE(device.Decrypt(data).ok());
  EXPECT_EQ(device.Decrypt(data).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(SessionEncryptionTest, ReorderedMessagesFailAndFailureKeepsTheCounter) {
  SessionEncryption reader = Reader();
  SessionEncryption device = Device();
  const Bytes m1 = *reader.Encrypt(Hex("01"));
  const Bytes m2 = *reader.Encrypt(Hex("02"));
  const Bytes m3 = *reader.Encrypt(Hex("03"));
  EXPECT_NE(m1, m2);  // same key, different counters
  EXPECT_EQ(device.Decrypt(m2).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(device.Decrypt(m3).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(*device.Decrypt(m1), Hex("01"));
  EXPECT_EQ(*device.Decrypt(m2), Hex("02"));
  EXPECT_EQ(device.Decrypt(m1).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(*device.Decrypt(m3), Hex("03"));
}

TEST_F(SessionEncryptionTest, DirectionsUseDifferentKeysAndIdentifiers) {
  SessionEncryption reader = Reader();
  const Bytes own = *reader.Encrypt(Hex("00"));
  EXPECT_EQ(reader.Decrypt(own).status().code(), StatusCode::kInvalidSignature);
  SessionEncryption device = Device();
  const Bytes from_device = *device.Encrypt(Hex("00"));
  EXPECT_NE(own, from_device);
  EXPECT_EQ(device.Decrypt(from_device).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(*reader.Decrypt(from_device), Hex("00"));
}

TEST_F(SessionEncryptionTest, AlteredOrTruncatedCiphertextFails) {
  const Bytes data = EstablishmentData();
  for (size_t i : {size_t{0}, data.size() / 2, data.size() - 17, data.size() - 16, data.size() - 1}) {
    Bytes flipped = data;
    flipped[i] ^= 0x01;
    SessionEncryption device = Device();
    EXPECT_EQ(device.Decrypt(flipped).status().code(), StatusCode::kInvalidSignature) << i;
    EXPECT_EQ(*device.Decrypt(data), request_);  // the failure did not consume the counter
  }
  SessionEncryption device = Device();
  Bytes shorter(data.begin(), data.end() - 1);
  EXPECT_EQ(device.Decrypt(shorter).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(device.Decrypt(Bytes(15, 0)).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(device.Decrypt(Bytes{}).status().code(), StatusCode::kMalformed);
  // Boundary: a bare 16-byte tag is the right length for an empty message, and must verify.
  EXPECT_EQ(device.Decrypt(Bytes(16, 0)).status().code(), StatusCode::kInvalidSignature);
  SessionEncryption reader = Reader();
  const Bytes empty = *reader.Encrypt({});
  EXPECT_EQ(empty.size(), 16u);
  EXPECT_EQ(*device.Decrypt(empty), Bytes{});
}

TEST_F(SessionEncryptionTest, WrongTranscriptOrKeysFail) {
  Bytes other_transcript = transcript_bytes_;
  other_transcript.back() ^= 0x01;  // still one #6.24(bstr) item, different content
  Result<SessionEncryption> device =
      SessionEncryption::ForDevice(device_, reader_.public_key(), other_transcript);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->Decrypt(EstablishmentData()).status().code(), StatusCode::kInvalidSignature);

  // The untagged SessionTranscript is not SessionTranscriptBytes.
  Result<Value> outer = cbor::Decode(transcript_bytes_);
  ASSERT_TRUE(outer.ok());
  const ByteView untagged = outer->tagged().bytes();
  EXPECT_EQ(SessionEncryption::ForDevice(device_, reader_.public_key(), untagged).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SessionEncryption::ForDevice(device_, reader_.public_key(), {}).status().code(),
            StatusCode::kInvalidArgument);
  Bytes trailing = transcript_bytes_;
  trailing.push_back(0);
  EXPECT_EQ(SessionEncryption::ForReader(reader_, device_.public_key(), trailing).status().code(),
            StatusCode::kInvalidArgument);

  // A different reader key (a man in the middle's) gives other session keys.
  Result<crypto::PrivateKey> other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  Result<SessionEncryption> wrong_key =
      SessionEncryption::ForDevice(device_, other->public_key(), transcript_bytes_);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(wrong_key->Decrypt(EstablishmentData()).status().code(), StatusCode::kInvalidSignature);

  // Keys on other curves.
  Result<crypto::PrivateKey> p384 = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES384);
  ASSERT_TRUE(p384.ok());
  EXPECT_EQ(SessionEncryption::ForReader(*p384, device_.public_key(), transcript_bytes_).status().code(),
            StatusCode::kInvalidKey);
  EXPECT_EQ(SessionEncryption::ForDevice(device_, p384->public_key(), transcript_bytes_).status().code(),
            StatusCode::kInvalidKey);
  Result<crypto::PrivateKey> ed = crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA);
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(SessionEncryption::ForDevice(device_, ed->public_key(), transcript_bytes_).status().code(),
            StatusCode::kInvalidKey);
}

TEST_F(SessionEncryptionTest, CounterStopsAtTwoToTheThirtyTwoMinusOne) {
  SessionEncryption reader = Reader();
  SessionEncryption device = Device();
  SessionEncryptionTestPeer::SetCounters(reader, 0xFFFFFFFEu, 1);
  SessionEncryptionTestPeer::SetCounters(device, 1, 0xFFFFFFFEu);
  const Bytes second_last = *reader.Encrypt(Hex("aa"));
  const Result<Bytes> last = reader.Encrypt(Hex("bb"));  // counter 0xFFFFFFFF: the last allowed
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(reader.Encrypt(Hex("cc")).status().code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(reader.Encrypt(Hex("cc")).status().code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(*device.Decrypt(second_last), Hex("aa"));
  EXPECT_EQ(*device.Decrypt(*last), Hex("bb"));
  EXPECT_EQ(device.Decrypt(*last).status().code(), StatusCode::kLimitExceeded);
  // The IV of the last message carries counter 0xFFFFFFFF.
  EXPECT_EQ(*last, *crypto::Aes256GcmSeal(Hex(Derived("sk_reader")), Hex("0000000000000000ffffffff"), {},
                                          Hex("bb")));
}

TEST_F(SessionEncryptionTest, MovedObjectKeepsItsCounters) {
  SessionEncryption reader = Reader();
  const Bytes m1 = *reader.Encrypt(Hex("01"));
  SessionEncryption moved = std::move(reader);
  const Bytes m2 = *moved.Encrypt(Hex("02"));
  SessionEncryption device = Device();
  EXPECT_EQ(*device.Decrypt(m1), Hex("01"));
  EXPECT_EQ(*device.Decrypt(m2), Hex("02"));
}

// ---------------------------------------------------------------------------------------------
// A whole proximity session in memory: QR engagement, establishment, one request and response,
// termination.

TEST(ProximitySessionTest, FullRoundTrip) {
  // mdoc: fresh ephemeral key, engagement with a BLE retrieval method, QR code.
  Result<crypto::PrivateKey> e_device = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(e_device.ok());
  const Value ble = Arr({Arr({Value::Uint(2), Value::Uint(1),
                              Map({{Value::Int(0), Value::Bool(false)},
                                   {Value::Int(1), Value::Bool(true)},
                                   {Value::Int(11), Value::ByteString(Bytes(16, 0x42))}})})});
  Result<Bytes> engagement_bytes = BuildDeviceEngagement(e_device->public_key(), ble);
  ASSERT_TRUE(engagement_bytes.ok());
  const std::string qr = DeviceEngagementQrUri(*engagement_bytes);

  // Reader: scan, parse, make its key, transcript, encrypted request.
  Result<Bytes> scanned = ParseDeviceEngagementQrUri(qr);
  ASSERT_TRUE(scanned.ok());
  Result<DeviceEngagement> engagement = ParseDeviceEngagement(*scanned);
  ASSERT_TRUE(engagement.ok());
  EXPECT_EQ(engagement->device_retrieval_methods, ble);
  Result<crypto::PrivateKey> e_reader = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(e_reader.ok());
  Result<Value> reader_key_bytes = EphemeralKeyBytes(e_reader->public_key());
  ASSERT_TRUE(reader_key_bytes.ok());
  Result<Value> reader_transcript =
      ProximityTranscript(engagement->DeviceEngagementBytes(), *reader_key_bytes, QrHandover());
  ASSERT_TRUE(reader_transcript.ok());
  Result<SessionEncryption> reader = SessionEncryption::ForReader(*e_reader, engagement->e_device_key,
                                                                  SessionTranscriptBytes(*reader_transcript));
  ASSERT_TRUE(reader.ok());
  const Bytes request = ToBytes("DeviceRequest");
  Result<Bytes> establishment = BuildSessionEstablishment(e_reader->public_key(), *reader->Encrypt(request));
  ASSERT_TRUE(establishment.ok());

  // mdoc: parse, same transcript from its own engagement bytes and the received key item.
  Result<SessionEstablishment> received = ParseSessionEstablishment(*establishment);
  ASSERT_TRUE(received.ok());
  Result<Value> device_transcript = ProximityTranscript(Value::EmbeddedCborBytes(*engagement_bytes),
                                                        received->e_reader_key_bytes, QrHandover());
  ASSERT_TRUE(device_transcript.ok());
  EXPECT_EQ(SessionTranscriptBytes(*device_transcript), SessionTranscriptBytes(*reader_transcript));
  Result<SessionEncryption> device = SessionEncryption::ForDevice(*e_device, received->e_reader_key,
                                                                  SessionTranscriptBytes(*device_transcript));
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(*device->Decrypt(received->data), request);
  Result<Bytes> answer = BuildSessionData(SessionData{.data = *device->Encrypt(ToBytes("DeviceResponse"))});
  ASSERT_TRUE(answer.ok());

  // Reader: decrypt the response, then a second exchange, then termination.
  Result<SessionData> answer_in = ParseSessionData(*answer);
  ASSERT_TRUE(answer_in.ok());
  EXPECT_EQ(*reader->Decrypt(*answer_in->data), ToBytes("DeviceResponse"));
  Result<Bytes> again = BuildSessionData(SessionData{.data = *reader->Encrypt(ToBytes("second"))});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*device->Decrypt(*ParseSessionData(*again)->data), ToBytes("second"));

  Result<Bytes> end = BuildSessionData(SessionData{.status = SessionStatus::kTermination});
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, Hex("a16673746174757314"));
  Result<SessionData> end_in = ParseSessionData(*end);
  ASSERT_TRUE(end_in.ok());
  EXPECT_EQ(end_in->status, SessionStatus::kTermination);
  EXPECT_FALSE(end_in->data.has_value());
}

}  // namespace
}  // namespace bonafide::mdoc
