// Unit tests for src/crypto: signatures, JWK/PEM, hashes, HMAC, HKDF, AES-GCM, ECDH.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace bonafide::crypto {
namespace {

StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) { return r.status().code(); }
#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

Bytes Hex(std::string_view h) {
  auto r = HexDecode(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}
std::string HexOf(ByteView b) { return HexEncode(b); }
std::string HexOf(const SecretBytes& s) { return HexEncode(s.view()); }

PrivateKey Gen(SignatureAlg alg) {
  auto k = PrivateKey::Generate(alg);
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

// Group orders, big-endian (SEC 2).
const char kP256Order[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const char kP384Order[] =
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

// SubBe returns a - b for equal-length big-endian numbers with a >= b.
Bytes SubBe(const Bytes& a, ByteView b) {
  Bytes out(a.size());
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = a[i] - b[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

const SignatureAlg kAllAlgs[] = {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA};

// ---------------------------------------------------------------- algorithm names

TEST(Algorithms, NamesAndAllowList) {
  EXPECT_EQ(JwsAlgName(SignatureAlg::kES256), "ES256");
  EXPECT_EQ(JwsAlgName(SignatureAlg::kES384), "ES384");
  EXPECT_EQ(JwsAlgName(SignatureAlg::kEdDSA), "EdDSA");
  for (SignatureAlg a : kAllAlgs) EXPECT_EQ(ParseJwsAlg(JwsAlgName(a)), a);
  for (const char* bad : {"none", "None", "HS256", "RS256", "PS256", "ES512", "es256", "ES256K", "Ed25519", ""}) {
    EXPECT_FALSE(ParseJwsAlg(bad).has_value()) << bad;
  }
  EXPECT_EQ(CoseAlgId(SignatureAlg::kES256), -7);
  EXPECT_EQ(CoseAlgId(SignatureAlg::kES384), -35);
  EXPECT_EQ(CoseAlgId(SignatureAlg::kEdDSA), -8);
  for (SignatureAlg a : kAllAlgs) EXPECT_EQ(ParseCoseAlg(CoseAlgId(a)), a);
  EXPECT_FALSE(ParseCoseAlg(-36).has_value());
  EXPECT_FALSE(ParseCoseAlg(0).has_value());
}

// ---------------------------------------------------------------- signatures

class SignatureTest : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(SignatureTest, SignVerifyRoundTrip) {
  PrivateKey key = Gen(GetParam());
  EXPECT_EQ(key.alg(), GetParam());
  const Bytes msg = ToBytes("the message");
  auto sig = key.Sign(msg);
  ASSERT_TRUE(sig.ok());
  size_t expected = GetParam() == SignatureAlg::kES384 ? 96 : 64;
  EXPECT_EQ(sig->size(), expected);
  EXPECT_CODE(key.public_key().Verify(msg, *sig), kOk);
  // Empty message too.
  auto empty_sig = key.Sign({});
  ASSERT_TRUE(empty_sig.ok());
  EXPECT_CODE(key.public_key().Verify({}, *empty_sig), kOk);
}

TEST_P(SignatureTest, FlippedBitsFail) {
  PrivateKey key = Gen(GetParam());
  const Bytes msg = ToBytes("payload");
  Bytes sig = *key.Sign(msg);
  for (size_t i : {size_t{0}, sig.size() / 2 - 1, sig.size() / 2, sig.size() - 1}) {
    Bytes bad = sig;
    bad[i] ^= 0x01;
    EXPECT_CODE(key.public_key().Verify(msg, bad), kInvalidSignature) << "byte " << i;
  }
  Bytes other_msg = msg;
  other_msg[0] ^= 0x80;
  EXPECT_CODE(key.public_key().Verify(other_msg, sig), kInvalidSignature);
}

TEST_P(SignatureTest, WrongKeyFails) {
  PrivateKey a = Gen(GetParam());
  PrivateKey b = Gen(GetParam());
  Bytes sig = *a.Sign(ToBytes("m"));
  EXPECT_CODE(b.public_key().Verify(ToBytes("m"), sig), kInvalidSignature);
}

TEST_P(SignatureTest, WrongLengthFails) {
  PrivateKey key = Gen(GetParam());
  Bytes sig = *key.Sign(ToBytes("m"));
  Bytes longer = sig;
  longer.push_back(0);
  Bytes shorter(sig.begin(), sig.end() - 1);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), longer), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), shorter), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), Bytes{}), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), Bytes(sig.size() * 2)), kInvalidSignature);
}

INSTANTIATE_TEST_SUITE_P(AllAlgs, SignatureTest, ::testing::ValuesIn(kAllAlgs),
                         [](const auto& p) { return std::string(JwsAlgName(p.param)); });

struct EcCase {
  SignatureAlg alg;
  const char* order;
};
class EcdsaTest : public ::testing::TestWithParam<EcCase> {};

TEST_P(EcdsaTest, ZeroComponentsFail) {
  PrivateKey key = Gen(GetParam().alg);
  Bytes sig = *key.Sign(ToBytes("m"));
  const size_t f = sig.size() / 2;
  Bytes r_zero = sig;
  std::fill(r_zero.begin(), r_zero.begin() + static_cast<std::ptrdiff_t>(f), 0);
  Bytes s_zero = sig;
  std::fill(s_zero.begin() + static_cast<std::ptrdiff_t>(f), s_zero.end(), 0);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), r_zero), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), s_zero), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), Bytes(sig.size(), 0)), kInvalidSignature);
}

TEST_P(EcdsaTest, ComponentsOutOfRangeFail) {
  PrivateKey key = Gen(GetParam().alg);
  Bytes sig = *key.Sign(ToBytes("m"));
  const size_t f = sig.size() / 2;
  const Bytes n = Hex(GetParam().order);
  ASSERT_EQ(n.size(), f);
  Bytes s_is_n = sig;
  std::copy(n.begin(), n.end(), s_is_n.begin() + static_cast<std::ptrdiff_t>(f));
  Bytes r_is_n = sig;
  std::copy(n.begin(), n.end(), r_is_n.begin());
  Bytes s_max = sig;
  std::fill(s_max.begin() + static_cast<std::ptrdiff_t>(f), s_max.end(), 0xFF);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), s_is_n), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), r_is_n), kInvalidSignature);
  EXPECT_CODE(key.public_key().Verify(ToBytes("m"), s_max), kInvalidSignature);
}

