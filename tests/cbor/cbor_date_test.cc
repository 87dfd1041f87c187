// Tests for the tdate / full-date helpers of cbor/cbor.h.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "cbor/cbor.h"

namespace bonafide::cbor {
namespace {

StatusCode TDateCode(std::string_view s) {
  Result<int64_t> r = ParseTDate(s);
  return r.ok() ? StatusCode::kOk : r.status().code();
}

StatusCode FullDateCode(std::string_view s) {
  Result<int64_t> r = ParseFullDate(s);
  return r.ok() ? StatusCode::kOk : r.status().code();
}

constexpr int64_t kYear1 = -62135596800;     // 0001-01-01T00:00:00Z
constexpr int64_t kYear9999End = 253402300799;  // 9999-12-31T23:59:59Z

TEST(CborTDateTest, ParsesValidDateTimes) {
  EXPECT_EQ(*ParseTDate("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTDate("2020-10-01T13:30:02Z"), 1601559002);  // Annex D validFrom
  EXPECT_EQ(*ParseTDate("2020-10-01T13:30:02.999Z"), 1601559002);  // fraction truncated
  EXPECT_EQ(*ParseTDate("2020-10-01T13:30:02.0Z"), 1601559002);
  EXPECT_EQ(*ParseTDate("2020-10-01T15:30:02+02:00"), 1601559002);
  EXPECT_EQ(*ParseTDate("2020-10-01T12:00:02-01:30"), 1601559002);
  EXPECT_EQ(*ParseTDate("2020-10-01T13:30:02.5+00:00"), 1601559002);
  EXPECT_EQ(*ParseTDate("2024-02-29T12:00:00Z"), 1709208000);
  EXPECT_EQ(*ParseTDate("2000-02-29T00:00:00Z"), 951782400);
  EXPECT_EQ(*ParseTDate("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(*ParseTDate("0001-01-01T00:00:00Z"), kYear1);
  EXPECT_EQ(*ParseTDate("9999-12-31T23:59:59Z"), kYear9999End);
  EXPECT_EQ(*ParseTDate("2020-12-31T23:59:59+23:59"), *ParseTDate("2020-12-31T00:00:59Z"));
}

TEST(CborTDateTest, RejectsMalformedDateTimes) {
  for (const char* s : {
           "",
           "2020-10-01",                    // a full-date
           "2020-10-01T13:30:02",           // no zone
           "2020-10-01T13:30Z",             // no seconds
           "2020-10-01t13:30:02Z",          // lower-case t
           "2020-10-01T13:30:02z",          // lower-case z
           "2020-10-01 13:30:02Z",          // space
           "2020-13-01T00:00:00Z",          // month 13
           "2020-00-01T00:00:00Z",          // month 0
           "2020-10-32T00:00:00Z",          // day 32
           "2020-10-00T00:00:00Z",          // day 0
           "2020-09-31T00:00:00Z",          // September has 30 days
           "2023-02-29T00:00:00Z",          // not a leap year
           "1900-02-29T00:00:00Z",          // century, not a leap year
           "2020-10-01T24:00:00Z",          // hour 24
           "2020-10-01T23:60:00Z",          // minute 60
           "2020-10-01T23:59:60Z",          // leap second
           "2020-10-01T13:30:02.Z",         // empty fraction
           "2020-10-01T13:30:02+2:00",      // short offset
           "2020-10-01T13:30:02+24:00",     // offset hour 24
           "2020-10-01T13:30:02+02:60",     // offset minute 60
           "2020-10-01T13:30:02+0200",      // offset without colon
           "2020-10-01T13:30:02+02:00Z",    // trailing
           "2020-10-01T13:30:02ZZ",         // trailing
           "0000-01-01T00:00:00Z",          // year 0
           "+2020-10-01T13:30:02Z",         // sign
           "20201-10-01T13:30:02Z",         // five-digit year
           "2020-1-01T13:30:02Z",           // unpadded month
           "2020/10/01T13:30:02Z",          // wrong separator
       }) {
    EXPECT_EQ(TDateCode(s), StatusCode::kMalformed) << s;
  }
}

TEST(CborTDateTest, FormatsAndRoundTrips) {
  EXPECT_EQ(*FormatTDate(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*FormatTDate(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*FormatTDate(1601559002), "2020-10-01T13:30:02Z");
  EXPECT_EQ(*FormatTDate(1709208000), "2024-02-29T12:00:00Z");
  EXPECT_EQ(*FormatTDate(kYear1), "0001-01-01T00:00:00Z");
  EXPECT_EQ(*FormatTDate(kYear9999End), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatTDate(kYear1 - 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatTDate(kYear9999End + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatTDate(INT64_MIN).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatTDate(INT64_MAX).status().code(), StatusCode::kInvalidArgument);
  std::mt19937_64 rng(18013);
  std::uniform_int_distribution<int64_t> dist(kYear1, kYear9999End);
  for (int i = 0; i < 2000; ++i) {
    const int64_t t = dist(rng);
    Result<std::string> s = FormatTDate(t);
    ASSERT_TRUE(s.ok()) << t;
    Result<int64_t> back = ParseTDate(*s);
    ASSERT_TRUE(back.ok()) << *s;
    EXPECT_EQ(*back, t) << *s;
  }
}

TEST(CborFullDateTest, ParsesAndFormats) {
  EXPECT_EQ(*ParseFullDate("2019-10-20"), 1571529600);
  EXPECT_EQ(*ParseFullDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseFullDate("2020-02-29"), *ParseTDate("2020-02-29T00:00:00Z"));
  EXPECT_EQ(*ParseFullDate("0001-01-01"), kYear1);
  EXPECT_EQ(*FormatFullDate(1571529600), "2019-10-20");
  EXPECT_EQ(*FormatFullDate(1571529600 + 86399), "2019-10-20");
  EXPECT_EQ(*FormatFullDate(1571529600 + 86400), "2019-10-21");
  EXPECT_EQ(*FormatFullDate(-1), "1969-12-31");
  EXPECT_EQ(*FormatFullDate(kYear9999End), "9999-12-31");
  EXPECT_EQ(FormatFullDate(kYear9999End + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatFullDate(kYear1 - 1).status().code(), StatusCode::kInvalidArgument);
  for (int64_t day = -800000; day < 3000000; day += 997) {
    const int64_t t = day * 86400;
    Result<std::string> s = FormatFullDate(t);
    if (!s.ok()) continue;
    EXPECT_EQ(*ParseFullDate(*s), t) << *s;
  }
}

TEST(CborFullDateTest, RejectsMalformedDates) {
  for (const char* s : {"", "2019-10-20T00:00:00Z", "2019-10-20Z", "2019-1-20", "2019-10-2",
                        "2019-13-01", "2019-00-10", "2019-02-29", "2100-02-29", "2019-04-31",
                        "2019-10-20 ", " 2019-10-20", "0000-01-01", "2019_10_20", "20191020"}) {
    EXPECT_EQ(FullDateCode(s), StatusCode::kMalformed) << s;
  }
  EXPECT_EQ(FullDateCode("2000-02-29"), StatusCode::kOk);
  EXPECT_EQ(FullDateCode("2019-04-30"), StatusCode::kOk);
  EXPECT_EQ(FullDateCode("9999-12-31"), StatusCode::kOk);
}

}  // namespace
}  // namespace bonafide::cbor
