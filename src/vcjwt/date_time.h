// vcjwt/date_time.h: XML Schema dateTimeStamp strings as used by W3C VCDM 2.0 `validFrom`,
// `validUntil` and `expectedUpdate` (VCDM 2.0 section 4.9; XMLSCHEMA11-2 section 3.4.28).
//
// Formatting always produces the canonical UTC form "YYYY-MM-DDThh:mm:ssZ". Parsing is strict:
// a four-digit year 0001-9999, every field zero-padded, an optional fractional second, and a
// required time zone ("Z" or "+hh:mm" / "-hh:mm", at most 14:00). Leap seconds (ss = 60) and
// "24:00:00" are rejected. Times are Unix seconds (int64) in the proleptic Gregorian calendar.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_VCJWT_DATE_TIME_H_
#define BONAFIDE_VCJWT_DATE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bonafide::vcjwt {

// FormatDateTime returns `unix_seconds` as "YYYY-MM-DDThh:mm:ssZ", or kInvalidArgument when the
// time falls outside years 0001-9999.
Result<std::string> FormatDateTime(int64_t unix_seconds);

// DateTimeRounding says which way a fractional second moves the parsed time.
enum class DateTimeRounding {
  kFloor,    // towards the past: the strict choice for an end of validity
  kCeiling,  // towards the future: the strict choice for a start of validity
};

// ParseDateTime returns the Unix time of the dateTimeStamp `text`, or kInvalidClaims when it is
// not a well-formed dateTimeStamp (including a missing time zone or an impossible date).
Result<int64_t> ParseDateTime(std::string_view text,
                              DateTimeRounding rounding = DateTimeRounding::kFloor);

}  // namespace bonafide::vcjwt

#endif  // BONAFIDE_VCJWT_DATE_TIME_H_
