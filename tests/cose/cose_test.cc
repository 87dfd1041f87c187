// Unit tests of the COSE module: COSE_Sign1 (cose/cose_sign1.h), COSE_Mac0 (cose/cose_mac0.h) and
// COSE_Key (cose/cose_key.h). Each rule of the headers' lists gets a failing case with its exact
// StatusCode and a boundary case that passes. Odd headers are crafted with
// InsecureSignSign1WithRawProtected or by editing a decoded message.
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "cose/cose_key.h"
#include "cose/cose_mac0.h"
#include "cose/cose_sign1.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "tests/common/test_util.h"

namespace bonafide::cose {
namespace {

using cbor::Value;
using crypto::PrivateKey;
using crypto::PublicKey;
using crypto::SignatureAlg;

Bytes Hex(std::string_view hex) {
  Result<Bytes> b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes();
}
Bytes Own(ByteView b) { return Bytes(b.begin(), b.end()); }

// Key returns a fixed (per process) generated key of `alg`; `n` picks one of two.
const PrivateKey& Key(SignatureAlg alg, int n = 0) {
  static const std::vector<PrivateKey> keys = [] {
    std::vector<PrivateKey> out;
    for (int i = 0; i < 2; ++i) {
      for (SignatureAlg a : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
        Result<PrivateKey> k = PrivateKey::Generate(a);
        EXPECT_TRUE(k.ok());
        out.push_back(*k);
      }
    }
    return out;
  }();
  return keys[static_cast<size_t>(n * 3 + (alg == SignatureAlg::kES256   ? 0
                                           : alg == SignatureAlg::kES384 ? 1
                                                                         : 2))];
}
const PrivateKey& Es256() { return Key(SignatureAlg::kES256); }

// Map builds a map Value from (int label, value) pairs.
Value IntMap(std::vector<std::pair<int64_t, Value>> entries) {
  Value m = Value::MakeMap();
  for (auto& [k, v] : entries) m.Insert(k, std::move(v));
  return m;
}
Value Bstr(ByteView b) { return Value::ByteString(b); }
Value Bstr(std::string_view s) { return Value::ByteString(AsBytes(s)); }

const Bytes kPayload = ToBytes("This is the content.");

// Crafted returns a tag-18 COSE_Sign1 over kPayload with the given buckets, signed by ES256.
Bytes Crafted(const Value& prot, const Value& unprot, const PrivateKey& key = Es256()) {
  Result<Bytes> m =
      InsecureSignSign1WithRawProtected(cbor::Encode(prot), cbor::Encode(unprot), kPayload, key);
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : Bytes();
}
Bytes CraftedRaw(ByteView prot_bytes, const Value& unprot) {
  Result<Bytes> m = InsecureSignSign1WithRawProtected(prot_bytes, cbor::Encode(unprot), kPayload, Es256());
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : Bytes();
}
Value AlgOnly(int64_t alg = -7) { return IntMap({{kHeaderAlg, Value::Int(alg)}}); }

StatusCode ParseCode(ByteView cose) { return UnverifiedSign1::Parse(cose).status().code(); }
StatusCode VerifyCode(ByteView cose, const PrivateKey& key = Es256()) {
  return VerifySign1(cose, key.public_key()).status().code();
}

// Untagged returns the array inside a tag-18 message.
Value Untagged(ByteView cose) {
  Result<Value> v = cbor::Decode(cose);
  EXPECT_TRUE(v.ok() && v->is_tag(kTagCoseSign1));
  return v.ok() ? v->tagged() : Value();
}

// ================================================================ COSE_Sign1

class CoseSign1AlgTest : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(CoseSign1AlgTest, RoundTrip) {
  const PrivateKey& key = Key(GetParam());
  Sign1Headers h;
  h.content_type = "application/cbor";
  h.typ = "application/example+cose";
  h.kid = ToBytes("kid-1");
  Result<Value> msg = SignSign1Value(h, kPayload, key, ToBytes("aad"));
  ASSERT_TRUE(msg.ok());
  ASSERT_TRUE(msg->is_tag(kTagCoseSign1));
  const Bytes cose = cbor::Encode(*msg);

  Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(cose);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->alg_id(), crypto::CoseAlgId(GetParam()));
  EXPECT_EQ(parsed->alg(), GetParam());
  EXPECT_EQ(parsed->unverified_kid(), ToBytes("kid-1"));
  EXPECT_FALSE(parsed->detached());
  EXPECT_EQ(Own(parsed->unverified_payload()), kPayload);

  Result<VerifiedSign1> v = parsed->Verify(key.public_key(), ToBytes("aad"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->alg(), GetParam());
  EXPECT_EQ(v->payload(), kPayload);
  EXPECT_EQ(v->content_type(), "application/cbor");
  EXPECT_FALSE(v->content_format().has_value());
  EXPECT_EQ(v->typ(), "application/example+cose");
  EXPECT_EQ(v->kid(), ToBytes("kid-1"));
  EXPECT_TRUE(v->x5chain().empty());
  // The protected bucket is the deterministic map {1: alg, 3: ct, 16: typ}.
  Value prot = IntMap({{kHeaderAlg, Value::Int(crypto::CoseAlgId(GetParam()))},
                       {kHeaderContentType, Value::Text("application/cbor")},
                       {kHeaderTyp, Value::Text("application/example+cose")}});
  EXPECT_EQ(v->protected_header(), cbor::EncodeDeterministic(prot));

  // FromValue on the decoded item agrees with Parse.
  Result<UnverifiedSign1> from_value = UnverifiedSign1::FromValue(*msg);
  ASSERT_TRUE(from_value.ok());
  EXPECT_TRUE(from_value->Verify(key.public_key(), ToBytes("aad")).ok());

  // Another key of the same algorithm: the signature does not verify.
  EXPECT_EQ(parsed->Verify(Key(GetParam(), 1).public_key(), ToBytes("aad")).status().code(),
            StatusCode::kInvalidSignature);
}

TEST_P(CoseSign1AlgTest, EmptyPayloadAndHeadersBoundary) {
  const PrivateKey& key = Key(GetParam());
  Result<Value> msg = SignSign1Value({}, {}, key);
  ASSERT_TRUE(msg.ok());
  Result<VerifiedSign1> v = VerifySign1(cbor::Encode(*msg), key.public_key());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->payload().empty());
  EXPECT_FALSE(v->kid().has_value());
  EXPECT_FALSE(v->content_type().has_value());
  EXPECT_FALSE(v->typ().has_value());
  Value alg_only = AlgOnly(crypto::CoseAlgId(GetParam()));
  EXPECT_EQ(v->protected_header(), cbor::Encode(alg_only));
  // The unprotected bucket is an empty map.
  EXPECT_EQ(msg->tagged().array()[1].size(), 0u);
}

TEST_P(CoseSign1AlgTest, AlgKeyMismatchIsAlgorithmMismatch) {
  Result<Bytes> cose = SignSign1({}, kPayload, Key(GetParam()));
  ASSERT_TRUE(cose.ok());
  for (SignatureAlg other : {SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA}) {
    EXPECT_EQ(VerifyCode(*cose, Key(other)),
              other == GetParam() ? StatusCode::kOk : StatusCode::kAlgorithmMismatch);
  }
}

INSTANTIATE_TEST_SUITE_P(Algs, CoseSign1AlgTest,
                         ::testing::Values(SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA),
                         [](const ::testing::TestParamInfo<SignatureAlg>& param_info) {
                           return std::string(crypto::JwsAlgName(param_info.param));
                         });

TEST(CoseSign1Test, SignSign1IsTaggedAttached) {
  Result<Bytes> cose = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(cose.ok());
  ASSERT_GE(cose->size(), 2u);
  EXPECT_EQ((*cose)[0], 0xd2);  // tag 18
  EXPECT_EQ((*cose)[1], 0x84);  // array of 4
}

TEST(CoseSign1Test, TaggedAndUntagged) {
  Sign1Form untagged;
  untagged.tagged = false;
  Result<Value> u = SignSign1Value({}, kPayload, Es256(), {}, untagged);
  Result<Value> t = SignSign1Value({}, kPayload, Es256());
  ASSERT_TRUE(u.ok() && t.ok());
  EXPECT_TRUE(u->is_array());
  EXPECT_TRUE(t->is_tag(kTagCoseSign1));
  EXPECT_TRUE(VerifySign1(cbor::Encode(*u), Es256().public_key()).ok());
  EXPECT_TRUE(VerifySign1(cbor::Encode(*t), Es256().public_key()).ok());
}

TEST(CoseSign1Test, DetachedPayload) {
  Sign1Form form;
  form.detached = true;
  Result<Value> msg = SignSign1Value({}, kPayload, Es256(), {}, form);
  ASSERT_TRUE(msg.ok());
  EXPECT_TRUE(msg->tagged().array()[2].is_null());
  const Bytes cose = cbor::Encode(*msg);
  Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(cose);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->detached());
  EXPECT_TRUE(parsed->unverified_payload().empty());
  const PublicKey& pub = Es256().public_key();
  // Without the payload: kMalformed.
  EXPECT_EQ(parsed->Verify(pub).status().code(), StatusCode::kMalformed);
  // With it: OK, and the verified payload is the detached one.
  Result<VerifiedSign1> v = parsed->Verify(pub, {}, ByteView(kPayload));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->payload(), kPayload);
  // Another payload: kInvalidSignature.
  const Bytes other = ToBytes("This is the content!");
  EXPECT_EQ(parsed->Verify(pub, {}, ByteView(other)).status().code(), StatusCode::kInvalidSignature);
  // An attached payload plus a detached one: kInvalidArgument (even if they are equal).
  Result<Bytes> attached = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(VerifySign1(*attached, pub, {}, ByteView(kPayload)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifySign1(*attached, pub, {}, ByteView()).status().code(), StatusCode::kInvalidArgument);
}

