#include "cose/cbor.h"

#include <cbor.h>

#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bonafide::cose {
namespace {

// Cursor reads an input buffer front to back; every read is checked against the end.
class Cursor {
 public:
  explicit Cursor(ByteView in) : in_(in) {}
  size_t remaining() const { return in_.size() - pos_; }
  size_t pos() const { return pos_; }
  bool ReadByte(uint8_t& out) {
    if (remaining() < 1) return false;
    out = in_[pos_++];
    return true;
  }
  bool ReadUint(size_t n, uint64_t& out) {
    if (remaining() < n) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) out = (out << 8) | in_[pos_++];
    return true;
  }
  bool Skip(uint64_t n) {
    if (n > remaining()) return false;
    pos_ += static_cast<size_t>(n);
    return true;
  }
  ByteView Slice(size_t from, size_t to) const { return in_.subspan(from, to - from); }

 private:
  ByteView in_;
  size_t pos_ = 0;
};

Status Truncated() { return Error(StatusCode::kMalformed, "CBOR input is truncated"); }

// ReadHead reads an initial byte and its argument. Indefinite lengths, reserved additional
// information (28-30) and a stray break are kMalformed.
Status ReadHead(Cursor& c, uint8_t& major, uint8_t& info, uint64_t& arg) {
  uint8_t initial = 0;
  if (!c.ReadByte(initial)) return Truncated();
  major = static_cast<uint8_t>(initial >> 5);
  info = static_cast<uint8_t>(initial & 0x1f);
  if (info < 24) {
    arg = info;
    return OkStatus();
  }
  if (info <= 27) {
    const size_t n = size_t{1} << (info - 24);
    if (!c.ReadUint(n, arg)) return Truncated();
    return OkStatus();
  }
  if (info == 31) return Error(StatusCode::kMalformed, "indefinite-length CBOR items are not accepted");
  return Error(StatusCode::kMalformed, "reserved CBOR additional information value");
}

// KeyIdentity is how duplicate map keys are detected: integers and text by value, anything else
// by its encoded bytes.
struct KeyIdentity {
  int kind;  // 0 uint, 1 negint, 2 bytes, 3 text, 4 other (encoded bytes)
  uint64_t number;
  std::string bytes;
  bool operator<(const KeyIdentity& o) const {
    if (kind != o.kind) return kind < o.kind;
    if (number != o.number) return number < o.number;
    return bytes < o.bytes;
  }
};

// ShortTags collects the offsets of tag heads whose number is in the initial byte (0xc0-0xd7).
// libcbor 0.8 rejects tags 6 to 20 written that way (0xc6-0xd4, which includes COSE_Sign1's 0xd2),
// so Decode hands libcbor a copy with those heads widened to the equivalent 0xd8 form.
using ShortTags = std::vector<size_t>;

Status CheckItem(Cursor& c, int depth, const CborLimits& limits, KeyIdentity* identity, ShortTags& tags);

Status CheckNested(Cursor& c, int depth, const CborLimits& limits, KeyIdentity* identity, ShortTags& tags) {
  if (depth + 1 > limits.max_depth) {
    return Error(StatusCode::kLimitExceeded, "CBOR nesting exceeds " + std::to_string(limits.max_depth));
  }
  return CheckItem(c, depth + 1, limits, identity, tags);
}

