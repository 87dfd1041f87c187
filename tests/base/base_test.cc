// Unit tests for src/base: strict codecs, strict JSON, Status/Result, SecretBytes, clocks, Random.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <type_traits>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "base/random.h"
#include "base/secret.h"
#include "base/status.h"

namespace bonafide {
namespace {

StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) { return r.status().code(); }

#define EXPECT_CODE(expr, expected_code) EXPECT_EQ(CodeOf(expr), StatusCode::expected_code) << #expr

// ---------------------------------------------------------------- base64url

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(std::string_view("")), "");
  EXPECT_EQ(Base64UrlEncode(std::string_view("h")), "aA");
  EXPECT_EQ(Base64UrlEncode(std::string_view("hi")), "aGk");
  EXPECT_EQ(Base64UrlEncode(std::string_view("hi?")), "aGk_");
  EXPECT_EQ(Base64UrlEncode(Bytes{0xfb, 0xef, 0xbe}), "----");
  EXPECT_EQ(Base64UrlEncode(Bytes{0xff, 0xff, 0xff}), "____");
}

// Every 12-bit half of a 3-byte group, in both alphabets, against RFC 4648's table read one
// sextet at a time (the encoder looks pairs of characters up at once).
TEST(Base64Url, EveryGroupEncodesAsTheAlphabetSaysInBothAlphabets) {
  const std::string url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string std_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (uint32_t half = 0; half < 4096; ++half) {
    for (const uint32_t v : {half << 12, half, (half << 12) | (half ^ 0xa5a)}) {
      const Bytes group{static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
      std::string want_url, want_std;
      for (int shift = 18; shift >= 0; shift -= 6) {
        want_url.push_back(url[(v >> shift) & 63]);
        want_std.push_back(std_alphabet[(v >> shift) & 63]);
      }
      ASSERT_EQ(Base64UrlEncode(group), want_url) << v;
      ASSERT_EQ(Base64Encode(group), want_std) << v;
    }
  }
}

TEST(Base64Url, DecodesEmptyInput) {
  auto r = Base64UrlDecode("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(Base64Url, RoundTripsEveryLength) {
  for (size_t n = 0; n <= 64; ++n) {
    Bytes data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 37 + n);
    std::string enc = Base64UrlEncode(data);
    EXPECT_EQ(enc.find_first_of("=+/"), std::string::npos);
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec.ok()) << n;
    EXPECT_EQ(*dec, data);
  }
}

TEST(Base64Url, RejectsPadding) {
  EXPECT_CODE(Base64UrlDecode("aGk="), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aA=="), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aA"), kOk);  // the same bytes unpadded
}

TEST(Base64Url, RejectsStandardAlphabet) {
  EXPECT_CODE(Base64UrlDecode("++++"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("////"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aGk/"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("----"), kOk);
  EXPECT_CODE(Base64UrlDecode("____"), kOk);
}

TEST(Base64Url, RejectsWhitespaceAndOtherBytes) {
  EXPECT_CODE(Base64UrlDecode("aGk_ "), kMalformed);
  EXPECT_CODE(Base64UrlDecode(" aGk_"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aG k_"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aGk_\n"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aG\tk"), kMalformed);
  EXPECT_CODE(Base64UrlDecode(std::string_view("aG\0k", 4)), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aG\xffk"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aG.k"), kMalformed);
}

TEST(Base64Url, RejectsImpossibleLength) {
  EXPECT_CODE(Base64UrlDecode("a"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aGk_a"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aGk_aGk_a"), kMalformed);
  EXPECT_CODE(Base64UrlDecode("aGk_aA"), kOk);  // len % 4 == 2 is fine
}

TEST(Base64Url, RejectsNonZeroTrailingBitsAfterTwoChars) {
  // Two characters carry 12 bits for one byte: the last 4 bits must be zero.
  auto ok = Base64UrlDecode("aQ");  // 'Q' = 010000
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Bytes{0x69});
  EXPECT_CODE(Base64UrlDecode("aR"), kMalformed);  // 010001
  EXPECT_CODE(Base64UrlDecode("aB"), kMalformed);  // 000001
  EXPECT_CODE(Base64UrlDecode("aY"), kMalformed);  // 011000
}

TEST(Base64Url, RejectsNonZeroTrailingBitsAfterThreeChars) {
  // Three characters carry 18 bits for two bytes: the last 2 bits must be zero.
  auto ok = Base64UrlDecode("aGk");  // 'k' = 100100
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ToString(*ok), "hi");
  EXPECT_CODE(Base64UrlDecode("aGl"), kMalformed);  // 100101
  EXPECT_CODE(Base64UrlDecode("aGm"), kMalformed);  // 100110
  EXPECT_CODE(Base64UrlDecode("aGn"), kMalformed);  // 100111
}

// ---------------------------------------------------------------- standard base64

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(ToBytes("")), "");
  EXPECT_EQ(Base64Encode(ToBytes("h")), "aA==");
  EXPECT_EQ(Base64Encode(ToBytes("hi")), "aGk=");
  EXPECT_EQ(Base64Encode(ToBytes("hi?")), "aGk/");
  EXPECT_EQ(Base64Encode(Bytes{0xfb, 0xef, 0xbe}), "++++");
}

