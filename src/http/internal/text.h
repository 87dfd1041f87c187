// http/internal/text.h: checks on text that goes into an HTTP message head. Internal to src/http.
#ifndef BONAFIDE_HTTP_INTERNAL_TEXT_H_
#define BONAFIDE_HTTP_INTERNAL_TEXT_H_

#include <string_view>

namespace bonafide::http::internal {

// HasCtl is true for text holding CR, LF or NUL: written into a start line or a header, it would
// end the line early or split the message (request or response splitting).
inline bool HasCtl(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

}  // namespace bonafide::http::internal

#endif  // BONAFIDE_HTTP_INTERNAL_TEXT_H_
