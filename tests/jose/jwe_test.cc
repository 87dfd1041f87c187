// Unit tests for src/jose/jwe: compact JWE with ECDH-ES direct key agreement and AES-GCM.
//
// Vectors: RFC 7518 Appendix C (Concat KDF inputs and derived key), the OpenID4VP 1.0 section 8.3
// example encrypted response with its private key (kid "ac"), RFC 7520 section 5.5 (ECDH-ES with
// A128CBC-HS256, which we refuse). Hand-built JWEs are sealed here with the crypto primitives
// (ECDH, Concat KDF, AES-GCM) directly, so a header rule can be shown to be the only reason a
// JWE that would otherwise decrypt is refused.
#include "jose/jwe.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "tests/common/test_util.h"

namespace bonafide::jose {
namespace {

using crypto::PrivateKey;
using crypto::PublicKey;
using crypto::SignatureAlg;

template <typename T>
StatusCode CodeOf(const Result<T>& r) {
  return r.status().code();
}
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

PrivateKey Gen(SignatureAlg alg = SignatureAlg::kES256) {
  return std::move(PrivateKey::Generate(alg)).value();
}

PrivateKey KeyFromJwk(const Json& jwk) {
  auto key = PrivateKey::FromJwk(jwk);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::move(key).value() : Gen();
}

// RFC 7518 Appendix C: Bob is the recipient, Alice's key the ephemeral one.
PrivateKey AppendixCBob() {
  return KeyFromJwk(Json{{"kty", "EC"},
                         {"crv", "P-256"},
                         {"x", "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ"},
                         {"y", "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck"},
                         {"d", "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"}});
}
PrivateKey AppendixCAlice() {
  return KeyFromJwk(Json{{"kty", "EC"},
                         {"crv", "P-256"},
                         {"x", "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0"},
                         {"y", "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"},
                         {"d", "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"}});
}

std::vector<std::string> Split(const std::string& compact) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = compact.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(compact.substr(start, dot - start));
  }
  parts.push_back(compact.substr(start));
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

void AppendDatalen(Bytes& out, ByteView data) {
  const auto n = static_cast<uint32_t>(data.size());
  out.insert(out.end(), {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                         static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  out.insert(out.end(), data.begin(), data.end());
}

// KdfInputs says what the test-side sealer feeds the Concat KDF (independently of the header).
struct KdfInputs {
  std::string enc = "A256GCM";
  Bytes apu{};
  Bytes apv{};
};

// Seal builds a compact JWE from a verbatim protected header text: Z from `ephemeral` and
// `recipient`, the Concat KDF over `kdf`, AES-GCM with the encoded header as AAD.
std::string Seal(std::string_view header_text, const PublicKey& recipient, const PrivateKey& ephemeral,
                 std::string_view plaintext, const KdfInputs& kdf = {}) {
  const size_t key_size = kdf.enc == "A128GCM" ? 16 : 32;
  Bytes other_info;
  AppendDatalen(other_info, AsBytes(kdf.enc));
  AppendDatalen(other_info, kdf.apu);
  AppendDatalen(other_info, kdf.apv);
  const auto bits = static_cast<uint32_t>(key_size * 8);  // SuppPubInfo: 32-bit key length in bits
  other_info.insert(other_info.end(), {0, 0, static_cast<uint8_t>(bits >> 8), static_cast<uint8_t>(bits)});
  auto z = crypto::EcdhP256(ephemeral, recipient);
  EXPECT_TRUE(z.ok());
  auto cek = crypto::ConcatKdfSha256(z->view(), other_info, key_size);
  EXPECT_TRUE(cek.ok());
  const std::string encoded_header = Base64UrlEncode(header_text);
  const Bytes iv(12, 0x24);
  auto sealed = key_size == 16
                    ? crypto::Aes128GcmSeal(cek->view(), iv, AsBytes(encoded_header), AsBytes(plaintext))
                    : crypto::Aes256GcmSeal(cek->view(), iv, AsBytes(encoded_header), AsBytes(plaintext));
  EXPECT_TRUE(sealed.ok());
  const ByteView s(*sealed);
  return encoded_header + ".." + Base64UrlEncode(iv) + "." + Base64UrlEncode(s.first(s.size() - 16)) + "." +
         Base64UrlEncode(s.last(16));
}

// Header returns {"alg":"ECDH-ES","enc":enc,"epk":<ephemeral>} with `extra` members merged in
// (a null value removes a member).
std::string Header(const PrivateKey& ephemeral, const Json& extra = Json::object(),
                   std::string_view enc = "A256GCM") {
  Json h = {{"alg", "ECDH-ES"}, {"enc", enc}, {"epk", ephemeral.public_key().ToJwk()}};
  for (const auto& [k, v] : extra.items()) {
    if (v.is_null()) {
      h.erase(k);
    } else {
      h[k] = v;
    }
  }
  return DumpJson(h);
}

const char kResponse[] = R"({"vp_token":{"pid":["eyJhbGciOiJFUzI1NiJ9.e30.sig~"]},"state":"af0ifjsldkj"})";

class JweFixture : public ::testing::Test {
 protected:
  PrivateKey recipient_ = Gen();
  PrivateKey ephemeral_ = Gen();

  // Valid returns a JWE sealed by the test with header Header(ephemeral_, extra).
  std::string Valid(const Json& extra = Json::object()) {
    return Seal(Header(ephemeral_, extra), recipient_.public_key(), ephemeral_, kResponse);
  }
  Result<DecryptedJwe> Decrypt(std::string_view jwe, const JweDecryptOptions& options = {}) {
    return DecryptEcdhEs(jwe, recipient_, options);
  }
};

// ---------------------------------------------------------------- round trips

class JweRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(JweRoundTrip, EncryptThenDecrypt) {
  const PrivateKey recipient = Gen();
  JweEncryptOptions options;
  options.enc = GetParam();
  options.kid = "verifier-enc-1";
  auto jwe = EncryptEcdhEs(recipient.public_key(), AsBytes(std::string_view(kResponse)), options,
                           crypto::SystemRandom());
  ASSERT_TRUE(jwe.ok()) << jwe.status().ToString();

  const std::vector<std::string> parts = Split(*jwe);
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_TRUE(parts[1].empty());
  EXPECT_EQ(Base64UrlDecode(parts[2])->size(), 12u);
  EXPECT_EQ(Base64UrlDecode(parts[3])->size(), std::string_view(kResponse).size());
  EXPECT_EQ(Base64UrlDecode(parts[4])->size(), 16u);
  auto header = ParseJsonObject(AsStringView(*Base64UrlDecode(parts[0])));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*header)["alg"], "ECDH-ES");
  EXPECT_EQ((*header)["enc"], GetParam());
  EXPECT_EQ((*header)["kid"], "verifier-enc-1");
  EXPECT_EQ(header->size(), 4u);  // alg, enc, epk, kid: nothing else
  const Json& epk = (*header)["epk"];
  EXPECT_EQ(epk.size(), 4u);  // kty, crv, x, y only
  EXPECT_EQ(epk["kty"], "EC");
  EXPECT_EQ(epk["crv"], "P-256");
  EXPECT_TRUE(PublicKey::FromJwk(epk).ok());

  auto decrypted = DecryptEcdhEs(*jwe, recipient, {});
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(AsStringView(decrypted->plaintext), kResponse);
  EXPECT_EQ(decrypted->enc, GetParam());
  EXPECT_EQ(decrypted->kid, "verifier-enc-1");
  EXPECT_EQ(decrypted->protected_header, *header);
  EXPECT_TRUE(decrypted->apu.empty());
  EXPECT_TRUE(decrypted->apv.empty());

  // Another encryption of the same plaintext uses a fresh ephemeral key and IV.
  auto again = EncryptEcdhEs(recipient.public_key(), AsBytes(std::string_view(kResponse)), options,
                             crypto::SystemRandom());
  ASSERT_TRUE(again.ok());
  EXPECT_NE(Split(*again)[0], parts[0]);
  EXPECT_NE(Split(*again)[2], parts[2]);
  // Only the recipient can decrypt.
  EXPECT_CODE(DecryptEcdhEs(*jwe, Gen(), {}), kInvalidSignature);
}

TEST_P(JweRoundTrip, EmptyPlaintext) {
  const PrivateKey recipient = Gen();
  JweEncryptOptions options;
  options.enc = GetParam();
  auto jwe = EncryptEcdhEs(recipient.public_key(), {}, options, crypto::SystemRandom());
  ASSERT_TRUE(jwe.ok());
  EXPECT_TRUE(Split(*jwe)[3].empty());
  auto decrypted = DecryptEcdhEs(*jwe, recipient, {});
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_TRUE(decrypted->plaintext.empty());
  EXPECT_TRUE(decrypted->kid.empty());
}

INSTANTIATE_TEST_SUITE_P(Enc, JweRoundTrip, ::testing::Values("A256GCM", "A128GCM"));

TEST(JweApuApv, RoundTripAndFeedTheKdf) {
  const PrivateKey recipient = Gen();
  JweEncryptOptions options;
  options.apu = ToBytes("wallet-nonce-\x01\xff");
  options.apv = ToBytes("verifier-nonce");
  options.typ = "oauth-authz-resp+jwt";
  options.cty = "json";
  auto jwe = EncryptEcdhEs(recipient.public_key(), AsBytes(std::string_view(kResponse)), options,
                           crypto::SystemRandom());
  ASSERT_TRUE(jwe.ok());
  auto decrypted = DecryptEcdhEs(*jwe, recipient, {});
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(decrypted->apu, options.apu);
  EXPECT_EQ(decrypted->apv, options.apv);
  EXPECT_EQ(decrypted->protected_header["apu"], Base64UrlEncode(options.apu));
  EXPECT_EQ(decrypted->protected_header["apv"], Base64UrlEncode(options.apv));
  EXPECT_EQ(decrypted->protected_header["typ"], "oauth-authz-resp+jwt");
  EXPECT_EQ(decrypted->protected_header["cty"], "json");

  // A sealer that leaves apu / apv out of the KDF while naming them in the header is refused;
  // the same header with the KDF fed correctly decrypts.
  const PrivateKey eph = Gen();
  const std::string header = Header(eph, {{"apu", "QWxpY2U"}, {"apv", "Qm9i"}});
  EXPECT_CODE(DecryptEcdhEs(Seal(header, recipient.public_key(), eph, "x"), recipient, {}),
              kInvalidSignature);
  EXPECT_CODE(DecryptEcdhEs(Seal(header, recipient.public_key(), eph, "x", {"A256GCM", ToBytes("Alice"), {}}),
                            recipient, {}),
              kInvalidSignature);
  auto ok = DecryptEcdhEs(
      Seal(header, recipient.public_key(), eph, "x", {"A256GCM", ToBytes("Alice"), ToBytes("Bob")}),
      recipient, {});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->apu, ToBytes("Alice"));
  EXPECT_EQ(ok->apv, ToBytes("Bob"));
  // The enc value is the KDF's AlgorithmID.
  EXPECT_CODE(DecryptEcdhEs(Seal(header, recipient.public_key(), eph, "x",
                                 {"A256GCX", ToBytes("Alice"), ToBytes("Bob")}),
                            recipient, {}),
              kInvalidSignature);
}

