// Unit tests for src/jose: JWS parsing and verification, thumbprints, DIDs, JWT time checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "jose/did.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace bonafide::jose {
namespace {

using crypto::PrivateKey;
using crypto::PublicKey;
using crypto::SignatureAlg;

StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) { return r.status().code(); }
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

PrivateKey Gen(SignatureAlg alg = SignatureAlg::kES256) { return std::move(PrivateKey::Generate(alg)).value(); }

// Compact builds a JWS from a raw header text and signs it with `key` (or not at all).
std::string Compact(std::string_view header_json, std::string_view payload, const PrivateKey* key) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload);
  Bytes sig = key != nullptr ? *key->Sign(AsBytes(input)) : Bytes{};
  return input + "." + Base64UrlEncode(sig);
}

// Verify parses and verifies; parse errors are returned as they are.
Status Verify(const std::string& compact, const PublicKey& key, const std::vector<std::string>& crit = {}) {
  auto parsed = UnverifiedJws::Parse(compact);
  if (!parsed.ok()) return parsed.status();
  return VerifyJws(*parsed, key, crit).status();
}

// ---------------------------------------------------------------- JWS parsing

TEST(JwsParse, AcceptsWellFormed) {
  PrivateKey key = Gen();
  std::string jws = Compact(R"({"alg":"ES256","typ":"JWT"})", "hello", &key);
  auto p = UnverifiedJws::Parse(jws);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->alg(), "ES256");
  EXPECT_EQ(p->typ(), "JWT");
  EXPECT_EQ(ToString(p->unverified_payload()), "hello");
  EXPECT_EQ(p->signing_input(), jws.substr(0, jws.rfind('.')));
  EXPECT_EQ(p->signature().size(), 64u);
}

TEST(JwsParse, RequiresExactlyThreeParts) {
  PrivateKey key = Gen();
  std::string jws = Compact(R"({"alg":"ES256"})", "x", &key);
  std::string two = jws.substr(0, jws.rfind('.'));
  EXPECT_CODE(UnverifiedJws::Parse(two), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(jws + ".AAAA"), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(jws + "."), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(two.substr(0, two.find('.'))), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(""), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(".."), kMalformed);  // empty header is not JSON
  EXPECT_CODE(UnverifiedJws::Parse(jws), kOk);
}

TEST(JwsParse, RejectsBadBase64InEachPart) {
  PrivateKey key = Gen();
  std::string jws = Compact(R"({"alg":"ES256"})", "xy", &key);
  size_t d1 = jws.find('.'), d2 = jws.rfind('.');
  std::string h = jws.substr(0, d1), p = jws.substr(d1 + 1, d2 - d1 - 1), s = jws.substr(d2 + 1);
  EXPECT_CODE(UnverifiedJws::Parse(h + "=." + p + "." + s), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(h + "." + p + "=." + s), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(h + "." + p + "." + s + "="), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse("+" + h.substr(1) + "." + p + "." + s), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(h + "." + p + "/." + s), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(h + "." + p + "." + s.substr(1)), kMalformed);  // len % 4 == 1... or bits
  EXPECT_CODE(UnverifiedJws::Parse(h + " ." + p + "." + s), kMalformed);
}

TEST(JwsParse, HeaderMustBeObjectWithStringAlg) {
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"([])", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"("ES256")", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"(null)", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"typ":"JWT"})", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":1})", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":null})", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":"ES256"} x)", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":"ES256"})", "x", nullptr)), kOk);
}

TEST(JwsParse, RejectsDuplicateHeaderKeys) {
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":"ES256","alg":"none"})", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":"ES256","kid":"a","kid":"b"})", "x", nullptr)), kMalformed);
  EXPECT_CODE(UnverifiedJws::Parse(Compact(R"({"alg":"ES256","jwk":{"x":"a","x":"b"}})", "x", nullptr)),
              kMalformed);
}

// ---------------------------------------------------------------- algorithm rules

