#include "status/internal/datetime.h"

#include <chrono>
#include <cstdio>

namespace bonafide::status::internal {
namespace {

// ReadDigits reads exactly `n` ASCII digits at `pos` of `s` into `out`; false otherwise.
bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

}  // namespace

Result<int64_t> ParseDateTimeStamp(std::string_view s) {
  const Status bad = Error(StatusCode::kMalformed, "not an XML Schema dateTimeStamp: \"" + std::string(s) + "\"");
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, 0, 4, year) || !Expect(s, 4, '-') || !ReadDigits(s, 5, 2, month) || !Expect(s, 7, '-') ||
      !ReadDigits(s, 8, 2, day) || !Expect(s, 10, 'T') || !ReadDigits(s, 11, 2, hour) || !Expect(s, 13, ':') ||
      !ReadDigits(s, 14, 2, minute) || !Expect(s, 16, ':') || !ReadDigits(s, 17, 2, second)) {
    return bad;
  }
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return bad;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return bad;

  size_t pos = 19;
  if (Expect(s, pos, '.')) {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad;
  }
  int offset_seconds = 0;
  if (Expect(s, pos, 'Z')) {
    ++pos;
  } else if (Expect(s, pos, '+') || Expect(s, pos, '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!ReadDigits(s, pos + 1, 2, oh) || !Expect(s, pos + 3, ':') || !ReadDigits(s, pos + 4, 2, om)) return bad;
    if (oh > 14 || om > 59) return bad;
    offset_seconds = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad;
  }
  if (pos != s.size()) return bad;

  const int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
}

Result<std::string> FormatDateTimeStamp(int64_t unix_seconds) {
  // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
  constexpr int64_t kMin = -62135596800;
  constexpr int64_t kMax = 253402300799;
  if (unix_seconds < kMin || unix_seconds > kMax) {
    return Error(StatusCode::kInvalidArgument, "time outside the years 0001-9999");
  }
  int64_t days = unix_seconds / 86400;
  int64_t rem = unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                static_cast<int>((rem / 60) % 60), static_cast<int>(rem % 60));
  return std::string(buf);
}

}  // namespace bonafide::status::internal