// CheckItem checks that one well-formed item starts at the cursor and moves past it. If
// `identity` is not null it receives the key identity of the item.
Status CheckItem(Cursor& c, int depth, const CborLimits& limits, KeyIdentity* identity, ShortTags& tags) {
  const size_t start = c.pos();
  uint8_t major = 0;
  uint8_t info = 0;
  uint64_t arg = 0;
  RETURN_IF_ERROR(ReadHead(c, major, info, arg));
  switch (major) {
    case 0:
    case 1:
      if (identity != nullptr) *identity = KeyIdentity{major, arg, {}};
      return OkStatus();
    case 2:
    case 3: {
      const size_t body = c.pos();
      if (!c.Skip(arg)) return Truncated();
      if (identity != nullptr) {
        ByteView content = c.Slice(body, c.pos());
        *identity = KeyIdentity{major, 0, std::string(AsStringView(content))};
      }
      return OkStatus();
    }
    case 4:
      if (arg > c.remaining()) return Truncated();  // every element takes at least one byte
      for (uint64_t i = 0; i < arg; ++i) RETURN_IF_ERROR(CheckNested(c, depth, limits, nullptr, tags));
      break;
    case 5: {
      if (arg > c.remaining() / 2) return Truncated();  // every pair takes at least two bytes
      std::set<KeyIdentity> keys;
      for (uint64_t i = 0; i < arg; ++i) {
        KeyIdentity key;
        RETURN_IF_ERROR(CheckNested(c, depth, limits, &key, tags));
        if (!keys.insert(std::move(key)).second) return Error(StatusCode::kMalformed, "duplicate CBOR map key");
        RETURN_IF_ERROR(CheckNested(c, depth, limits, nullptr, tags));
      }
      break;
    }
    case 6:
      if (info < 24) tags.push_back(start);
      RETURN_IF_ERROR(CheckNested(c, depth, limits, nullptr, tags));
      break;
    default:  // 7: simple values and floats
      if (info == 24 && arg < 32) return Error(StatusCode::kMalformed, "CBOR simple value in non-preferred form");
      break;
  }
  if (identity != nullptr) {
    *identity = KeyIdentity{4, 0, std::string(AsStringView(c.Slice(start, c.pos())))};
  }
  return OkStatus();
}

}  // namespace

void CborDocument::Deleter::operator()(cbor_item_t* item) const { cbor_decref(&item); }

Result<CborDocument> CborDocument::Decode(ByteView input, const CborLimits& limits) {
  if (input.size() > limits.max_bytes) {
    return Error(StatusCode::kLimitExceeded, "CBOR input exceeds " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (input.empty()) return Error(StatusCode::kMalformed, "empty CBOR input");
  Cursor c(input);
  ShortTags tags;
  RETURN_IF_ERROR(CheckItem(c, 0, limits, nullptr, tags));
  if (c.remaining() != 0) return Error(StatusCode::kMalformed, "bytes after the CBOR data item");

  ByteView to_load = input;
  Bytes widened;
  if (!tags.empty()) {
    widened.reserve(input.size() + tags.size());
    size_t next = 0;
    for (size_t i = 0; i < input.size(); ++i) {
      if (next < tags.size() && tags[next] == i) {
        widened.push_back(0xd8);
        widened.push_back(static_cast<uint8_t>(input[i] & 0x1f));
        ++next;
      } else {
        widened.push_back(input[i]);
      }
    }
    to_load = widened;
  }
  cbor_load_result result{};
  cbor_item_t* root = cbor_load(to_load.data(), to_load.size(), &result);
  if (root == nullptr || result.error.code != CBOR_ERR_NONE || result.read != to_load.size()) {
    const bool memory = result.error.code == CBOR_ERR_MEMERROR;
    if (root != nullptr) cbor_decref(&root);
    if (memory) return Error(StatusCode::kInternal, "CBOR decoder out of memory");
    return Error(StatusCode::kMalformed, "CBOR decoding failed");
  }
  return CborDocument(root);
}

bool CborValue::is_uint() const { return item_ != nullptr && cbor_isa_uint(item_); }
bool CborValue::is_negint() const { return item_ != nullptr && cbor_isa_negint(item_); }
bool CborValue::is_bytes() const { return item_ != nullptr && cbor_isa_bytestring(item_); }
bool CborValue::is_text() const { return item_ != nullptr && cbor_isa_string(item_); }
bool CborValue::is_array() const { return item_ != nullptr && cbor_isa_array(item_); }
bool CborValue::is_map() const { return item_ != nullptr && cbor_isa_map(item_); }
bool CborValue::is_tag() const { return item_ != nullptr && cbor_isa_tag(item_); }
bool CborValue::is_null() const { return item_ != nullptr && cbor_isa_float_ctrl(item_) && cbor_is_null(item_); }

Result<uint64_t> CborValue::AsUint() const {
  if (!is_uint()) return Error(StatusCode::kMalformed, "CBOR item is not an unsigned integer");
  return cbor_get_int(item_);
}

Result<int64_t> CborValue::AsInt() const {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (is_uint()) {
    const uint64_t v = cbor_get_int(item_);
    if (v > kMax) return Error(StatusCode::kMalformed, "CBOR integer does not fit in 64 bits");
    return static_cast<int64_t>(v);
  }
  if (is_negint()) {
    const uint64_t n = cbor_get_int(item_);  // the value is -1 - n
    if (n > kMax) return Error(StatusCode::kMalformed, "CBOR integer does not fit in 64 bits");
    return -1 - static_cast<int64_t>(n);
  }
  return Error(StatusCode::kMalformed, "CBOR item is not an integer");
}

Result<ByteView> CborValue::AsBytes() const {
  // Decode rejected indefinite lengths, so a byte string here is definite.
  if (!is_bytes() || !cbor_bytestring_is_definite(item_)) {
    return Error(StatusCode::kMalformed, "CBOR item is not a byte string");
  }
  const size_t n = cbor_bytestring_length(item_);
  if (n == 0) return ByteView();
  return ByteView(cbor_bytestring_handle(item_), n);
}

Result<std::string_view> CborValue::AsText() const {
  if (!is_text() || !cbor_string_is_definite(item_)) return Error(StatusCode::kMalformed, "CBOR item is not a text string");
  const size_t n = cbor_string_length(item_);
  if (n == 0) return std::string_view();
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item_)), n);
}