TEST(JwsAlg, NoneIsUnsupported) {
  PrivateKey key = Gen();
  EXPECT_CODE(Verify(Compact(R"({"alg":"none"})", "x", nullptr), key.public_key()), kUnsupportedAlgorithm);
  EXPECT_CODE(Verify(Compact(R"({"alg":"none"})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
  EXPECT_CODE(Verify(Compact(R"({"alg":"None"})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
}

TEST(JwsAlg, HmacWithPublicKeyIsUnsupported) {
  // The classic confusion: an attacker MACs with the public key bytes as the HMAC secret.
  PrivateKey key = Gen();
  EXPECT_CODE(Verify(Compact(R"({"alg":"HS256"})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
  EXPECT_CODE(Verify(Compact(R"({"alg":"RS256"})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
  EXPECT_CODE(Verify(Compact(R"({"alg":"es256"})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
  EXPECT_CODE(Verify(Compact(R"({"alg":""})", "x", &key), key.public_key()), kUnsupportedAlgorithm);
}

TEST(JwsAlg, HeaderAlgMustMatchKey) {
  PrivateKey p256 = Gen(SignatureAlg::kES256);
  PrivateKey ed = Gen(SignatureAlg::kEdDSA);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES384"})", "x", &p256), p256.public_key()), kAlgorithmMismatch);
  EXPECT_CODE(Verify(Compact(R"({"alg":"EdDSA"})", "x", &p256), p256.public_key()), kAlgorithmMismatch);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256"})", "x", &ed), ed.public_key()), kAlgorithmMismatch);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256"})", "x", &p256), p256.public_key()), kOk);
  EXPECT_CODE(CheckAlgForKey("ES384", p256.public_key()), kAlgorithmMismatch);
  EXPECT_CODE(CheckAlgForKey("ES256", p256.public_key()), kOk);
  EXPECT_CODE(CheckAlgForKey("none", p256.public_key()), kUnsupportedAlgorithm);
}

// ---------------------------------------------------------------- crit

TEST(JwsCrit, Rules) {
  PrivateKey key = Gen();
  const PublicKey& pub = key.public_key();
  const std::string unknown = Compact(R"({"alg":"ES256","crit":["ext"],"ext":1})", "x", &key);
  EXPECT_CODE(Verify(unknown, pub), kUnknownCritical);
  EXPECT_CODE(Verify(unknown, pub, {"other"}), kUnknownCritical);
  EXPECT_CODE(Verify(unknown, pub, {"ext"}), kOk);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["ext","b"],"ext":1,"b":2})", "x", &key), pub, {"ext"}),
              kUnknownCritical);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["ext","b"],"ext":1,"b":2})", "x", &key), pub,
                     {"ext", "b"}),
              kOk);
  // Registered names may not be listed.
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["alg"]})", "x", &key), pub, {"alg"}), kMalformed);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["kid"],"kid":"k"})", "x", &key), pub, {"kid"}), kMalformed);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["typ"],"typ":"JWT"})", "x", &key), pub), kMalformed);
  // Shape errors.
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":[]})", "x", &key), pub), kMalformed);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":"ext","ext":1})", "x", &key), pub, {"ext"}), kMalformed);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":[1]})", "x", &key), pub), kMalformed);
  EXPECT_CODE(Verify(Compact(R"({"alg":"ES256","crit":["ext"]})", "x", &key), pub, {"ext"}), kMalformed);  // absent
}

// ---------------------------------------------------------------- sign / verify

class JwsRoundTrip : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(JwsRoundTrip, SignAndVerify) {
  PrivateKey key = Gen(GetParam());
  // The signer's algorithm overrides any alg in the supplied header.
  Json header = {{"typ", "dc+sd-jwt"}, {"kid", "k1"}, {"alg", "none"}};
  auto jws = SignJws(header, AsBytes("payload bytes"), key);
  ASSERT_TRUE(jws.ok());
  auto parsed = UnverifiedJws::Parse(*jws);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->alg(), crypto::JwsAlgName(GetParam()));
  auto verified = VerifyJws(*parsed, key.public_key());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(ToString(verified->payload()), "payload bytes");
  EXPECT_EQ(verified->header()["typ"], "dc+sd-jwt");
  EXPECT_EQ(verified->header()["kid"], "k1");

  // Another key of the same type: invalid signature.
  PrivateKey other = Gen(GetParam());
  EXPECT_CODE(VerifyJws(*parsed, other.public_key()), kInvalidSignature);
  // A changed payload: invalid signature.
  std::string tampered = *jws;
  size_t d1 = tampered.find('.');
  tampered.replace(d1 + 1, tampered.rfind('.') - d1 - 1, Base64UrlEncode(std::string_view("payload bytez")));
  EXPECT_CODE(Verify(tampered, key.public_key()), kInvalidSignature);
  // A changed header (re-encoded with an added member): invalid signature.
  Json h2 = parsed->unverified_header();
  h2["kid"] = "k2";
  std::string swapped = Base64UrlEncode(DumpJson(h2)) + jws->substr(jws->find('.'));
  EXPECT_CODE(Verify(swapped, key.public_key()), kInvalidSignature);
}