TEST(Base64, DecodesStrictly) {
  ASSERT_TRUE(Base64Decode("").ok());
  EXPECT_EQ(*Base64Decode("aGk/"), ToBytes("hi?"));
  EXPECT_EQ(*Base64Decode("aGk="), ToBytes("hi"));
  EXPECT_EQ(*Base64Decode("aA=="), ToBytes("h"));
  EXPECT_EQ(*Base64Decode("aGk/aA=="), ToBytes("hi?h"));
  EXPECT_CODE(Base64Decode("aGk_"), kMalformed);       // URL alphabet
  EXPECT_CODE(Base64Decode("aGk"), kMalformed);        // missing padding
  EXPECT_CODE(Base64Decode("aA"), kMalformed);         // missing padding
  EXPECT_CODE(Base64Decode("aA="), kMalformed);        // short padding
  EXPECT_CODE(Base64Decode("a==="), kMalformed);       // three pad characters
  EXPECT_CODE(Base64Decode("===="), kMalformed);
  EXPECT_CODE(Base64Decode("aA=A"), kMalformed);       // padding in the middle
  EXPECT_CODE(Base64Decode("aA==aGk/"), kMalformed);   // data after padding
  EXPECT_CODE(Base64Decode("aB=="), kMalformed);       // non-zero trailing bits (4)
  EXPECT_CODE(Base64Decode("aGl="), kMalformed);       // non-zero trailing bits (2)
  EXPECT_CODE(Base64Decode("aGk/\n"), kMalformed);     // whitespace
  EXPECT_CODE(Base64Decode("aG k/"), kMalformed);
}

// ---------------------------------------------------------------- hex

TEST(VisibleAscii, OnlyBytesFrom0x21To0x7E) {
  EXPECT_TRUE(IsVisibleAscii(""));
  EXPECT_TRUE(IsVisibleAscii("!\"abc-_~"));
  EXPECT_FALSE(IsVisibleAscii("a b"));
  EXPECT_FALSE(IsVisibleAscii("a\r\nb"));
  EXPECT_FALSE(IsVisibleAscii(std::string("a\0b", 3)));
  EXPECT_FALSE(IsVisibleAscii("\x7f"));
  EXPECT_FALSE(IsVisibleAscii("caf\xc3\xa9"));  // UTF-8 is not ASCII
}

TEST(Hex, EncodesLowercaseAndDecodesEitherCase) {
  EXPECT_EQ(HexEncode(Bytes{0x00, 0xab, 0xff}), "00abff");
  EXPECT_EQ(HexEncode(Bytes{}), "");
  EXPECT_EQ(*HexDecode("00abff"), (Bytes{0x00, 0xab, 0xff}));
  EXPECT_EQ(*HexDecode("00ABFF"), (Bytes{0x00, 0xab, 0xff}));
  EXPECT_TRUE(HexDecode("")->empty());
  EXPECT_CODE(HexDecode("0"), kMalformed);
  EXPECT_CODE(HexDecode("abc"), kMalformed);
  EXPECT_CODE(HexDecode("0g"), kMalformed);
  EXPECT_CODE(HexDecode("0x00"), kMalformed);
  EXPECT_CODE(HexDecode(" 00"), kMalformed);
}

