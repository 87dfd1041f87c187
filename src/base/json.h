// base/json.h: strict JSON parsing and typed accessors over nlohmann::json.
//
// ParseJson rejects what a lenient parser lets through and an attacker could exploit: duplicate
// object keys (RFC 8259 leaves them undefined; JOSE and SD-JWT require rejection), nesting deeper
// than a limit, input larger than a limit, invalid UTF-8, and trailing data. Accessors return
// Result instead of throwing. Thread safety: pure functions.
#ifndef BONAFIDE_BASE_JSON_H_
#define BONAFIDE_BASE_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace bonafide {

using Json = nlohmann::json;

// JsonLimits bounds what ParseJson accepts.
struct JsonLimits {
  size_t max_bytes = 1 << 20;  // 1 MiB
  size_t max_depth = 32;
};

// ParseJson parses `text` strictly; kMalformed on syntax errors, duplicate keys (at any depth,
// compared after unescaping, so "a" and "\u0061" collide), invalid UTF-8 (overlong forms,
// surrogates, bytes >= 0xF5), escapes of lone surrogates ("\ud800" alone, "\udc00" first: the
// result would not be valid UTF-8), non-finite or overflowing numbers, tokens such as NaN or
// Infinity, a leading byte order mark, a raw NUL byte anywhere, and anything but whitespace after the value.
// kLimitExceeded when text.size() > max_bytes or arrays/objects nest deeper than max_depth
// (max_depth levels are accepted; scalars do not count).
Result<Json> ParseJson(std::string_view text, const JsonLimits& limits = {});

// ParseJsonObject is ParseJson that also requires the top level to be an object.
Result<Json> ParseJsonObject(std::string_view text, const JsonLimits& limits = {});

// CheckJsonObject makes every check ParseJsonObject makes, with the same codes, without
// building the value: for JSON text that is stored or passed on as it is.
Status CheckJsonObject(std::string_view text, const JsonLimits& limits = {});

// DumpJson serialises compactly (no spaces). Never throws: strings inside values built by
// ParseJson are valid UTF-8; invalid UTF-8 from elsewhere is replaced with U+FFFD.
// Object members come out in sorted key order (nlohmann::json's std::map), so equal values
// always serialise to the same bytes.
std::string DumpJson(const Json& value);

// AppendJson appends the compact serialisation of `value` to `out` (what DumpJson returns).
void AppendJson(std::string& out, const Json& value);

// AppendJsonString appends `text` as a JSON string literal, quotes included. Invalid UTF-8 is
// replaced by U+FFFD.
void AppendJsonString(std::string& out, std::string_view text);

// Typed member access. Each returns kInvalidClaims naming `key` when the member is absent (for
// Get*) or present with the wrong type.
Result<std::string> GetString(const Json& obj, std::string_view key);
Result<std::optional<std::string>> GetOptionalString(const Json& obj, std::string_view key);
Result<int64_t> GetInt(const Json& obj, std::string_view key);
Result<std::optional<int64_t>> GetOptionalInt(const Json& obj, std::string_view key);
// GetObject returns a pointer into `obj` (valid while `obj` lives).
Result<const Json*> GetObject(const Json& obj, std::string_view key);
Result<const Json*> GetArray(const Json& obj, std::string_view key);
// Find returns the member or nullptr (also when `obj` is not an object).
const Json* Find(const Json& obj, std::string_view key);

// JsonDepth returns the nesting depth of containers in `v`: 0 for a scalar, 1 for an object or
// array of scalars, and so on. ParseJson accepts a value whose depth is at most max_depth.
size_t JsonDepth(const Json& v);

// IsIntegral is true for JSON integers and for floats with an exact int64 value (e.g. 1.0e9).
std::optional<int64_t> AsInt(const Json& v);

}  // namespace bonafide

#endif  // BONAFIDE_BASE_JSON_H_