TEST_P(JwsRoundTrip, SignJwtClaims) {
  PrivateKey key = Gen(GetParam());
  Json claims = {{"iss", "https://issuer.example"}, {"exp", 2000000000}, {"nested", {{"a", {1, 2}}}}};
  auto jwt = SignJwt(Json::object(), claims, key);
  ASSERT_TRUE(jwt.ok());
  auto parsed = UnverifiedJws::Parse(*jwt);
  ASSERT_TRUE(parsed.ok());
  auto verified = VerifyJws(*parsed, key.public_key());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(*ParseJson(AsStringView(verified->payload())), claims);
  EXPECT_EQ(verified->header(), (Json{{"alg", crypto::JwsAlgName(GetParam())}}));
}

INSTANTIATE_TEST_SUITE_P(AllAlgs, JwsRoundTrip,
                         ::testing::Values(SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA),
                         [](const auto& p) { return std::string(crypto::JwsAlgName(p.param)); });

// RFC 8037 appendix A.1 key.
const char kRfc8037D[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const char kRfc8037X[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

TEST(Rfc8037, JwsAppendixA4) {
  auto key = PrivateKey::FromJwk({{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", kRfc8037D}, {"x", kRfc8037X}});
  ASSERT_TRUE(key.ok());
  auto jws = SignJws(Json::object(), AsBytes("Example of Ed25519 signing"), *key);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(*jws,
            "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
  EXPECT_CODE(Verify(*jws, key->public_key()), kOk);
}

TEST(Thumbprint, Rfc8037AppendixA3) {
  // RFC 7638 section 3.1 uses an RSA key, which bonafide does not support; RFC 8037 A.3 gives
  // the thumbprint of its Ed25519 key.
  auto key = PublicKey::FromJwk({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kRfc8037X}, {"kid", "ignored"},
                                 {"use", "sig"}});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(JwkThumbprint(*key), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  EXPECT_EQ(JwkThumbprintUri(*key),
            "urn:ietf:params:oauth:jwk-thumbprint:sha-256:kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Thumbprint, EcUsesRequiredMembersInOrder) {
  PrivateKey key = Gen();
  Json jwk = key.public_key().ToJwk();
  std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + jwk["x"].get<std::string>() + R"(","y":")" +
                          jwk["y"].get<std::string>() + R"("})";
  EXPECT_EQ(JwkThumbprint(key.public_key()), Base64UrlEncode(crypto::Sha256(AsBytes(canonical))));
  EXPECT_NE(JwkThumbprint(key.public_key()), JwkThumbprint(Gen().public_key()));
}

// ---------------------------------------------------------------- did:key / did:jwk

TEST(DidKey, Ed25519SpecVector) {
  // did:key test vector for the all-zero seed; its publicKeyBase58 is 4zvwRj...ajS.
  const char kDid[] = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
  auto key = ResolveDidKey(kDid);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), SignatureAlg::kEdDSA);
  EXPECT_EQ(key->EncodedPoint(false), *Base58BtcDecode("4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"));
  EXPECT_EQ(*DidKeyFromPublicKey(*key), kDid);
  // And it is the public key of the zero seed.
  auto seed_key = PrivateKey::FromJwk({{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", Base64UrlEncode(Bytes(32, 0))},
                                       {"x", Base64UrlEncode(key->EncodedPoint(false))}});
  ASSERT_TRUE(seed_key.ok());
  EXPECT_EQ(*DidKeyFromPublicKey(seed_key->public_key()), kDid);
}

TEST(DidKey, P256SpecVector) {
  const char kDid[] = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169";
  auto key = ResolveDidKey(kDid);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), SignatureAlg::kES256);
  Json jwk = key->ToJwk();
  EXPECT_EQ(jwk["x"], "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI");
  EXPECT_EQ(jwk["y"], "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU");
  auto from_jwk = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(from_jwk.ok());
  EXPECT_EQ(*DidKeyFromPublicKey(*from_jwk), kDid);
  EXPECT_TRUE(std::string(kDid).starts_with("did:key:zDn"));
}

TEST(DidKey, RoundTripsAndFragments) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
    PrivateKey key = Gen(alg);
    auto did = DidKeyFromPublicKey(key.public_key());
    ASSERT_TRUE(did.ok());
    auto back = ResolveDidKey(*did);
    ASSERT_TRUE(back.ok()) << *did;
    EXPECT_TRUE(back->Equals(key.public_key()));
    std::string mb = did->substr(8);
    EXPECT_CODE(ResolveDidKey(*did + "#" + mb), kOk);
    EXPECT_CODE(ResolveDidKey(*did + "#" + mb + "x"), kMalformed);
    EXPECT_CODE(ResolveDidKey(*did + "#key-1"), kMalformed);
    EXPECT_CODE(ResolveDidKey(*did + "#"), kMalformed);
  }
}