// ---------------------------------------------------------------- JSON

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(Json, ParsesValues) {
  auto j = ParseJson(R"({"a":[1,2.5,"x",true,null,{"b":{}}]})");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][0], 1);
  EXPECT_EQ((*j)["a"][2], "x");
  EXPECT_TRUE(ParseJson("17").ok());
  EXPECT_TRUE(ParseJson(" \"s\" ").ok());
}

TEST(Json, RejectsDuplicateKeysAtAnyDepth) {
  EXPECT_CODE(ParseJson(R"({"a":1,"b":2})"), kOk);
  EXPECT_CODE(ParseJson(R"({"a":1,"a":2})"), kMalformed);
  EXPECT_CODE(ParseJson(R"({"a":1,"a":1})"), kMalformed);          // even with equal values
  EXPECT_CODE(ParseJson(R"({"a":null,"a":null})"), kMalformed);
  EXPECT_CODE(ParseJson(R"({"x":{"a":1,"a":2}})"), kMalformed);
  EXPECT_CODE(ParseJson(R"([{"a":1,"a":2}])"), kMalformed);
  EXPECT_CODE(ParseJson(R"({"x":[{"y":{"z":{"a":{},"a":[]}}}]})"), kMalformed);
  EXPECT_CODE(ParseJson(R"({"a":1,"\u0061":2})"), kMalformed);     // same key after unescaping
  EXPECT_CODE(ParseJson(R"([{"a":1},{"a":2}])"), kOk);              // siblings may share keys
  EXPECT_CODE(ParseJson(R"({"a":{"a":{"a":1}}})"), kOk);            // nesting is not duplication
}

TEST(Json, DepthLimitBoundary) {
  JsonLimits three{1 << 20, 3};
  EXPECT_CODE(ParseJson(Nested(3), three), kOk);
  EXPECT_CODE(ParseJson(Nested(4), three), kLimitExceeded);
  EXPECT_CODE(ParseJson(R"({"a":{"b":{"c":1}}})", three), kOk);
  EXPECT_CODE(ParseJson(R"({"a":{"b":{"c":{}}}})", three), kLimitExceeded);
  EXPECT_CODE(ParseJson(R"({"a":[{"c":[]}]})", three), kLimitExceeded);
  // Default limit (32).
  EXPECT_CODE(ParseJson(Nested(JsonLimits{}.max_depth)), kOk);
  EXPECT_CODE(ParseJson(Nested(JsonLimits{}.max_depth + 1)), kLimitExceeded);
  // Deep nesting far beyond the limit fails cleanly, without recursion.
  EXPECT_CODE(ParseJson(Nested(100000)), kLimitExceeded);
  // Depth 0 allows scalars only.
  EXPECT_CODE(ParseJson("1", JsonLimits{16, 0}), kOk);
  EXPECT_CODE(ParseJson("[]", JsonLimits{16, 0}), kLimitExceeded);
}

TEST(Json, SizeLimitBoundary) {
  const std::string text = R"({"a":1})";  // 7 bytes
  EXPECT_CODE(ParseJson(text, JsonLimits{7, 8}), kOk);
  EXPECT_CODE(ParseJson(text, JsonLimits{6, 8}), kLimitExceeded);
  EXPECT_CODE(ParseJson(std::string((1 << 20) + 1, ' ')), kLimitExceeded);
}

TEST(Json, RejectsInvalidUtf8) {
  EXPECT_CODE(ParseJson("\"\xe2\x82\xac\""), kOk);             // U+20AC, valid
  EXPECT_CODE(ParseJson("\"\xf0\x9f\x98\x80\""), kOk);         // U+1F600, valid
  EXPECT_CODE(ParseJson("\"\xff\""), kMalformed);
  EXPECT_CODE(ParseJson("\"\x80\""), kMalformed);              // lone continuation byte
  EXPECT_CODE(ParseJson("\"\xc0\xaf\""), kMalformed);          // overlong '/'
  EXPECT_CODE(ParseJson("\"\xe0\x80\xaf\""), kMalformed);      // overlong
  EXPECT_CODE(ParseJson("\"\xe2\x82\""), kMalformed);          // truncated
  EXPECT_CODE(ParseJson("\"\xed\xa0\x80\""), kMalformed);      // UTF-8-encoded surrogate D800
  EXPECT_CODE(ParseJson("\"\xf4\x90\x80\x80\""), kMalformed);  // above U+10FFFF
  EXPECT_CODE(ParseJson("{\"\xff\":1}"), kMalformed);          // in a key
  EXPECT_CODE(ParseJson("[1]\xff"), kMalformed);               // outside strings
}