TEST_P(EcdsaTest, HighSIsAcceptedButOnlyForItsMessage) {
  // (r, n - s) is the other valid signature for the same message; JOSE has no low-S rule, so
  // both must verify. It still must not verify a different message.
  PrivateKey key = Gen(GetParam().alg);
  const Bytes msg = ToBytes("malleable");
  Bytes sig = *key.Sign(msg);
  const size_t f = sig.size() / 2;
  const Bytes n = Hex(GetParam().order);
  Bytes s(sig.begin() + static_cast<std::ptrdiff_t>(f), sig.end());
  Bytes flipped_s = SubBe(n, s);
  Bytes other = sig;
  std::copy(flipped_s.begin(), flipped_s.end(), other.begin() + static_cast<std::ptrdiff_t>(f));
  ASSERT_NE(other, sig);
  EXPECT_CODE(key.public_key().Verify(msg, other), kOk);
  EXPECT_CODE(key.public_key().Verify(ToBytes("another message"), other), kInvalidSignature);
}

INSTANTIATE_TEST_SUITE_P(Curves, EcdsaTest,
                         ::testing::Values(EcCase{SignatureAlg::kES256, kP256Order},
                                           EcCase{SignatureAlg::kES384, kP384Order}),
                         [](const auto& p) { return std::string(JwsAlgName(p.param.alg)); });

// RFC 8032 section 7.1, TEST 1.
const char kRfc8032Secret[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char kRfc8032Public[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const char kRfc8032Sig[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5"
    "f0595bbe24655141438e7a100b";

Json Ed25519Jwk(const Bytes& d, const Bytes& x) {
  return Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", Base64UrlEncode(d)}, {"x", Base64UrlEncode(x)}};
}

TEST(Ed25519, Rfc8032TestVector1) {
  auto key = PrivateKey::FromJwk(Ed25519Jwk(Hex(kRfc8032Secret), Hex(kRfc8032Public)));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(HexOf(key->public_key().EncodedPoint(false)), kRfc8032Public);
  auto sig = key->Sign({});
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexOf(*sig), kRfc8032Sig);  // Ed25519 is deterministic
  auto pub = PublicKey::FromEncodedPoint(SignatureAlg::kEdDSA, Hex(kRfc8032Public));
  ASSERT_TRUE(pub.ok());
  EXPECT_CODE(pub->Verify({}, Hex(kRfc8032Sig)), kOk);
  EXPECT_CODE(pub->Verify(Bytes{0x72}, Hex(kRfc8032Sig)), kInvalidSignature);
}

TEST(Ed25519, NonCanonicalSIsRejected) {
  // S + L (the group order, little-endian) encodes the same scalar mod L; RFC 8032 5.1.7
  // requires S < L, which blocks this malleability.
  const Bytes l = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  Bytes sig = Hex(kRfc8032Sig);
  int carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    int v = sig[32 + i] + l[i] + carry;
    sig[32 + i] = static_cast<uint8_t>(v & 0xFF);
    carry = v >> 8;
  }
  ASSERT_EQ(carry, 0);
  auto pub = PublicKey::FromEncodedPoint(SignatureAlg::kEdDSA, Hex(kRfc8032Public));
  ASSERT_TRUE(pub.ok());
  EXPECT_CODE(pub->Verify({}, sig), kInvalidSignature);
}

TEST(Ed25519, PublicKeyMismatchInJwkIsRejected) {
  Bytes x = Hex(kRfc8032Public);
  x[0] ^= 1;
  EXPECT_CODE(PrivateKey::FromJwk(Ed25519Jwk(Hex(kRfc8032Secret), x)), kInvalidKey);
}

// ---------------------------------------------------------------- JWK

class JwkTest : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(JwkTest, PrivateAndPublicRoundTrip) {
  PrivateKey key = Gen(GetParam());
  Json priv = key.ExportJwk();
  ASSERT_TRUE(priv.contains("d"));
  auto back = PrivateKey::FromJwk(priv);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->public_key().Equals(key.public_key()));
  EXPECT_EQ(back->ExportJwk(), priv);
  Bytes sig = *back->Sign(ToBytes("x"));
  EXPECT_CODE(key.public_key().Verify(ToBytes("x"), sig), kOk);

  Json pub = key.public_key().ToJwk();
  EXPECT_FALSE(pub.contains("d"));
  const size_t members = GetParam() == SignatureAlg::kEdDSA ? 3 : 4;
  EXPECT_EQ(pub.size(), members);
  auto pub_back = PublicKey::FromJwk(pub);
  ASSERT_TRUE(pub_back.ok());
  EXPECT_TRUE(pub_back->Equals(key.public_key()));
  EXPECT_EQ(pub_back->alg(), GetParam());
  // A public JWK ignores private members; a private import requires d.
  EXPECT_CODE(PublicKey::FromJwk(priv), kOk);
  EXPECT_CODE(PrivateKey::FromJwk(pub), kInvalidKey);
}

TEST_P(JwkTest, EncodedPointRoundTrip) {
  PrivateKey key = Gen(GetParam());
  for (bool compressed : {false, true}) {
    Bytes p = key.public_key().EncodedPoint(compressed);
    auto back = PublicKey::FromEncodedPoint(GetParam(), p);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->Equals(key.public_key()));
  }
}

INSTANTIATE_TEST_SUITE_P(AllAlgs, JwkTest, ::testing::ValuesIn(kAllAlgs),
                         [](const auto& p) { return std::string(JwsAlgName(p.param)); });

