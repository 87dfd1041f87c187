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

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
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