TEST(Json, LoneSurrogateEscapesAreRejected) {
  // Decision: a \u escape of a lone surrogate cannot be represented in UTF-8, so it is
  // malformed (not replaced with U+FFFD). A proper pair is accepted and decoded.
  EXPECT_CODE(ParseJson(R"("\ud800")"), kMalformed);
  EXPECT_CODE(ParseJson(R"("\udbff")"), kMalformed);
  EXPECT_CODE(ParseJson(R"("\udc00")"), kMalformed);           // low surrogate first
  EXPECT_CODE(ParseJson(R"("\ud800x")"), kMalformed);
  EXPECT_CODE(ParseJson(R"("\ud800\u0041")"), kMalformed);     // high + non-surrogate
  EXPECT_CODE(ParseJson(R"("\udc00\ud800")"), kMalformed);     // reversed pair
  EXPECT_CODE(ParseJson(R"({"\ud800":1})"), kMalformed);       // in a key
  auto pair = ParseJson(R"("\ud83d\ude00")");
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->get<std::string>(), "\xf0\x9f\x98\x80");
}

TEST(Json, RejectsTrailingData) {
  EXPECT_CODE(ParseJson("{} \n\t\r"), kOk);  // trailing whitespace is allowed by RFC 8259
  EXPECT_CODE(ParseJson("{} x"), kMalformed);
  EXPECT_CODE(ParseJson("{}{}"), kMalformed);
  EXPECT_CODE(ParseJson("1 2"), kMalformed);
  EXPECT_CODE(ParseJson("{},"), kMalformed);
  EXPECT_CODE(ParseJson(std::string_view("{}\0", 3)), kMalformed);
}

TEST(Json, RegressionNulByteEndedInput) {
  // nlohmann's lexer treats a NUL byte as end of input, so "{}\0<anything>" used to parse as {}
  // and ignore the rest. NUL can never appear in JSON text (in strings it must be escaped).
  EXPECT_CODE(ParseJson(std::string_view("{\"a\":1}\0{\"a\":2}", 15)), kMalformed);
  EXPECT_CODE(ParseJson(std::string_view("\"a\0b\"", 5)), kMalformed);
  EXPECT_CODE(ParseJson(std::string_view("\0", 1)), kMalformed);
  EXPECT_CODE(ParseJson(R"("a\u0000b")"), kOk);  // the escaped form is fine
}

TEST(Json, RejectsNonJsonTokensAndNumbers) {
  for (const char* bad : {"NaN", "nan", "Infinity", "-Infinity", "[NaN]", "[Infinity]", "1e400", "-1e400",
                          "01", "+1", ".5", "1.", "0x10", "'a'", "[1,]", "{\"a\":1,}", "{a:1}", "undefined",
                          "True", "/*c*/{}", "{}//c", "\"a\x01\"", "\"\\x41\"", ""}) {
    EXPECT_CODE(ParseJson(bad), kMalformed) << "input: " << bad;
  }
  EXPECT_CODE(ParseJson(" "), kMalformed);
  EXPECT_CODE(ParseJson("1e308"), kOk);
  EXPECT_CODE(ParseJson("-0"), kOk);
}

TEST(Json, RejectsByteOrderMark) {
  EXPECT_CODE(ParseJson("\xEF\xBB\xBF{}"), kMalformed);
}

TEST(Json, ParseJsonObjectRequiresObject) {
  EXPECT_CODE(ParseJsonObject("{}"), kOk);
  EXPECT_CODE(ParseJsonObject("[]"), kMalformed);
  EXPECT_CODE(ParseJsonObject("\"{}\""), kMalformed);
  EXPECT_CODE(ParseJsonObject("null"), kMalformed);
  EXPECT_CODE(ParseJsonObject(R"({"a":1,"a":2})"), kMalformed);
}

