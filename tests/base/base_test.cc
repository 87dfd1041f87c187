#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"

namespace bonafide {
namespace {

TEST(Base64Url, RoundTripAndStrictness) {
  EXPECT_EQ(Base64UrlEncode(std::string_view("hi?")), "aGk_");
  auto ok = Base64UrlDecode("aGk_");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ToString(*ok), "hi?");
  EXPECT_EQ(Base64UrlDecode("aGk=").status().code(), StatusCode::kMalformed);   // padding
  EXPECT_EQ(Base64UrlDecode("aGk/").status().code(), StatusCode::kMalformed);   // std alphabet
  EXPECT_EQ(Base64UrlDecode("aGk").status().code(), StatusCode::kOk);
  EXPECT_EQ(Base64UrlDecode("aGl").status().code(), StatusCode::kMalformed);    // trailing bits
  EXPECT_EQ(Base64UrlDecode("a").status().code(), StatusCode::kMalformed);      // impossible length
}

TEST(Json, RejectsDuplicateKeys) {
  EXPECT_TRUE(ParseJson(R"({"a":1,"b":2})").ok());
  auto dup = ParseJson(R"({"a":1,"a":2})");
  EXPECT_EQ(dup.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseJson(R"({"x":{"a":1,"a":2}})").status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide
