#include "web/html.h"

#include <cstddef>
#include <cstdint>

namespace bonafide::web {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Utf8SequenceLength returns the length of the well-formed UTF-8 sequence at text[i] (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  const uint8_t b1 = byte(i + 1);
  if (b1 < low || b1 > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n':
      case '\r': out += c; break;
      default:
        if (static_cast<uint8_t>(c) < 0x20 || c == 0x7F) {
          out += kReplacement;
        } else {
          out += c;
        }
    }
    ++i;
  }
  return out;
}

Html Html::Text(std::string_view text) {
  Html html;
  html.markup_ = EscapeHtml(text);
  return html;
}

Html Html::Trusted(std::string_view markup) {
  Html html;
  html.markup_ = std::string(markup);
  return html;
}

Html Format(std::string_view trusted_template, std::initializer_list<Html> args) {
  std::string out;
  auto next = args.begin();
  size_t start = 0;
  while (true) {
    const size_t hole = trusted_template.find("{}", start);
    if (hole == std::string_view::npos) break;
    out.append(trusted_template.substr(start, hole - start));
    if (next != args.end()) {
      out += next->str();
      ++next;
    }
    start = hole + 2;
  }
  out.append(trusted_template.substr(start));
  for (; next != args.end(); ++next) out += next->str();
  return Html::Trusted(out);
}

Html Join(const std::vector<Html>& parts) {
  Html out;
  for (const Html& part : parts) out += part;
  return out;
}

Html SafeHref(std::string_view url) {
  const bool local_path = StartsWith(url, "/") && !StartsWith(url, "//") && !StartsWith(url, "/\\");
  const bool allowed = local_path || StartsWith(url, "https://") || StartsWith(url, "http://") ||
                       StartsWith(url, "openid4vp:") || StartsWith(url, "openid-credential-offer:") ||
                       StartsWith(url, "haip:");
  if (!allowed) return Html::Trusted("#");
  return Html::Text(url);
}

}  // namespace bonafide::web