TEST(CoseSign1Test, DetachedEmptyPayloadBoundary) {
  Sign1Form form;
  form.detached = true;
  form.tagged = false;
  Result<Value> msg = SignSign1Value({}, {}, Es256(), {}, form);
  ASSERT_TRUE(msg.ok());
  const Bytes cose = cbor::Encode(*msg);
  // A present-but-empty detached payload is a payload; absent is not.
  EXPECT_TRUE(VerifySign1(cose, Es256().public_key(), {}, ByteView()).ok());
  EXPECT_EQ(VerifySign1(cose, Es256().public_key()).status().code(), StatusCode::kMalformed);
}

TEST(CoseSign1Test, X5ChainOneCertIsBstr) {
  Sign1Headers h;
  h.x5chain = {Hex("3003020101")};
  Result<Value> msg = SignSign1Value(h, kPayload, Es256());
  ASSERT_TRUE(msg.ok());
  const Value* x5 = msg->tagged().array()[1].Find(kHeaderX5Chain);
  ASSERT_NE(x5, nullptr);
  EXPECT_TRUE(x5->is_bytes());
  Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(cbor::Encode(*msg));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->unverified_x5chain(), h.x5chain);
  Result<VerifiedSign1> v = parsed->Verify(Es256().public_key());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->x5chain(), h.x5chain);
}

TEST(CoseSign1Test, X5ChainTwoCertsIsArray) {
  Sign1Headers h;
  h.x5chain = {Hex("3003020101"), Hex("3003020102")};
  Result<Value> msg = SignSign1Value(h, kPayload, Es256());
  ASSERT_TRUE(msg.ok());
  const Value* x5 = msg->tagged().array()[1].Find(kHeaderX5Chain);
  ASSERT_NE(x5, nullptr);
  ASSERT_TRUE(x5->is_array());
  EXPECT_EQ(x5->size(), 2u);
  Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(cbor::Encode(*msg));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->unverified_x5chain(), h.x5chain);
  Result<VerifiedSign1> v = parsed->Verify(Es256().public_key());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->x5chain(), h.x5chain);
}

TEST(CoseSign1Test, X5ChainMalformed) {
  const Bytes cert = Hex("3003020101");
  auto with_x5 = [&](Value x5) { return Crafted(AlgOnly(), IntMap({{kHeaderX5Chain, std::move(x5)}})); };
  EXPECT_EQ(ParseCode(with_x5(Value::Int(5))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Value::MakeArray())), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Value::MakeArray({Bstr(cert)}))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Value::MakeArray({Bstr(cert), Value::Text("cert")}))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Value::Text("cert"))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Bstr(ByteView()))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(with_x5(Value::MakeArray({Bstr(cert), Bstr(ByteView())}))), StatusCode::kMalformed);
  // Boundaries: one bstr; an array of exactly two bstrs; label 33 in the protected bucket.
  EXPECT_EQ(VerifyCode(with_x5(Bstr(cert))), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(with_x5(Value::MakeArray({Bstr(cert), Bstr(cert)}))), StatusCode::kOk);
  Bytes prot_x5 =
      Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {kHeaderX5Chain, Bstr(cert)}}), Value::MakeMap());
  Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(prot_x5);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->unverified_x5chain(), std::vector<Bytes>{cert});
  EXPECT_TRUE(parsed->Verify(Es256().public_key()).ok());
}

