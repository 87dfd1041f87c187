// status/internal/datetime.h: the XML Schema dateTimeStamp form VCDM 2.0 uses for validFrom and
// validUntil (an RFC 3339 date-time with a mandatory offset), to and from Unix seconds.
//
// Internal to src/status. Thread safety: pure functions.
#ifndef BONAFIDE_STATUS_INTERNAL_DATETIME_H_
#define BONAFIDE_STATUS_INTERNAL_DATETIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bonafide::status::internal {

// ParseDateTimeStamp parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (years 0001-9999)
// into Unix seconds, dropping any fraction. kMalformed for anything else, including a missing
// offset, an impossible date (2023-02-30) or hour 24.
Result<int64_t> ParseDateTimeStamp(std::string_view text);

// FormatDateTimeStamp renders Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". kInvalidArgument outside
// the years 0001-9999.
Result<std::string> FormatDateTimeStamp(int64_t unix_seconds);

}  // namespace bonafide::status::internal

#endif  // BONAFIDE_STATUS_INTERNAL_DATETIME_H_
