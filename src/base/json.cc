#include "base/json.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace bonafide {
namespace {

// Parsing is two steps: simdjson (a well-kept, validating parser that checks UTF-8 and the JSON
// grammar several times faster than nlohmann's lexer) reads the text into its own tape, then
// BuildValue copies it into nlohmann::json, the value type the rest of bonafide uses, rejecting
// duplicate keys and excessive nesting on the way.

// Parser returns this thread's simdjson parser; it keeps its buffers between calls.
simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

Status BuildValue(simdjson::dom::element e, Json& out, size_t depth, const JsonLimits& limits) {
  using Type = simdjson::dom::element_type;
  switch (e.type()) {
    case Type::OBJECT: {
      if (depth >= limits.max_depth) return Error(StatusCode::kLimitExceeded, "JSON nested too deeply");
      out = Json::object();
      auto& members = out.get_ref<Json::object_t&>();
      simdjson::dom::object object;
      if (e.get_object().get(object) != simdjson::SUCCESS) return Error(StatusCode::kMalformed, "bad JSON object");
      for (simdjson::dom::key_value_pair field : object) {
        auto [it, inserted] = members.emplace(std::string(field.key), nullptr);
        if (!inserted) return Error(StatusCode::kMalformed, "duplicate key \"" + it->first + "\"");
        RETURN_IF_ERROR(BuildValue(field.value, it->second, depth + 1, limits));
      }
      return OkStatus();
    }
    case Type::ARRAY: {
      if (depth >= limits.max_depth) return Error(StatusCode::kLimitExceeded, "JSON nested too deeply");
      out = Json::array();
      auto& elements = out.get_ref<Json::array_t&>();
      simdjson::dom::array array;
      if (e.get_array().get(array) != simdjson::SUCCESS) return Error(StatusCode::kMalformed, "bad JSON array");
      for (simdjson::dom::element v : array) {
        elements.emplace_back();
        RETURN_IF_ERROR(BuildValue(v, elements.back(), depth + 1, limits));
      }
      return OkStatus();
    }
    case Type::STRING: out = std::string(e.get_string().value_unsafe()); return OkStatus();
    case Type::INT64: out = e.get_int64().value_unsafe(); return OkStatus();
    case Type::UINT64: out = e.get_uint64().value_unsafe(); return OkStatus();
    case Type::DOUBLE: out = e.get_double().value_unsafe(); return OkStatus();
    case Type::BOOL: out = e.get_bool().value_unsafe(); return OkStatus();
    case Type::NULL_VALUE: out = nullptr; return OkStatus();
  }
  return Error(StatusCode::kMalformed, "unknown JSON value");
}

// CheckValue applies BuildValue's rules (nesting depth, duplicate keys) without building
// anything.
Status CheckValue(simdjson::dom::element e, size_t depth, const JsonLimits& limits) {
  using Type = simdjson::dom::element_type;
  if (e.type() == Type::OBJECT) {
    if (depth >= limits.max_depth) return Error(StatusCode::kLimitExceeded, "JSON nested too deeply");
    simdjson::dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS) return Error(StatusCode::kMalformed, "bad JSON object");
    // Checked in order, as BuildValue does, so the first problem found is the same one.
    std::unordered_set<std::string_view> keys;
    for (simdjson::dom::key_value_pair field : object) {
      if (!keys.insert(field.key).second) {
        return Error(StatusCode::kMalformed, "duplicate key \"" + std::string(field.key) + "\"");
      }
      RETURN_IF_ERROR(CheckValue(field.value, depth + 1, limits));
    }
    return OkStatus();
  }
  if (e.type() == Type::ARRAY) {
    if (depth >= limits.max_depth) return Error(StatusCode::kLimitExceeded, "JSON nested too deeply");
    simdjson::dom::array array;
    if (e.get_array().get(array) != simdjson::SUCCESS) return Error(StatusCode::kMalformed, "bad JSON array");
    for (simdjson::dom::element v : array) RETURN_IF_ERROR(CheckValue(v, depth + 1, limits));
  }
  return OkStatus();
}

// ParseTape runs the checks on the raw text and simdjson's parse; the element lives in this
// thread's parser until its next parse.
Result<simdjson::dom::element> ParseTape(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error(StatusCode::kLimitExceeded, "JSON larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  // Empty input is not JSON (and an empty view may have a null data pointer, which simdjson would
  // hand to memcpy).
  if (text.empty()) return Error(StatusCode::kMalformed, "JSON text is empty");
  // RFC 8259 section 8.1: a BOM must not be sent; some parsers skip it silently.
  if (text.starts_with("\xEF\xBB\xBF")) return Error(StatusCode::kMalformed, "JSON starts with a byte order mark");
  // NUL is never valid in JSON text (inside strings it must be escaped as \u0000); rejected
  // up front so no parser can take it for the end of input.
  if (text.find('\0') != std::string_view::npos) return Error(StatusCode::kMalformed, "JSON contains a NUL byte");
  simdjson::dom::element root;
  simdjson::error_code error = Parser().parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root);
  if (error == simdjson::DEPTH_ERROR) return Error(StatusCode::kLimitExceeded, "JSON nested too deeply");
  if (error == simdjson::CAPACITY || error == simdjson::MEMALLOC) {
    return Error(StatusCode::kLimitExceeded, "JSON too large to parse");
  }
  if (error != simdjson::SUCCESS) {
    return Error(StatusCode::kMalformed, std::string("JSON could not be parsed: ") + simdjson::error_message(error));
  }
  return root;
}

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  ASSIGN_OR_RETURN(simdjson::dom::element root, ParseTape(text, limits));
  Json out;
  RETURN_IF_ERROR(BuildValue(root, out, 0, limits));
  return out;
}

Status CheckJsonObject(std::string_view text, const JsonLimits& limits) {
  ASSIGN_OR_RETURN(simdjson::dom::element root, ParseTape(text, limits));
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Error(StatusCode::kMalformed, "JSON value is not an object");
  }
  return CheckValue(root, 0, limits);
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

namespace {

// NeedsAttention8 is nonzero when any of the 8 bytes in `w` is a control character (< 0x20),
// '"', '\\' or not ASCII (>= 0x80): the bytes AppendJsonString cannot copy as they are.
// Word-at-a-time tests: for a byte b, (b - k) & ~b & 0x80 is set when b < k (for k <= 0x80);
// b ^ 0x22 is zero exactly for '"', b ^ 0x5C exactly for '\\'. A borrow can only set a flag
// in a byte above one that is already flagged, so a zero result means no byte needs attention.
inline uint64_t NeedsAttention8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t control = w - kOnes * 0x20;
  const uint64_t quote = (w ^ (kOnes * 0x22)) - kOnes;
  const uint64_t backslash = (w ^ (kOnes * 0x5C)) - kOnes;
  return ((control | quote | backslash) & ~w & kHigh) | (w & kHigh);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied as they are
  size_t i = 0;
  auto flush = [&] { out.append(text.data() + run, i - run); };
  while (i < text.size()) {
    // Skip 8 plain bytes at a time (credentials, digests and identifiers are all plain ASCII).
    while (i + 8 <= text.size()) {
      uint64_t w;
      std::memcpy(&w, text.data() + i, 8);
      if (NeedsAttention8(w) != 0) break;
      i += 8;
    }
    if (i >= text.size()) break;
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

size_t JsonDepth(const Json& v) {
  if (!v.is_object() && !v.is_array()) return 0;
  size_t deepest = 0;
  for (const Json& child : v) deepest = std::max(deepest, JsonDepth(child));
  return deepest + 1;
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