TEST(JweEncrypt, IvComesFromTheRandomSource) {
  const PrivateKey recipient = Gen();
  testing::CountingRandom random, same;
  auto jwe = EncryptEcdhEs(recipient.public_key(), AsBytes(std::string_view("hi")), {}, random);
  ASSERT_TRUE(jwe.ok());
  EXPECT_EQ(Split(*jwe)[2], Base64UrlEncode(same.Generate(12)));
}

TEST(JweEncrypt, Rejections) {
  const Bytes pt = ToBytes("x");
  JweEncryptOptions options;
  EXPECT_CODE(EncryptEcdhEs(Gen(SignatureAlg::kES384).public_key(), pt, options, crypto::SystemRandom()),
              kInvalidKey);
  EXPECT_CODE(EncryptEcdhEs(Gen(SignatureAlg::kEdDSA).public_key(), pt, options, crypto::SystemRandom()),
              kInvalidKey);
  const PrivateKey recipient = Gen();
  for (const char* enc : {"A192GCM", "A128CBC-HS256", "a256gcm", ""}) {
    options.enc = enc;
    EXPECT_CODE(EncryptEcdhEs(recipient.public_key(), pt, options, crypto::SystemRandom()),
                kUnsupportedAlgorithm)
        << enc;
  }
  options.enc = "A256GCM";
  EXPECT_CODE(internal::EncryptEcdhEsWithEphemeralKey(recipient.public_key(), Gen(SignatureAlg::kES384), pt,
                                                      options, crypto::SystemRandom()),
              kInvalidKey);
  // The header must fit the decryptor's bound: a large apu is refused, a smaller one is not.
  options.apu = Bytes(kMaxJweHeaderBytes * 3 / 4, 'a');
  EXPECT_CODE(EncryptEcdhEs(recipient.public_key(), pt, options, crypto::SystemRandom()), kInvalidArgument);
  options.apu = Bytes(kMaxJweHeaderBytes / 2, 'a');
  auto big = EncryptEcdhEs(recipient.public_key(), pt, options, crypto::SystemRandom());
  ASSERT_TRUE(big.ok());
  EXPECT_CODE(DecryptEcdhEs(*big, recipient, {}), kOk);
}

