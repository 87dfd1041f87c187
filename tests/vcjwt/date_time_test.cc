#include "vcjwt/date_time.h"

#include <gtest/gtest.h>

namespace bonafide::vcjwt {
namespace {

TEST(FormatDateTime, KnownInstants) {
  EXPECT_EQ(*FormatDateTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*FormatDateTime(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*FormatDateTime(1764151200), "2025-11-26T10:00:00Z");
  EXPECT_EQ(*FormatDateTime(1795687200), "2026-11-26T10:00:00Z");
  EXPECT_EQ(*FormatDateTime(1709251199), "2024-02-29T23:59:59Z");  // leap day
  EXPECT_EQ(*FormatDateTime(951868800), "2000-03-01T00:00:00Z");   // after a 400-year leap day
}

TEST(FormatDateTime, RangeIsYears0001To9999) {
  EXPECT_EQ(*FormatDateTime(-62135596800), "0001-01-01T00:00:00Z");
  EXPECT_EQ(*FormatDateTime(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatDateTime(-62135596801).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatDateTime(253402300800).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseDateTime, RoundTripsEveryDayAcrossCenturies) {
  // One instant per 97 hours from 1899 to 2101 covers every month, leap rule and time of day.
  for (int64_t t = -2240524800; t < 4133980800; t += 97 * 3600 + 1) {
    auto text = FormatDateTime(t);
    ASSERT_TRUE(text.ok());
    auto back = ParseDateTime(*text);
    ASSERT_TRUE(back.ok()) << *text;
    ASSERT_EQ(*back, t) << *text;
  }
}

TEST(ParseDateTime, TimeZonesAndFractions) {
  EXPECT_EQ(*ParseDateTime("2026-11-26T10:00:00Z"), 1795687200);
  EXPECT_EQ(*ParseDateTime("2026-11-26T11:00:00+01:00"), 1795687200);
  EXPECT_EQ(*ParseDateTime("2026-11-26T04:30:00-05:30"), 1795687200);
  EXPECT_EQ(*ParseDateTime("2026-11-26T10:00:00+14:00"), 1795687200 - 14 * 3600);
  EXPECT_EQ(*ParseDateTime("2026-11-26T10:00:00.000Z", DateTimeRounding::kCeiling), 1795687200);
  EXPECT_EQ(*ParseDateTime("2026-11-26T10:00:00.001Z", DateTimeRounding::kFloor), 1795687200);
  EXPECT_EQ(*ParseDateTime("2026-11-26T10:00:00.001Z", DateTimeRounding::kCeiling), 1795687201);
}

TEST(ParseDateTime, RejectsWhatIsNotADateTimeStamp) {
  const char* bad[] = {
      "",
      "2026-11-26T10:00:00",        // no time zone (a dateTime, not a dateTimeStamp)
      "2026-11-26",                 // date only
      "2026-11-26 10:00:00Z",       // space instead of T
      "2026-11-26t10:00:00Z",       // lower-case t
      "2026-11-26T10:00:00z",       // lower-case z
      "26-11-26T10:00:00Z",         // two-digit year
      "12026-11-26T10:00:00Z",      // five-digit year
      "0000-01-01T00:00:00Z",       // year zero
      "2026-13-01T00:00:00Z",       // month 13
      "2026-00-01T00:00:00Z",       // month 0
      "2025-02-29T00:00:00Z",       // not a leap year
      "1900-02-29T00:00:00Z",       // century, not a leap year
      "2026-04-31T00:00:00Z",       // April has 30 days
      "2026-11-26T24:00:00Z",       // hour 24
      "2026-11-26T10:60:00Z",       // minute 60
      "2026-11-26T10:00:60Z",       // leap second
      "2026-11-26T10:00:00.Z",      // empty fraction
      "2026-11-26T10:00:00+1:00",   // one-digit offset hour
      "2026-11-26T10:00:00+0100",   // offset without colon
      "2026-11-26T10:00:00+14:01",  // offset beyond 14:00
      "2026-11-26T10:00:00+10:60",  // offset minute 60
      "2026-11-26T10:00:00Z ",      // trailing space
      "2026-11-26T10:00:00ZZ",      // trailing data
      "+2026-11-26T10:00:00Z",      // sign on the year
      "2026-1-26T10:00:00Z",        // unpadded month
  };
  for (const char* text : bad) {
    EXPECT_EQ(ParseDateTime(text).status().code(), StatusCode::kInvalidClaims) << text;
  }
  // Boundaries that are valid.
  EXPECT_TRUE(ParseDateTime("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseDateTime("2000-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseDateTime("2026-04-30T23:59:59Z").ok());
  EXPECT_TRUE(ParseDateTime("0001-01-01T00:00:00Z").ok());
  EXPECT_TRUE(ParseDateTime("9999-12-31T23:59:59Z").ok());
}

}  // namespace
}  // namespace bonafide::vcjwt
