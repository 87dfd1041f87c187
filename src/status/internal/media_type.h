// status/internal/media_type.h: comparing a JOSE `typ` with a media type.
//
// RFC 7515 section 4.1.9: `typ` may omit the "application/" prefix, and media type names are
// case-insensitive (RFC 2045). Internal to src/status. Thread safety: pure function.
#ifndef BONAFIDE_STATUS_INTERNAL_MEDIA_TYPE_H_
#define BONAFIDE_STATUS_INTERNAL_MEDIA_TYPE_H_

#include <string_view>

namespace bonafide::status::internal {

// MediaTypeMatches is true if `typ` names `expected` (given without "application/"), with or
// without the "application/" prefix, ignoring ASCII case. Parameters (";...") never match.
inline bool MediaTypeMatches(std::string_view typ, std::string_view expected) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  auto equal_ci = [&](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  };
  constexpr std::string_view kPrefix = "application/";
  if (typ.size() > kPrefix.size() && equal_ci(typ.substr(0, kPrefix.size()), kPrefix)) typ.remove_prefix(kPrefix.size());
  return equal_ci(typ, expected);
}

}  // namespace bonafide::status::internal

#endif  // BONAFIDE_STATUS_INTERNAL_MEDIA_TYPE_H_