// ---------------------------------------------------------------- published vectors

// RFC 7518 Appendix C: with Alice's key as the ephemeral key, apu "Alice", apv "Bob" and enc
// A128GCM, the content key must be the appendix's derived key VqqN6vgjbSBcIijNcacQGg.
TEST(JweVectors, Rfc7518AppendixCContentKey) {
  const PrivateKey bob = AppendixCBob(), alice = AppendixCAlice();
  JweEncryptOptions options;
  options.enc = "A128GCM";
  options.apu = ToBytes("Alice");
  options.apv = ToBytes("Bob");
  auto jwe = internal::EncryptEcdhEsWithEphemeralKey(
      bob.public_key(), alice, AsBytes(std::string_view(kResponse)), options, crypto::SystemRandom());
  ASSERT_TRUE(jwe.ok()) << jwe.status().ToString();
  const std::vector<std::string> parts = Split(*jwe);
  auto header = ParseJsonObject(AsStringView(*Base64UrlDecode(parts[0])));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*header)["epk"], alice.public_key().ToJwk());
  EXPECT_EQ((*header)["apu"], "QWxpY2U");
  EXPECT_EQ((*header)["apv"], "Qm9i");

  // Open the ciphertext with the published key, bypassing the JWE code.
  Bytes sealed = *Base64UrlDecode(parts[3]);
  Bytes tag = *Base64UrlDecode(parts[4]);
  sealed.insert(sealed.end(), tag.begin(), tag.end());
  auto opened = crypto::Aes128GcmOpen(*Base64UrlDecode("VqqN6vgjbSBcIijNcacQGg"), *Base64UrlDecode(parts[2]),
                                      AsBytes(parts[0]), sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(AsStringView(*opened), kResponse);

  auto decrypted = DecryptEcdhEs(*jwe, bob, {});
  ASSERT_TRUE(decrypted.ok());
  EXPECT_EQ(AsStringView(decrypted->plaintext), kResponse);
}