TEST(CoseSign1Test, ExternalAadMismatch) {
  Result<Bytes> cose = SignSign1({}, kPayload, Es256(), ToBytes("aad-1"));
  ASSERT_TRUE(cose.ok());
  const PublicKey& pub = Es256().public_key();
  EXPECT_TRUE(VerifySign1(*cose, pub, ToBytes("aad-1")).ok());
  EXPECT_EQ(VerifySign1(*cose, pub, ToBytes("aad-2")).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(VerifySign1(*cose, pub, ToBytes("aad-")).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(VerifySign1(*cose, pub).status().code(), StatusCode::kInvalidSignature);
  // Boundary: signed without AAD verifies with an empty one.
  Result<Bytes> plain = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(VerifySign1(*plain, pub, ByteView()).ok());
  EXPECT_EQ(VerifySign1(*plain, pub, Hex("00")).status().code(), StatusCode::kInvalidSignature);
}

TEST(CoseSign1Test, ProtectedAlgOtherThanKeysIsAlgorithmMismatch) {
  // Signed by an ES256 key but the protected alg says ES384: the key decides.
  EXPECT_EQ(VerifyCode(Crafted(AlgOnly(-35), Value::MakeMap())), StatusCode::kAlgorithmMismatch);
  EXPECT_EQ(VerifyCode(Crafted(AlgOnly(-8), Value::MakeMap())), StatusCode::kAlgorithmMismatch);
  EXPECT_EQ(VerifyCode(Crafted(AlgOnly(-7), Value::MakeMap())), StatusCode::kOk);
}

TEST(CoseSign1Test, AlgMustBeProtected) {
  // alg only in the unprotected bucket, with an empty protected bstr or an encoded empty map.
  EXPECT_EQ(ParseCode(CraftedRaw({}, AlgOnly())), StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseCode(CraftedRaw(Hex("a0"), AlgOnly())), StatusCode::kUnsupportedAlgorithm);
  // No alg anywhere.
  EXPECT_EQ(ParseCode(CraftedRaw({}, Value::MakeMap())), StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderContentType, Value::Uint(0)}}), Value::MakeMap())),
            StatusCode::kUnsupportedAlgorithm);
  // alg of a non-integer type.
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Text("ES256")}}), Value::MakeMap())),
            StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderAlg, Bstr("ES256")}}), Value::MakeMap())),
            StatusCode::kUnsupportedAlgorithm);
  // An integer outside int64 (-2^64).
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Negative(UINT64_MAX)}}), Value::MakeMap())),
            StatusCode::kUnsupportedAlgorithm);
  // An unknown integer alg parses, and Verify refuses it (also ES512 -36 and RS256 -257).
  for (int64_t alg : {-999, -36, -257, 0, 7}) {
    Bytes cose = Crafted(AlgOnly(alg), Value::MakeMap());
    Result<UnverifiedSign1> parsed = UnverifiedSign1::Parse(cose);
    ASSERT_TRUE(parsed.ok()) << alg;
    EXPECT_EQ(parsed->alg_id(), alg);
    EXPECT_FALSE(parsed->alg().has_value());
    EXPECT_EQ(parsed->Verify(Es256().public_key()).status().code(), StatusCode::kUnsupportedAlgorithm) << alg;
  }
  // Boundary: alg protected, kid unprotected.
  EXPECT_EQ(VerifyCode(Crafted(AlgOnly(), IntMap({{kHeaderKid, Bstr("11")}}))), StatusCode::kOk);
}

TEST(CoseSign1Test, LabelInBothBucketsIsMalformed) {
  EXPECT_EQ(ParseCode(Crafted(AlgOnly(), AlgOnly())), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {kHeaderKid, Bstr("11")}}),
                              IntMap({{kHeaderKid, Bstr("11")}}))),
            StatusCode::kMalformed);
  Value text_prot = AlgOnly();
  text_prot.Insert("x-private", Value::Int(1));
  Value text_unprot = Value::MakeMap();
  text_unprot.Insert("x-private", Value::Int(1));
  EXPECT_EQ(ParseCode(Crafted(text_prot, text_unprot)), StatusCode::kMalformed);
  // Boundary: the integer label 1 and the text label "1" are different labels.
  Value one_text = Value::MakeMap();
  one_text.Insert("1", Value::Int(-7));
  EXPECT_EQ(VerifyCode(Crafted(AlgOnly(), one_text)), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(Crafted(text_prot, IntMap({{kHeaderKid, Bstr("11")}}))), StatusCode::kOk);
}

TEST(CoseSign1Test, LabelTypes) {
  Value bstr_label = Value::MakeMap();
  bstr_label.Insert(Bstr("x"), Value::Int(1));
  EXPECT_EQ(ParseCode(Crafted(AlgOnly(), bstr_label)), StatusCode::kMalformed);
  Value prot = AlgOnly();
  prot.Insert(Value::Bool(true), Value::Int(1));
  EXPECT_EQ(ParseCode(Crafted(prot, Value::MakeMap())), StatusCode::kMalformed);
  // Boundary: negative integer and text labels we do not know are ignored.
  Value ok = AlgOnly();
  ok.Insert(-65537, Value::Int(1));
  ok.Insert("x-private", Value::Int(1));
  EXPECT_EQ(VerifyCode(Crafted(ok, Value::MakeMap())), StatusCode::kOk);
}

TEST(CoseSign1Test, Crit) {
  auto with_crit = [](Value crit) {
    Value p = AlgOnly();
    p.Insert(kHeaderCrit, std::move(crit));
    return p;
  };
  // Well formed (one label, the minimum): kUnknownCritical, we process no extension.
  EXPECT_EQ(ParseCode(Crafted(with_crit(Value::MakeArray({Value::Int(99)})), Value::MakeMap())),
            StatusCode::kUnknownCritical);
  EXPECT_EQ(
      ParseCode(Crafted(with_crit(Value::MakeArray({Value::Int(4), Value::Text("x")})), Value::MakeMap())),
      StatusCode::kUnknownCritical);
  // Malformed crit: empty array, not an array, unprotected.
  EXPECT_EQ(ParseCode(Crafted(with_crit(Value::MakeArray()), Value::MakeMap())), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(Crafted(with_crit(Value::Int(99)), Value::MakeMap())), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(Crafted(AlgOnly(), IntMap({{kHeaderCrit, Value::MakeArray({Value::Int(99)})}}))),
            StatusCode::kMalformed);
}

TEST(CoseSign1Test, KidMustBeBstr) {
  EXPECT_EQ(ParseCode(Crafted(AlgOnly(), IntMap({{kHeaderKid, Value::Text("11")}}))), StatusCode::kMalformed);
  EXPECT_EQ(ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {kHeaderKid, Value::Int(11)}}),
                              Value::MakeMap())),
            StatusCode::kMalformed);
  // Boundaries: an empty bstr kid; a protected kid.
  Result<UnverifiedSign1> empty =
      UnverifiedSign1::Parse(Crafted(AlgOnly(), IntMap({{kHeaderKid, Bstr(ByteView())}})));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->unverified_kid(), Bytes());
  Result<UnverifiedSign1> prot = UnverifiedSign1::Parse(
      Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {kHeaderKid, Bstr("11")}}), Value::MakeMap()));
  ASSERT_TRUE(prot.ok());
  EXPECT_EQ(prot->unverified_kid(), ToBytes("11"));
}

TEST(CoseSign1Test, ContentTypeAndTyp) {
  // Text or uint; uint is reported as content_format / typ_format.
  Value p = IntMap(
      {{kHeaderAlg, Value::Int(-7)}, {kHeaderContentType, Value::Uint(60)}, {kHeaderTyp, Value::Uint(61)}});
  Result<VerifiedSign1> v = VerifySign1(Crafted(p, Value::MakeMap()), Es256().public_key());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->content_format(), 60u);
  EXPECT_FALSE(v->content_type().has_value());
  EXPECT_EQ(v->typ_format(), 61u);
  EXPECT_FALSE(v->typ().has_value());
  // Other types: kMalformed.
  for (int64_t label : {kHeaderContentType, kHeaderTyp}) {
    EXPECT_EQ(
        ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {label, Value::Int(-1)}}), Value::MakeMap())),
        StatusCode::kMalformed)
        << label;
    EXPECT_EQ(
        ParseCode(Crafted(IntMap({{kHeaderAlg, Value::Int(-7)}, {label, Bstr("x")}}), Value::MakeMap())),
        StatusCode::kMalformed)
        << label;
  }
  // Read from the protected bucket only: an unprotected content type is not reported.
  Result<VerifiedSign1> unprot = VerifySign1(
      Crafted(AlgOnly(), IntMap({{kHeaderContentType, Value::Text("text/plain")}})), Es256().public_key());
  ASSERT_TRUE(unprot.ok());
  EXPECT_FALSE(unprot->content_type().has_value());
}