Json WithMember(Json j, const std::string& k, Json v) {
  j[k] = std::move(v);
  return j;
}
Json Without(Json j, const std::string& k) {
  j.erase(k);
  return j;
}

// Generated EC keys come from a per-thread generation context and carry the point read once:
// each key is new, signs verifiably, and its cached point agrees with what OpenSSL says when
// asked through the DER SubjectPublicKeyInfo (a path that reads the point afresh). Also from a
// second thread, which sets up its own context.
TEST(KeyGeneration, EcKeysFromTheCachedContextAreFreshAndConsistent) {
  auto check = [](SignatureAlg alg) {
    std::set<std::string> points;
    const Bytes msg = {1, 2, 3};
    for (int i = 0; i < 20; ++i) {
      PrivateKey k = Gen(alg);
      const Bytes point = k.public_key().EncodedPoint(false);
      EXPECT_EQ(point.size(), alg == SignatureAlg::kES256 ? 65u : 97u);
      EXPECT_TRUE(points.insert(HexOf(point)).second) << "a repeated key";
      Result<PublicKey> reread = PublicKey::FromSpkiDer(k.public_key().ToSpkiDer());
      ASSERT_TRUE(reread.ok());
      EXPECT_EQ(reread->EncodedPoint(false), point);
      Result<Bytes> sig = k.Sign(msg);
      ASSERT_TRUE(sig.ok());
      EXPECT_TRUE(reread->Verify(msg, *sig).ok());
    }
  };
  check(SignatureAlg::kES256);
  check(SignatureAlg::kES384);
  std::thread other([&] { check(SignatureAlg::kES256); });
  other.join();
}

// A key built from an uncompressed point has no OpenSSL key of its own until one is needed: its
// first Verify uses a per-thread scratch key set to its point, later ones its own key. Keys made
// one after another on a thread, which each leave their point in the scratch key, must still each
// verify their own signatures and refuse everyone else's, on the first check and after.
TEST(PointKeys, FirstAndLaterChecksAgreeWhateverTheScratchKeyLastHeld) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384}) {
    const Bytes msg = {4, 5, 6};
    std::vector<PrivateKey> signers;
    std::vector<Bytes> sigs;
    for (int i = 0; i < 4; ++i) {
      signers.push_back(Gen(alg));
      sigs.push_back(*signers.back().Sign(msg));
    }
    // Built from JWKs and points, all before any check: the scratch key holds the last point.
    std::vector<PublicKey> keys;
    keys.push_back(*PublicKey::FromJwk(signers[0].public_key().ToJwk()));
    keys.push_back(*PublicKey::FromEncodedPoint(alg, signers[1].public_key().EncodedPoint(false)));
    keys.push_back(*PublicKey::FromJwk(signers[2].public_key().ToJwk()));
    keys.push_back(*PublicKey::FromEncodedPoint(alg, signers[3].public_key().EncodedPoint(false)));
    // First checks: a wrong signature on keys 0 and 1, the right one on keys 2 and 3.
    EXPECT_CODE(keys[0].Verify(msg, sigs[3]), kInvalidSignature);
    EXPECT_CODE(keys[1].Verify(msg, sigs[0]), kInvalidSignature);
    EXPECT_TRUE(keys[2].Verify(msg, sigs[2]).ok());
    EXPECT_TRUE(keys[3].Verify(msg, sigs[3]).ok());
    // Later checks, each key with every signature.
    for (int round = 0; round < 2; ++round) {
      for (size_t k = 0; k < keys.size(); ++k) {
        for (size_t j = 0; j < sigs.size(); ++j) {
          Status st = keys[k].Verify(msg, sigs[j]);
          EXPECT_EQ(st.ok(), k == j) << "key " << k << " signature " << j << ": " << st.ToString();
        }
      }
    }
    // A copy shares the key; the OpenSSL key, made now, is the same key.
    PublicKey copy = keys[1];
    EXPECT_TRUE(copy.Verify(msg, sigs[1]).ok());
    EXPECT_EQ(copy.ToSpkiDer(), signers[1].public_key().ToSpkiDer());
    EXPECT_EQ(PublicKey::FromPem(keys[3].ToPem())->EncodedPoint(false), signers[3].public_key().EncodedPoint(false));
  }
}

// Operations that need the OpenSSL key work on a key never checked before, and a point rejected
// on one thread's scratch key leaves that thread's next keys working.
TEST(PointKeys, KeyOperationsOnKeysThatWereNeverChecked) {
  PrivateKey mine = Gen(SignatureAlg::kES256);
  PrivateKey theirs = Gen(SignatureAlg::kES256);
  Result<PublicKey> their_pub = PublicKey::FromJwk(theirs.public_key().ToJwk());
  ASSERT_TRUE(their_pub.ok());
  Result<PublicKey> my_pub = PublicKey::FromJwk(mine.public_key().ToJwk());
  ASSERT_TRUE(my_pub.ok());
  Result<SecretBytes> a = EcdhP256(mine, *their_pub);
  Result<SecretBytes> b = EcdhP256(theirs, *my_pub);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(HexOf(*a), HexOf(*b));
  EXPECT_EQ(PublicKey::FromSpkiDer(my_pub->ToSpkiDer())->EncodedPoint(false), mine.public_key().EncodedPoint(false));

  Json bad = theirs.public_key().ToJwk();
  Bytes y = *Base64UrlDecode(bad["y"].get<std::string>());
  y.back() ^= 0x01;
  bad["y"] = Base64UrlEncode(y);
  EXPECT_CODE(PublicKey::FromJwk(bad), kInvalidKey);
  const Bytes msg = {7};
  Result<PublicKey> after = PublicKey::FromJwk(theirs.public_key().ToJwk());
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->Verify(msg, *theirs.Sign(msg)).ok());
  EXPECT_CODE(after->Verify(msg, *mine.Sign(msg)), kInvalidSignature);
}