TEST(Json, DumpIsCompactSortedAndNeverThrows) {
  auto j = ParseJson(R"({ "b" : 1, "a" : [1, 2] })");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(DumpJson(*j), R"({"a":[1,2],"b":1})");
  Json bad = std::string("\xff");
  EXPECT_EQ(DumpJson(bad), "\"\xef\xbf\xbd\"");
}

// CheckJsonObject must accept and refuse exactly what ParseJsonObject does, with the same code.
TEST(Json, CheckJsonObjectAgreesWithParseJsonObject) {
  const std::string deep = std::string(32, '[') + std::string(32, ']');
  const std::vector<std::string> inputs = {
      R"({})", R"({"a":1,"b":[1,2,{"c":null}]})", R"({"a":1,"a":2})", R"({"x":{"a":1,"\u0061":2}})",
      R"([{"a":1}])", R"("{}")", "", "\xEF\xBB\xBF{}", std::string("{\"a\":\"\0\"}", 9), R"({"a":NaN})",
      R"({"a":1} x)", "{\"a\":\"\xff\"}", R"({"a":"\ud800"})", "{\"d\":" + deep + "}",
      "{\"d\":" + std::string(30, '[') + std::string(30, ']') + "}", R"({"a":{"b":1},"b":{"b":2}})",
      R"({"a":[1,{"k":1,"k":1}]})", R"({"a":1e400})"};
  int refused = 0;
  for (const std::string& input : inputs) {
    Result<Json> parsed = ParseJsonObject(input);
    Status checked = CheckJsonObject(input);
    EXPECT_EQ(checked.ok(), parsed.ok()) << input;
    if (!parsed.ok()) {
      ++refused;
      EXPECT_EQ(checked.code(), parsed.status().code()) << input;
    }
  }
  EXPECT_EQ(refused, 14);
  JsonLimits small;
  small.max_bytes = 4;
  EXPECT_EQ(CheckJsonObject(R"({"a":1})", small).code(), StatusCode::kLimitExceeded);
}