TEST(CoseSign1Test, ProtectedBucketShape) {
  // The protected bstr must hold exactly one map.
  EXPECT_EQ(ParseCode(CraftedRaw(Hex("80"), Value::MakeMap())), StatusCode::kMalformed);  // []
  EXPECT_EQ(ParseCode(CraftedRaw(Hex("a1012600"), Value::MakeMap())),
            StatusCode::kMalformed);  // trailing byte
  EXPECT_EQ(ParseCode(CraftedRaw(Hex("a201260126"), Value::MakeMap())),
            StatusCode::kMalformed);                                                        // duplicate key
  EXPECT_EQ(ParseCode(CraftedRaw(Hex("a101"), Value::MakeMap())), StatusCode::kMalformed);  // truncated
  // Boundary: a non-shortest head inside the protected bstr is kept as received and verifies.
  EXPECT_EQ(VerifyCode(CraftedRaw(Hex("a10126"), Value::MakeMap())), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(CraftedRaw(Hex("b8010126"), Value::MakeMap())), StatusCode::kOk);
}

TEST(CoseSign1Test, OuterTags) {
  Result<Bytes> tagged = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(tagged.ok());
  const Value inner = Untagged(*tagged);
  const PublicKey& pub = Es256().public_key();
  auto code = [&](const Value& v) { return VerifySign1(cbor::Encode(v), pub).status().code(); };
  EXPECT_EQ(code(inner), StatusCode::kOk);
  EXPECT_EQ(code(Value::Tagged(kTagCoseSign1, inner)), StatusCode::kOk);
  EXPECT_EQ(code(Value::Tagged(kTagCwt, Value::Tagged(kTagCoseSign1, inner))), StatusCode::kOk);
  // Another tag, also the Mac0 tag, or 61 around anything but a tagged message: kMalformed.
  EXPECT_EQ(code(Value::Tagged(kTagCoseMac0, inner)), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(998, inner)), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(98, inner)), StatusCode::kMalformed);  // COSE_Sign (multi-signer)
  EXPECT_EQ(code(Value::Tagged(kTagCwt, inner)), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(kTagCwt, Value::Tagged(kTagCoseMac0, inner))), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(kTagCoseSign1, Value::Tagged(kTagCoseSign1, inner))), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(kTagCwt, Value::Tagged(kTagCwt, Value::Tagged(kTagCoseSign1, inner)))),
            StatusCode::kMalformed);
  EXPECT_EQ(code(Value::Tagged(kTagCoseSign1, Value::Tagged(kTagCwt, inner))), StatusCode::kMalformed);
}

TEST(CoseSign1Test, ArrayShape) {
  Result<Bytes> tagged = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(tagged.ok());
  const Value inner = Untagged(*tagged);
  const PublicKey& pub = Es256().public_key();
  auto code = [&](const Value& v) { return VerifySign1(cbor::Encode(v), pub).status().code(); };
  auto edit = [&](size_t i, Value v) {
    Value m = inner;
    m.mutable_array()[i] = std::move(v);
    return m;
  };
  // Length 3 and 5.
  Value three = inner;
  three.mutable_array().pop_back();
  EXPECT_EQ(code(three), StatusCode::kMalformed);
  Value five = inner;
  five.Append(Value::Null());
  EXPECT_EQ(code(five), StatusCode::kMalformed);
  EXPECT_EQ(code(Value::MakeArray()), StatusCode::kMalformed);
  EXPECT_EQ(code(IntMap({{1, Value::Int(1)}})), StatusCode::kMalformed);
  // Element types.
  EXPECT_EQ(code(edit(0, AlgOnly())), StatusCode::kMalformed);        // protected as a map
  EXPECT_EQ(code(edit(1, Value::Null())), StatusCode::kMalformed);    // unprotected nil
  EXPECT_EQ(code(edit(1, Bstr(Hex("a0")))), StatusCode::kMalformed);  // unprotected as bstr
  EXPECT_EQ(code(edit(2, Value::Text("This is the content."))), StatusCode::kMalformed);
  EXPECT_EQ(code(edit(2, Value::Int(0))), StatusCode::kMalformed);
  EXPECT_EQ(code(edit(2, Value::Undefined())), StatusCode::kMalformed);
  EXPECT_EQ(code(edit(2, Value::EmbeddedCborBytes(kPayload))), StatusCode::kMalformed);
  EXPECT_EQ(code(edit(3, Value::Text("sig"))), StatusCode::kMalformed);
  EXPECT_EQ(code(edit(3, Value::Null())), StatusCode::kMalformed);
  // Boundary: a nil payload parses (detached).
  Result<UnverifiedSign1> detached = UnverifiedSign1::FromValue(edit(2, Value::Null()));
  ASSERT_TRUE(detached.ok());
  EXPECT_TRUE(detached->detached());
}

TEST(CoseSign1Test, SignatureTampering) {
  Result<Bytes> tagged = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(tagged.ok());
  const Value inner = Untagged(*tagged);
  const PublicKey& pub = Es256().public_key();
  Bytes sig = Own(inner.array()[3].bytes());
  ASSERT_EQ(sig.size(), 64u);
  auto with_sig = [&](ByteView s) {
    Value m = inner;
    m.mutable_array()[3] = Bstr(s);
    return VerifySign1(cbor::Encode(m), pub).status().code();
  };
  EXPECT_EQ(with_sig(sig), StatusCode::kOk);
  Bytes flipped = sig;
  flipped[10] ^= 0x01;
  EXPECT_EQ(with_sig(flipped), StatusCode::kInvalidSignature);
  EXPECT_EQ(with_sig(ByteView(sig).first(63)), StatusCode::kInvalidSignature);
  Bytes longer = sig;
  longer.push_back(0);
  EXPECT_EQ(with_sig(longer), StatusCode::kInvalidSignature);
  EXPECT_EQ(with_sig(ByteView()), StatusCode::kInvalidSignature);
}

TEST(CoseSign1Test, TruncatedAndTrailingInput) {
  Result<Bytes> cose = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(cose.ok());
  for (size_t n = 0; n < cose->size(); ++n) {
    EXPECT_EQ(ParseCode(ByteView(*cose).first(n)), StatusCode::kMalformed) << n;
  }
  Bytes trailing = *cose;
  trailing.push_back(0x00);
  EXPECT_EQ(ParseCode(trailing), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(trailing), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(*cose), StatusCode::kOk);
}

TEST(CoseSign1Test, DecodeLimitsApply) {
  Result<Bytes> cose = SignSign1({}, kPayload, Es256());
  ASSERT_TRUE(cose.ok());
  cbor::DecodeLimits limits;
  limits.max_bytes = cose->size() - 1;
  EXPECT_EQ(UnverifiedSign1::Parse(*cose, limits).status().code(), StatusCode::kLimitExceeded);
  limits.max_bytes = cose->size();
  EXPECT_TRUE(UnverifiedSign1::Parse(*cose, limits).ok());
}

// ================================================================ COSE_Mac0

const Bytes kMacKey = Hex("849b57219dae48de646d07dbb533566e976686457c1491be3a76dcea6c427188");

size_t TagSize(MacAlg alg) {
  switch (alg) {
    case MacAlg::kHmac256_64:
      return 8;
    case MacAlg::kHmac256:
      return 32;
    case MacAlg::kHmac384:
      return 48;
    case MacAlg::kHmac512:
      return 64;
  }
  return 0;
}

// MakeMac0 builds a COSE_Mac0 with a correct HMAC-SHA-256 tag over the given buckets.
Value MakeMac0(ByteView prot_bytes, Value unprot, ByteView payload = kPayload) {
  Bytes to_mac = cbor::Encode(
      Value::MakeArray({Value::Text("MAC0"), Bstr(prot_bytes), Bstr(ByteView()), Bstr(payload)}));
  Result<Bytes> tag = crypto::Hmac(crypto::HashAlg::kSha256, kMacKey, to_mac);
  EXPECT_TRUE(tag.ok());
  return Value::MakeArray(
      {Bstr(prot_bytes), std::move(unprot), Bstr(payload), Bstr(tag.ok() ? *tag : Bytes())});
}
StatusCode Mac0Code(const Value& m, MacAlg expected = MacAlg::kHmac256) {
  return VerifyMac0(m, expected, kMacKey).status().code();
}

class CoseMac0AlgTest : public ::testing::TestWithParam<MacAlg> {};

TEST_P(CoseMac0AlgTest, RoundTrip) {
  const MacAlg alg = GetParam();
  Result<Value> m = CreateMac0(alg, kMacKey, kPayload, ToBytes("aad"));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->is_array());  // untagged by default
  EXPECT_EQ(Own(m->array()[0].bytes()),
            cbor::Encode(IntMap({{kHeaderAlg, Value::Int(static_cast<int64_t>(alg))}})));
  EXPECT_EQ(m->array()[1].size(), 0u);
  EXPECT_EQ(m->array()[3].bytes().size(), TagSize(alg));
  Result<VerifiedMac0> v = VerifyMac0(*m, alg, kMacKey, ToBytes("aad"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->alg(), alg);
  EXPECT_EQ(v->payload(), kPayload);
  EXPECT_EQ(v->protected_header(), Own(m->array()[0].bytes()));
  // Encoded and decoded again.
  EXPECT_TRUE(VerifyMac0Bytes(cbor::Encode(*m), alg, kMacKey, ToBytes("aad")).ok());
  // External AAD mismatch.
  EXPECT_EQ(VerifyMac0(*m, alg, kMacKey).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(VerifyMac0(*m, alg, kMacKey, ToBytes("aae")).status().code(), StatusCode::kInvalidSignature);
  // Every other expected algorithm: kAlgorithmMismatch.
  for (MacAlg other : {MacAlg::kHmac256_64, MacAlg::kHmac256, MacAlg::kHmac384, MacAlg::kHmac512}) {
    if (other == alg) continue;
    EXPECT_EQ(VerifyMac0(*m, other, kMacKey, ToBytes("aad")).status().code(), StatusCode::kAlgorithmMismatch);
  }
}

TEST_P(CoseMac0AlgTest, TagLengthIsExact) {
  const MacAlg alg = GetParam();
  Result<Value> m = CreateMac0(alg, kMacKey, kPayload);
  ASSERT_TRUE(m.ok());
  const Bytes tag = Own(m->array()[3].bytes());
  auto with_tag = [&](ByteView t) {
    Value copy = *m;
    copy.mutable_array()[3] = Bstr(t);
    return VerifyMac0(copy, alg, kMacKey).status().code();
  };
  EXPECT_EQ(with_tag(tag), StatusCode::kOk);
  EXPECT_EQ(with_tag(ByteView(tag).first(tag.size() - 1)), StatusCode::kInvalidSignature);
  Bytes longer = tag;
  longer.push_back(0);
  EXPECT_EQ(with_tag(longer), StatusCode::kInvalidSignature);
  EXPECT_EQ(with_tag(ByteView()), StatusCode::kInvalidSignature);
  Bytes flipped = tag;
  flipped.back() ^= 0x80;
  EXPECT_EQ(with_tag(flipped), StatusCode::kInvalidSignature);
}

INSTANTIATE_TEST_SUITE_P(Algs, CoseMac0AlgTest,
                         ::testing::Values(MacAlg::kHmac256_64, MacAlg::kHmac256, MacAlg::kHmac384,
                                           MacAlg::kHmac512),
                         [](const ::testing::TestParamInfo<MacAlg>& param_info) {
                           return "Alg" + std::to_string(static_cast<int64_t>(param_info.param));
                         });

TEST(CoseMac0Test, Hmac256_64IsTheTruncatedHmac256) {
  Result<Value> full = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  Result<Value> short_tag = CreateMac0(MacAlg::kHmac256_64, kMacKey, kPayload);
  ASSERT_TRUE(full.ok() && short_tag.ok());
  // Different protected headers, so different MACs; but the full HMAC-256 over 256/64's structure
  // must not verify as 256/64 (the verifier truncates its own tag, never the received one).
  Value long_tag = *short_tag;
  Bytes to_mac = cbor::Encode(
      Value::MakeArray({Value::Text("MAC0"), short_tag->array()[0], Bstr(ByteView()), Bstr(kPayload)}));
  Result<Bytes> hmac = crypto::Hmac(crypto::HashAlg::kSha256, kMacKey, to_mac);
  ASSERT_TRUE(hmac.ok());
  EXPECT_EQ(Bytes(hmac->begin(), hmac->begin() + 8), Own(short_tag->array()[3].bytes()));
  long_tag.mutable_array()[3] = Bstr(*hmac);
  EXPECT_EQ(VerifyMac0(long_tag, MacAlg::kHmac256_64, kMacKey).status().code(),
            StatusCode::kInvalidSignature);
}

TEST(CoseMac0Test, WrongKey) {
  Result<Value> m = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  ASSERT_TRUE(m.ok());
  Bytes other = kMacKey;
  other[0] ^= 0x01;
  EXPECT_EQ(VerifyMac0(*m, MacAlg::kHmac256, other).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(VerifyMac0(*m, MacAlg::kHmac256, ByteView(kMacKey).first(31)).status().code(),
            StatusCode::kInvalidSignature);
  EXPECT_TRUE(VerifyMac0(*m, MacAlg::kHmac256, kMacKey).ok());
}

TEST(CoseMac0Test, EmptyKeyIsInvalidArgument) {
  EXPECT_EQ(CreateMac0(MacAlg::kHmac256, {}, kPayload).status().code(), StatusCode::kInvalidArgument);
  Result<Value> m = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(VerifyMac0(*m, MacAlg::kHmac256, {}).status().code(), StatusCode::kInvalidArgument);
  // Boundary: a one-byte key works.
  const Bytes one = Hex("01");
  Result<Value> m1 = CreateMac0(MacAlg::kHmac256, one, kPayload);
  ASSERT_TRUE(m1.ok());
  EXPECT_TRUE(VerifyMac0(*m1, MacAlg::kHmac256, one).ok());
}

TEST(CoseMac0Test, ParseMacAlgBoundaries) {
  EXPECT_FALSE(ParseMacAlg(3).has_value());
  EXPECT_EQ(ParseMacAlg(4), MacAlg::kHmac256_64);
  EXPECT_EQ(ParseMacAlg(5), MacAlg::kHmac256);
  EXPECT_EQ(ParseMacAlg(6), MacAlg::kHmac384);
  EXPECT_EQ(ParseMacAlg(7), MacAlg::kHmac512);
  EXPECT_FALSE(ParseMacAlg(8).has_value());
  EXPECT_FALSE(ParseMacAlg(-7).has_value());
  EXPECT_FALSE(ParseMacAlg(0).has_value());
}

TEST(CoseMac0Test, NonHmacAlgIsUnsupported) {
  for (int64_t alg : {-7, -8, 3, 8, 25, -999}) {
    EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(AlgOnly(alg)), Value::MakeMap())),
              StatusCode::kUnsupportedAlgorithm)
        << alg;
  }
  // Boundary: alg 5 with the tag computed the same way.
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(AlgOnly(5)), Value::MakeMap())), StatusCode::kOk);
}

TEST(CoseMac0Test, HeaderRules) {
  // alg only unprotected (empty protected, or h'A0'), no alg, text alg.
  EXPECT_EQ(Mac0Code(MakeMac0({}, AlgOnly(5))), StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(Mac0Code(MakeMac0(Hex("a0"), AlgOnly(5))), StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(Mac0Code(MakeMac0({}, Value::MakeMap())), StatusCode::kUnsupportedAlgorithm);
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(IntMap({{kHeaderAlg, Value::Text("HS256")}})), Value::MakeMap())),
            StatusCode::kUnsupportedAlgorithm);
  // crit, label in both buckets, kid not bstr.
  Value crit = AlgOnly(5);
  crit.Insert(kHeaderCrit, Value::MakeArray({Value::Int(99)}));
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(crit), Value::MakeMap())), StatusCode::kUnknownCritical);
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(AlgOnly(5)), AlgOnly(5))), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(AlgOnly(5)), IntMap({{kHeaderKid, Value::Text("k")}}))),
            StatusCode::kMalformed);
  // Boundary: a bstr kid unprotected.
  EXPECT_EQ(Mac0Code(MakeMac0(cbor::Encode(AlgOnly(5)), IntMap({{kHeaderKid, Bstr("k")}}))), StatusCode::kOk);
}

TEST(CoseMac0Test, Detached) {
  Mac0Form form;
  form.detached = true;
  Result<Value> m = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload, {}, form);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->array()[2].is_null());
  EXPECT_EQ(VerifyMac0(*m, MacAlg::kHmac256, kMacKey).status().code(), StatusCode::kMalformed);
  Result<VerifiedMac0> v = VerifyMac0(*m, MacAlg::kHmac256, kMacKey, {}, ByteView(kPayload));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->payload(), kPayload);
  const Bytes other = ToBytes("This is the content!");
  EXPECT_EQ(VerifyMac0(*m, MacAlg::kHmac256, kMacKey, {}, ByteView(other)).status().code(),
            StatusCode::kInvalidSignature);
  Result<Value> attached = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(VerifyMac0(*attached, MacAlg::kHmac256, kMacKey, {}, ByteView(kPayload)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyMac0(*attached, MacAlg::kHmac256, kMacKey, {}, ByteView()).status().code(),
            StatusCode::kInvalidArgument);
  // Boundary: detached empty payload.
  Result<Value> empty = CreateMac0(MacAlg::kHmac256, kMacKey, {}, {}, form);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(VerifyMac0(*empty, MacAlg::kHmac256, kMacKey, {}, ByteView()).ok());
}

TEST(CoseMac0Test, Tags) {
  Result<Value> untagged = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  Mac0Form form;
  form.tagged = true;
  Result<Value> tagged = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload, {}, form);
  ASSERT_TRUE(untagged.ok() && tagged.ok());
  ASSERT_TRUE(tagged->is_tag(kTagCoseMac0));
  EXPECT_EQ(tagged->tagged(), *untagged);
  EXPECT_EQ(Mac0Code(*untagged), StatusCode::kOk);
  EXPECT_EQ(Mac0Code(*tagged), StatusCode::kOk);
  // A MAC'd CWT (RFC 8392 section 6): 61 around 17.
  EXPECT_EQ(Mac0Code(Value::Tagged(kTagCwt, *tagged)), StatusCode::kOk);
  EXPECT_EQ(Mac0Code(Value::Tagged(kTagCoseSign1, *untagged)), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(Value::Tagged(97, *untagged)), StatusCode::kMalformed);  // COSE_Mac
  EXPECT_EQ(Mac0Code(Value::Tagged(kTagCwt, *untagged)), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(Value::Tagged(kTagCwt, Value::Tagged(kTagCoseSign1, *untagged))),
            StatusCode::kMalformed);
}

TEST(CoseMac0Test, ArrayShape) {
  Result<Value> m = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  ASSERT_TRUE(m.ok());
  auto edit = [&](size_t i, Value v) {
    Value copy = *m;
    copy.mutable_array()[i] = std::move(v);
    return copy;
  };
  Value three = *m;
  three.mutable_array().pop_back();
  EXPECT_EQ(Mac0Code(three), StatusCode::kMalformed);
  Value five = *m;
  five.Append(Value::Null());
  EXPECT_EQ(Mac0Code(five), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(Value::MakeMap()), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(edit(0, AlgOnly(5))), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(edit(1, Value::MakeArray())), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(edit(2, Value::Text("This is the content."))), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(edit(3, Value::Text("tag"))), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(edit(3, Value::Null())), StatusCode::kMalformed);
  EXPECT_EQ(Mac0Code(*m), StatusCode::kOk);
}

TEST(CoseMac0Test, TruncatedAndTrailingBytes) {
  Result<Value> m = CreateMac0(MacAlg::kHmac256, kMacKey, kPayload);
  ASSERT_TRUE(m.ok());
  const Bytes cose = cbor::Encode(*m);
  for (size_t n = 0; n < cose.size(); ++n) {
    EXPECT_EQ(VerifyMac0Bytes(ByteView(cose).first(n), MacAlg::kHmac256, kMacKey).status().code(),
              StatusCode::kMalformed)
        << n;
  }
  Bytes trailing = cose;
  trailing.push_back(0xa0);
  EXPECT_EQ(VerifyMac0Bytes(trailing, MacAlg::kHmac256, kMacKey).status().code(), StatusCode::kMalformed);
  EXPECT_TRUE(VerifyMac0Bytes(cose, MacAlg::kHmac256, kMacKey).ok());
}

// ================================================================ COSE_Key

constexpr int64_t kKty = 1, kCrv = -1, kX = -2, kY = -3, kD = -4, kKeyAlg = 3;

// EcMap returns {1: 2, -1: crv, -2: x, -3: y} for an EC key.
Value EcMap(const PublicKey& key) {
  const Bytes p = key.EncodedPoint(false);
  const size_t n = (p.size() - 1) / 2;
  return IntMap({{kKty, Value::Int(2)},
                 {kCrv, Value::Int(key.alg() == SignatureAlg::kES384 ? 2 : 1)},
                 {kX, Bstr(ByteView(p).subspan(1, n))},
                 {kY, Bstr(ByteView(p).subspan(1 + n, n))}});
}
Value Without(const Value& map, int64_t label) {
  Value out = Value::MakeMap();
  for (const auto& [k, v] : map.map()) {
    if (!(k == Value::Int(label))) out.Insert(k, v);
  }
  return out;
}
Value With(const Value& map, int64_t label, Value v) {
  Value out = Without(map, label);
  out.Insert(label, std::move(v));
  return out;
}
StatusCode KeyCode(const Value& cose_key) { return PublicKeyFromCoseKey(cose_key).status().code(); }

class CoseKeyAlgTest : public ::testing::TestWithParam<SignatureAlg> {};

TEST_P(CoseKeyAlgTest, RoundTrip) {
  const PublicKey& pub = Key(GetParam()).public_key();
  Value cose_key = CoseKeyFromPublicKey(pub);
  Result<PublicKey> back = PublicKeyFromCoseKey(cose_key);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->Equals(pub));
  EXPECT_EQ(back->alg(), GetParam());
  EXPECT_FALSE(back->Equals(Key(GetParam(), 1).public_key()));
  // Through encoding and decoding.
  Result<Value> decoded = cbor::Decode(cbor::EncodeDeterministic(cose_key));
  ASSERT_TRUE(decoded.ok());
  Result<PublicKey> again = PublicKeyFromCoseKey(*decoded);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->Equals(pub));
}

INSTANTIATE_TEST_SUITE_P(Algs, CoseKeyAlgTest,
                         ::testing::Values(SignatureAlg::kES256, SignatureAlg::kES384, SignatureAlg::kEdDSA),
                         [](const ::testing::TestParamInfo<SignatureAlg>& param_info) {
                           return std::string(crypto::JwsAlgName(param_info.param));
                         });

// The Annex D EDeviceKey coordinates (tests/vectors/mdoc-iso18013-5/annex-d/keys.json).
constexpr char kAnnexDX[] = "5a88d182bce5f42efa59943f33359d2e8a968ff289d93e5fa444b624343167fe";
constexpr char kAnnexDY[] = "b16e8cf858ddc7690407ba61d4c338237a8cfcf3de6aa672fc60a557aa32fc67";

Result<PublicKey> AnnexDKey() {
  return PublicKey::FromEncodedPoint(SignatureAlg::kES256, Hex(std::string("04") + kAnnexDX + kAnnexDY));
}

TEST(CoseKeyTest, ExactP256Encoding) {
  Result<PublicKey> key = AnnexDKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(cbor::EncodeDeterministic(CoseKeyFromPublicKey(*key))),
            std::string("a401022001215820") + kAnnexDX + "225820" + kAnnexDY);
}

TEST(CoseKeyTest, ExactP384AndEd25519Encoding) {
  const PublicKey& p384 = Key(SignatureAlg::kES384).public_key();
  const Bytes p = p384.EncodedPoint(false);
  EXPECT_EQ(HexEncode(cbor::EncodeDeterministic(CoseKeyFromPublicKey(p384))),
            "a401022002215830" + HexEncode(ByteView(p).subspan(1, 48)) + "225830" +
                HexEncode(ByteView(p).subspan(49, 48)));
  // RFC 8032 test 1 public key.
  const Bytes ed = Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Result<PublicKey> ed_key = PublicKey::FromEncodedPoint(SignatureAlg::kEdDSA, ed);
  ASSERT_TRUE(ed_key.ok());
  EXPECT_EQ(HexEncode(cbor::EncodeDeterministic(CoseKeyFromPublicKey(*ed_key))),
            "a301012006215820" + HexEncode(ed));
}

TEST(CoseKeyTest, CompressedY) {
  for (SignatureAlg alg : {SignatureAlg::kES256, SignatureAlg::kES384}) {
    const PublicKey& pub = Key(alg).public_key();
    const Bytes p = pub.EncodedPoint(false);
    const bool y_odd = (p.back() & 1) != 0;
    Result<PublicKey> same = PublicKeyFromCoseKey(With(EcMap(pub), kY, Value::Bool(y_odd)));
    ASSERT_TRUE(same.ok()) << same.status().ToString();
    EXPECT_TRUE(same->Equals(pub));
    // The other sign is the other point with the same x: valid, but a different key.
    Result<PublicKey> other = PublicKeyFromCoseKey(With(EcMap(pub), kY, Value::Bool(!y_odd)));
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->Equals(pub));
    EXPECT_EQ(Own(ByteView(other->EncodedPoint(false)).subspan(1, p.size() / 2)),
              Own(ByteView(p).subspan(1, p.size() / 2)));
  }
}

TEST(CoseKeyTest, NotAMap) {
  const Value good = EcMap(Key(SignatureAlg::kES256).public_key());
  EXPECT_EQ(KeyCode(Value::MakeArray()), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(Bstr(cbor::Encode(good))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(Value::EmbeddedCbor(good)), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(Value::MakeMap()), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(good), StatusCode::kOk);
}

TEST(CoseKeyTest, MissingMembers) {
  const Value ec = EcMap(Key(SignatureAlg::kES256).public_key());
  for (int64_t label : {kKty, kCrv, kX, kY})
    EXPECT_EQ(KeyCode(Without(ec, label)), StatusCode::kInvalidKey) << label;
  const Value okp = CoseKeyFromPublicKey(Key(SignatureAlg::kEdDSA).public_key());
  for (int64_t label : {kKty, kCrv, kX})
    EXPECT_EQ(KeyCode(Without(okp, label)), StatusCode::kInvalidKey) << label;
  // Boundary: OKP needs no y.
  EXPECT_EQ(KeyCode(okp), StatusCode::kOk);
}

TEST(CoseKeyTest, UnsupportedKtyAndCrv) {
  const Value ec = EcMap(Key(SignatureAlg::kES256).public_key());
  const Value okp = CoseKeyFromPublicKey(Key(SignatureAlg::kEdDSA).public_key());
  EXPECT_EQ(KeyCode(With(ec, kKty, Value::Int(3))), StatusCode::kInvalidKey);  // RSA
  EXPECT_EQ(KeyCode(With(ec, kKty, Value::Int(4))), StatusCode::kInvalidKey);  // Symmetric
  EXPECT_EQ(KeyCode(With(ec, kKty, Value::Int(0))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kKty, Value::Text("EC2"))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kCrv, Value::Int(3))), StatusCode::kInvalidKey);  // P-521
  EXPECT_EQ(KeyCode(With(ec, kCrv, Value::Int(6))), StatusCode::kInvalidKey);  // Ed25519 under EC2
  EXPECT_EQ(KeyCode(With(ec, kCrv, Value::Text("P-256"))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(okp, kCrv, Value::Int(7))), StatusCode::kInvalidKey);  // Ed448
  EXPECT_EQ(KeyCode(With(okp, kCrv, Value::Int(4))), StatusCode::kInvalidKey);  // X25519
  EXPECT_EQ(KeyCode(With(okp, kCrv, Value::Int(1))), StatusCode::kInvalidKey);  // P-256 under OKP
  // An Ed25519 key relabelled EC2: crv 6 is not an EC2 curve.
  EXPECT_EQ(KeyCode(With(okp, kKty, Value::Int(2))), StatusCode::kInvalidKey);
}

TEST(CoseKeyTest, CoordinateLengthsAndTypes) {
  const PublicKey& pub = Key(SignatureAlg::kES256).public_key();
  const Value ec = EcMap(pub);
  const Bytes x = Own(ec.Find(kX)->bytes());
  const Bytes y = Own(ec.Find(kY)->bytes());
  Bytes x33 = x;
  x33.insert(x33.begin(), 0x00);
  EXPECT_EQ(KeyCode(With(ec, kX, Bstr(ByteView(x).first(31)))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kX, Bstr(x33))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kY, Bstr(ByteView(y).first(31)))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(With(ec, kY, Value::Bool(true)), kX, Bstr(x33))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kX, Value::Text(HexEncode(x)))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kY, Value::Int(1))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kY, Value::Null())), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kY, Value::EmbeddedCborBytes(y))), StatusCode::kInvalidKey);
  // P-384 with P-256-sized coordinates.
  EXPECT_EQ(KeyCode(With(ec, kCrv, Value::Int(2))), StatusCode::kInvalidKey);
  // Ed25519 x of 31 and 33 bytes, and not a bstr.
  const Value okp = CoseKeyFromPublicKey(Key(SignatureAlg::kEdDSA).public_key());
  const Bytes ex = Own(okp.Find(kX)->bytes());
  Bytes ex33 = ex;
  ex33.push_back(0);
  EXPECT_EQ(KeyCode(With(okp, kX, Bstr(ByteView(ex).first(31)))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(okp, kX, Bstr(ex33))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(okp, kX, Value::Text("x"))), StatusCode::kInvalidKey);
  // Boundary: exactly sized coordinates.
  EXPECT_EQ(KeyCode(ec), StatusCode::kOk);
  EXPECT_EQ(KeyCode(okp), StatusCode::kOk);
}

TEST(CoseKeyTest, PointNotOnCurve) {
  const Value ec = EcMap(Key(SignatureAlg::kES256).public_key());
  Bytes y = Own(ec.Find(kY)->bytes());
  y.back() ^= 0x01;
  EXPECT_EQ(KeyCode(With(ec, kY, Bstr(y))), StatusCode::kInvalidKey);
  // All-zero coordinates (the encoding of no point).
  EXPECT_EQ(KeyCode(With(With(ec, kX, Bstr(Bytes(32, 0))), kY, Bstr(Bytes(32, 0)))), StatusCode::kInvalidKey);
  const Value ec384 = EcMap(Key(SignatureAlg::kES384).public_key());
  Bytes x384 = Own(ec384.Find(kX)->bytes());
  x384[5] ^= 0x10;
  EXPECT_EQ(KeyCode(With(ec384, kX, Bstr(x384))), StatusCode::kInvalidKey);
}

TEST(CoseKeyTest, PrivateKeyIsRefused) {
  const Value ec = EcMap(Key(SignatureAlg::kES256).public_key());
  EXPECT_EQ(KeyCode(With(ec, kD, Bstr(Bytes(32, 1)))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(ec, kD, Bstr(ByteView()))), StatusCode::kInvalidKey);
  const Value okp = CoseKeyFromPublicKey(Key(SignatureAlg::kEdDSA).public_key());
  EXPECT_EQ(KeyCode(With(okp, kD, Bstr(Bytes(32, 1)))), StatusCode::kInvalidKey);
}

TEST(CoseKeyTest, Alg) {
  const Value p256 = EcMap(Key(SignatureAlg::kES256).public_key());
  const Value p384 = EcMap(Key(SignatureAlg::kES384).public_key());
  const Value okp = CoseKeyFromPublicKey(Key(SignatureAlg::kEdDSA).public_key());
  // Matching algorithms and ECDH-ES+HKDF-256 for EC2.
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Int(-7))), StatusCode::kOk);
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Int(-25))), StatusCode::kOk);
  EXPECT_EQ(KeyCode(With(p384, kKeyAlg, Value::Int(-35))), StatusCode::kOk);
  EXPECT_EQ(KeyCode(With(p384, kKeyAlg, Value::Int(-25))), StatusCode::kOk);
  EXPECT_EQ(KeyCode(With(okp, kKeyAlg, Value::Int(-8))), StatusCode::kOk);
  // Mismatches.
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Int(-35))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Int(-8))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Int(-26))), StatusCode::kInvalidKey);  // ECDH-ES+HKDF-512
  EXPECT_EQ(KeyCode(With(p384, kKeyAlg, Value::Int(-7))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(okp, kKeyAlg, Value::Int(-7))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(okp, kKeyAlg, Value::Int(-25))), StatusCode::kInvalidKey);
  EXPECT_EQ(KeyCode(With(p256, kKeyAlg, Value::Text("ES256"))), StatusCode::kInvalidKey);
}

TEST(CoseKeyTest, OtherLabelsAreIgnored) {
  Value ec = EcMap(Key(SignatureAlg::kES256).public_key());
  ec.Insert(2, Bstr("kid"));                        // kid
  ec.Insert(4, Value::MakeArray({Value::Int(2)}));  // key_ops
  ec.Insert(-70000, Value::Text("private"));
  ec.Insert("x-note", Value::Int(1));
  Result<PublicKey> k = PublicKeyFromCoseKey(ec);
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->Equals(Key(SignatureAlg::kES256).public_key()));
}

// The EDeviceKey of ISO/IEC 18013-5 Annex D: tag 24 over a COSE_Key.
TEST(CoseKeyTest, AnnexDEDeviceKey) {
  const std::string hex = testing::ReadFile(std::string(BONAFIDE_VECTORS_DIR) +
                                            "/mdoc-iso18013-5/annex-d/e_device_key_bytes.hex");
  std::string trimmed;
  for (char ch : hex) {
    if (!isspace(static_cast<unsigned char>(ch))) trimmed.push_back(ch);
  }
  const Bytes bytes = Hex(trimmed);
  Result<Value> item = cbor::Decode(bytes);
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(item->is_tag(cbor::kTagEncodedCbor));
  Result<Value> cose_key = item->DecodeEmbedded();
  ASSERT_TRUE(cose_key.ok());
  Result<PublicKey> key = PublicKeyFromCoseKey(*cose_key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const Json keys = testing::LoadVector("mdoc-iso18013-5/annex-d/keys.json");
  const Json& edk = keys["ephemeral_device_key"];
  EXPECT_EQ(HexEncode(cose_key->Find(kX)->bytes()), edk["x"].get<std::string>());
  EXPECT_EQ(HexEncode(cose_key->Find(kY)->bytes()), edk["y"].get<std::string>());
  EXPECT_EQ(edk["x"].get<std::string>(), kAnnexDX);
  EXPECT_EQ(edk["y"].get<std::string>(), kAnnexDY);
  EXPECT_EQ(HexEncode(key->EncodedPoint(false)), std::string("04") + kAnnexDX + kAnnexDY);
  Result<PublicKey> expected = AnnexDKey();
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(key->Equals(*expected));
  // Our encoding of that key is the embedded bytes exactly.
  EXPECT_EQ(cbor::EncodeDeterministic(CoseKeyFromPublicKey(*key)), Own(item->tagged().bytes()));
  EXPECT_EQ(cbor::EncodeDeterministic(Value::EmbeddedCbor(CoseKeyFromPublicKey(*key))), bytes);
}

}  // namespace
}  // namespace bonafide::cose