std::string DidKeyOf(Bytes prefix, ByteView key) {
  prefix.insert(prefix.end(), key.begin(), key.end());
  return "did:key:z" + Base58BtcEncode(prefix);
}

TEST(DidKey, Rejections) {
  PrivateKey p256 = Gen(SignatureAlg::kES256);
  PrivateKey ed = Gen(SignatureAlg::kEdDSA);
  Bytes compressed = p256.public_key().EncodedPoint(true);
  Bytes raw = ed.public_key().EncodedPoint(false);
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0x80, 0x24}, compressed)), kOk);
  // Wrong multicodec: secp256k1-pub (0xe7), x25519-pub (0xec), or swapped prefixes.
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0xe7, 0x01}, compressed)), kInvalidKey);
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0xec, 0x01}, raw)), kInvalidKey);
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0xed, 0x01}, compressed)), kInvalidKey);  // 33 bytes for Ed25519
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0x80, 0x24}, raw)), kInvalidKey);         // 32 bytes for P-256
  EXPECT_CODE(ResolveDidKey(DidKeyOf({0x80, 0x24}, p256.public_key().EncodedPoint(false))), kInvalidKey);
  Bytes off_curve = compressed;
  off_curve[1] ^= 0x01;
  off_curve[32] ^= 0x01;
  // Either the point decompresses to another valid key or it is rejected; it must never be p256.
  auto maybe = ResolveDidKey(DidKeyOf({0x80, 0x24}, off_curve));
  if (maybe.ok()) {
    EXPECT_FALSE(maybe->Equals(p256.public_key()));
  } else {
    EXPECT_CODE(maybe, kInvalidKey);
  }
  // Bad base58 and multibase.
  EXPECT_CODE(ResolveDidKey("did:key:z0OIl"), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:key:z6Mk+"), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:key:f" + HexEncode(raw)), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:key:"), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:key:" + std::string(300, 'z')), kLimitExceeded);
  EXPECT_CODE(ResolveDidKey("did:web:example.com"), kMalformed);
  EXPECT_CODE(ResolveDidKey("DID:KEY:z6Mk"), kMalformed);
  EXPECT_CODE(ResolveDidKey(""), kMalformed);
}