// AppendJsonString skips plain ASCII 8 bytes at a time; every byte that needs escaping (or is
// not ASCII) must still be found at any offset, in any 8-byte word, and next to another one.
// nlohmann's own serialiser (invalid UTF-8 replaced) is the reference.
TEST(Json, AppendJsonStringFindsSpecialBytesAtEveryOffset) {
  const std::vector<std::string> specials = {std::string(1, '\0'), "\x01", "\x1f", "\n", "\t", "\"", "\\",
                                             "\x7f", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                             "\xff", "\"\\", "\x1f\x20"};
  auto reference = [](const std::string& s) {
    return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
  };
  int checked = 0;
  for (const std::string& special : specials) {
    for (size_t before = 0; before <= 19; ++before) {
      for (size_t after : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{17}}) {
        const std::string text = std::string(before, 'a') + special + std::string(after, '~');
        std::string out = "x";
        AppendJsonString(out, text);
        ASSERT_EQ(out, "x" + reference(text)) << "special of " << special.size() << " byte(s) after " << before;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 15 * 20 * 5);
  std::string plain(1000, 'Q');
  std::string out;
  AppendJsonString(out, plain);
  EXPECT_EQ(out, "\"" + plain + "\"");
}

TEST(JsonAccessors, GetString) {
  Json j = *ParseJson(R"({"s":"v","n":1,"o":{}})");
  EXPECT_EQ(*GetString(j, "s"), "v");
  EXPECT_CODE(GetString(j, "missing"), kInvalidClaims);
  EXPECT_CODE(GetString(j, "n"), kInvalidClaims);
  EXPECT_CODE(GetString(Json::array(), "s"), kInvalidClaims);
  EXPECT_FALSE(GetOptionalString(j, "missing")->has_value());
  EXPECT_EQ(GetOptionalString(j, "s")->value(), "v");
  EXPECT_CODE(GetOptionalString(j, "o"), kInvalidClaims);
}

TEST(JsonAccessors, GetInt) {
  Json j = *ParseJson(
      R"({"i":5,"f":5.0,"e":1.0e9,"h":5.5,"s":"5","b":true,"max":9223372036854775807,)"
      R"("min":-9223372036854775808,"big":9223372036854775808,"huge":1e300,"neg":-7})");
  EXPECT_EQ(*GetInt(j, "i"), 5);
  EXPECT_EQ(*GetInt(j, "f"), 5);
  EXPECT_EQ(*GetInt(j, "e"), 1000000000);
  EXPECT_EQ(*GetInt(j, "max"), INT64_MAX);
  EXPECT_EQ(*GetInt(j, "min"), INT64_MIN);
  EXPECT_EQ(*GetInt(j, "neg"), -7);
  EXPECT_CODE(GetInt(j, "h"), kInvalidClaims);
  EXPECT_CODE(GetInt(j, "s"), kInvalidClaims);
  EXPECT_CODE(GetInt(j, "b"), kInvalidClaims);
  EXPECT_CODE(GetInt(j, "big"), kInvalidClaims);   // does not fit int64
  EXPECT_CODE(GetInt(j, "huge"), kInvalidClaims);
  EXPECT_CODE(GetInt(j, "missing"), kInvalidClaims);
  EXPECT_FALSE(GetOptionalInt(j, "missing")->has_value());
  EXPECT_EQ(GetOptionalInt(j, "i")->value(), 5);
  EXPECT_CODE(GetOptionalInt(j, "s"), kInvalidClaims);
}

TEST(JsonAccessors, GetObjectArrayFind) {
  Json j = *ParseJson(R"({"o":{"k":1},"a":[1],"s":"x"})");
  EXPECT_EQ((**GetObject(j, "o"))["k"], 1);
  EXPECT_EQ((*GetArray(j, "a"))->size(), 1u);
  EXPECT_CODE(GetObject(j, "a"), kInvalidClaims);
  EXPECT_CODE(GetObject(j, "missing"), kInvalidClaims);
  EXPECT_CODE(GetArray(j, "o"), kInvalidClaims);
  EXPECT_CODE(GetArray(j, "missing"), kInvalidClaims);
  EXPECT_NE(Find(j, "s"), nullptr);
  EXPECT_EQ(Find(j, "missing"), nullptr);
  EXPECT_EQ(Find(Json::array({1}), "0"), nullptr);
  EXPECT_EQ(Find(Json("s"), "s"), nullptr);
}

// ---------------------------------------------------------------- Status / Result

TEST(Status, NamesAreStableAndDistinct) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kMalformed), "malformed");
  EXPECT_EQ(StatusCodeName(StatusCode::kInvalidSignature), "invalid_signature");
  EXPECT_EQ(StatusCodeName(StatusCode::kUnknownCritical), "unknown_critical_header");
  EXPECT_EQ(StatusCodeName(StatusCode::kInvalidClaims), "invalid_claims");
  EXPECT_EQ(StatusCodeName(StatusCode::kPermissionDenied), "permission_denied");
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(StatusCode::kPermissionDenied); ++c) {
    names.insert(StatusCodeName(static_cast<StatusCode>(c)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(StatusCode::kPermissionDenied) + 1);
}

TEST(Status, ToStringAndOk) {
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(OkStatus().ToString(), "ok");
  Status s = Error(StatusCode::kExpired, "at 5");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kExpired);
  EXPECT_EQ(s.message(), "at 5");
  EXPECT_EQ(s.ToString(), "expired: at 5");
  EXPECT_EQ(Error(StatusCode::kRevoked, "").ToString(), "revoked");
}

TEST(Result, HoldsValueOrError) {
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  EXPECT_TRUE(v.status().ok());
  Result<int> e = Error(StatusCode::kNotFound, "x");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
}

#ifdef NDEBUG
TEST(Result, OkStatusAsErrorBecomesInternal) {
  // In debug builds this asserts; in release it must not produce an "ok" error.
  Result<int> r = OkStatus();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}
#endif