// OpenID4VP 1.0 section 8.3: the example encrypted Authorization Response and the private key
// (kid "ac") that decrypts it.
const char kOid4vpExampleJwe[] =
    "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImtpZCI6ImFjIiwiZXBrIjp7Imt0eSI6IkVDIiwieCI6Im5ubVZwbTNWM2pi"
    "aGNhZlFh"
    "UkJrU1ZOSGx3Wkh3dC05ck9wSnVmeVlJdWsiLCJ5IjoicjRmakRxd0p5czlxVU9QLV9iM21SNVNaRy0tQ3dPMm1pYzVWU05UWU45ZyIs"
    "ImNydiI6"
    "IlAtMjU2In19..uAYcHRUSSn2X0WPX."
    "yVzlGSYG4qbg0bq18JcUiDRw56yVnbKR8E7S7YlEtzT00RqE3Pw5oTpUG3hdLN4taHZ9gC1kwak8JOnJgQ"
    ".1wR024_3-qtAlx1oFIUpQQ";

PrivateKey Oid4vpExampleKey() {
  return KeyFromJwk(Json{{"kty", "EC"},
                         {"kid", "ac"},
                         {"use", "enc"},
                         {"crv", "P-256"},
                         {"alg", "ECDH-ES"},
                         {"x", "YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk"},
                         {"y", "Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"},
                         {"d", "Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"}});
}

TEST(JweVectors, Oid4vpSection83ExampleResponse) {
  const PrivateKey key = Oid4vpExampleKey();
  JweDecryptOptions options;
  options.expected_kid = "ac";
  auto decrypted = DecryptEcdhEs(kOid4vpExampleJwe, key, options);
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(decrypted->enc, "A128GCM");
  EXPECT_EQ(decrypted->kid, "ac");
  auto payload = ParseJsonObject(AsStringView(decrypted->plaintext));
  ASSERT_TRUE(payload.ok()) << AsStringView(decrypted->plaintext);
  EXPECT_EQ(*payload, (Json{{"vp_token", {{"example_credential_id", Json::array({"eyJhb...YMetA"})}}}}));
  EXPECT_EQ(decrypted->protected_header["epk"]["x"], "nnmVpm3V3jbhcafQaRBkSVNHlwZHwt-9rOpJufyYIuk");

  // The verifier's policy applies to published JWEs too.
  options.accepted_enc = {"A256GCM"};
  EXPECT_CODE(DecryptEcdhEs(kOid4vpExampleJwe, key, options), kUnsupportedAlgorithm);
  options.accepted_enc = {"A128GCM"};
  options.expected_kid = "ab";
  EXPECT_CODE(DecryptEcdhEs(kOid4vpExampleJwe, key, options), kInvalidKey);
  EXPECT_CODE(DecryptEcdhEs(kOid4vpExampleJwe, Gen(), {}), kInvalidSignature);
}

