// cbor/date.cc: tdate (RFC 3339 date-time, tag 0) and full-date (tag 1004) conversions declared in
// cbor/cbor.h. Proleptic Gregorian calendar, years 0001-9999, Unix seconds as int64. Leap seconds
// (ss = 60) and hour 24 are rejected; offsets are "Z" or "+hh:mm" / "-hh:mm" with hh <= 23.
#include <cstdint>
#include <string>
#include <string_view>

#include "cbor/cbor.h"

namespace bonafide::cbor {

namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// DaysBeforeYear returns the number of days from 0001-01-01 to the first day of year y (y >= 1).
int64_t DaysBeforeYear(int64_t y) {
  const int64_t p = y - 1;
  return 365 * p + p / 4 - p / 100 + p / 400;
}

// DaysBeforeMonth returns the day of the year (0-based) on which month m of year y starts.
int64_t DaysBeforeMonth(int64_t y, int m) {
  int64_t days = 0;
  for (int i = 1; i < m; ++i) days += DaysInMonth(y, i);
  return days;
}

const int64_t kEpochDays = DaysBeforeYear(1970);  // 0001-01-01 .. 1970-01-01

// DaysFromCivil returns the days since 1970-01-01 of a valid date.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  return DaysBeforeYear(y) + DaysBeforeMonth(y, m) + (d - 1) - kEpochDays;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// CivilFromUnix returns the UTC date of `unix_seconds` and the seconds into that day, or
// kInvalidArgument outside years 0001-9999.
Result<CivilDate> CivilFromUnix(int64_t unix_seconds, int64_t& second_of_day) {
  int64_t days = unix_seconds / kSecondsPerDay;
  int64_t sod = unix_seconds % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  const int64_t since_year_one = days + kEpochDays;
  if (since_year_one < 0 || since_year_one >= DaysBeforeYear(10000)) {
    return Error(StatusCode::kInvalidArgument, "cbor: time outside years 0001-9999");
  }
  int64_t y = since_year_one * 400 / 146097 + 1;  // within one of the true year
  while (DaysBeforeYear(y + 1) <= since_year_one) ++y;
  while (DaysBeforeYear(y) > since_year_one) --y;
  int64_t day_of_year = since_year_one - DaysBeforeYear(y);
  int m = 1;
  while (day_of_year >= DaysInMonth(y, m)) {
    day_of_year -= DaysInMonth(y, m);
    ++m;
  }
  second_of_day = sod;
  return CivilDate{y, m, static_cast<int>(day_of_year) + 1};
}

// Digits parses exactly `n` ASCII digits at `pos`, or returns -1.
int64_t Digits(std::string_view s, size_t pos, size_t n) {
  if (pos > s.size() || s.size() - pos < n) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status BadDate(std::string_view kind, std::string_view text) {
  // Bound what we echo: the text is untrusted.
  std::string shown(text.substr(0, 40));
  return Error(StatusCode::kMalformed, "cbor: not an RFC 3339 " + std::string(kind) + ": \"" +
                                           shown + (text.size() > 40 ? "...\"" : "\""));
}

// ParseDatePart parses "YYYY-MM-DD" at the start of `text` into days since 1970-01-01.
bool ParseDatePart(std::string_view text, int64_t& days) {
  const int64_t y = Digits(text, 0, 4);
  const int64_t m = Digits(text, 5, 2);
  const int64_t d = Digits(text, 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || text[4] != '-' || text[7] != '-') return false;
  if (d > DaysInMonth(y, static_cast<int>(m))) return false;
  days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (s.size() < static_cast<size_t>(width)) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

}  // namespace

Result<int64_t> ParseTDate(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.f+](Z|+hh:mm|-hh:mm)
  if (text.size() < 20) return BadDate("date-time", text);
  int64_t days = 0;
  if (!ParseDatePart(text, days) || text[10] != 'T') return BadDate("date-time", text);
  const int64_t hh = Digits(text, 11, 2);
  const int64_t mm = Digits(text, 14, 2);
  const int64_t ss = Digits(text, 17, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 || text[13] != ':' ||
      text[16] != ':') {
    return BadDate("date-time", text);
  }
  size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    const size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return BadDate("date-time", text);
  }
  if (pos >= text.size()) return BadDate("date-time", text);
  int64_t offset = 0;
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int64_t oh = Digits(text, pos + 1, 2);
    const int64_t om = Digits(text, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || text[pos + 3] != ':') {
      return BadDate("date-time", text);
    }
    offset = (text[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return BadDate("date-time", text);
  }
  if (pos != text.size()) return BadDate("date-time", text);
  return days * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offset;
}

Result<std::string> FormatTDate(int64_t unix_seconds) {
  int64_t sod = 0;
  ASSIGN_OR_RETURN(const CivilDate date, CivilFromUnix(unix_seconds, sod));
  return Pad(date.year, 4) + "-" + Pad(date.month, 2) + "-" + Pad(date.day, 2) + "T" +
         Pad(sod / 3600, 2) + ":" + Pad(sod / 60 % 60, 2) + ":" + Pad(sod % 60, 2) + "Z";
}

Result<int64_t> ParseFullDate(std::string_view text) {
  int64_t days = 0;
  if (text.size() != 10 || !ParseDatePart(text, days)) return BadDate("full-date", text);
  return days * kSecondsPerDay;
}

Result<std::string> FormatFullDate(int64_t unix_seconds) {
  int64_t sod = 0;
  ASSIGN_OR_RETURN(const CivilDate date, CivilFromUnix(unix_seconds, sod));
  return Pad(date.year, 4) + "-" + Pad(date.month, 2) + "-" + Pad(date.day, 2);
}

}  // namespace bonafide::cbor