Status FailIf(bool fail) { return fail ? Error(StatusCode::kMalformed, "fail") : OkStatus(); }
Result<int> ValueOr(bool fail, int v) {
  if (fail) return Error(StatusCode::kInvalidKey, "fail");
  return v;
}
Status UseReturnIfError(bool fail_status, bool fail_result, int* reached) {
  RETURN_IF_ERROR(FailIf(fail_status));
  RETURN_IF_ERROR(ValueOr(fail_result, 1));
  *reached = 1;
  return OkStatus();
}
Result<int> UseAssignOrReturn(bool fail_a, bool fail_b) {
  ASSIGN_OR_RETURN(int a, ValueOr(fail_a, 2));
  int b = 0;
  ASSIGN_OR_RETURN(b, ValueOr(fail_b, 3));
  return a * b;
}
Result<std::unique_ptr<int>> MakeUnique(bool fail) {
  if (fail) return Error(StatusCode::kInternal, "no");
  return std::make_unique<int>(9);
}
Result<int> UseMoveOnly(bool fail) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> p, MakeUnique(fail));
  return *p;
}

TEST(Macros, ReturnIfErrorPropagatesExactStatus) {
  int reached = 0;
  EXPECT_CODE(UseReturnIfError(true, false, &reached), kMalformed);
  EXPECT_EQ(reached, 0);
  EXPECT_CODE(UseReturnIfError(false, true, &reached), kInvalidKey);
  EXPECT_EQ(reached, 0);
  EXPECT_CODE(UseReturnIfError(false, false, &reached), kOk);
  EXPECT_EQ(reached, 1);
}

TEST(Macros, AssignOrReturn) {
  EXPECT_EQ(*UseAssignOrReturn(false, false), 6);
  EXPECT_CODE(UseAssignOrReturn(true, false), kInvalidKey);
  EXPECT_CODE(UseAssignOrReturn(false, true), kInvalidKey);
  EXPECT_EQ(*UseMoveOnly(false), 9);
  EXPECT_CODE(UseMoveOnly(true), kInternal);
}

// ---------------------------------------------------------------- SecretBytes

static_assert(!std::is_copy_constructible_v<SecretBytes>, "secrets must not be copied implicitly");
static_assert(!std::is_copy_assignable_v<SecretBytes>, "secrets must not be copied implicitly");
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);
static_assert(!std::is_convertible_v<SecretBytes, std::string>);
static_assert(!std::is_convertible_v<SecretBytes, Bytes>);
static_assert(!std::is_convertible_v<Bytes, SecretBytes>, "construction from bytes is explicit");

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a(Bytes{1, 2, 3});
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.view()[2], 3);
}

TEST(SecretBytes, MoveAssignReplacesAndEmptiesSource) {
  SecretBytes a(Bytes{1, 2, 3});
  SecretBytes b(Bytes{9, 9});
  b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.view()[0], 1);
}

TEST(SecretBytes, SelfMoveAssignKeepsContents) {
  SecretBytes a(Bytes{4, 5});
  SecretBytes& alias = a;
  a = std::move(alias);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.view()[1], 5);
}

TEST(SecretBytes, CloneIsIndependent) {
  SecretBytes a(Bytes{1, 2});
  SecretBytes c = a.Clone();
  c.mutable_data()[0] = 7;
  EXPECT_EQ(a.view()[0], 1);
  EXPECT_EQ(c.view()[0], 7);
}

TEST(SecretBytes, SizedConstructorIsZeroed) {
  SecretBytes z(16);
  ASSERT_EQ(z.size(), 16u);
  for (uint8_t b : z.view()) EXPECT_EQ(b, 0);
  EXPECT_TRUE(SecretBytes().empty());
}

// ---------------------------------------------------------------- clocks and Random

TEST(Clock, FixedClockReturnsWhatItIsTold) {
  FixedClock c(1700000000);
  EXPECT_EQ(c.NowSeconds(), 1700000000);
  c.Set(-5);
  EXPECT_EQ(c.NowSeconds(), -5);
  const Clock& as_clock = c;
  EXPECT_EQ(as_clock.NowSeconds(), -5);
}

TEST(Clock, SystemClockIsNearTime) {
  int64_t t = static_cast<int64_t>(std::time(nullptr));
  int64_t now = SystemClock::Default().NowSeconds();
  EXPECT_LE(std::abs(now - t), 5);
}