TEST(Base58, KnownValuesAndRoundTrip) {
  EXPECT_EQ(Base58BtcEncode(Bytes{}), "");
  EXPECT_EQ(Base58BtcEncode(Bytes{0}), "1");
  EXPECT_EQ(Base58BtcEncode(Bytes{0, 0, 1}), "112");
  EXPECT_EQ(Base58BtcEncode(Bytes{57}), "z");
  EXPECT_EQ(Base58BtcEncode(Bytes{58}), "21");
  EXPECT_EQ(Base58BtcEncode(ToBytes("hello world")), "StV1DL6CwTryKyV");
  EXPECT_EQ(*Base58BtcDecode("StV1DL6CwTryKyV"), ToBytes("hello world"));
  EXPECT_EQ(*Base58BtcDecode("112"), (Bytes{0, 0, 1}));
  EXPECT_TRUE(Base58BtcDecode("")->empty());
  for (const char* bad : {"0", "O", "I", "l", " 2", "2 ", "+"}) {
    EXPECT_CODE(Base58BtcDecode(bad), kMalformed) << bad;
  }
  for (size_t n = 0; n < 40; ++n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i < 3 ? 0 : i * 29);
    EXPECT_EQ(*Base58BtcDecode(Base58BtcEncode(b)), b);
  }
}

TEST(DidJwk, RoundTripAndRejections) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
    PrivateKey key = Gen(alg);
    std::string did = DidJwkFromPublicKey(key.public_key());
    EXPECT_TRUE(did.starts_with("did:jwk:ey"));
    auto back = ResolveDidKey(did);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->Equals(key.public_key()));
    EXPECT_CODE(ResolveDidKey(did + "#0"), kOk);
    EXPECT_CODE(ResolveDidKey(did + "#1"), kMalformed);
    EXPECT_CODE(ResolveDidKey(did + "#"), kMalformed);
    EXPECT_CODE(ResolveDidKey("did:jwk:" + Base64UrlEncode(DumpJson(key.ExportJwk()))), kInvalidKey);
  }
  EXPECT_CODE(ResolveDidKey("did:jwk:eyJ="), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:jwk:" + Base64UrlEncode(std::string_view("[]"))), kMalformed);
  EXPECT_CODE(ResolveDidKey("did:jwk:" + Base64UrlEncode(std::string_view(R"({"kty":"EC","kty":"EC"})"))),
              kMalformed);
  EXPECT_CODE(ResolveDidKey("did:jwk:" + Base64UrlEncode(std::string_view(R"({"kty":"RSA","n":"AQAB","e":"AQAB"})"))),
              kInvalidKey);
}

// ---------------------------------------------------------------- did:web

Json DidWebDoc(const PublicKey& k1, const PublicKey& k2) {
  return {{"id", "did:web:issuer.example"},
          {"verificationMethod",
           {{{"id", "did:web:issuer.example#key-1"}, {"type", "JsonWebKey2020"},
             {"controller", "did:web:issuer.example"}, {"publicKeyJwk", k1.ToJwk()}},
            {{"id", "#key-2"}, {"type", "JsonWebKey"}, {"controller", "did:web:issuer.example"},
             {"publicKeyJwk", k2.ToJwk()}}}}};
}

TEST(DidWeb, ResolvesAbsoluteAndRelativeIds) {
  PrivateKey k1 = Gen(), k2 = Gen(SignatureAlg::kEdDSA);
  Json doc = DidWebDoc(k1.public_key(), k2.public_key());
  auto a = ResolveDidWebKey(doc, "did:web:issuer.example#key-1");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->Equals(k1.public_key()));
  auto b = ResolveDidWebKey(doc, "#key-1");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->Equals(k1.public_key()));
  auto c = ResolveDidWebKey(doc, "did:web:issuer.example#key-2");  // method id written relative
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->Equals(k2.public_key()));
  auto d = ResolveDidWebKey(doc, "#key-2");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->Equals(k2.public_key()));
}