// Many threads check signatures at once with keys built from points, some keys shared between
// threads (only one of them gets the first check), some each thread's own.
TEST(PointKeys, ManyThreadsCheckingSharedAndOwnKeys) {
  const Bytes msg = {8, 9};
  std::vector<PrivateKey> signers;
  std::vector<Bytes> sigs;
  for (int i = 0; i < 6; ++i) {
    signers.push_back(Gen(SignatureAlg::kES256));
    sigs.push_back(*signers.back().Sign(msg));
  }
  std::vector<PublicKey> shared;
  for (const PrivateKey& k : signers) shared.push_back(*PublicKey::FromJwk(k.public_key().ToJwk()));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        const size_t k = static_cast<size_t>(t + round) % signers.size();
        PublicKey own = *PublicKey::FromEncodedPoint(SignatureAlg::kES256, signers[k].public_key().EncodedPoint(false));
        for (const PublicKey* key : {&own, &shared[k]}) {
          if (!key->Verify(msg, sigs[k]).ok()) ++wrong;
          if (key->Verify(msg, sigs[(k + 1) % sigs.size()]).ok()) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(JwkRejections, CoordinateLength) {
  Json jwk = Gen(SignatureAlg::kES256).public_key().ToJwk();
  Bytes x = *Base64UrlDecode(jwk["x"].get<std::string>());
  Bytes x31(x.begin() + 1, x.end());
  Bytes x33 = x;
  x33.insert(x33.begin(), 0);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", Base64UrlEncode(x31))), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", Base64UrlEncode(x33))), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "y", Base64UrlEncode(x31))), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(jwk), kOk);
  Json ed = Gen(SignatureAlg::kEdDSA).public_key().ToJwk();
  Bytes ex = *Base64UrlDecode(ed["x"].get<std::string>());
  EXPECT_CODE(PublicKey::FromJwk(WithMember(ed, "x", Base64UrlEncode(ByteView(ex).first(31)))), kInvalidKey);
  Bytes ex33 = ex;
  ex33.push_back(0);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(ed, "x", Base64UrlEncode(ex33))), kInvalidKey);
}

TEST(JwkRejections, PointNotOnCurve) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384}) {
    Json jwk = Gen(alg).public_key().ToJwk();
    Bytes y = *Base64UrlDecode(jwk["y"].get<std::string>());
    y.back() ^= 0x01;
    EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "y", Base64UrlEncode(y))), kInvalidKey);
    Bytes zero(y.size(), 0);
    EXPECT_CODE(PublicKey::FromJwk(WithMember(WithMember(jwk, "x", Base64UrlEncode(zero)), "y",
                                              Base64UrlEncode(zero))),
                kInvalidKey);
  }
}

TEST(JwkRejections, PaddedOrNonUrlBase64) {
  Json jwk = Gen(SignatureAlg::kES256).public_key().ToJwk();
  const std::string x = jwk["x"].get<std::string>();
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", x + "=")), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "y", jwk["y"].get<std::string>() + "=")), kInvalidKey);
  std::string std_alphabet = x;
  for (char& c : std_alphabet) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (std_alphabet != x) {
    EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", std_alphabet)), kInvalidKey);
  }
  // Deterministic check of the standard alphabet: '+' in place of a character.
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", "+" + x.substr(1))), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(jwk, "x", " " + x)), kInvalidKey);
}

TEST(JwkRejections, PrivateKeyNotMatchingPublic) {
  for (SignatureAlg alg : kAllAlgs) {
    Json a = Gen(alg).ExportJwk();
    Json b = Gen(alg).ExportJwk();
    EXPECT_CODE(PrivateKey::FromJwk(WithMember(a, "d", b["d"])), kInvalidKey) << JwsAlgName(alg);
  }
  Json ec = Gen(SignatureAlg::kES256).ExportJwk();
  EXPECT_CODE(PrivateKey::FromJwk(WithMember(ec, "d", Base64UrlEncode(Bytes(32, 0)))), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromJwk(WithMember(ec, "d", Base64UrlEncode(Hex(kP256Order)))), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromJwk(WithMember(ec, "d", Base64UrlEncode(Bytes(31, 1)))), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromJwk(WithMember(ec, "d", 5)), kInvalidKey);
}

TEST(JwkRejections, UnsupportedKtyOrCrv) {
  Json ec = Gen(SignatureAlg::kES256).public_key().ToJwk();
  for (const char* crv : {"P-521", "secp256k1", "Ed25519", "X25519", "p-256", ""}) {
    EXPECT_CODE(PublicKey::FromJwk(WithMember(ec, "crv", crv)), kInvalidKey) << crv;
  }
  Json ed = Gen(SignatureAlg::kEdDSA).public_key().ToJwk();
  for (const char* crv : {"Ed448", "X25519", "P-256"}) {
    EXPECT_CODE(PublicKey::FromJwk(WithMember(ed, "crv", crv)), kInvalidKey) << crv;
  }
  EXPECT_CODE(PublicKey::FromJwk(WithMember(ec, "kty", "OKP")), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(ed, "kty", "EC")), kInvalidKey);
  Json rsa = {{"kty", "RSA"}, {"n", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}, {"e", "AQAB"}};
  EXPECT_CODE(PublicKey::FromJwk(rsa), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(WithMember(ec, "kty", "oct")), kInvalidKey);
}

TEST(JwkRejections, MissingOrMistypedMembers) {
  Json ec = Gen(SignatureAlg::kES256).ExportJwk();
  for (const char* m : {"kty", "crv", "x", "y"}) {
    EXPECT_CODE(PublicKey::FromJwk(Without(ec, m)), kInvalidKey) << m;
    EXPECT_CODE(PrivateKey::FromJwk(Without(ec, m)), kInvalidKey) << m;
    EXPECT_CODE(PublicKey::FromJwk(WithMember(ec, m, 1)), kInvalidKey) << m;
    EXPECT_CODE(PublicKey::FromJwk(WithMember(ec, m, nullptr)), kInvalidKey) << m;
  }
  EXPECT_CODE(PrivateKey::FromJwk(Without(ec, "d")), kInvalidKey);
  Json ed = Gen(SignatureAlg::kEdDSA).ExportJwk();
  EXPECT_CODE(PublicKey::FromJwk(Without(ed, "x")), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromJwk(Without(ed, "x")), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(Json::array()), kInvalidKey);
  EXPECT_CODE(PublicKey::FromJwk(Json("EC")), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromJwk(Json::object()), kInvalidKey);
}