// RFC 7520 section 5.5 "Key Agreement Using ECDH-ES with AES-CBC-HMAC-SHA2": a correct JWE for
// this key, but A128CBC-HS256 is not supported, even if a caller lists it.
TEST(JweVectors, Rfc7520Section55IsRefused) {
  const char kJwe[] =
      "eyJhbGciOiJFQ0RILUVTIiwia2lkIjoibWVyaWFkb2MuYnJhbmR5YnVja0BidWNrbGFuZC5leGFtcGxlIiwiZXBrIjp7Imt0eSI6Ik"
      "VDIiwiY3J2"
      "IjoiUC0yNTYiLCJ4IjoibVBVS1RfYkFXR0hJaGcwVHBqanFWc1AxclhXUXVfdndWT0hIdE5rZFlvQSIsInkiOiI4QlFBc0ltR2VBUz"
      "Q2ZnlXdzVN"
      "aFlmR1RUMElqQnBGdzJTUzM0RHY0SXJzIn0sImVuYyI6IkExMjhDQkMtSFMyNTYifQ..yc9N8v5sYyv3iGQT926IUg."
      "BoDlwPnTypYq-ivjmQvAYJ"
      "Lb5Q6l-F3LIgQomlz87yW4OPKbWE1zSTEFjDfhU9IPIOSA9Bml4m7iDFwA-1ZXvHteLDtw4R1XRGMEsDIqAYtskTTmzmzNa-_q4F_"
      "evAPUmwlO-Z"
      "G45Mnq4uhM1fm_D9rBtWolqZSF3xGNNkpOMQKF1Cl8i8wjzRli7-IXgyirlKQsbhhqRzkv8IcY6aHl24j03C-"
      "AR2le1r7URUhArM79BY8soZU0lz"
      "wI-sD5PZ3l4NDCCei9XkoIAfsXJWmySPoeRb2Ni5UZL4mYpvKDiwmyzGd65KqVw7MsFfI_"
      "K767G9C9Azp73gKZD0DyUn1mn0WW5LmyX_yJ-3AROq"
      "8p1WZBfG-ZyJ6195_JGG2m9Csg.WCCkNa-x4BeB9hIDIfFuhg";
  const PrivateKey key = KeyFromJwk(Json{{"kty", "EC"},
                                         {"kid", "meriadoc.brandybuck@buckland.example"},
                                         {"use", "enc"},
                                         {"crv", "P-256"},
                                         {"x", "Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0"},
                                         {"y", "HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw"},
                                         {"d", "r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8"}});
  EXPECT_CODE(DecryptEcdhEs(kJwe, key, {}), kUnsupportedAlgorithm);
  JweDecryptOptions options;
  options.accepted_enc = {"A128CBC-HS256"};
  EXPECT_CODE(DecryptEcdhEs(kJwe, key, options), kUnsupportedAlgorithm);
}

// ---------------------------------------------------------------- structure

TEST_F(JweFixture, TheTestSealerProducesWhatDecrypts) {
  auto decrypted = Decrypt(Valid());
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(AsStringView(decrypted->plaintext), kResponse);
}

TEST_F(JweFixture, PartCount) {
  const std::string jwe = Valid();
  std::vector<std::string> parts = Split(jwe);
  EXPECT_CODE(Decrypt(""), kMalformed);
  EXPECT_CODE(Decrypt("...."), kMalformed);  // five empty parts: the header does not parse
  EXPECT_CODE(Decrypt(Join({parts[0], parts[1], parts[2], parts[3]})), kMalformed);
  EXPECT_CODE(Decrypt(Join({parts[0], parts[2], parts[3], parts[4]})), kMalformed);
  EXPECT_CODE(Decrypt(jwe + "."), kMalformed);
  EXPECT_CODE(Decrypt(jwe + ".AAAA"), kMalformed);
  EXPECT_CODE(Decrypt(Join({parts[0], parts[2], parts[3], parts[4]}) + ".."), kMalformed);  // six parts
  EXPECT_CODE(Decrypt(jwe), kOk);
}

TEST_F(JweFixture, Base64UrlOfEachPart) {
  const std::vector<std::string> parts = Split(Valid());
  for (size_t i : {0u, 2u, 3u, 4u}) {
    for (const char* bad : {"=", "+", "/", " ", "!"}) {
      std::vector<std::string> p = parts;
      p[i] = p[i].substr(0, p[i].size() - 1) + bad;
      EXPECT_CODE(Decrypt(Join(p)), kMalformed) << "part " << i << " ending " << bad;
    }
    std::vector<std::string> padded = parts;
    padded[i] += "==";
    EXPECT_CODE(Decrypt(Join(padded)), kMalformed) << "padded part " << i;
  }
}

TEST_F(JweFixture, HeaderMustBeAJsonObjectWithoutDuplicates) {
  const PublicKey& to = recipient_.public_key();
  for (const char* text : {"[]", "\"ECDH-ES\"", "42", "null", "{", "{\"alg\":\"ECDH-ES\"} x", ""}) {
    EXPECT_CODE(Decrypt(Seal(text, to, ephemeral_, "x")), kMalformed) << text;
  }
  const std::string epk = DumpJson(ephemeral_.public_key().ToJwk());
  const std::string good = R"({"alg":"ECDH-ES","enc":"A256GCM","epk":)" + epk + "}";
  EXPECT_CODE(Decrypt(Seal(good, to, ephemeral_, "x")), kOk);
  for (const std::string& dup :
       {R"({"alg":"ECDH-ES","alg":"ECDH-ES","enc":"A256GCM","epk":)" + epk + "}",
        R"({"alg":"ECDH-ES","enc":"A256GCM","enc":"A256GCM","epk":)" + epk + "}",
        R"({"alg":"ECDH-ES","enc":"A256GCM","epk":)" + epk + ",\"epk\":" + epk + "}",
        R"({"alg":"ECDH-ES","\u0061lg":"ECDH-ES","enc":"A256GCM","epk":)" + epk + "}"}) {
    EXPECT_CODE(Decrypt(Seal(dup, to, ephemeral_, "x")), kMalformed) << dup;
  }
  // Too large a header: past kMaxJweHeaderBytes it is refused, just under it is fine.
  const size_t base = Header(ephemeral_, {{"pad", ""}}).size();
  EXPECT_CODE(Decrypt(Valid({{"pad", std::string(kMaxJweHeaderBytes - base, 'p')}})), kOk);
  EXPECT_CODE(Decrypt(Valid({{"pad", std::string(kMaxJweHeaderBytes - base + 1, 'p')}})), kMalformed);
}