size_t CborValue::size() const {
  if (is_array()) return cbor_array_size(item_);
  if (is_map()) return cbor_map_size(item_);
  return 0;
}

Result<CborValue> CborValue::At(size_t i) const {
  if (!is_array()) return Error(StatusCode::kMalformed, "CBOR item is not an array");
  if (i >= cbor_array_size(item_)) return Error(StatusCode::kMalformed, "CBOR array index out of range");
  return CborValue(cbor_array_handle(item_)[i]);
}

Result<std::pair<CborValue, CborValue>> CborValue::EntryAt(size_t i) const {
  if (!is_map()) return Error(StatusCode::kMalformed, "CBOR item is not a map");
  if (i >= cbor_map_size(item_)) return Error(StatusCode::kMalformed, "CBOR map index out of range");
  const cbor_pair& pair = cbor_map_handle(item_)[i];
  return std::make_pair(CborValue(pair.key), CborValue(pair.value));
}

Result<std::optional<CborValue>> CborValue::FindInt(int64_t key) const {
  if (!is_map()) return Error(StatusCode::kMalformed, "CBOR item is not a map");
  const cbor_pair* pairs = cbor_map_handle(item_);
  const size_t n = cbor_map_size(item_);
  for (size_t i = 0; i < n; ++i) {
    CborValue k(pairs[i].key);
    if (!k.is_int()) continue;
    Result<int64_t> v = k.AsInt();
    if (v.ok() && *v == key) return std::optional<CborValue>(CborValue(pairs[i].value));
  }
  return std::optional<CborValue>();
}

Result<std::optional<CborValue>> CborValue::FindText(std::string_view key) const {
  if (!is_map()) return Error(StatusCode::kMalformed, "CBOR item is not a map");
  const cbor_pair* pairs = cbor_map_handle(item_);
  const size_t n = cbor_map_size(item_);
  for (size_t i = 0; i < n; ++i) {
    CborValue k(pairs[i].key);
    if (!k.is_text()) continue;
    Result<std::string_view> v = k.AsText();
    if (v.ok() && *v == key) return std::optional<CborValue>(CborValue(pairs[i].value));
  }
  return std::optional<CborValue>();
}

Result<uint64_t> CborValue::Tag() const {
  if (!is_tag()) return Error(StatusCode::kMalformed, "CBOR item is not a tag");
  return cbor_tag_value(item_);
}

Result<CborValue> CborValue::Tagged() const {
  if (!is_tag()) return Error(StatusCode::kMalformed, "CBOR item is not a tag");
  // cbor_tag_item increments the reference count; the document still owns the item, so drop the
  // extra reference at once and keep a borrowed pointer.
  cbor_item_t* inner = cbor_tag_item(item_);
  if (inner == nullptr) return Error(StatusCode::kMalformed, "CBOR tag without content");
  const cbor_item_t* borrowed = inner;
  cbor_decref(&inner);  // the tag still holds its reference, so this does not free
  return CborValue(borrowed);
}

}  // namespace bonafide::cose