TEST(EncodedPoint, Rejections) {
  PrivateKey key = Gen(SignatureAlg::kES256);
  Bytes u = key.public_key().EncodedPoint(false);
  Bytes c = key.public_key().EncodedPoint(true);
  EXPECT_EQ(u.size(), 65u);
  EXPECT_EQ(c.size(), 33u);
  Bytes bad_prefix = u;
  bad_prefix[0] = 0x05;
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES256, bad_prefix), kInvalidKey);
  Bytes c_as_u = c;
  c_as_u[0] = 0x04;
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES256, c_as_u), kInvalidKey);
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES256, ByteView(u).first(64)), kInvalidKey);
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES384, u), kInvalidKey);  // wrong curve size
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES256, Bytes{0x00}), kInvalidKey);  // infinity
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kEdDSA, Bytes(31, 1)), kInvalidKey);
  EXPECT_CODE(PublicKey::FromEncodedPoint(SignatureAlg::kES256, Bytes{}), kInvalidKey);
}

// ---------------------------------------------------------------- PEM / DER

class PemTest : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(PemTest, Pkcs8AndSpkiRoundTrip) {
  PrivateKey key = Gen(GetParam());
  SecretBytes pem = key.ExportPem();
  std::string_view text = AsStringView(pem.view());
  EXPECT_TRUE(text.starts_with("-----BEGIN PRIVATE KEY-----")) << text;
  auto back = PrivateKey::FromPem(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->public_key().Equals(key.public_key()));
  EXPECT_EQ(back->alg(), GetParam());
  EXPECT_CODE(key.public_key().Verify(ToBytes("p"), *back->Sign(ToBytes("p"))), kOk);