TEST(DidWeb, Rejections) {
  PrivateKey k1 = Gen(), k2 = Gen();
  Json doc = DidWebDoc(k1.public_key(), k2.public_key());
  EXPECT_CODE(ResolveDidWebKey(doc, "did:web:evil.example#key-1"), kUntrustedIssuer);
  EXPECT_CODE(ResolveDidWebKey(doc, "did:web:issuer.example.evil#key-1"), kUntrustedIssuer);
  EXPECT_CODE(ResolveDidWebKey(doc, "did:web:issuer.example:users#key-1"), kUntrustedIssuer);
  EXPECT_CODE(ResolveDidWebKey(doc, "did:web:issuer.example"), kMalformed);
  EXPECT_CODE(ResolveDidWebKey(doc, "#key-9"), kNotFound);
  EXPECT_CODE(ResolveDidWebKey(doc, "did:web:issuer.example#key-9"), kNotFound);

  Json no_id = doc;
  no_id.erase("id");
  EXPECT_CODE(ResolveDidWebKey(no_id, "#key-1"), kInvalidClaims);
  Json not_web = doc;
  not_web["id"] = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
  EXPECT_CODE(ResolveDidWebKey(not_web, "#key-1"), kMalformed);
  Json no_methods = doc;
  no_methods.erase("verificationMethod");
  EXPECT_CODE(ResolveDidWebKey(no_methods, "#key-1"), kNotFound);
  Json with_private = doc;
  with_private["verificationMethod"][0]["publicKeyJwk"] = k1.ExportJwk();
  EXPECT_CODE(ResolveDidWebKey(with_private, "#key-1"), kInvalidKey);
  Json no_jwk = doc;
  no_jwk["verificationMethod"][0].erase("publicKeyJwk");
  EXPECT_CODE(ResolveDidWebKey(no_jwk, "#key-1"), kInvalidKey);
  Json bad_jwk = doc;
  bad_jwk["verificationMethod"][0]["publicKeyJwk"]["crv"] = "P-521";
  EXPECT_CODE(ResolveDidWebKey(bad_jwk, "#key-1"), kInvalidKey);
}

// ---------------------------------------------------------------- JWT time validation

constexpr int64_t kSkew = 60;

Status ValidateAt(int64_t now, const Json& claims, int64_t skew = kSkew) {
  FixedClock clock(now);
  return JwtTimeValidator(clock, skew).Validate(claims);
}

TEST(JwtTime, ExpiryBoundary) {
  // Valid while now < exp + skew.
  const Json c = {{"exp", 1000}};
  EXPECT_CODE(ValidateAt(1000 - kSkew - 1, c), kOk);
  EXPECT_CODE(ValidateAt(1000, c), kOk);
  EXPECT_CODE(ValidateAt(1000 + kSkew - 1, c), kOk);
  EXPECT_CODE(ValidateAt(1000 + kSkew, c), kExpired);
  EXPECT_CODE(ValidateAt(1000 + kSkew + 1, c), kExpired);
  // Without skew the exp second itself is expired (RFC 7519 4.1.4).
  EXPECT_CODE(ValidateAt(999, c, 0), kOk);
  EXPECT_CODE(ValidateAt(1000, c, 0), kExpired);
}

TEST(JwtTime, NotBeforeAndIssuedAtBoundary) {
  // Valid from now >= value - skew.
  for (const char* claim : {"nbf", "iat"}) {
    const Json c = {{"exp", 5000}, {claim, 1000}};
    EXPECT_CODE(ValidateAt(1000 - kSkew, c), kOk) << claim;
    EXPECT_CODE(ValidateAt(1000 - kSkew - 1, c), kNotYetValid) << claim;
    EXPECT_CODE(ValidateAt(1000, c, 0), kOk) << claim;
    EXPECT_CODE(ValidateAt(999, c, 0), kNotYetValid) << claim;
  }
}

TEST(JwtTime, MissingExpiry) {
  FixedClock clock(1000);
  EXPECT_CODE(JwtTimeValidator(clock).Validate(Json::object()), kInvalidClaims);
  EXPECT_CODE(JwtTimeValidator(clock).Validate({{"iat", 900}}), kInvalidClaims);
  EXPECT_CODE(JwtTimeValidator(clock).AllowMissingExpiry().Validate(Json::object()), kOk);
  EXPECT_CODE(JwtTimeValidator(clock).AllowMissingExpiry().Validate({{"nbf", 5000}}), kNotYetValid);
}

TEST(JwtTime, RequireIssuedAt) {
  FixedClock clock(1000);
  EXPECT_CODE(JwtTimeValidator(clock).RequireIssuedAt().Validate({{"exp", 2000}}), kInvalidClaims);
  EXPECT_CODE(JwtTimeValidator(clock).RequireIssuedAt().Validate({{"exp", 2000}, {"iat", 900}}), kOk);
  EXPECT_CODE(JwtTimeValidator(clock).Validate({{"exp", 2000}}), kOk);
}

