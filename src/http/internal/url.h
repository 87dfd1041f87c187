// http/internal/url.h: query-string decoding for the server (application/x-www-form-urlencoded
// rules of the WHATWG URL standard, section 5.1). Internal to src/http.
#ifndef BONAFIDE_HTTP_INTERNAL_URL_H_
#define BONAFIDE_HTTP_INTERNAL_URL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bonafide::http::internal {

// PercentDecode decodes %XX escapes and, when `plus_is_space`, '+' as a space. A '%' not
// followed by two hex digits is kept as is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// ParseQuery splits "a=1&b=&c" into decoded (name, value) pairs in order; empty pieces are
// skipped and a piece without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace bonafide::http::internal

#endif  // BONAFIDE_HTTP_INTERNAL_URL_H_
