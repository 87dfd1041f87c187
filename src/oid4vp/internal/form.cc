// oid4vp/internal/form.cc: see form.h.
#include "oid4vp/internal/form.h"

#include <cctype>

namespace bonafide::oid4vp::internal {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return Error(StatusCode::kMalformed, "raw byte outside printable ASCII in form data");
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return Error(StatusCode::kMalformed, "truncated percent escape");
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return Error(StatusCode::kMalformed, "bad percent escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0f]);
    }
  }
  return out;
}

Result<FormParams> ParseForm(std::string_view body, size_t max_params) {
  FormParams out;
  if (body.empty()) return out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view part = body.substr(start, end - start);
    if (part.empty()) return Error(StatusCode::kMalformed, "empty form component");
    if (out.size() >= max_params) return Error(StatusCode::kLimitExceeded, "too many form parameters");
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return Error(StatusCode::kMalformed, "form component without '='");
    ASSIGN_OR_RETURN(std::string name, Decode(part.substr(0, eq)));
    ASSIGN_OR_RETURN(std::string value, Decode(part.substr(eq + 1)));
    if (name.empty()) return Error(StatusCode::kMalformed, "empty form parameter name");
    if (FindParam(out, name) != nullptr) {
      return Error(StatusCode::kMalformed, "form parameter " + name + " given twice");
    }
    out.emplace_back(std::move(name), std::move(value));
    if (end == body.size()) break;
    start = end + 1;
  }
  return out;
}

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(name);
    out.push_back('=');
    out += PercentEncode(value);
  }
  return out;
}

Result<HttpsUrl> ParseHttpUrl(std::string_view url, std::string_view what, bool allow_http_loopback) {
  auto fail = [&](std::string_view why) {
    return Error(StatusCode::kInvalidClaims, std::string(what) + ": " + std::string(why));
  };
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return fail("not printable ASCII");
  }
  HttpsUrl out;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    out.https = false;
    rest = url.substr(7);
  } else {
    return fail("not an https URL");
  }
  if (rest.find('#') != std::string_view::npos) return fail("has a fragment");
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) return fail("has userinfo");
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return fail("bad IPv6 literal");
    const std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail("bad port");
    host = host.substr(0, close + 1);
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) host = host.substr(0, colon);
  }
  if (host.empty()) return fail("has no host");
  for (char c : host) out.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!out.https) {
    const bool loopback = out.host == "localhost" || out.host == "127.0.0.1" || out.host == "[::1]";
    if (!allow_http_loopback || !loopback) return fail("not an https URL");
  }
  return out;
}

bool IsDnsName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t start = 0;
  bool all_numeric = true;
  while (true) {
    size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) == 0 && c != '-') return false;
      if (std::isdigit(u) == 0) all_numeric = false;
    }
    if (end == host.size()) break;
    start = end + 1;
  }
  return !all_numeric;  // "127.0.0.1" is an IP literal, not a DNS name
}

bool IsUrlSafe(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsUnreserved(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsErrorText(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || u == 0x22 || u == 0x5c) return false;
  }
  return true;
}

}  // namespace bonafide::oid4vp::internal
