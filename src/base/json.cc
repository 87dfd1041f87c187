#include "base/json.h"

#include <cmath>
#include <string>
#include <vector>

namespace bonafide {
namespace {

// StrictSax builds a DOM like nlohmann's own parser but stops at the first duplicate key or
// excessive depth. Returning false from a SAX callback aborts parsing.
class StrictSax {
 public:
  explicit StrictSax(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return Put(Json(nullptr)); }
  bool boolean(bool v) { return Put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return Put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return Put(Json(v)); }
  bool number_float(Json::number_float_t v, const std::string&) {
    if (!std::isfinite(v)) return Fail(StatusCode::kMalformed, "non-finite number");
    return Put(Json(v));
  }
  bool string(std::string& v) { return Put(Json(std::move(v))); }
  bool binary(Json::binary_t&) { return Fail(StatusCode::kMalformed, "binary value"); }

  bool start_object(std::size_t) { return Open(Json::object()); }
  bool key(std::string& k) {
    Frame& f = stack_.back();
    // Insert a placeholder now: a second insert of the same key finds it and fails.
    auto [it, inserted] = f.value.get_ref<Json::object_t&>().emplace(k, nullptr);
    if (!inserted) return Fail(StatusCode::kMalformed, "duplicate key \"" + k + "\"");
    f.slot = &it->second;
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool end_array() { return Close(); }

  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) {
    return Fail(StatusCode::kMalformed, "JSON syntax error at byte " + std::to_string(pos));
  }

  Status status() const { return status_; }
  Json& root() { return root_; }

 private:
  struct Frame {
    Json value;
    Json* slot = nullptr;  // the member awaiting its value (objects only)
  };

  bool Fail(StatusCode code, std::string msg) {
    if (status_.ok()) status_ = Status(code, std::move(msg));
    return false;
  }
  bool Put(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& f = stack_.back();
    if (f.value.is_object()) {
      *f.slot = std::move(v);
    } else {
      f.value.push_back(std::move(v));
    }
    return true;
  }
  bool Open(Json v) {
    if (stack_.size() >= max_depth_) return Fail(StatusCode::kLimitExceeded, "JSON nested too deeply");
    stack_.push_back(Frame{std::move(v), nullptr});
    return true;
  }
  bool Close() {
    Json v = std::move(stack_.back().value);
    stack_.pop_back();
    return Put(std::move(v));
  }

  size_t max_depth_;
  std::vector<Frame> stack_;
  Json root_;
  Status status_;
};

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(StatusCode::kLimitExceeded, "JSON larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  // RFC 8259 section 8.1: a BOM must not be sent; nlohmann would skip it silently.
  if (text.starts_with("\xEF\xBB\xBF")) return Error(StatusCode::kMalformed, "JSON starts with a byte order mark");
  // nlohmann's lexer takes a NUL byte for the end of input and would ignore what follows; NUL
  // is never valid in JSON text (inside strings it must be escaped as \u0000).
  if (text.find('\0') != std::string_view::npos) return Error(StatusCode::kMalformed, "JSON contains a NUL byte");
  StrictSax sax(limits.max_depth);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, true);
  } catch (const std::exception&) {
    return Error(StatusCode::kMalformed, "JSON could not be parsed");
  }
  if (!ok) {
    Status s = sax.status();
    if (s.ok()) s = Status(StatusCode::kMalformed, "JSON could not be parsed");
    return s;
  }
  return std::move(sax.root());
}

Result<Json> ParseJsonObject(std::string_view text, const JsonLimits& limits) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, limits));
  if (!j.is_object()) return Error(StatusCode::kMalformed, "JSON value is not an object");
  return j;
}

namespace {

// Utf8SequenceLength returns the length of the valid UTF-8 sequence at text[i], or 0 if the
// bytes there are not valid UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const size_t left = text.size() - i;
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (b(1) & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied as they are
  size_t i = 0;
  auto flush = [&] { out.append(text.data() + run, i - run); };
  while (i < text.size()) {
    const uint8_t c = static_cast<uint8_t>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(text, i);
      if (n != 0) {
        i += n;
        continue;
      }
      flush();
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      run = ++i;
      continue;
    }
    flush();
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    run = ++i;
  }
  flush();
  out.push_back('"');
}

void AppendJson(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::string: AppendJsonString(out, value.get_ref<const std::string&>()); return;
    case Json::value_t::number_integer: out += std::to_string(value.get<int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<uint64_t>()); return;
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : value.get_ref<const Json::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, k);
        out.push_back(':');
        AppendJson(out, v);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& v : value.get_ref<const Json::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(out, v);
      }
      out.push_back(']');
      return;
    }
    default:
      // Floating point (shortest round-trip form) and the rest: the library's serialiser.
      out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

std::string DumpJson(const Json& value) {
  std::string out;
  AppendJson(out, value);
  return out;
}

const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<int64_t> AsInt(const Json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

Result<std::string> GetString(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Error(StatusCode::kInvalidClaims, "missing \"" + std::string(key) + "\"");
  if (!v->is_string()) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not a string");
  return v->get<std::string>();
}

Result<std::optional<std::string>> GetOptionalString(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<int64_t> GetInt(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Error(StatusCode::kInvalidClaims, "missing \"" + std::string(key) + "\"");
  auto i = AsInt(*v);
  if (!i) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not an integer");
  return *i;
}

Result<std::optional<int64_t>> GetOptionalInt(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  auto i = AsInt(*v);
  if (!i) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not an integer");
  return std::optional<int64_t>(*i);
}

Result<const Json*> GetObject(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Error(StatusCode::kInvalidClaims, "missing \"" + std::string(key) + "\"");
  if (!v->is_object()) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not an object");
  return v;
}

Result<const Json*> GetArray(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Error(StatusCode::kInvalidClaims, "missing \"" + std::string(key) + "\"");
  if (!v->is_array()) return Error(StatusCode::kInvalidClaims, "\"" + std::string(key) + "\" is not an array");
  return v;
}

}  // namespace bonafide