TEST_F(JweFixture, AlgMustBeEcdhEs) {
  for (const char* alg : {"none", "RSA-OAEP", "RSA-OAEP-256", "ECDH-ES+A256KW", "ECDH-ES+A128KW", "dir",
                          "A256KW", "ecdh-es", "ECDH-ES ", "ES256", ""}) {
    EXPECT_CODE(Decrypt(Valid({{"alg", alg}})), kUnsupportedAlgorithm) << alg;
  }
  // A key-wrapping JWE carries an encrypted key: still an unsupported alg, not a structure error.
  std::vector<std::string> wrapped = Split(Valid({{"alg", "RSA-OAEP"}}));
  wrapped[1] = "c29tZSB3cmFwcGVkIGtleQ";
  EXPECT_CODE(Decrypt(Join(wrapped)), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(Valid({{"alg", nullptr}})), kMalformed);  // absent
  EXPECT_CODE(Decrypt(Valid({{"alg", 1}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"alg", Json::array({"ECDH-ES"})}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"alg", "ECDH-ES"}})), kOk);
}

TEST_F(JweFixture, EncMustBeSupportedAndAccepted) {
  for (const char* enc : {"A192GCM", "A128CBC-HS256", "A256CBC-HS512", "a256gcm", "A256GCM ", ""}) {
    EXPECT_CODE(Decrypt(Valid({{"enc", enc}})), kUnsupportedAlgorithm) << enc;
  }
  EXPECT_CODE(Decrypt(Valid({{"enc", nullptr}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"enc", 256}})), kMalformed);

  const PublicKey& to = recipient_.public_key();
  const std::string a128 =
      Seal(Header(ephemeral_, Json::object(), "A128GCM"), to, ephemeral_, "x", {"A128GCM"});
  const std::string a256 = Valid();
  EXPECT_CODE(Decrypt(a128), kOk);  // both accepted by default
  EXPECT_CODE(Decrypt(a256), kOk);
  JweDecryptOptions only256;
  only256.accepted_enc = {"A256GCM"};
  EXPECT_CODE(Decrypt(a128, only256), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(a256, only256), kOk);
  JweDecryptOptions only128;
  only128.accepted_enc = {"A128GCM"};
  EXPECT_CODE(Decrypt(a256, only128), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(a128, only128), kOk);
  JweDecryptOptions none;
  none.accepted_enc = {};
  EXPECT_CODE(Decrypt(a256, none), kUnsupportedAlgorithm);
  // An A128GCM header over an A256GCM key (or the reverse) does not authenticate.
  EXPECT_CODE(Decrypt(Seal(Header(ephemeral_, Json::object(), "A128GCM"), to, ephemeral_, "x", {"A256GCM"})),
              kInvalidSignature);
}

TEST_F(JweFixture, EncryptedKeyMustBeEmpty) {
  std::vector<std::string> parts = Split(Valid());
  for (const char* key : {"AA", "AAAA", "c29tZSB3cmFwcGVkIGtleQ"}) {
    parts[1] = key;
    EXPECT_CODE(Decrypt(Join(parts)), kMalformed) << key;
  }
  parts[1] = "";
  EXPECT_CODE(Decrypt(Join(parts)), kOk);
}

TEST_F(JweFixture, ZipIsNotSupported) {
  EXPECT_CODE(Decrypt(Valid({{"zip", "DEF"}})), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(Valid({{"zip", ""}})), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(Valid({{"zip", 0}})), kUnsupportedAlgorithm);
  EXPECT_CODE(Decrypt(Valid({{"zap", "DEF"}})), kOk);  // other unregistered members are ignored
}