class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::deque<uint64_t> values) : values_(std::move(values)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_EQ(out.size(), sizeof(uint64_t));
    ASSERT_FALSE(values_.empty());
    uint64_t v = values_.front();
    values_.pop_front();
    std::memcpy(out.data(), &v, sizeof v);
  }
  size_t remaining() const { return values_.size(); }

 private:
  std::deque<uint64_t> values_;
};

TEST(Random, UniformRejectsTheBiasedTail) {
  // bound = 2^63 + 1: only [0, bound) fits wholly in 64 bits; values >= bound are in the partial
  // range and must be redrawn.
  const uint64_t bound = (uint64_t{1} << 63) + 1;
  ScriptedRandom r({UINT64_MAX, 5});
  EXPECT_EQ(r.Uniform(bound), 5u);
  EXPECT_EQ(r.remaining(), 0u);
  ScriptedRandom r2({bound, bound - 1});  // boundary: bound itself is rejected, bound - 1 kept
  EXPECT_EQ(r2.Uniform(bound), bound - 1);
  EXPECT_EQ(r2.remaining(), 0u);
  ScriptedRandom r3({10});  // 2^64 - 1 is a multiple of 3: nothing is rejected
  EXPECT_EQ(r3.Uniform(3), 1u);
}

TEST(Random, IdentifierNeverStartsWithADash) {
  // The first base64url character is the top six bits of the first byte (the low byte of the
  // scripted little-endian value): 0xF8 gives index 62, '-', which is drawn again.
  ScriptedRandom dash({0xF8, 0x01});
  const std::string id = dash.Identifier(8);
  EXPECT_EQ(dash.remaining(), 0u);  // both values were used
  EXPECT_EQ(id.size(), 11u);
  EXPECT_EQ(id.front(), 'A');  // 0x01: top six bits 0
  // Boundaries: index 61 ('9') and 63 ('_') are kept at the first draw.
  ScriptedRandom nine({0xF4});
  EXPECT_EQ(nine.Identifier(8).front(), '9');
  EXPECT_EQ(nine.remaining(), 0u);
  ScriptedRandom underscore({0xFC});
  EXPECT_EQ(underscore.Identifier(8).front(), '_');
}

TEST(Random, UniformDegenerateBounds) {
  ScriptedRandom r({});
  EXPECT_EQ(r.Uniform(0), 0u);
  EXPECT_EQ(r.Uniform(1), 0u);
}

}  // namespace
}  // namespace bonafide

namespace bonafide {
namespace {

// DumpJson has its own serialiser (nlohmann's constructs a locale-aware serialiser per call);
// it must produce the same bytes as the library for everything bonafide signs.
TEST(DumpJsonTest, MatchesLibrarySerialiser) {
  const Json cases[] = {
      Json::parse(R"({"b":1,"a":[true,false,null,-5,18446744073709551615,"x"],"c":{"z":"\u0001\"\\\n\t\r\b\f/"}})"),
      Json("Möbius – 日本 😀"),
      Json(""),
      Json::array(),
      Json::object(),
      Json(3.14),
      Json(-0.0),
      Json(1e300),
      Json(std::string("a\x7f" "b")),
      Json::parse(R"([{"nested":[[[]],{"k":{"k":{}}}]}])"),
  };
  for (const Json& c : cases) {
    EXPECT_EQ(DumpJson(c), c.dump(-1, ' ', false, Json::error_handler_t::replace)) << c.dump();
  }
}

TEST(DumpJsonTest, ReplacesInvalidUtf8LikeTheLibrary) {
  for (std::string bad : {std::string("a\xff" "b"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                          std::string("\xf4\x90\x80\x80"), std::string("trail\xe2\x82")}) {
    Json j(bad);
    std::string ours = DumpJson(j);
    EXPECT_NE(ours.find("\xEF\xBF\xBD"), std::string::npos) << ours;
    // What we write is valid JSON text that parses strictly.
    EXPECT_TRUE(ParseJson(ours).ok()) << ours;
  }
}

}  // namespace
}  // namespace bonafide

namespace bonafide {
namespace {

// Regression (found by fuzzing): an empty view reached simdjson with a null data pointer.
TEST(JsonRegressionTest, EmptyInputIsMalformed) {
  EXPECT_EQ(ParseJson(std::string_view()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseJson("").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseJson("   ").status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide
