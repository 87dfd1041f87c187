// Tests for cbor/cbor.h: RFC 8949 Appendix A, every decoder rule with its exact StatusCode and a
// boundary case, tag-24 original bytes, deterministic key order, floats, the Value API, the
// ISO 18013-5 Annex D vectors and diagnostic notation. Dates are in cbor_date_test.cc and the
// differential test against libcbor in cbor_libcbor_test.cc.
#include "cbor/cbor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "base/encoding.h"

namespace bonafide::cbor {
namespace {

Bytes Hex(std::string_view hex) {
  Result<Bytes> b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

std::string HexOf(ByteView b) { return HexEncode(b); }

StatusCode DecodeCode(std::string_view hex, const DecodeLimits& limits = {}) {
  Result<Value> v = Decode(Hex(hex), limits);
  return v.ok() ? StatusCode::kOk : v.status().code();
}

Value MustDecode(std::string_view hex) {
  Result<Value> v = Decode(Hex(hex));
  EXPECT_TRUE(v.ok()) << hex << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

// ---------------------------------------------------------------------------------------------
// RFC 8949 Appendix A

struct AppendixAExample {
  const char* hex;
  const char* diagnostic;
  bool preferred;  // Encode(Decode(hex)) == hex
};

// Diagnostic strings as in RFC 8949 Appendix A, except bignums, which print as their tag.
const AppendixAExample kAppendixA[] = {
    {"00", "0", true},
    {"01", "1", true},
    {"0a", "10", true},
    {"17", "23", true},
    {"1818", "24", true},
    {"1819", "25", true},
    {"1864", "100", true},
    {"1903e8", "1000", true},
    {"1a000f4240", "1000000", true},
    {"1b000000e8d4a51000", "1000000000000", true},
    {"1bffffffffffffffff", "18446744073709551615", true},
    {"c249010000000000000000", "2(h'010000000000000000')", true},
    {"3bffffffffffffffff", "-18446744073709551616", true},
    {"c349010000000000000000", "3(h'010000000000000000')", true},
    {"20", "-1", true},
    {"29", "-10", true},
    {"3863", "-100", true},
    {"3903e7", "-1000", true},
    {"f90000", "0.0", true},
    {"f98000", "-0.0", true},
    {"f93c00", "1.0", true},
    {"fb3ff199999999999a", "1.1", true},
    {"f93e00", "1.5", true},
    {"f97bff", "65504.0", true},
    {"fa47c35000", "100000.0", true},
    {"fa7f7fffff", "3.4028234663852886e+38", true},
    {"fb7e37e43c8800759c", "1.0e+300", true},
    {"f90001", "5.960464477539063e-8", true},
    {"f90400", "0.00006103515625", true},
    {"f9c400", "-4.0", true},
    {"fbc010666666666666", "-4.1", true},
    {"f97c00", "Infinity", true},
    {"f97e00", "NaN", true},
    {"f9fc00", "-Infinity", true},
    {"fa7f800000", "Infinity", false},
    {"fa7fc00000", "NaN", false},
    {"faff800000", "-Infinity", false},
    {"fb7ff0000000000000", "Infinity", false},
    {"fb7ff8000000000000", "NaN", false},
    {"fbfff0000000000000", "-Infinity", false},
    {"f4", "false", true},
    {"f5", "true", true},
    {"f6", "null", true},
    {"f7", "undefined", true},
    {"f0", "simple(16)", true},
    {"f8ff", "simple(255)", true},
    {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")", true},
    {"c11a514b67b0", "1(1363896240)", true},
    {"c1fb41d452d9ec200000", "1(1363896240.5)", true},
    {"d74401020304", "23(h'01020304')", true},
    {"d818456449455446", "24(h'6449455446')", true},
    {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")", true},
    {"40", "h''", true},
    {"4401020304", "h'01020304'", true},
    {"60", "\"\"", true},
    {"6161", "\"a\"", true},
    {"6449455446", "\"IETF\"", true},
    {"62225c", "\"\\\"\\\\\"", true},
    {"62c3bc", "\"\xc3\xbc\"", true},
    {"63e6b0b4", "\"\xe6\xb0\xb4\"", true},
    {"64f0908591", "\"\xf0\x90\x85\x91\"", true},
    {"80", "[]", true},
    {"83010203", "[1, 2, 3]", true},
    {"8301820203820405", "[1, [2, 3], [4, 5]]", true},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]",
     true},
    {"a0", "{}", true},
    {"a201020304", "{1: 2, 3: 4}", true},
    {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}", true},
    {"826161a161626163", "[\"a\", {\"b\": \"c\"}]", true},
    {"a56161614161626142616361436164614461656145",
     "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}", true},
};

TEST(CborAppendixATest, DecodesEveryExampleAndReencodesPreferredOnes) {
  for (const AppendixAExample& ex : kAppendixA) {
    SCOPED_TRACE(ex.hex);
    Result<Value> v = Decode(Hex(ex.hex));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(ToDiagnostic(*v), ex.diagnostic);
    if (ex.preferred) {
      EXPECT_EQ(HexOf(Encode(*v)), ex.hex);
      EXPECT_EQ(HexOf(EncodeDeterministic(*v)), ex.hex);
    } else {
      // Non-preferred floats re-encode as the half-precision form of the same value.
      const std::string reencoded = HexOf(Encode(*v));
      EXPECT_EQ(reencoded.substr(0, 2), "f9");
      EXPECT_EQ(*Decode(Encode(*v)), *v);
    }
  }
}

TEST(CborAppendixATest, RejectsEveryIndefiniteLengthExample) {
  for (const char* hex :
       {"5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff",
        "9f01820203820405ff", "83018202039f0405ff", "83019f0203ff820405",
        "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
        "bf61610161629f0203ffff", "826161bf61626163ff", "bf6346756ef563416d7421ff"}) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kMalformed) << hex;
  }
}

TEST(CborAppendixATest, DecodedValuesMatchBuilders) {
  EXPECT_EQ(MustDecode("1bffffffffffffffff"), Value::Uint(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(MustDecode("3bffffffffffffffff"), Value::Negative(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(MustDecode("3903e7"), Value::Int(-1000));
  EXPECT_EQ(MustDecode("fb3ff199999999999a"), Value::Float(1.1));
  EXPECT_EQ(MustDecode("f90001"), Value::Float(std::ldexp(1.0, -24)));
  EXPECT_EQ(MustDecode("6449455446"), Value::Text("IETF"));
  EXPECT_EQ(MustDecode("4401020304"), Value::ByteString(Bytes{1, 2, 3, 4}));
  Value expected = Value::MakeMap();
  expected.Insert("a", Value::Int(1));
  expected.Insert("b", Value::MakeArray({Value::Int(2), Value::Int(3)}));
  EXPECT_EQ(MustDecode("a26161016162820203"), expected);
  EXPECT_EQ(MustDecode("c074323031332d30332d32315432303a30343a30305a"),
            Value::TDate("2013-03-21T20:04:00Z"));
}

// ---------------------------------------------------------------------------------------------
// Decoder rules

TEST(CborDecodeTest, AcceptsNonShortestHeads) {
  EXPECT_EQ(MustDecode("1817"), Value::Uint(23));
  EXPECT_EQ(MustDecode("1b0000000000000001"), Value::Uint(1));
  EXPECT_EQ(MustDecode("5900024142"), Value::ByteString(Bytes{0x41, 0x42}));
  // Encode writes the preferred form.
  EXPECT_EQ(HexOf(Encode(MustDecode("1817"))), "17");
}

TEST(CborDecodeTest, RejectsTruncation) {
  for (const char* hex : {"", "18", "19ff", "1a000000", "1b00000000000000", "42ff", "6261",
                          "82", "8201", "a1", "a101", "c0", "d818", "f9", "fa0000", "fb00"}) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kMalformed) << hex;
  }
}

TEST(CborDecodeTest, RejectsTrailingBytes) {
  EXPECT_EQ(DecodeCode("0000"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("8100ff"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("a0a0"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("8100"), StatusCode::kOk);
}

TEST(CborDecodeTest, RejectsReservedAdditionalInformation) {
  for (int major = 0; major < 8; ++major) {
    for (int ai = 28; ai <= 30; ++ai) {
      const uint8_t b = static_cast<uint8_t>(major << 5 | ai);
      Result<Value> v = Decode(Bytes{b, 0, 0, 0, 0, 0, 0, 0, 0});
      ASSERT_FALSE(v.ok());
      EXPECT_EQ(v.status().code(), StatusCode::kMalformed) << int{b};
    }
  }
  EXPECT_EQ(DecodeCode("1b0000000000000000"), StatusCode::kOk);  // ai 27 is the last valid one
}

TEST(CborDecodeTest, RejectsStrayBreakAndAdditionalInformation31) {
  EXPECT_EQ(DecodeCode("ff"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("81ff"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("a1ff00"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("1f"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("3f"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("df00"), StatusCode::kMalformed);
  for (const char* hex : {"5fff", "7fff", "9fff", "bfff"}) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kMalformed) << hex;
  }
}

TEST(CborDecodeTest, RejectsTwoByteSimpleValuesBelow32) {
  EXPECT_EQ(DecodeCode("f800"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("f814"), StatusCode::kMalformed);  // would be a second encoding of false
  EXPECT_EQ(DecodeCode("f81f"), StatusCode::kMalformed);
  Value v = MustDecode("f820");
  EXPECT_EQ(*v.AsSimple(), 32u);
  EXPECT_EQ(HexOf(Encode(v)), "f820");
  EXPECT_EQ(HexOf(Encode(MustDecode("f3"))), "f3");  // one-byte simple(19) is fine
}

TEST(CborDecodeTest, ValidatesUtf8) {
  for (const char* hex : {
           "62c080",      // overlong NUL
           "62c1bf",      // overlong
           "63e08080",    // overlong 3-byte
           "64f0808080",  // overlong 4-byte
           "63eda080",    // U+D800 surrogate
           "63edbfbf",    // U+DFFF surrogate
           "64f4908080",  // U+110000
           "64f5808080",  // lead byte above F4
           "6180",        // stray continuation byte
           "61c3",        // truncated sequence
           "62e282",      // truncated 3-byte sequence
           "62c328",      // bad continuation
           "61ff",
       }) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kMalformed) << hex;
  }
  // Boundaries that are valid.
  for (const char* hex : {"617f", "62c280", "62dfbf", "63e0a080", "63ed9fbf", "63ee8080",
                          "63efbfbf", "64f0908080", "64f48fbfbf"}) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kOk) << hex;
  }
  // Byte strings are not checked.
  EXPECT_EQ(DecodeCode("42c080"), StatusCode::kOk);
}

TEST(CborDecodeTest, RejectsDuplicateMapKeys) {
  EXPECT_EQ(DecodeCode("a2010001f6"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("a2010002f6"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("a2616100616101"), StatusCode::kMalformed);
  // Compared by value: 23 and 0x1817 are the same key.
  EXPECT_EQ(DecodeCode("a217001817f6"), StatusCode::kMalformed);
  // ... but 1 and 1.0, or 1 and "1", or h'31' and "1" are not.
  EXPECT_EQ(DecodeCode("a20100f93c0000"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("a20100613100"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("a2413100613100"), StatusCode::kOk);
  // Structured keys.
  EXPECT_EQ(DecodeCode("a28201020082010201"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("a28201020082020101"), StatusCode::kOk);
  // Tag-24 keys: the same value under different encodings is a duplicate.
  EXPECT_EQ(DecodeCode("a2d8184100f6d818580100f6"), StatusCode::kMalformed);
  // Duplicate keys in a nested map.
  EXPECT_EQ(DecodeCode("81a2010001f6"), StatusCode::kMalformed);
}

// Builds a map of `n` entries with keys 0..n-1 (key k encoded non-shortest when `long_heads`),
// then key `extra` appended if extra >= 0.
Bytes IntKeyMap(int n, int extra, bool long_heads) {
  const int count = n + (extra >= 0 ? 1 : 0);
  Bytes out{0xb8, static_cast<uint8_t>(count)};
  auto key = [&](int k) {
    if (long_heads) {
      out.push_back(0x19);
      out.push_back(0);
    } else if (k >= 24) {
      out.push_back(0x18);
    }
    out.push_back(static_cast<uint8_t>(k));
    out.push_back(0xf6);
  };
  for (int k = 0; k < n; ++k) key(k);
  if (extra >= 0) key(extra);
  return out;
}

TEST(CborDecodeTest, RejectsDuplicateKeysInLargeMaps) {
  for (int n : {15, 16, 17, 40, 200}) {
    SCOPED_TRACE(n);
    EXPECT_TRUE(Decode(IntKeyMap(n, -1, false)).ok());
    EXPECT_TRUE(Decode(IntKeyMap(n, -1, true)).ok());
    Result<Value> first = Decode(IntKeyMap(n, 0, false));
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.status().code(), StatusCode::kMalformed);
    Result<Value> last = Decode(IntKeyMap(n, n - 1, true));
    ASSERT_FALSE(last.ok());
    EXPECT_EQ(last.status().code(), StatusCode::kMalformed);
  }
}

TEST(CborDecodeTest, LargeMapDuplicateCheckIsByValue) {
  // 20 text keys, then a tag-24 key twice with different encodings of the same value.
  Bytes in{0xb6};
  for (int i = 0; i < 20; ++i) {
    in.insert(in.end(), {0x61, static_cast<uint8_t>('A' + i), 0x00});
  }
  Bytes tail = Hex("d8184100f6d818580100f6");
  in.insert(in.end(), tail.begin(), tail.end());
  Result<Value> v = Decode(in);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kMalformed);
  // NaN keys are one value (encoders write them as one encoding).
  Bytes nan{0xb6};
  for (int i = 0; i < 20; ++i) nan.insert(nan.end(), {0x61, static_cast<uint8_t>('A' + i), 0x00});
  Bytes nan_tail = Hex("f97e0000fa7fc0000100");
  nan.insert(nan.end(), nan_tail.begin(), nan_tail.end());
  Result<Value> w = Decode(nan);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kMalformed);
}

TEST(CborDecodeTest, ChecksTheTagsWithAMeaning) {
  // Tag 0: text.
  EXPECT_EQ(DecodeCode("c06a323032302d30312d3031"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("c001"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("c04100"), StatusCode::kMalformed);
  // Tag 1004: text.
  EXPECT_EQ(DecodeCode("d903ec6a323031392d31302d3230"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("d903ec1a5dab8f80"), StatusCode::kMalformed);
  // Tag 1: int or float.
  EXPECT_EQ(DecodeCode("c101"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("c120"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("c1f93c00"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("c16131"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("c1f6"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("c1c101"), StatusCode::kMalformed);
  // Tag 24: byte string.
  EXPECT_EQ(DecodeCode("d81840"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("d81860"), StatusCode::kMalformed);
  EXPECT_EQ(DecodeCode("d81880"), StatusCode::kMalformed);
  // Other tags are generic, including the one-byte tags 6-20 and big tag numbers.
  EXPECT_EQ(DecodeCode("c6f6"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("d46161"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("dbffffffffffffffff80"), StatusCode::kOk);
  EXPECT_EQ(ToDiagnostic(MustDecode("dbffffffffffffffff80")), "18446744073709551615([])");
}

TEST(CborDecodeTest, RejectsHugeDeclaredLengthsBeforeAllocating) {
  for (const char* hex : {"5bffffffffffffffff", "7bffffffffffffffff", "9bffffffffffffffff",
                          "bbffffffffffffffff", "5a7fffffff00", "9a7fffffff00", "ba7fffffff0000",
                          "4201", "830102", "a20102"}) {
    EXPECT_EQ(DecodeCode(hex), StatusCode::kMalformed) << hex;
  }
  // A map whose declared count needs exactly the bytes left is fine.
  EXPECT_EQ(DecodeCode("a201020304"), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("a2010203"), StatusCode::kMalformed);
}

TEST(CborDecodeTest, EnforcesMaxBytes) {
  DecodeLimits limits;
  limits.max_bytes = 4;
  EXPECT_EQ(DecodeCode("83010203", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("8401020304", limits), StatusCode::kLimitExceeded);
}

std::string Nested(const char* open, int n, const char* leaf) {
  std::string s;
  for (int i = 0; i < n; ++i) s += open;
  return s + leaf;
}

TEST(CborDecodeTest, EnforcesMaxDepth) {
  DecodeLimits limits;
  limits.max_depth = 4;
  EXPECT_EQ(DecodeCode(Nested("81", 4, "01"), limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode(Nested("81", 5, "01"), limits), StatusCode::kLimitExceeded);
  EXPECT_EQ(DecodeCode(Nested("a101", 4, "01"), limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode(Nested("a101", 5, "01"), limits), StatusCode::kLimitExceeded);
  // Tags count as nesting.
  EXPECT_EQ(DecodeCode(Nested("c6", 4, "01"), limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode(Nested("c6", 5, "01"), limits), StatusCode::kLimitExceeded);
  EXPECT_EQ(DecodeCode("818181c601", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("818181c68101", limits), StatusCode::kLimitExceeded);
  // Map keys are nested too.
  EXPECT_EQ(DecodeCode("a1818181810101", limits), StatusCode::kLimitExceeded);
  // Depth 0: scalars only.
  limits.max_depth = 0;
  EXPECT_EQ(DecodeCode("01", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("80", limits), StatusCode::kLimitExceeded);
  // The default allows 32.
  EXPECT_EQ(DecodeCode(Nested("81", 32, "01")), StatusCode::kOk);
  EXPECT_EQ(DecodeCode(Nested("81", 33, "01")), StatusCode::kLimitExceeded);
}

TEST(CborDecodeTest, EnforcesMaxItems) {
  DecodeLimits limits;
  limits.max_items = 4;  // the array and three elements
  EXPECT_EQ(DecodeCode("83010203", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("8401020304", limits), StatusCode::kLimitExceeded);
  // Keys, values and tags all count: {1: 24(h'')} is 4 items.
  EXPECT_EQ(DecodeCode("a101d81840", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("a201d818400203", limits), StatusCode::kLimitExceeded);
  limits.max_items = 1;
  EXPECT_EQ(DecodeCode("01", limits), StatusCode::kOk);
  EXPECT_EQ(DecodeCode("8101", limits), StatusCode::kLimitExceeded);
}

TEST(CborDecodeTest, ErrorMessagesNameTheOffset) {
  Result<Value> v = Decode(Hex("83010262c080"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("UTF-8"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find("offset 4"), std::string::npos) << v.status().message();
}

// ---------------------------------------------------------------------------------------------
// Tag 24

TEST(CborTag24Test, KeepsOriginalBytesThroughBothEncoders) {
  // {"b": 24(h'a0') with a non-shortest bstr head, "a": 1}
  const std::string tag24 = "d818590001a0";
  const Bytes in = Hex("a26162" + tag24 + "616101");
  Result<Value> v = Decode(in);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const Value* item = v->Find("b");
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->original_encoding().has_value());
  EXPECT_EQ(HexOf(*item->original_encoding()), tag24);
  EXPECT_EQ(HexOf(Encode(*v)), HexOf(in));
  EXPECT_EQ(HexOf(EncodeDeterministic(*v)), "a2616101616" "2" + tag24);
  // Copies keep it too.
  Value copy = *v;
  EXPECT_EQ(HexOf(Encode(copy)), HexOf(in));
  Result<Value> inner = item->DecodeEmbedded();
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(*inner, Value::MakeMap());
}

TEST(CborTag24Test, OriginalCoversNestedTag24) {
  const std::string inner = "d818420000";  // 24(h'0000'), inside a bstr with a long head
  const std::string outer = "d81858" "05" + inner;
  Value v = MustDecode(outer);
  EXPECT_EQ(HexOf(*v.original_encoding()), outer);
  EXPECT_EQ(HexOf(Encode(v)), outer);
  Result<Value> embedded = v.DecodeEmbedded();
  ASSERT_TRUE(embedded.ok());
  EXPECT_EQ(HexOf(*embedded->original_encoding()), inner);
}

TEST(CborTag24Test, BuiltValuesHaveNoOriginalEncoding) {
  Value m = Value::MakeMap();
  m.Insert("z", Value::Int(1));
  m.Insert("a", Value::Int(2));
  const Value e = Value::EmbeddedCbor(m);
  EXPECT_FALSE(e.original_encoding().has_value());
  EXPECT_EQ(HexOf(Encode(e)), "d81847a2616102617a01");  // content deterministic
  const Value raw = Value::EmbeddedCborBytes(Hex("a0"));
  EXPECT_FALSE(raw.original_encoding().has_value());
  EXPECT_EQ(HexOf(Encode(raw)), "d81841a0");
  // Equality ignores the original encoding.
  EXPECT_EQ(MustDecode("d818590001a0"), raw);
  EXPECT_EQ(*raw.DecodeEmbedded(), Value::MakeMap());
  // Tag 24 decoded from the preferred form has it too.
  EXPECT_EQ(HexOf(*MustDecode("d81841a0").original_encoding()), "d81841a0");
  // Other tags never have one.
  EXPECT_FALSE(MustDecode("d74101").original_encoding().has_value());
  EXPECT_FALSE(Value::Int(1).original_encoding().has_value());
}

TEST(CborTag24Test, DecodeEmbeddedFailures) {
  Result<Value> not_tag = Value::Int(1).DecodeEmbedded();
  ASSERT_FALSE(not_tag.ok());
  EXPECT_EQ(not_tag.status().code(), StatusCode::kMalformed);
  Result<Value> other_tag = Value::Tagged(23, Value::ByteString(Hex("a0"))).DecodeEmbedded();
  ASSERT_FALSE(other_tag.ok());
  EXPECT_EQ(other_tag.status().code(), StatusCode::kMalformed);
  Result<Value> over_text = Value::Tagged(24, Value::Text("a0")).DecodeEmbedded();
  ASSERT_FALSE(over_text.ok());
  EXPECT_EQ(over_text.status().code(), StatusCode::kMalformed);
  Result<Value> trailing = MustDecode("d818420000").DecodeEmbedded();
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), StatusCode::kMalformed);
  Result<Value> empty = MustDecode("d81840").DecodeEmbedded();
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kMalformed);
  DecodeLimits limits;
  limits.max_depth = 1;
  Result<Value> deep = MustDecode("d818438181" "01").DecodeEmbedded(limits);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kLimitExceeded);
  EXPECT_TRUE(MustDecode("d818428101").DecodeEmbedded(limits).ok());
}

// ---------------------------------------------------------------------------------------------
// Encoders

TEST(CborEncodeTest, DeterministicSortsKeysByEncodedBytes) {
  // RFC 8949 section 4.2.1's example order: 10, 100, -1, "z", "aa", [100], [-1], false.
  Value m = Value::MakeMap();
  m.Insert(Value::Bool(false), Value::Int(8));
  m.Insert("aa", Value::Int(5));
  m.Insert(Value::MakeArray({Value::Int(-1)}), Value::Int(7));
  m.Insert(100, Value::Int(2));
  m.Insert("z", Value::Int(4));
  m.Insert(-1, Value::Int(3));
  m.Insert(Value::MakeArray({Value::Int(100)}), Value::Int(6));
  m.Insert(10, Value::Int(1));
  EXPECT_EQ(HexOf(EncodeDeterministic(m)),
            "a8"
            "0a01"
            "186402"
            "2003"
            "617a04"
            "62616105"
            "81186406"
            "812007"
            "f408");
  // Encode keeps the stored order.
  EXPECT_EQ(HexOf(Encode(m)).substr(0, 8), "a8f40862");
}

TEST(CborEncodeTest, DeterministicSortsByLengthFirstForTextKeys) {
  Value m = Value::MakeMap();
  m.Insert("bb", Value::Int(1));
  m.Insert("a", Value::Int(2));
  m.Insert("ccc", Value::Int(3));
  m.Insert("b", Value::Int(4));
  EXPECT_EQ(HexOf(EncodeDeterministic(m)), "a4" "616102" "616204" "62626201" "6363636303");
  // A 24-byte key has a longer head than a 23-byte key and sorts after every shorter one.
  Value n = Value::MakeMap();
  n.Insert(std::string(24, 'a'), Value::Int(1));
  n.Insert(std::string(23, 'z'), Value::Int(2));
  const Bytes enc = EncodeDeterministic(n);
  EXPECT_EQ(enc[1], 0x77);  // 23-char text key first
}

TEST(CborEncodeTest, DeterministicSortsNestedMapsInKeysAndValues) {
  Value inner = Value::MakeMap();
  inner.Insert(2, Value::Int(0));
  inner.Insert(1, Value::Int(0));
  Value outer = Value::MakeMap();
  outer.Insert("v", inner);
  outer.Insert(inner, Value::MakeArray({inner}));
  EXPECT_EQ(HexOf(EncodeDeterministic(outer)),
            "a2"
            "6176" "a201000200"
            "a201000200" "81a201000200");
  EXPECT_EQ(HexOf(Encode(outer)), "a2" "6176" "a202000100" "a202000100" "81a202000100");
}

TEST(CborEncodeTest, WritesShortestHeads) {
  const std::pair<uint64_t, const char*> cases[] = {
      {0, "00"},           {23, "17"},
      {24, "1818"},        {255, "18ff"},
      {256, "190100"},     {65535, "19ffff"},
      {65536, "1a00010000"}, {4294967295, "1affffffff"},
      {4294967296, "1b0000000100000000"},
  };
  for (const auto& [n, hex] : cases) EXPECT_EQ(HexOf(Encode(Value::Uint(n))), hex);
  EXPECT_EQ(HexOf(Encode(Value::Int(std::numeric_limits<int64_t>::min()))), "3b7fffffffffffffff");
  EXPECT_EQ(HexOf(Encode(Value::Int(-24))), "37");
  EXPECT_EQ(HexOf(Encode(Value::Int(-25))), "3818");
  EXPECT_EQ(HexOf(Encode(Value::ByteString(Bytes(24, 0)))).substr(0, 4), "5818");
  EXPECT_EQ(HexOf(Encode(Value::Text(std::string(23, 'x')))).substr(0, 2), "77");
}

TEST(CborEncodeTest, WritesShortestExactFloat) {
  const std::pair<double, const char*> cases[] = {
      {0.0, "f90000"},
      {-0.0, "f98000"},
      {1.0, "f93c00"},
      {65504.0, "f97bff"},
      {65505.0, "fa477fe100"},
      {65536.0, "fa47800000"},
      {std::ldexp(1.0, -24), "f90001"},
      {std::ldexp(3.0, -24), "f90003"},
      {std::ldexp(1023.0, -24), "f903ff"},  // largest half subnormal
      {std::ldexp(1.0, -14), "f90400"},     // smallest half normal
      {std::ldexp(1.0, -25), "fa33000000"},  // below the half range
      {std::ldexp(3.0, -25), "fa33c00000"},  // needs one more bit than half subnormals
      {1.0 + std::ldexp(1.0, -10), "f93c01"},
      {1.0 + std::ldexp(1.0, -11), "fa3f801000"},
      {1.0 + std::ldexp(1.0, -23), "fa3f800001"},
      {1.0 + std::ldexp(1.0, -24), "fb3ff0000010000000"},
      {static_cast<double>(std::numeric_limits<float>::max()), "fa7f7fffff"},
      {std::numeric_limits<double>::denorm_min(), "fb0000000000000001"},
      {std::numeric_limits<double>::infinity(), "f97c00"},
      {-std::numeric_limits<double>::infinity(), "f9fc00"},
      {std::numeric_limits<double>::quiet_NaN(), "f97e00"},
      {-std::numeric_limits<double>::quiet_NaN(), "f97e00"},
  };
  for (const auto& [d, hex] : cases) {
    SCOPED_TRACE(hex);
    const Bytes enc = Encode(Value::Float(d));
    EXPECT_EQ(HexOf(enc), hex);
    Result<Value> back = Decode(enc);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, Value::Float(d));
  }
  // Beyond float range: a double.
  EXPECT_EQ(Encode(Value::Float(1e39)).size(), 9u);
  EXPECT_EQ(Encode(Value::Float(1e39))[0], 0xfb);
  // A NaN with a payload decodes and re-encodes as the one NaN.
  EXPECT_EQ(HexOf(Encode(MustDecode("f97e01"))), "f97e00");
  EXPECT_EQ(HexOf(Encode(MustDecode("fb7ff8000000000001"))), "f97e00");
}

TEST(CborEncodeTest, AppendEncodersAppend) {
  Bytes out{0xaa};
  AppendEncode(out, Value::Int(1));
  AppendEncodeDeterministic(out, Value::Int(2));
  EXPECT_EQ(HexOf(out), "aa0102");
}

// ---------------------------------------------------------------------------------------------
// Value API

TEST(CborValueTest, DefaultIsNullAndBuildersSetTypes) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(HexOf(Encode(v)), "f6");
  EXPECT_TRUE(Value::Bool(true).is_bool());
  EXPECT_EQ(*Value::Bool(true).AsBool(), true);
  EXPECT_EQ(*Value::Bool(false).AsBool(), false);
  EXPECT_TRUE(Value::Undefined().is_undefined());
  EXPECT_TRUE(Value::Int(5).is_uint());
  EXPECT_TRUE(Value::Int(-5).is_negative());
  EXPECT_EQ(Value::Int(-5).negative_argument(), 4u);
  EXPECT_TRUE(Value::FullDate("2019-10-20").is_tag(kTagFullDate));
  EXPECT_EQ(ToDiagnostic(Value::FullDate("2019-10-20")), "1004(\"2019-10-20\")");
}

TEST(CborValueTest, CheckedAccessorsReturnMalformedOnWrongType) {
  const Value text = Value::Text("x");
  EXPECT_EQ(text.AsUint().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsInt().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsBool().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsFloat().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsBytes().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Value::Int(1).AsText().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsArray().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsMap().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsSimple().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Value::Null().AsBool().status().code(), StatusCode::kMalformed);
  EXPECT_EQ(text.AsTagged(24).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Value::TDate("x").AsTagged(24).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(**Value::TDate("x").AsTagged(0), Value::Text("x"));
  EXPECT_EQ(*text.AsText(), "x");
  EXPECT_EQ(*Value::Float(2.5).AsFloat(), 2.5);
  EXPECT_EQ((*Value::MakeArray({Value::Int(1)}).AsArray())->size(), 1u);
  EXPECT_EQ(*Value::Null().AsSimple(), kSimpleNull);
  // Unchecked views are empty for other types.
  EXPECT_TRUE(Value::Int(1).bytes().empty());
  EXPECT_TRUE(Value::Int(1).text().empty());
  EXPECT_TRUE(Value::Int(1).array().empty());
  EXPECT_TRUE(Value::Int(1).map().empty());
  EXPECT_TRUE(Value::Int(1).tagged().is_null());
  EXPECT_EQ(Value::Int(-1).uint_value(), 0u);
  EXPECT_EQ(Value::Int(1).tag(), 0u);
}

TEST(CborValueTest, AsIntBoundaries) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(*Value::Uint(static_cast<uint64_t>(max)).AsInt(), max);
  EXPECT_EQ(Value::Uint(static_cast<uint64_t>(max) + 1).AsInt().status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(*Value::Negative(static_cast<uint64_t>(max)).AsInt(), min);
  EXPECT_EQ(Value::Negative(static_cast<uint64_t>(max) + 1).AsInt().status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(*Value::Int(min).AsInt(), min);
  EXPECT_EQ(*Value::Int(-1).AsInt(), -1);
  EXPECT_EQ(*Value::Uint(7).AsUint(), 7u);
  EXPECT_EQ(Value::Int(-1).AsUint().status().code(), StatusCode::kMalformed);
}

TEST(CborValueTest, CopyIsDeepAndMoveLeavesNull) {
  Value a = Value::MakeArray({Value::Text("x"), Value::MakeMap()});
  Value b = a;
  b.mutable_array()[0] = Value::Text("y");
  b.mutable_array()[1].Insert(1, Value::Int(2));
  EXPECT_EQ(a.array()[0].text(), "x");
  EXPECT_EQ(a.array()[1].size(), 0u);
  EXPECT_EQ(b.array()[1].size(), 1u);
  EXPECT_FALSE(a == b);
  Value c = std::move(b);
  EXPECT_TRUE(b.is_null());  // NOLINT: testing the moved-from state
  EXPECT_EQ(c.array()[0].text(), "y");
  Value d;
  d = std::move(c);
  EXPECT_TRUE(c.is_null());  // NOLINT
  // Assigning an element of itself.
  d = d.array()[0];
  EXPECT_EQ(d, Value::Text("y"));
  Value e = Value::MakeArray({Value::MakeArray({Value::Int(9)})});
  e = std::move(e.mutable_array()[0]);
  EXPECT_EQ(e, Value::MakeArray({Value::Int(9)}));
  static_assert(std::is_nothrow_move_constructible_v<Value>);
  static_assert(std::is_nothrow_move_assignable_v<Value>);
}

TEST(CborValueTest, EqualityIsByValue) {
  EXPECT_EQ(Value::Int(1), Value::Uint(1));
  EXPECT_FALSE(Value::Int(1) == Value::Float(1.0));
  EXPECT_FALSE(Value::Int(1) == Value::Int(-1));
  EXPECT_FALSE(Value::Float(0.0) == Value::Float(-0.0));
  EXPECT_EQ(Value::Float(std::nan("1")), Value::Float(std::nan("2")));
  EXPECT_FALSE(Value::Float(std::nan("")) == Value::Float(1.0));
  EXPECT_FALSE(Value::Text("a") == Value::ByteString(Hex("61")));
  EXPECT_FALSE(Value::Tagged(1, Value::Int(1)) == Value::Tagged(2, Value::Int(1)));
  Value m1 = Value::MakeMap(), m2 = Value::MakeMap();
  m1.Insert(1, Value::Int(1));
  m1.Insert(2, Value::Int(2));
  m2.Insert(2, Value::Int(2));
  m2.Insert(1, Value::Int(1));
  EXPECT_FALSE(m1 == m2);  // map order matters
  EXPECT_EQ(EncodeDeterministic(m1), EncodeDeterministic(m2));
  EXPECT_FALSE(Value::Simple(16) == Value::Simple(17));
}

TEST(CborValueTest, FindInsertAppend) {
  Value m = Value::MakeMap();
  m.Insert("a", Value::Int(1));
  m.Insert(-7, Value::Text("neg"));
  m.Insert(7, Value::Text("pos"));
  ASSERT_NE(m.Find("a"), nullptr);
  EXPECT_EQ(*m.Find("a"), Value::Int(1));
  EXPECT_EQ(m.Find("b"), nullptr);
  EXPECT_EQ(m.Find(-7)->text(), "neg");
  EXPECT_EQ(m.Find(7)->text(), "pos");
  EXPECT_EQ(m.Find(8), nullptr);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(Value::Int(1).Find("a"), nullptr);
  Value a = Value::MakeArray();
  a.Append(Value::Int(1));
  a.Append(Value::Int(2));
  EXPECT_EQ(HexOf(Encode(a)), "820102");
  // Wrong-type mutation is a no-op.
  Value n = Value::Int(3);
  n.Append(Value::Int(1));
  n.Insert("x", Value::Int(1));
  n.mutable_array().push_back(Value::Int(1));
  n.mutable_map().emplace_back(Value::Int(1), Value::Int(1));
  EXPECT_EQ(n, Value::Int(3));
  EXPECT_EQ(Value::Int(3).size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Diagnostic notation

TEST(CborDiagnosticTest, FormatsEveryType) {
  Value m = Value::MakeMap();
  m.Insert(1, Value::Int(-1));
  m.Insert("k", Value::MakeArray({Value::ByteString(Hex("00ff")), Value::Null(),
                                  Value::Undefined(), Value::Bool(true), Value::Simple(99)}));
  m.Insert(Value::Tagged(24, Value::ByteString(Hex("a0"))), Value::Float(-2.5));
  EXPECT_EQ(ToDiagnostic(m),
            "{1: -1, \"k\": [h'00ff', null, undefined, true, simple(99)], 24(h'a0'): -2.5}");
  EXPECT_EQ(ToDiagnostic(Value::Text("a\"b\\c\n\t\r\b\f\x01\x7f\xc3\xbc")),
            "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u007f\xc3\xbc\"");
  EXPECT_EQ(ToDiagnostic(Value::Negative(std::numeric_limits<uint64_t>::max() - 1)),
            "-18446744073709551615");
  EXPECT_EQ(ToDiagnostic(Value::Float(1e-7)), "1.0e-7");
  EXPECT_EQ(ToDiagnostic(Value::Float(123.25)), "123.25");
  EXPECT_EQ(ToDiagnostic(Value::Float(-std::numeric_limits<double>::infinity())), "-Infinity");
}

// ---------------------------------------------------------------------------------------------
// ISO 18013-5 Annex D vectors

std::vector<std::filesystem::path> AnnexDCborFiles() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir =
      std::filesystem::path(BONAFIDE_VECTORS_DIR) / "mdoc-iso18013-5" / "annex-d";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".hex") continue;
    if (name.find(".der.") != std::string::npos || name == "portrait_jpeg.hex") continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Bytes ReadHexFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return Hex(line);
}

TEST(CborAnnexDTest, EveryItemRoundTripsByteForByte) {
  const std::vector<std::filesystem::path> files = AnnexDCborFiles();
  ASSERT_GE(files.size(), 14u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const Bytes in = ReadHexFile(path);
    ASSERT_FALSE(in.empty());
    Result<Value> v = Decode(in);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(Encode(*v), in);
    Result<Value> again = Decode(EncodeDeterministic(*v));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Encode(*again).size(), in.size());
  }
}

TEST(CborAnnexDTest, DeviceResponseStructure) {
  const std::filesystem::path dir =
      std::filesystem::path(BONAFIDE_VECTORS_DIR) / "mdoc-iso18013-5" / "annex-d";
  Result<Value> v = Decode(ReadHexFile(dir / "device_response.hex"));
  ASSERT_TRUE(v.ok());
  ASSERT_NE(v->Find("version"), nullptr);
  EXPECT_EQ(v->Find("version")->text(), "1.0");
  const Value* docs = v->Find("documents");
  ASSERT_NE(docs, nullptr);
  ASSERT_EQ(docs->size(), 1u);
  const Value* issuer_signed = docs->array()[0].Find("issuerSigned");
  ASSERT_NE(issuer_signed, nullptr);
  const Value* issuer_auth = issuer_signed->Find("issuerAuth");
  ASSERT_NE(issuer_auth, nullptr);
  EXPECT_EQ(Encode(*issuer_auth), ReadHexFile(dir / "issuer_auth.hex"));
  // The MSO payload is tag 24 whose original bytes are kept.
  const Value& payload = issuer_auth->array()[2];
  ASSERT_TRUE(payload.is_bytes());
  Result<Value> mso_bytes = Decode(payload.bytes());
  ASSERT_TRUE(mso_bytes.ok());
  ASSERT_TRUE(mso_bytes->is_tag(kTagEncodedCbor));
  EXPECT_EQ(HexOf(*mso_bytes->original_encoding()), HexOf(payload.bytes()));
  Result<Value> mso = mso_bytes->DecodeEmbedded();
  ASSERT_TRUE(mso.ok());
  EXPECT_EQ(mso->Find("digestAlgorithm")->text(), "SHA-256");
  const Value* validity = mso->Find("validityInfo");
  ASSERT_NE(validity, nullptr);
  EXPECT_TRUE(validity->Find("signed")->is_tag(kTagTDate));
}

}  // namespace
}  // namespace bonafide::cbor