  std::string pub_pem = key.public_key().ToPem();
  EXPECT_TRUE(pub_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
  auto pub = PublicKey::FromPem(pub_pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Equals(key.public_key()));

  Bytes der = key.public_key().ToSpkiDer();
  auto from_der = PublicKey::FromSpkiDer(der);
  ASSERT_TRUE(from_der.ok());
  EXPECT_TRUE(from_der->Equals(key.public_key()));
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_CODE(PublicKey::FromSpkiDer(trailing), kInvalidKey);
  EXPECT_CODE(PublicKey::FromSpkiDer(ByteView(der).first(der.size() - 1)), kInvalidKey);
  // A public PEM is not a private key and vice versa.
  EXPECT_CODE(PrivateKey::FromPem(pub_pem), kInvalidKey);
}

INSTANTIATE_TEST_SUITE_P(AllAlgs, PemTest, ::testing::ValuesIn(kAllAlgs),
                         [](const auto& p) { return std::string(JwsAlgName(p.param)); });

// Generated with `openssl ecparam -name secp384r1 -genkey -noout` (SEC1 form).
const char kSec1P384[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIGkAgEBBDBXT5xf/C2Qr/zhKVz29rBiiG+q1W8iBXGNVtfvfvA3foYrjO5QzMcI\n"
    "awXKCZzClVCgBwYFK4EEACKhZANiAAQch6MFboRH3620JU2Mm2HFuYPNZqWaCj7M\n"
    "jS6xVGHDzKaWF+SiXVsn/vzGywJvhchaw7mNJylMkSiBKXAR5fbNvB01Bv3lrooz\n"
    "imnOMGDDsB6l1ZqjUSEkVT/YtKam8es=\n"
    "-----END EC PRIVATE KEY-----\n";

// `openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret` of a P-256 key.
const char kEncryptedPkcs8[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgjlKSu1y3+5gICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEENHz1g5yOSArYV/DNj2dxe8EgZBA\n"
    "kFsBFTw3xIPWAzmuO0FJsf8h6egyztcpN3f9/tYg6HAWjHXLTX64HYzNiRUY8oPA\n"
    "iMRdzzQtD1TZwmC0zIkJdvW9q+3mv5aU8ZgyjdA1ilnQiX1xPAMih8Fbj9eLw2Or\n"
    "GgpKPVH88iWknan3khX638nEqrZdSRD4tl9+k9kBRNfbCSYuSQ63oW32obY0owY=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 | openssl pkey -pubout`.
const char kRsaSpki[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwKrL1A8RwAqdbwONIfXMYvl37\n"
    "KzIP+7GbfIqfDStWtZAbsrEsZto7psWFaR3PSAaPEJpDAhccxFoKoMlRPK4NHFzU\n"
    "1bDoB1MkneGMn8iKPpaJwBoe7fN59hk3iDeC4cVRkzOCs3TviAnyB2Pq4ycCYx0W\n"
    "Gi9+T74LO3zI5hTjmwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// PemBody extracts and decodes the base64 between the armour lines.
Bytes PemBody(std::string_view pem) {
  std::string b64;
  size_t start = pem.find('\n') + 1;
  size_t end = pem.find("-----END");
  for (char ch : pem.substr(start, end - start)) {
    if (ch != '\n') b64.push_back(ch);
  }
  return *Base64Decode(b64);
}
std::string ToPem(const char* label, const Bytes& der) {
  std::string b64 = Base64Encode(der);
  std::string out = std::string("-----BEGIN ") + label + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + label + "-----\n";
}

TEST(Pem, Sec1EcPrivateKey) {
  auto key = PrivateKey::FromPem(kSec1P384);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), SignatureAlg::kES384);
  EXPECT_CODE(key->public_key().Verify(ToBytes("m"), *key->Sign(ToBytes("m"))), kOk);
}

TEST(Pem, RegressionSec1WithForeignPublicKeyIsRejected) {
  // The SEC1 structure ends with the public point (97 bytes for P-384). Replace it with another
  // valid point: the scalar no longer matches and FromPem must say so instead of producing a key
  // whose public half lies.
  Bytes der = PemBody(kSec1P384);
  Bytes other = Gen(SignatureAlg::kES384).public_key().EncodedPoint(false);
  ASSERT_EQ(other.size(), 97u);
  std::copy(other.begin(), other.end(), der.end() - 97);
  EXPECT_CODE(PrivateKey::FromPem(ToPem("EC PRIVATE KEY", der)), kInvalidKey);
  // Sanity: the untouched structure re-armoured still loads.
  EXPECT_CODE(PrivateKey::FromPem(ToPem("EC PRIVATE KEY", PemBody(kSec1P384))), kOk);
}

TEST(Pem, EncryptedKeyFailsWithoutPrompting) {
  EXPECT_CODE(PrivateKey::FromPem(kEncryptedPkcs8), kInvalidKey);
}

TEST(Pem, UnsupportedAndGarbage) {
  EXPECT_CODE(PublicKey::FromPem(kRsaSpki), kInvalidKey);
  EXPECT_CODE(PublicKey::FromPem(""), kInvalidKey);
  EXPECT_CODE(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), kInvalidKey);
  EXPECT_CODE(PrivateKey::FromPem("not a pem"), kInvalidKey);
  EXPECT_CODE(PublicKey::FromSpkiDer(Bytes{}), kInvalidKey);
  EXPECT_CODE(PublicKey::FromSpkiDer(PemBody(kRsaSpki)), kInvalidKey);
}

// ---------------------------------------------------------------- hashes, HMAC, HKDF

TEST(Hash, KnownDigests) {
  EXPECT_EQ(HexOf(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexOf(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexOf(Sha384(AsBytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(DigestSize(HashAlg::kSha256), 32u);
  EXPECT_EQ(DigestSize(HashAlg::kSha384), 48u);
}

TEST(Hash, Names) {
  EXPECT_EQ(HashAlgName(HashAlg::kSha256), "sha-256");
  EXPECT_EQ(HashAlgName(HashAlg::kSha384), "sha-384");
  EXPECT_EQ(ParseHashAlgName("sha-256"), HashAlg::kSha256);
  EXPECT_EQ(ParseHashAlgName("SHA-256"), HashAlg::kSha256);
  EXPECT_EQ(ParseHashAlgName("sha-384"), HashAlg::kSha384);
  EXPECT_EQ(ParseHashAlgName("SHA-512"), HashAlg::kSha512);
  EXPECT_EQ(DigestSize(HashAlg::kSha512), 64u);
  EXPECT_EQ(HashAlgName(HashAlg::kSha512), "sha-512");
  for (const char* bad : {"sha256", "SHA256", "sha512", "sha-3", "md5", "sha-1", ""}) {
    EXPECT_FALSE(ParseHashAlgName(bad).has_value()) << bad;
  }
}

TEST(Hmac, Rfc4231TestCases1And2) {
  // Test case 1: key = 0x0b * 20, data = "Hi There".
  auto t1 = Hmac(HashAlg::kSha256, Bytes(20, 0x0b), AsBytes("Hi There"));
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(HexOf(*t1), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key = "Jefe".
  auto t2 = Hmac(HashAlg::kSha256, AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(HexOf(*t2), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto t2_384 = Hmac(HashAlg::kSha384, AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  ASSERT_TRUE(t2_384.ok());
  EXPECT_EQ(HexOf(*t2_384),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
}

TEST(Hmac, EmptyKeyRejected) {
  EXPECT_CODE(Hmac(HashAlg::kSha256, Bytes{}, AsBytes("x")), kInvalidArgument);
  EXPECT_CODE(Hmac(HashAlg::kSha256, Bytes{0}, AsBytes("x")), kOk);
  EXPECT_CODE(Hmac(HashAlg::kSha256, Bytes{0}, Bytes{}), kOk);
}

TEST(Hkdf, Rfc5869TestCase1) {
  auto okm = Hkdf(HashAlg::kSha256, Bytes(22, 0x0b), Hex("000102030405060708090a0b0c"),
                  Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(HexOf(*okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Hkdf, Rfc5869TestCase3EmptySaltAndInfo) {
  auto okm = Hkdf(HashAlg::kSha256, Bytes(22, 0x0b), Bytes{}, Bytes{}, 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(HexOf(*okm), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Hkdf, LengthBounds) {
  EXPECT_CODE(Hkdf(HashAlg::kSha256, Bytes(32, 1), {}, {}, 0), kInvalidArgument);
  EXPECT_CODE(Hkdf(HashAlg::kSha256, Bytes(32, 1), {}, {}, 255 * 32), kOk);
  EXPECT_CODE(Hkdf(HashAlg::kSha256, Bytes(32, 1), {}, {}, 255 * 32 + 1), kInvalidArgument);
  EXPECT_CODE(Hkdf(HashAlg::kSha384, Bytes(32, 1), {}, {}, 255 * 48), kOk);
  EXPECT_CODE(Hkdf(HashAlg::kSha384, Bytes(32, 1), {}, {}, 255 * 48 + 1), kInvalidArgument);
}

// ---------------------------------------------------------------- AES-256-GCM

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, with AAD).
const char kGcmKey[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char kGcmIv[] = "cafebabefacedbaddecaf888";
const char kGcmAad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const char kGcmPt[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657"
    "ba637b39";
const char kGcmCt[] =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
    "bcc9f662";
const char kGcmTag[] = "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(AesGcm, KnownVectorTestCase16) {
  auto sealed = Aes256GcmSeal(Hex(kGcmKey), Hex(kGcmIv), Hex(kGcmAad), Hex(kGcmPt));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexOf(*sealed), std::string(kGcmCt) + kGcmTag);
  auto opened = Aes256GcmOpen(Hex(kGcmKey), Hex(kGcmIv), Hex(kGcmAad), *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(HexOf(*opened), kGcmPt);
}

TEST(AesGcm, KnownVectorsTestCases13And14) {
  const Bytes key(32, 0), iv(12, 0);
  auto empty = Aes256GcmSeal(key, iv, {}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(HexOf(*empty), "530f8afbc74536b9a963b4f1c4cb738b");  // tag only
  auto opened_empty = Aes256GcmOpen(key, iv, {}, *empty);
  ASSERT_TRUE(opened_empty.ok());
  EXPECT_TRUE(opened_empty->empty());
  auto block = Aes256GcmSeal(key, iv, {}, Bytes(16, 0));
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(HexOf(*block), "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AesGcm, RoundTripAndTamper) {
  Bytes key = SystemRandom().Generate(32);
  Bytes iv = SystemRandom().Generate(12);
  const Bytes aad = ToBytes("header"), pt = ToBytes("attack at dawn");
  Bytes sealed = *Aes256GcmSeal(key, iv, aad, pt);
  ASSERT_EQ(sealed.size(), pt.size() + kAesGcmTagSize);
  EXPECT_EQ(*Aes256GcmOpen(key, iv, aad, sealed), pt);

  Bytes bad_tag = sealed;
  bad_tag.back() ^= 1;
  EXPECT_CODE(Aes256GcmOpen(key, iv, aad, bad_tag), kInvalidSignature);
  Bytes bad_ct = sealed;
  bad_ct[0] ^= 1;
  EXPECT_CODE(Aes256GcmOpen(key, iv, aad, bad_ct), kInvalidSignature);
  Bytes bad_aad = aad;
  bad_aad[0] ^= 1;
  EXPECT_CODE(Aes256GcmOpen(key, iv, bad_aad, sealed), kInvalidSignature);
  EXPECT_CODE(Aes256GcmOpen(key, iv, {}, sealed), kInvalidSignature);  // AAD dropped
  Bytes bad_iv = iv;
  bad_iv[11] ^= 1;
  EXPECT_CODE(Aes256GcmOpen(key, bad_iv, aad, sealed), kInvalidSignature);
  Bytes bad_key = key;
  bad_key[0] ^= 1;
  EXPECT_CODE(Aes256GcmOpen(bad_key, iv, aad, sealed), kInvalidSignature);
  Bytes truncated(sealed.begin(), sealed.end() - 1);
  EXPECT_CODE(Aes256GcmOpen(key, iv, aad, truncated), kInvalidSignature);
}

TEST(AesGcm, SizeChecks) {
  const Bytes key(32, 1), iv(12, 2);
  EXPECT_CODE(Aes256GcmSeal(Bytes(16, 1), iv, {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes256GcmSeal(Bytes(33, 1), iv, {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes256GcmSeal(key, Bytes(16, 2), {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes256GcmSeal(key, Bytes(11, 2), {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes256GcmOpen(Bytes(16, 1), iv, {}, Bytes(16)), kInvalidArgument);
  EXPECT_CODE(Aes256GcmOpen(key, Bytes(8, 2), {}, Bytes(16)), kInvalidArgument);
  EXPECT_CODE(Aes256GcmOpen(key, iv, {}, Bytes(15)), kMalformed);         // shorter than a tag
  EXPECT_CODE(Aes256GcmOpen(key, iv, {}, Bytes(16)), kInvalidSignature);  // a tag, but wrong
}

// ---------------------------------------------------------------- ECDH, constant time, random

TEST(Ecdh, BothSidesAgree) {
  PrivateKey a = Gen(SignatureAlg::kES256), b = Gen(SignatureAlg::kES256), c = Gen(SignatureAlg::kES256);
  auto ab = EcdhP256(a, b.public_key());
  auto ba = EcdhP256(b, a.public_key());
  auto ac = EcdhP256(a, c.public_key());
  ASSERT_TRUE(ab.ok() && ba.ok() && ac.ok());
  EXPECT_EQ(ab->size(), 32u);
  EXPECT_EQ(HexOf(*ab), HexOf(*ba));
  EXPECT_NE(HexOf(*ab), HexOf(*ac));
}

TEST(Ecdh, RejectsOtherCurves) {
  PrivateKey p256 = Gen(SignatureAlg::kES256), p384 = Gen(SignatureAlg::kES384), ed = Gen(SignatureAlg::kEdDSA);
  EXPECT_CODE(EcdhP256(p256, p384.public_key()), kInvalidKey);
  EXPECT_CODE(EcdhP256(p384, p256.public_key()), kInvalidKey);
  EXPECT_CODE(EcdhP256(ed, p256.public_key()), kInvalidKey);
  EXPECT_CODE(EcdhP256(p256, ed.public_key()), kInvalidKey);
}

TEST(ConstantTime, Equals) {
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("abc"), std::string_view("abc")));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("abc"), std::string_view("abd")));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("abc"), std::string_view("bbc")));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("abc"), std::string_view("ab")));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view(""), std::string_view("a")));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view(""), std::string_view("")));
  EXPECT_TRUE(ConstantTimeEquals(Bytes{0, 1}, Bytes{0, 1}));
  EXPECT_FALSE(ConstantTimeEquals(Bytes{0, 1}, Bytes{0, 1, 0}));
}

TEST(SystemRandomTest, ProducesDistinctOutput) {
  Bytes a = SystemRandom().Generate(32), b = SystemRandom().Generate(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(SystemRandom().Generate(0).empty());
  EXPECT_LT(SystemRandom().Uniform(10), 10u);
}

// ---------------------------------------------------------------- Concat KDF, AES-128-GCM (JWE)

// RFC 7518 Appendix C: Z from ECDH between Bob's key and Alice's ephemeral key, OtherInfo for
// enc A128GCM with apu "Alice" and apv "Bob", derived key VqqN6vgjbSBcIijNcacQGg.
TEST(ConcatKdf, Rfc7518AppendixC) {
  const Bytes z = {158, 86,  217, 29,  129, 113, 53,  211, 114, 131, 66,  131, 191, 132, 38,  156,
                   251, 49,  110, 163, 218, 128, 106, 72,  246, 218, 167, 121, 140, 254, 144, 196};
  const Bytes other_info = {0, 0, 0, 7, 'A', '1', '2', '8', 'G', 'C', 'M', 0, 0, 0, 5, 'A', 'l', 'i',
                            'c', 'e', 0, 0, 0, 3, 'B', 'o', 'b', 0, 0, 0, 128};
  auto key = ConcatKdfSha256(z, other_info, 16);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(Base64UrlEncode(key->view()), "VqqN6vgjbSBcIijNcacQGg");
  EXPECT_EQ(HexOf(*key), HexOf(Bytes{86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26}));
  // The Appendix C Z is what ECDH of the published keys yields.
  auto bob = PrivateKey::FromJwk(Json{{"kty", "EC"}, {"crv", "P-256"},
                                      {"x", "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ"},
                                      {"y", "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck"},
                                      {"d", "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"}});
  auto alice = PublicKey::FromJwk(Json{{"kty", "EC"}, {"crv", "P-256"},
                                       {"x", "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0"},
                                       {"y", "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"}});
  ASSERT_TRUE(bob.ok() && alice.ok());
  auto shared = EcdhP256(*bob, *alice);
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(HexOf(*shared), HexOf(z));
}

// The single-step KDF by its definition: block i is SHA-256(be32(i) || Z || OtherInfo).
TEST(ConcatKdf, BlocksFollowTheDefinition) {
  const Bytes z(32, 0x5a), info = ToBytes("other info");
  auto block = [&](uint8_t counter) {
    Bytes input = {0, 0, 0, counter};
    input.insert(input.end(), z.begin(), z.end());
    input.insert(input.end(), info.begin(), info.end());
    return Sha256(input);
  };
  Bytes expected = block(1);
  Bytes second = block(2);
  expected.insert(expected.end(), second.begin(), second.begin() + 16);
  auto out = ConcatKdfSha256(z, info, 48);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(HexOf(*out), HexOf(expected));
  auto one = ConcatKdfSha256(z, info, 1);  // boundary: shortest output is the first byte
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(HexOf(*one), HexOf(Bytes(expected.begin(), expected.begin() + 1)));
  auto no_info = ConcatKdfSha256(z, {}, 32);  // empty OtherInfo is allowed
  ASSERT_TRUE(no_info.ok());
  Bytes bare = {0, 0, 0, 1};
  bare.insert(bare.end(), z.begin(), z.end());
  EXPECT_EQ(HexOf(*no_info), HexOf(Sha256(bare)));
}

TEST(ConcatKdf, ArgumentBounds) {
  const Bytes z(32, 1);
  EXPECT_CODE(ConcatKdfSha256(z, {}, 0), kInvalidArgument);
  EXPECT_CODE(ConcatKdfSha256(z, {}, kMaxConcatKdfLength), kOk);
  EXPECT_CODE(ConcatKdfSha256(z, {}, kMaxConcatKdfLength + 1), kInvalidArgument);
  EXPECT_CODE(ConcatKdfSha256({}, Bytes{1}, 16), kInvalidArgument);
  EXPECT_CODE(ConcatKdfSha256(Bytes{1}, {}, 16), kOk);
}

// McGrew & Viega test cases 1, 2 and 4 (AES-128; case 4 has the inputs of case 16 above).
TEST(Aes128Gcm, KnownVectors) {
  const Bytes zero_key(16, 0), zero_iv(12, 0);
  auto empty = Aes128GcmSeal(zero_key, zero_iv, {}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(HexOf(*empty), "58e2fccefa7e3061367f1d57a4e7455a");
  auto block = Aes128GcmSeal(zero_key, zero_iv, {}, Bytes(16, 0));
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(HexOf(*block), "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
  const Bytes key = Hex("feffe9928665731c6d6a8f9467308308");
  auto sealed = Aes128GcmSeal(key, Hex(kGcmIv), Hex(kGcmAad), Hex(kGcmPt));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexOf(*sealed),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b39"
            "6a0aac973d58e091"
            "5bc94fbc3221a5db94fae95ae7121a47");
  auto opened = Aes128GcmOpen(key, Hex(kGcmIv), Hex(kGcmAad), *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(HexOf(*opened), kGcmPt);
  Bytes tampered = *sealed;
  tampered[3] ^= 0x10;
  EXPECT_CODE(Aes128GcmOpen(key, Hex(kGcmIv), Hex(kGcmAad), tampered), kInvalidSignature);
}

TEST(Aes128Gcm, SizeChecks) {
  const Bytes iv(12, 2);
  EXPECT_CODE(Aes128GcmSeal(Bytes(16, 1), iv, {}, {}), kOk);
  EXPECT_CODE(Aes128GcmSeal(Bytes(32, 1), iv, {}, {}), kInvalidArgument);  // an AES-256 key
  EXPECT_CODE(Aes128GcmSeal(Bytes(15, 1), iv, {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes128GcmSeal(Bytes(16, 1), Bytes(11, 2), {}, {}), kInvalidArgument);
  EXPECT_CODE(Aes128GcmOpen(Bytes(17, 1), iv, {}, Bytes(16)), kInvalidArgument);
  EXPECT_CODE(Aes128GcmOpen(Bytes(16, 1), iv, {}, Bytes(15)), kMalformed);
  EXPECT_CODE(Aes128GcmOpen(Bytes(16, 1), iv, {}, Bytes(16)), kInvalidSignature);
  // The same key bytes under AES-128 and AES-256 are different ciphers.
  const Bytes key32(32, 7);
  Bytes sealed256 = *Aes256GcmSeal(key32, iv, {}, ToBytes("x"));
  EXPECT_CODE(Aes128GcmOpen(Bytes(key32.begin(), key32.begin() + 16), iv, {}, sealed256), kInvalidSignature);
}

}  // namespace
}  // namespace bonafide::crypto