TEST_F(JweFixture, CritIsRefused) {
  EXPECT_CODE(Decrypt(Valid({{"crit", Json::array({"exp"})}, {"exp", 1}})), kUnknownCritical);
  EXPECT_CODE(Decrypt(Valid({{"crit", Json::array({"b64"})}, {"b64", false}})), kUnknownCritical);
  EXPECT_CODE(Decrypt(Valid({{"crit", Json::array()}})), kUnknownCritical);
  EXPECT_CODE(Decrypt(Valid({{"crit", "exp"}})), kUnknownCritical);
  EXPECT_CODE(Decrypt(Valid({{"exp", 1}})), kOk);
}

TEST_F(JweFixture, EphemeralKeyMustBeAP256Point) {
  const Json epk = ephemeral_.public_key().ToJwk();
  EXPECT_CODE(Decrypt(Valid({{"epk", nullptr}})), kInvalidKey);  // absent
  EXPECT_CODE(Decrypt(Valid({{"epk", "not a key"}})), kInvalidKey);
  EXPECT_CODE(Decrypt(Valid({{"epk", Json::array()}})), kInvalidKey);

  // Off the curve: y + 1.
  Bytes y = *Base64UrlDecode(epk["y"].get<std::string>());
  y.back() = static_cast<uint8_t>(y.back() + 1);
  Json off = epk;
  off["y"] = Base64UrlEncode(y);
  EXPECT_CODE(Decrypt(Valid({{"epk", off}})), kInvalidKey);
  // Wrong coordinate length, missing coordinate, other key types and curves.
  Json short_x = epk;
  short_x["x"] = epk["x"].get<std::string>().substr(1);
  EXPECT_CODE(Decrypt(Valid({{"epk", short_x}})), kInvalidKey);
  Json no_y = epk;
  no_y.erase("y");
  EXPECT_CODE(Decrypt(Valid({{"epk", no_y}})), kInvalidKey);
  EXPECT_CODE(Decrypt(Valid({{"epk", Gen(SignatureAlg::kES384).public_key().ToJwk()}})), kInvalidKey);
  EXPECT_CODE(Decrypt(Valid({{"epk", Gen(SignatureAlg::kEdDSA).public_key().ToJwk()}})), kInvalidKey);
  EXPECT_CODE(
      Decrypt(Valid(
          {{"epk",
            {{"kty", "OKP"}, {"crv", "X25519"}, {"x", "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}}}})),
      kInvalidKey);
  Json claims_p384 = epk;
  claims_p384["crv"] = "P-384";
  EXPECT_CODE(Decrypt(Valid({{"epk", claims_p384}})), kInvalidKey);
  // Boundary: extra members (a kid, even a stray "d") do not matter to the point.
  Json with_kid = epk;
  with_kid["kid"] = "eph";
  EXPECT_CODE(Decrypt(Valid({{"epk", with_kid}})), kOk);
}

TEST_F(JweFixture, RecipientKeyMustBeP256) {
  const std::string jwe = Valid();
  EXPECT_CODE(DecryptEcdhEs(jwe, Gen(SignatureAlg::kES384), {}), kInvalidKey);
  EXPECT_CODE(DecryptEcdhEs(jwe, Gen(SignatureAlg::kEdDSA), {}), kInvalidKey);
  EXPECT_CODE(DecryptEcdhEs(jwe, Gen(SignatureAlg::kES256), {}), kInvalidSignature);
  EXPECT_CODE(DecryptEcdhEs(jwe, recipient_, {}), kOk);
}

TEST_F(JweFixture, IvAndTagLengths) {
  const std::vector<std::string> parts = Split(Valid());
  for (size_t n : {0u, 8u, 11u, 13u, 16u}) {
    std::vector<std::string> p = parts;
    p[2] = Base64UrlEncode(Bytes(n, 0x24));
    EXPECT_CODE(Decrypt(Join(p)), kMalformed) << "IV of " << n;
  }
  for (size_t n : {0u, 12u, 15u, 17u, 32u}) {
    std::vector<std::string> p = parts;
    p[4] = Base64UrlEncode(Bytes(n, 0));
    EXPECT_CODE(Decrypt(Join(p)), kMalformed) << "tag of " << n;
  }
  // Boundary: 12 and 16 bytes of the wrong value get as far as the tag check.
  std::vector<std::string> p = parts;
  p[2] = Base64UrlEncode(Bytes(12, 0x25));
  EXPECT_CODE(Decrypt(Join(p)), kInvalidSignature);
  p = parts;
  p[4] = Base64UrlEncode(Bytes(16, 0));
  EXPECT_CODE(Decrypt(Join(p)), kInvalidSignature);
}

TEST_F(JweFixture, ExpectedKid) {
  const std::string with_kid = Valid({{"kid", "k1"}});
  const std::string without_kid = Valid();
  JweDecryptOptions options;
  EXPECT_CODE(Decrypt(with_kid, options), kOk);  // not asked: any kid or none
  EXPECT_CODE(Decrypt(without_kid, options), kOk);
  options.expected_kid = "k1";
  auto ok = Decrypt(with_kid, options);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->kid, "k1");
  options.expected_kid = "k2";
  EXPECT_CODE(Decrypt(with_kid, options), kInvalidKey);
  options.expected_kid = "k1 ";
  EXPECT_CODE(Decrypt(with_kid, options), kInvalidKey);
  options.expected_kid = "k1";
  EXPECT_CODE(Decrypt(without_kid, options), kInvalidKey);  // a missing kid is no match
  options.expected_kid = "";
  EXPECT_CODE(Decrypt(without_kid, options), kInvalidKey);
  EXPECT_CODE(Decrypt(Valid({{"kid", ""}}), options), kOk);
  EXPECT_CODE(Decrypt(Valid({{"kid", 1}})), kMalformed);
}

TEST_F(JweFixture, ApuApvMustBeBase64UrlStrings) {
  EXPECT_CODE(Decrypt(Valid({{"apu", 1}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"apv", Json::object()}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"apu", "QWxpY2U="}})), kMalformed);
  EXPECT_CODE(Decrypt(Valid({{"apv", "Qm9i+"}})), kMalformed);
  // Boundary: empty strings are empty PartyUInfo / PartyVInfo, as when absent.
  EXPECT_CODE(Decrypt(Valid({{"apu", ""}, {"apv", ""}})), kOk);
}

TEST_F(JweFixture, SizeLimit) {
  const std::string jwe = Valid();
  JweDecryptOptions options;
  options.max_bytes = jwe.size();
  EXPECT_CODE(Decrypt(jwe, options), kOk);
  options.max_bytes = jwe.size() - 1;
  EXPECT_CODE(Decrypt(jwe, options), kLimitExceeded);
  // The default is 1 MiB.
  const PublicKey& to = recipient_.public_key();
  const std::string big = Seal(Header(ephemeral_), to, ephemeral_, std::string(800 * 1024, 'x'));
  ASSERT_GT(big.size(), size_t{1} << 20);
  EXPECT_CODE(Decrypt(big), kLimitExceeded);
  options.max_bytes = big.size();
  EXPECT_CODE(Decrypt(big, options), kOk);
}

// ---------------------------------------------------------------- authentication

TEST_F(JweFixture, EveryChangedCharacterIsRejected) {
  const PublicKey& to = recipient_.public_key();
  const std::string jwe = Seal(Header(ephemeral_, {{"kid", "k"}}), to, ephemeral_, "{\"state\":\"s\"}");
  ASSERT_EQ(CodeOf(Decrypt(jwe)), StatusCode::kOk);
  const size_t header_end = jwe.find('.');
  for (size_t i = 0; i < jwe.size(); ++i) {
    if (jwe[i] == '.') continue;
    std::string changed = jwe;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto r = Decrypt(changed);
    EXPECT_FALSE(r.ok()) << "character " << i;
    if (i > header_end) {
      // The IV, ciphertext and tag parts: the tag check, or a non-canonical last character.
      EXPECT_TRUE(CodeOf(r) == StatusCode::kInvalidSignature || CodeOf(r) == StatusCode::kMalformed)
          << "character " << i << ": " << r.status().ToString();
    }
  }
}

TEST_F(JweFixture, EveryFlippedByteFailsTheTag) {
  const PublicKey& to = recipient_.public_key();
  const std::string jwe = Seal(Header(ephemeral_), to, ephemeral_, "{\"state\":\"s\"}");
  const std::vector<std::string> parts = Split(jwe);
  for (size_t part : {2u, 3u, 4u}) {
    const Bytes bytes = *Base64UrlDecode(parts[part]);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit : {0x01, 0x80}) {
        Bytes flipped = bytes;
        flipped[i] = static_cast<uint8_t>(flipped[i] ^ bit);
        std::vector<std::string> p = parts;
        p[part] = Base64UrlEncode(flipped);
        EXPECT_CODE(Decrypt(Join(p)), kInvalidSignature) << "part " << part << " byte " << i;
      }
    }
  }
  // The header is authenticated as transmitted: the same JSON re-encoded differently (a space,
  // members reordered) fails the tag.
  const std::string header_text = Header(ephemeral_);
  for (const std::string& other :
       {" " + header_text, header_text + " ",
        DumpJson(Json{{"epk", ephemeral_.public_key().ToJwk()}, {"enc", "A256GCM"}, {"alg", "ECDH-ES"}}) +
            "\n"}) {
    std::vector<std::string> p = parts;
    p[0] = Base64UrlEncode(other);
    EXPECT_CODE(Decrypt(Join(p)), kInvalidSignature) << other;
  }
  // A different ephemeral key in the header fails too.
  std::vector<std::string> p = parts;
  p[0] = Base64UrlEncode(Header(Gen()));
  EXPECT_CODE(Decrypt(Join(p)), kInvalidSignature);
}

}  // namespace
}  // namespace bonafide::jose
