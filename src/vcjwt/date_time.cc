#include "vcjwt/date_time.h"

#include <array>

namespace bonafide::vcjwt {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr std::array<int64_t, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && IsLeapYear(y)) return 29;
  return kDays[static_cast<size_t>(m - 1)];
}

// DaysBeforeYear returns the days from 0001-01-01 to y-01-01 (y >= 1), Gregorian throughout.
int64_t DaysBeforeYear(int64_t y) {
  const int64_t p = y - 1;
  return 365 * p + p / 4 - p / 100 + p / 400;
}

const int64_t kUnixEpochDay = DaysBeforeYear(1970);  // day number of 1970-01-01

// DayNumber returns the days from 0001-01-01 to the valid date y-m-d.
int64_t DayNumber(int64_t y, int64_t m, int64_t d) {
  int64_t days = DaysBeforeYear(y);
  for (int64_t i = 1; i < m; ++i) days += DaysInMonth(y, i);
  return days + d - 1;
}

// Cursor reads fixed-width fields from the input without running past its end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  // Digits reads exactly `n` decimal digits into `out`.
  bool Digits(size_t n, int64_t& out) {
    if (s_.size() - pos_ < n) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    out = v;
    return true;
  }
  // Fraction reads one or more digits after '.' and reports whether any is non-zero.
  bool Fraction(bool& nonzero) {
    size_t start = pos_;
    nonzero = false;
    while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      nonzero = nonzero || s_[pos_] != '0';
      ++pos_;
    }
    return pos_ > start;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Status Bad(std::string_view text, std::string_view why) {
  return Error(StatusCode::kInvalidClaims,
               "\"" + std::string(text.substr(0, 64)) + "\" is not an XML Schema dateTimeStamp: " + std::string(why));
}

}  // namespace

Result<std::string> FormatDateTime(int64_t unix_seconds) {
  constexpr int64_t kMin = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  if (unix_seconds < kMin || unix_seconds > kMax) {
    return Error(StatusCode::kInvalidArgument, "time outside years 0001-9999");
  }
  int64_t secs = unix_seconds - kMin;  // seconds since 0001-01-01T00:00:00Z, non-negative
  int64_t day = secs / kSecondsPerDay;
  int64_t sod = secs % kSecondsPerDay;
  int64_t y = day * 400 / 146097 + 1;  // estimate, corrected below
  while (DaysBeforeYear(y + 1) <= day) ++y;
  while (DaysBeforeYear(y) > day) --y;
  int64_t rem = day - DaysBeforeYear(y);
  int64_t m = 1;
  while (rem >= DaysInMonth(y, m)) rem -= DaysInMonth(y, m++);
  const int64_t d = rem + 1;
  auto pad = [](int64_t v, size_t width) {
    std::string s = std::to_string(v);
    return std::string(width > s.size() ? width - s.size() : 0, '0') + s;
  };
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(sod / 3600, 2) + ":" +
         pad(sod / 60 % 60, 2) + ":" + pad(sod % 60, 2) + "Z";
}

Result<int64_t> ParseDateTime(std::string_view text, DateTimeRounding rounding) {
  Cursor c(text);
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!c.Digits(4, y) || !c.Consume('-') || !c.Digits(2, mo) || !c.Consume('-') || !c.Digits(2, d)) {
    return Bad(text, "expected YYYY-MM-DD");
  }
  if (!c.Consume('T') || !c.Digits(2, h) || !c.Consume(':') || !c.Digits(2, mi) || !c.Consume(':') ||
      !c.Digits(2, s)) {
    return Bad(text, "expected Thh:mm:ss");
  }
  if (y < 1) return Bad(text, "year 0000");
  if (mo < 1 || mo > 12) return Bad(text, "month out of range");
  if (d < 1 || d > DaysInMonth(y, mo)) return Bad(text, "day out of range");
  if (h > 23 || mi > 59 || s > 59) return Bad(text, "time out of range");
  bool round_up = false;
  if (c.Consume('.')) {
    bool nonzero = false;
    if (!c.Fraction(nonzero)) return Bad(text, "empty fractional second");
    round_up = nonzero && rounding == DateTimeRounding::kCeiling;
  }
  int64_t offset = 0;
  if (c.Consume('Z')) {
    // UTC
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    const int64_t sign = c.Peek() == '+' ? 1 : -1;
    c.Consume(c.Peek());
    int64_t oh = 0, om = 0;
    if (!c.Digits(2, oh) || !c.Consume(':') || !c.Digits(2, om)) return Bad(text, "bad time zone");
    if (om > 59 || oh > 14 || (oh == 14 && om != 0)) return Bad(text, "time zone out of range");
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return Bad(text, "missing time zone");
  }
  if (!c.AtEnd()) return Bad(text, "trailing characters");
  const int64_t days = DayNumber(y, mo, d) - kUnixEpochDay;
  return days * kSecondsPerDay + h * 3600 + mi * 60 + s - offset + (round_up ? 1 : 0);
}

}  // namespace bonafide::vcjwt
