// fuzz_web: the front ends' parsers and escaping on arbitrary bytes.
//
// The input is split at the first 0x00 byte into a header value and a text.
// Invariants:
//   - ParseCookieHeader: names are non-empty and contain no ';'; values contain no ';';
//   - FindCookie agrees with ParseCookieHeader's first pair of that name;
//   - RequestLang with the value as Cookie and Accept-Language headers answers a language;
//   - EscapeHtml: the output is valid UTF-8 with no '<', '>', '"', '\'' and no '&' that does not
//     start an entity it wrote, and escaping is idempotent on text without markup characters;
//   - SafeHref never returns a javascript: or data: URL;
//   - FormatLongDate succeeds only for 10-byte dates and then writes "day month year".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/message.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/session.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bonafide;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view header = input.substr(0, nul);
  const std::string_view text = nul == std::string_view::npos ? input : input.substr(nul + 1);

  const auto cookies = web::ParseCookieHeader(header);
  for (const auto& [name, value] : cookies) {
    Check(!name.empty());
    Check(name.find(';') == std::string::npos && value.find(';') == std::string::npos);
  }
  http::Request request;
  request.headers = {{"Cookie", std::string(header)}, {"Accept-Language", std::string(header)}};
  if (!cookies.empty()) {
    const auto found = web::FindCookie(request, cookies.front().first);
    Check(found.has_value() && *found == cookies.front().second);
  }
  const web::Lang lang = web::RequestLang(request);
  Check(lang == web::Lang::kEnglish || lang == web::Lang::kWelsh);

  const std::string escaped = web::EscapeHtml(text);
  Check(ValidUtf8(escaped));
  Check(escaped.find_first_of("<>\"'") == std::string::npos);
  for (size_t at = escaped.find('&'); at != std::string::npos; at = escaped.find('&', at + 1)) {
    const std::string_view rest = std::string_view(escaped).substr(at);
    Check(rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;") ||
          rest.starts_with("&quot;") || rest.starts_with("&#39;"));
  }
  if (escaped.find('&') == std::string::npos) Check(web::EscapeHtml(escaped) == escaped);

  const std::string href = web::SafeHref(text).str();
  Check(!href.starts_with("javascript:") && !href.starts_with("data:"));

  auto date = web::FormatLongDate(text, web::Lang::kWelsh);
  if (date.ok()) Check(text.size() == 10 && date->find(' ') != std::string::npos);
  return 0;
}