TEST(JwtTime, NonIntegerTimesAreInvalidClaims) {
  for (const char* claim : {"exp", "nbf", "iat"}) {
    for (Json bad : {Json("1000"), Json(1000.5), Json(true), Json(nullptr), Json::array({1000}),
                     Json::object(), Json(1e300)}) {
      Json c = {{"exp", 2000}};
      c[claim] = bad;
      EXPECT_CODE(ValidateAt(1000, c), kInvalidClaims) << claim << "=" << DumpJson(bad);
    }
  }
  EXPECT_CODE(ValidateAt(1000, {{"exp", 2000.0}}), kOk);  // a float with an exact integer value
}

TEST(JwtTime, MaxAge) {
  FixedClock clock(0);
  JwtTimeValidator v(clock, kSkew);
  v.MaxAge(100);
  const Json c = {{"exp", 100000}, {"iat", 1000}};
  clock.Set(1000 + 100 + kSkew);
  EXPECT_CODE(v.Validate(c), kOk);
  clock.Set(1000 + 100 + kSkew + 1);
  EXPECT_CODE(v.Validate(c), kExpired);
  EXPECT_CODE(v.Validate({{"exp", 100000}}), kOk);  // no iat: MaxAge has nothing to check
}

TEST(JwtTime, SkewIsClamped) {
  FixedClock clock(0);
  EXPECT_EQ(JwtTimeValidator(clock, 1000).skew(), 300);
  EXPECT_EQ(JwtTimeValidator(clock, -5).skew(), 0);
  EXPECT_EQ(JwtTimeValidator(clock).skew(), 60);
  EXPECT_CODE(ValidateAt(1000 + 300, {{"exp", 1000}}, 1000), kExpired);
  EXPECT_CODE(ValidateAt(1000 + 299, {{"exp", 1000}}, 1000), kOk);
}

TEST(JwtTime, ExtremeValuesDoNotOverflow) {
  EXPECT_CODE(ValidateAt(1000, {{"exp", INT64_MAX}}), kOk);
  EXPECT_CODE(ValidateAt(1000, {{"exp", INT64_MIN}}), kExpired);
  EXPECT_CODE(ValidateAt(1000, {{"exp", INT64_MAX}, {"nbf", INT64_MIN}, {"iat", INT64_MIN}}), kOk);
  EXPECT_CODE(ValidateAt(1000, {{"exp", INT64_MAX}, {"nbf", INT64_MAX}}), kNotYetValid);
  EXPECT_CODE(ValidateAt(INT64_MAX, {{"exp", INT64_MAX}}), kExpired);
  EXPECT_CODE(ValidateAt(INT64_MIN, {{"exp", INT64_MIN}, {"nbf", INT64_MIN}}), kOk);
  FixedClock clock(1000);
  JwtTimeValidator v(clock);
  v.MaxAge(INT64_MAX);
  EXPECT_CODE(v.Validate({{"exp", INT64_MAX}, {"iat", INT64_MIN}}), kExpired);
  EXPECT_CODE(v.Validate({{"exp", INT64_MAX}, {"iat", 0}}), kOk);
}

TEST(Audience, StringAndArray) {
  EXPECT_CODE(CheckAudience({{"aud", "https://rp.example"}}, "https://rp.example"), kOk);
  EXPECT_CODE(CheckAudience({{"aud", "https://rp.example"}}, "https://other.example"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", "https://rp.example"}}, "https://RP.example"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", "https://rp.example"}}, "https://rp.example/"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", {"a", "https://rp.example"}}}, "https://rp.example"), kOk);
  EXPECT_CODE(CheckAudience({{"aud", {"a", "b"}}}, "https://rp.example"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", Json::array()}}, "a"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", {1, Json::object(), "a"}}}, "a"), kOk);
  EXPECT_CODE(CheckAudience({{"aud", {{"a"}}}}, "a"), kAudienceMismatch);  // nested array
  EXPECT_CODE(CheckAudience({{"aud", 1}}, "1"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience(Json::object(), "a"), kAudienceMismatch);
  EXPECT_CODE(CheckAudience({{"aud", ""}}, ""), kOk);  // exact match, even if empty
}

}  // namespace
}  // namespace bonafide::jose
