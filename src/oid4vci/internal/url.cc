#include "oid4vci/internal/url.h"

#include <set>

#include "base/encoding.h"

namespace bonafide::oid4vci::internal {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7E) {
      return Error(StatusCode::kMalformed, "URL-encoded text holds a raw byte outside printable ASCII");
    }
    if (ch == '%') {
      if (text.size() - i < 3) return Error(StatusCode::kMalformed, "truncated percent escape");
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return Error(StatusCode::kMalformed, "percent escape is not two hex digits");
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (ch == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

Result<QueryParams> ParseQuery(std::string_view query, size_t max_params) {
  QueryParams params;
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  while (true) {
    const size_t amp = query.find('&', start);
    const std::string_view part =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (part.empty()) return Error(StatusCode::kMalformed, "empty query component");
    if (params.size() == max_params) {
      return Error(StatusCode::kLimitExceeded, "too many query parameters");
    }
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return Error(StatusCode::kMalformed, "query component without '='");
    ASSIGN_OR_RETURN(std::string name, PercentDecode(part.substr(0, eq), true));
    ASSIGN_OR_RETURN(std::string value, PercentDecode(part.substr(eq + 1), true));
    if (name.empty()) return Error(StatusCode::kMalformed, "query parameter with an empty name");
    if (!seen.insert(name).second) {
      return Error(StatusCode::kMalformed, "query parameter repeated: " + name);
    }
    params.emplace_back(std::move(name), std::move(value));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return params;
}

Status CheckUrl(std::string_view url, std::string_view what, bool allow_query,
                bool allow_http_loopback) {
  const std::string name(what);
  if (!IsVisibleAscii(url)) {
    return Error(StatusCode::kInvalidClaims, name + " holds characters outside printable ASCII");
  }
  bool http = false;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (allow_http_loopback && url.starts_with("http://")) {
    rest = url.substr(7);
    http = true;
  } else {
    return Error(StatusCode::kInvalidClaims, name + " must be an https URL");
  }
  if (url.find('#') != std::string_view::npos) {
    return Error(StatusCode::kInvalidClaims, name + " must not have a fragment");
  }
  if (!allow_query && url.find('?') != std::string_view::npos) {
    return Error(StatusCode::kInvalidClaims, name + " must not have a query");
  }
  const size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  if (authority.empty()) return Error(StatusCode::kInvalidClaims, name + " has no host");
  if (authority.find('@') != std::string_view::npos) {
    return Error(StatusCode::kInvalidClaims, name + " must not carry userinfo");
  }
  // The host is the authority without a trailing ":port" (an IPv6 literal keeps its brackets).
  std::string_view host = authority;
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return Error(StatusCode::kInvalidClaims, name + " has a bad port");
    }
    host = authority.substr(0, colon);
  }
  if (host.empty()) return Error(StatusCode::kInvalidClaims, name + " has no host");
  if (http && host != "localhost" && host != "127.0.0.1" && host != "[::1]") {
    return Error(StatusCode::kInvalidClaims, name + " may use http only on a loopback host");
  }
  return OkStatus();
}

Result<std::string> GetNonEmptyString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::string value, GetString(obj, key));
  if (value.empty()) return Error(StatusCode::kInvalidClaims, std::string(key) + " must not be empty");
  return value;
}

Result<std::optional<std::string>> GetOptionalNonEmptyString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, GetOptionalString(obj, key));
  if (value.has_value() && value->empty()) {
    return Error(StatusCode::kInvalidClaims, std::string(key) + " must not be empty");
  }
  return value;
}

Result<std::vector<std::string>> GetStringArray(const Json& obj, std::string_view key, bool non_empty,
                                                bool unique) {
  ASSIGN_OR_RETURN(const Json* array, GetArray(obj, key));
  const std::string name(key);
  if (non_empty && array->empty()) return Error(StatusCode::kInvalidClaims, name + " must not be empty");
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (const Json& item : *array) {
    if (!item.is_string()) return Error(StatusCode::kInvalidClaims, name + " must hold only strings");
    std::string value = item.get<std::string>();
    if (value.empty()) return Error(StatusCode::kInvalidClaims, name + " must not hold an empty string");
    if (unique && !seen.insert(value).second) {
      return Error(StatusCode::kInvalidClaims, name + " holds a value twice: " + value);
    }
    out.push_back(std::move(value));
  }
  return out;
}

bool IsErrorDescriptionText(std::string_view text) {
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E || c == 0x22 || c == 0x5C) return false;
  }
  return true;
}

}  // namespace bonafide::oid4vci::internal
