// cbor/cbor.cc: the Value type, the strict one-pass decoder and the preferred / deterministic
// encoders declared in cbor/cbor.h.
#include "cbor/cbor.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <variant>

namespace bonafide::cbor {

namespace {

// TagBody is the heap part of a tag: the enclosed item and, for a tag-24 item produced by
// Decode, the bytes of the whole tagged item as received.
struct TagBody {
  Value inner;
  Bytes original;
  bool has_original = false;
};

constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorNegative = 1;
constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kMajorTag = 6;
constexpr uint8_t kMajorSimple = 7;

// Maps with more entries than this are checked for duplicate keys by sorting encoded keys
// instead of comparing every pair.
constexpr size_t kPairwiseDuplicateCheckMax = 16;

uint64_t DoubleBits(double d) { return std::bit_cast<uint64_t>(d); }
double BitsDouble(uint64_t b) { return std::bit_cast<double>(b); }

// HalfToDouble widens an IEEE 754 binary16 value exactly.
double HalfToDouble(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(static_cast<double>(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa == 0 ? std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::quiet_NaN();
  } else {
    value = std::ldexp(static_cast<double>(mantissa + 1024), exponent - 25);
  }
  return (h & 0x8000) ? -value : value;
}

// FloatToHalf returns the binary16 encoding of `f` if it represents `f` exactly (f not NaN).
std::optional<uint16_t> FloatToHalf(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t exponent = (bits >> 23) & 0xff;
  const uint32_t mantissa = bits & 0x7fffff;
  if (exponent == 0xff) {  // infinity (NaN is handled by the caller)
    if (mantissa != 0) return std::nullopt;
    return static_cast<uint16_t>(sign | 0x7c00);
  }
  if (exponent == 0) {  // zero, or a float subnormal: far below the half range
    if (mantissa != 0) return std::nullopt;
    return sign;
  }
  const int e = static_cast<int>(exponent) - 127;
  if (e >= -14 && e <= 15) {  // half normal
    if ((mantissa & 0x1fff) != 0) return std::nullopt;
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(e + 15) << 10 | mantissa >> 13);
  }
  if (e >= -24 && e < -14) {  // half subnormal: value = m * 2^-24
    const uint32_t full = mantissa | 0x800000;
    const int shift = -(e + 1);  // 14 .. 23
    if ((full & ((uint32_t{1} << shift) - 1)) != 0) return std::nullopt;
    return static_cast<uint16_t>(sign | (full >> shift));
  }
  return std::nullopt;
}

// ValidUtf8 reports whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing
// above U+10FFFF). On failure `bad` is the offset of the first offending byte.
bool ValidUtf8(ByteView s, size_t& bad) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (b >= 0xc2 && b <= 0xdf) {
      extra = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2;
      if (b == 0xe0) lo = 0xa0;  // overlong
      if (b == 0xed) hi = 0x9f;  // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3;
      if (b == 0xf0) lo = 0x90;  // overlong
      if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      bad = i;
      return false;
    }
    if (n - i - 1 < extra) {
      bad = i;
      return false;
    }
    if (s[i + 1] < lo || s[i + 1] > hi) {
      bad = i;
      return false;
    }
    for (size_t k = 2; k <= extra; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) {
        bad = i;
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kUnsigned: return "unsigned integer";
    case Type::kNegative: return "negative integer";
    case Type::kBytes: return "byte string";
    case Type::kText: return "text string";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kTag: return "tag";
    case Type::kSimple: return "simple value";
    case Type::kFloat: return "float";
  }
  return "unknown";
}

Status WrongType(const char* expected, Type got) {
  return Error(StatusCode::kMalformed,
               std::string("cbor: expected ") + expected + ", got " + TypeName(got));
}

bool SpanLess(const Bytes& buf, size_t a_begin, size_t a_end, size_t b_begin, size_t b_end) {
  const size_t a_len = a_end - a_begin;
  const size_t b_len = b_end - b_begin;
  const int c = std::memcmp(buf.data() + a_begin, buf.data() + b_begin, std::min(a_len, b_len));
  if (c != 0) return c < 0;
  return a_len < b_len;
}

bool SpanEqual(const Bytes& buf, size_t a_begin, size_t a_end, size_t b_begin, size_t b_end) {
  return a_end - a_begin == b_end - b_begin &&
         std::memcmp(buf.data() + a_begin, buf.data() + b_begin, a_end - a_begin) == 0;
}

}  // namespace

// Heap holds what does not fit inline: the alternative in use follows the value's type
// (Bytes for kBytes, std::string for kText, Array, Map, TagBody for kTag).
struct Value::Heap {
  std::variant<Bytes, std::string, Array, Map, TagBody> v;
};

// ---------------------------------------------------------------------------------------------
// Value

Value::Value() = default;
Value::~Value() = default;

Value::Value(const Value& other)
    : type_(other.type_),
      scalar_(other.scalar_),
      heap_(other.heap_ ? std::make_unique<Heap>(*other.heap_) : nullptr) {}

Value& Value::operator=(const Value& other) {
  if (this == &other) return *this;
  // Copy first: `other` may live inside this value's heap.
  std::unique_ptr<Heap> heap = other.heap_ ? std::make_unique<Heap>(*other.heap_) : nullptr;
  type_ = other.type_;
  scalar_ = other.scalar_;
  heap_ = std::move(heap);
  return *this;
}

Value::Value(Value&& other) noexcept
    : type_(other.type_), scalar_(other.scalar_), heap_(std::move(other.heap_)) {
  other.type_ = Type::kSimple;
  other.scalar_ = kSimpleNull;
}

Value& Value::operator=(Value&& other) noexcept {
  if (this == &other) return *this;
  // Take everything from `other` before releasing our heap: `other` may live inside it.
  const Type type = other.type_;
  const uint64_t scalar = other.scalar_;
  std::unique_ptr<Heap> heap = std::move(other.heap_);
  other.type_ = Type::kSimple;
  other.scalar_ = kSimpleNull;
  type_ = type;
  scalar_ = scalar;
  heap_ = std::move(heap);
  return *this;
}

Value Value::Uint(uint64_t v) {
  Value out;
  out.type_ = Type::kUnsigned;
  out.scalar_ = v;
  return out;
}

Value Value::Int(int64_t v) {
  if (v >= 0) return Uint(static_cast<uint64_t>(v));
  // -1 - n = v  =>  n = -1 - v, computed without overflow for INT64_MIN.
  return Negative(static_cast<uint64_t>(-(v + 1)));
}

Value Value::Negative(uint64_t n) {
  Value out;
  out.type_ = Type::kNegative;
  out.scalar_ = n;
  return out;
}

Value Value::ByteString(ByteView b) { return ByteString(Bytes(b.begin(), b.end())); }

Value Value::ByteString(Bytes&& b) {
  Value out;
  out.type_ = Type::kBytes;
  out.scalar_ = 0;
  out.heap_ = std::make_unique<Heap>(Heap{std::move(b)});
  return out;
}

Value Value::Text(std::string_view s) { return Text(std::string(s)); }

Value Value::Text(std::string&& s) {
  Value out;
  out.type_ = Type::kText;
  out.scalar_ = 0;
  out.heap_ = std::make_unique<Heap>();
  out.heap_->v.emplace<std::string>(std::move(s));
  return out;
}

Value Value::MakeArray(Array items) {
  Value out;
  out.type_ = Type::kArray;
  out.scalar_ = 0;
  out.heap_ = std::make_unique<Heap>();
  out.heap_->v.emplace<Array>(std::move(items));
  return out;
}

Value Value::MakeMap(Map entries) {
  Value out;
  out.type_ = Type::kMap;
  out.scalar_ = 0;
  out.heap_ = std::make_unique<Heap>();
  out.heap_->v.emplace<Map>(std::move(entries));
  return out;
}

Value Value::Tagged(uint64_t tag, Value inner) {
  Value out;
  out.type_ = Type::kTag;
  out.scalar_ = tag;
  out.heap_ = std::make_unique<Heap>();
  out.heap_->v.emplace<TagBody>(TagBody{std::move(inner), {}, false});
  return out;
}

Value Value::Bool(bool b) { return Simple(b ? kSimpleTrue : kSimpleFalse); }
Value Value::Null() { return Simple(kSimpleNull); }
Value Value::Undefined() { return Simple(kSimpleUndefined); }

Value Value::Simple(uint8_t v) {
  Value out;
  out.type_ = Type::kSimple;
  out.scalar_ = v;
  return out;
}

Value Value::Float(double d) {
  Value out;
  out.type_ = Type::kFloat;
  out.scalar_ = DoubleBits(d);
  return out;
}

Value Value::TDate(std::string_view rfc3339) { return Tagged(kTagTDate, Text(rfc3339)); }

Value Value::FullDate(std::string_view yyyy_mm_dd) {
  return Tagged(kTagFullDate, Text(yyyy_mm_dd));
}

Value Value::EmbeddedCbor(const Value& item) {
  return Tagged(kTagEncodedCbor, ByteString(EncodeDeterministic(item)));
}

Value Value::EmbeddedCborBytes(ByteView encoded) {
  return Tagged(kTagEncodedCbor, ByteString(encoded));
}

Result<uint64_t> Value::AsUint() const {
  if (!is_uint()) return WrongType("unsigned integer", type_);
  return scalar_;
}

Result<int64_t> Value::AsInt() const {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (is_uint()) {
    if (scalar_ > kMax) return Error(StatusCode::kMalformed, "cbor: integer does not fit in int64");
    return static_cast<int64_t>(scalar_);
  }
  if (is_negative()) {
    if (scalar_ > kMax) return Error(StatusCode::kMalformed, "cbor: integer does not fit in int64");
    return -1 - static_cast<int64_t>(scalar_);
  }
  return WrongType("integer", type_);
}

Result<bool> Value::AsBool() const {
  if (!is_bool()) return WrongType("boolean", type_);
  return scalar_ == kSimpleTrue;
}

Result<double> Value::AsFloat() const {
  if (!is_float()) return WrongType("float", type_);
  return BitsDouble(scalar_);
}

Result<ByteView> Value::AsBytes() const {
  if (!is_bytes()) return WrongType("byte string", type_);
  return bytes();
}

Result<std::string_view> Value::AsText() const {
  if (!is_text()) return WrongType("text string", type_);
  return text();
}

Result<const Array*> Value::AsArray() const {
  if (!is_array()) return WrongType("array", type_);
  return &array();
}

Result<const Map*> Value::AsMap() const {
  if (!is_map()) return WrongType("map", type_);
  return &map();
}

Result<uint64_t> Value::AsSimple() const {
  if (!is_simple()) return WrongType("simple value", type_);
  return scalar_;
}

Result<const Value*> Value::AsTagged(uint64_t tag) const {
  if (!is_tag(tag)) {
    if (is_tag()) {
      return Error(StatusCode::kMalformed, "cbor: expected tag " + std::to_string(tag) +
                                               ", got tag " + std::to_string(scalar_));
    }
    return WrongType(("tag " + std::to_string(tag)).c_str(), type_);
  }
  return &tagged();
}

ByteView Value::bytes() const {
  if (!is_bytes() || !heap_) return {};
  const Bytes* b = std::get_if<Bytes>(&heap_->v);
  return b ? ByteView(*b) : ByteView();
}

std::string_view Value::text() const {
  if (!is_text() || !heap_) return {};
  const std::string* s = std::get_if<std::string>(&heap_->v);
  return s ? std::string_view(*s) : std::string_view();
}

const Array& Value::array() const {
  static const Array kEmpty;
  if (!is_array() || !heap_) return kEmpty;
  const Array* a = std::get_if<Array>(&heap_->v);
  return a ? *a : kEmpty;
}

const Map& Value::map() const {
  static const Map kEmpty;
  if (!is_map() || !heap_) return kEmpty;
  const Map* m = std::get_if<Map>(&heap_->v);
  return m ? *m : kEmpty;
}

const Value& Value::tagged() const {
  static const Value kNull;
  if (!is_tag() || !heap_) return kNull;
  const TagBody* t = std::get_if<TagBody>(&heap_->v);
  return t ? t->inner : kNull;
}

Array& Value::mutable_array() {
  if (is_array()) {
    if (!heap_) heap_ = std::make_unique<Heap>(Heap{Array{}});
    if (Array* a = std::get_if<Array>(&heap_->v)) return *a;
  }
  thread_local Array sink;
  sink.clear();
  return sink;
}

Map& Value::mutable_map() {
  if (is_map()) {
    if (!heap_) heap_ = std::make_unique<Heap>(Heap{Map{}});
    if (Map* m = std::get_if<Map>(&heap_->v)) return *m;
  }
  thread_local Map sink;
  sink.clear();
  return sink;
}

size_t Value::size() const {
  if (is_array()) return array().size();
  if (is_map()) return map().size();
  return 0;
}

const Value* Value::Find(std::string_view key) const {
  for (const MapEntry& e : map()) {
    if (e.first.is_text() && e.first.text() == key) return &e.second;
  }
  return nullptr;
}

const Value* Value::Find(int64_t key) const {
  const Value k = Int(key);
  for (const MapEntry& e : map()) {
    if (e.first.type_ == k.type_ && e.first.scalar_ == k.scalar_) return &e.second;
  }
  return nullptr;
}

void Value::Append(Value v) {
  if (is_array()) mutable_array().push_back(std::move(v));
}

void Value::Insert(Value key, Value v) {
  if (is_map()) mutable_map().emplace_back(std::move(key), std::move(v));
}

std::optional<ByteView> Value::original_encoding() const {
  if (!is_tag(kTagEncodedCbor) || !heap_) return std::nullopt;
  const TagBody* t = std::get_if<TagBody>(&heap_->v);
  if (t == nullptr || !t->has_original) return std::nullopt;
  return ByteView(t->original);
}

Result<Value> Value::DecodeEmbedded(const DecodeLimits& limits) const {
  if (!is_tag(kTagEncodedCbor)) {
    return Error(StatusCode::kMalformed, "cbor: DecodeEmbedded on a value that is not tag 24");
  }
  const Value& inner = tagged();
  if (!inner.is_bytes()) {
    return Error(StatusCode::kMalformed, "cbor: tag 24 does not enclose a byte string");
  }
  return Decode(inner.bytes(), limits);
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Type::kUnsigned:
    case Type::kNegative:
    case Type::kSimple:
      return a.scalar_ == b.scalar_;
    case Type::kFloat: {
      // All NaNs are one value (the encoders write every NaN as f97e00); otherwise compare the
      // bits, so 0.0 and -0.0 differ as their encodings do.
      const double x = BitsDouble(a.scalar_);
      const double y = BitsDouble(b.scalar_);
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return a.scalar_ == b.scalar_;
    }
    case Type::kBytes: {
      const ByteView x = a.bytes(), y = b.bytes();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin());
    }
    case Type::kText:
      return a.text() == b.text();
    case Type::kArray:
      return a.array() == b.array();
    case Type::kMap:
      return a.map() == b.map();
    case Type::kTag:
      return a.scalar_ == b.scalar_ && a.tagged() == b.tagged();
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Encoder

// Encoder appends encodings to a buffer. `deterministic` sorts map keys; `use_original` writes
// decoded tag-24 items as received.
class Encoder {
 public:
  Encoder(Bytes* out, bool deterministic, bool use_original)
      : out_(out), deterministic_(deterministic), use_original_(use_original) {}

  void Encode(const Value& v);

 private:
  // Scratch is reused between maps at the same key-nesting level (deterministic encoding).
  struct Scratch {
    Bytes keys;
    std::vector<size_t> bounds;  // key i spans [bounds[i], bounds[i+1])
    std::vector<uint32_t> order;
  };

  void Head(uint8_t major, uint64_t arg);
  void EncodeFloat(double d);
  void EncodeSortedMap(const Map& map);

  Bytes* out_;
  bool deterministic_;
  bool use_original_;
  size_t map_level_ = 0;
  std::vector<std::unique_ptr<Scratch>> scratch_;
};

void Encoder::Head(uint8_t major, uint64_t arg) {
  Bytes& out = *out_;
  const uint8_t mt = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<uint8_t>(mt | arg));
    return;
  }
  size_t n;
  uint8_t ai;
  if (arg <= 0xff) {
    n = 1, ai = 24;
  } else if (arg <= 0xffff) {
    n = 2, ai = 25;
  } else if (arg <= 0xffffffff) {
    n = 4, ai = 26;
  } else {
    n = 8, ai = 27;
  }
  const size_t at = out.size();
  out.resize(at + 1 + n);
  out[at] = static_cast<uint8_t>(mt | ai);
  for (size_t i = 0; i < n; ++i) {
    out[at + 1 + i] = static_cast<uint8_t>(arg >> (8 * (n - 1 - i)));
  }
}

void Encoder::EncodeFloat(double d) {
  Bytes& out = *out_;
  if (std::isnan(d)) {
    out.insert(out.end(), {0xf9, 0x7e, 0x00});
    return;
  }
  if (std::isinf(d) || std::fabs(d) <= static_cast<double>(std::numeric_limits<float>::max())) {
    const float f = static_cast<float>(d);
    if (static_cast<double>(f) == d) {
      if (std::optional<uint16_t> h = FloatToHalf(f)) {
        out.insert(out.end(), {0xf9, static_cast<uint8_t>(*h >> 8), static_cast<uint8_t>(*h)});
        return;
      }
      const uint32_t bits = std::bit_cast<uint32_t>(f);
      out.insert(out.end(), {0xfa, static_cast<uint8_t>(bits >> 24), static_cast<uint8_t>(bits >> 16),
                             static_cast<uint8_t>(bits >> 8), static_cast<uint8_t>(bits)});
      return;
    }
  }
  const uint64_t bits = DoubleBits(d);
  const size_t at = out.size();
  out.resize(at + 9);
  out[at] = 0xfb;
  for (size_t i = 0; i < 8; ++i) out[at + 1 + i] = static_cast<uint8_t>(bits >> (8 * (7 - i)));
}

void Encoder::EncodeSortedMap(const Map& map) {
  if (scratch_.size() <= map_level_) scratch_.push_back(std::make_unique<Scratch>());
  Scratch& s = *scratch_[map_level_];
  ++map_level_;
  s.keys.clear();
  s.bounds.clear();
  s.order.clear();
  Bytes* saved = out_;
  out_ = &s.keys;
  for (const MapEntry& e : map) {
    s.bounds.push_back(s.keys.size());
    Encode(e.first);
  }
  s.bounds.push_back(s.keys.size());
  out_ = saved;
  for (uint32_t i = 0; i < map.size(); ++i) s.order.push_back(i);
  auto less = [&s](uint32_t a, uint32_t b) {
    return SpanLess(s.keys, s.bounds[a], s.bounds[a + 1], s.bounds[b], s.bounds[b + 1]);
  };
  if (!std::is_sorted(s.order.begin(), s.order.end(), less)) {
    std::sort(s.order.begin(), s.order.end(), less);
  }
  // Values may contain maps at deeper levels, but never at this level: `s` stays valid.
  for (uint32_t i : s.order) {
    out_->insert(out_->end(), s.keys.begin() + static_cast<std::ptrdiff_t>(s.bounds[i]),
                 s.keys.begin() + static_cast<std::ptrdiff_t>(s.bounds[i + 1]));
    Encode(map[i].second);
  }
  --map_level_;
}

void Encoder::Encode(const Value& v) {
  switch (v.type_) {
    case Type::kUnsigned:
      Head(kMajorUnsigned, v.scalar_);
      return;
    case Type::kNegative:
      Head(kMajorNegative, v.scalar_);
      return;
    case Type::kBytes: {
      const ByteView b = v.bytes();
      Head(kMajorBytes, b.size());
      out_->insert(out_->end(), b.begin(), b.end());
      return;
    }
    case Type::kText: {
      const std::string_view t = v.text();
      Head(kMajorText, t.size());
      const ByteView b = AsBytes(t);
      out_->insert(out_->end(), b.begin(), b.end());
      return;
    }
    case Type::kArray: {
      const Array& a = v.array();
      Head(kMajorArray, a.size());
      for (const Value& e : a) Encode(e);
      return;
    }
    case Type::kMap: {
      const Map& m = v.map();
      Head(kMajorMap, m.size());
      if (deterministic_ && m.size() > 1) {
        EncodeSortedMap(m);
      } else {
        for (const MapEntry& e : m) {
          Encode(e.first);
          Encode(e.second);
        }
      }
      return;
    }
    case Type::kTag: {
      if (use_original_) {
        if (std::optional<ByteView> original = v.original_encoding()) {
          out_->insert(out_->end(), original->begin(), original->end());
          return;
        }
      }
      Head(kMajorTag, v.scalar_);
      Encode(v.tagged());
      return;
    }
    case Type::kSimple:
      Head(kMajorSimple, v.scalar_);
      return;
    case Type::kFloat:
      EncodeFloat(BitsDouble(v.scalar_));
      return;
  }
}

Bytes Encode(const Value& value) {
  Bytes out;
  AppendEncode(out, value);
  return out;
}

Bytes EncodeDeterministic(const Value& value) {
  Bytes out;
  AppendEncodeDeterministic(out, value);
  return out;
}

void AppendEncode(Bytes& out, const Value& value) {
  Encoder(&out, /*deterministic=*/false, /*use_original=*/true).Encode(value);
}

void AppendEncodeDeterministic(Bytes& out, const Value& value) {
  Encoder(&out, /*deterministic=*/true, /*use_original=*/true).Encode(value);
}

// ---------------------------------------------------------------------------------------------
// Decoder

// Decoder is one pass of a bounds-checked cursor over the input.
class Decoder {
 public:
  Decoder(ByteView in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  Status DecodeItem(Value& out, int depth);
  size_t position() const { return pos_; }

 private:
  struct Head {
    size_t start;
    uint8_t major;
    uint8_t ai;
    uint64_t arg;
  };

  Status ReadHead(Head& h);
  Status Malformed(size_t at, std::string_view what) const;
  Status EnterContainer(const Head& h, int depth) const;
  Status CheckDuplicateKeys(const Map& map, size_t at) const;
  size_t remaining() const { return in_.size() - pos_; }

  ByteView in_;
  const DecodeLimits& limits_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

Status Decoder::Malformed(size_t at, std::string_view what) const {
  return Error(StatusCode::kMalformed,
               "cbor: " + std::string(what) + " at offset " + std::to_string(at));
}

Status Decoder::ReadHead(Head& h) {
  h.start = pos_;
  if (pos_ >= in_.size()) return Malformed(pos_, "truncated input: expected a data item");
  const uint8_t initial = in_[pos_];
  ++pos_;
  h.major = static_cast<uint8_t>(initial >> 5);
  h.ai = static_cast<uint8_t>(initial & 0x1f);
  if (h.ai < 24) {
    h.arg = h.ai;
  } else if (h.ai <= 27) {
    const size_t n = size_t{1} << (h.ai - 24);
    if (remaining() < n) return Malformed(h.start, "truncated head");
    uint64_t arg = 0;
    for (size_t i = 0; i < n; ++i) arg = (arg << 8) | in_[pos_ + i];
    pos_ += n;
    h.arg = arg;
  } else if (h.ai <= 30) {
    return Malformed(h.start, "reserved additional information " + std::to_string(h.ai));
  } else if (h.major == kMajorSimple) {
    return Malformed(h.start, "stray break");
  } else if (h.major >= kMajorBytes && h.major <= kMajorMap) {
    return Malformed(h.start, "indefinite-length item (not allowed)");
  } else {
    return Malformed(h.start,
                     "additional information 31 with major type " + std::to_string(h.major));
  }
  if (++items_ > limits_.max_items) {
    return Error(StatusCode::kLimitExceeded, "cbor: more than " +
                                                 std::to_string(limits_.max_items) +
                                                 " data items at offset " + std::to_string(h.start));
  }
  return OkStatus();
}

Status Decoder::EnterContainer(const Head& h, int depth) const {
  if (depth >= limits_.max_depth) {
    return Error(StatusCode::kLimitExceeded, "cbor: nesting deeper than " +
                                                 std::to_string(limits_.max_depth) +
                                                 " at offset " + std::to_string(h.start));
  }
  return OkStatus();
}

Status Decoder::CheckDuplicateKeys(const Map& map, size_t at) const {
  if (map.size() <= kPairwiseDuplicateCheckMax) {
    for (size_t i = 1; i < map.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (map[i].first == map[j].first) return Malformed(at, "duplicate map key in map");
      }
    }
    return OkStatus();
  }
  // Preferred serialization without original tag-24 bytes is one encoding per value (every NaN
  // is f97e00, as operator== treats NaNs), so equal encodings <=> equal keys.
  Bytes keys;
  std::vector<size_t> bounds;
  bounds.reserve(map.size() + 1);
  Encoder encoder(&keys, /*deterministic=*/false, /*use_original=*/false);
  for (const MapEntry& e : map) {
    bounds.push_back(keys.size());
    encoder.Encode(e.first);
  }
  bounds.push_back(keys.size());
  std::vector<uint32_t> order(map.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return SpanLess(keys, bounds[a], bounds[a + 1], bounds[b], bounds[b + 1]);
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const uint32_t a = order[i - 1], b = order[i];
    if (SpanEqual(keys, bounds[a], bounds[a + 1], bounds[b], bounds[b + 1])) {
      return Malformed(at, "duplicate map key in map");
    }
  }
  return OkStatus();
}

Status Decoder::DecodeItem(Value& out, int depth) {
  Head h;
  RETURN_IF_ERROR(ReadHead(h));
  switch (h.major) {
    case kMajorUnsigned:
    case kMajorNegative:
      out.type_ = h.major == kMajorUnsigned ? Type::kUnsigned : Type::kNegative;
      out.scalar_ = h.arg;
      out.heap_.reset();
      return OkStatus();
    case kMajorBytes:
    case kMajorText: {
      if (h.arg > remaining()) {
        return Malformed(h.start, "string length " + std::to_string(h.arg) + " exceeds the " +
                                      std::to_string(remaining()) + " bytes left");
      }
      const size_t len = static_cast<size_t>(h.arg);
      const ByteView content = in_.subspan(pos_, len);
      if (h.major == kMajorText) {
        size_t bad = 0;
        if (!ValidUtf8(content, bad)) return Malformed(pos_ + bad, "invalid UTF-8 in text string");
        out = Value::Text(AsStringView(content));
      } else {
        out = Value::ByteString(content);
      }
      pos_ += len;
      return OkStatus();
    }
    case kMajorArray: {
      RETURN_IF_ERROR(EnterContainer(h, depth));
      // Every element takes at least one byte: reject impossible counts before allocating.
      if (h.arg > remaining()) {
        return Malformed(h.start, "array of " + std::to_string(h.arg) + " elements exceeds the " +
                                      std::to_string(remaining()) + " bytes left");
      }
      const size_t count = static_cast<size_t>(h.arg);
      Array items;
      items.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        items.emplace_back();
        RETURN_IF_ERROR(DecodeItem(items.back(), depth + 1));
      }
      out = Value::MakeArray(std::move(items));
      return OkStatus();
    }
    case kMajorMap: {
      RETURN_IF_ERROR(EnterContainer(h, depth));
      if (h.arg > remaining() / 2) {
        return Malformed(h.start, "map of " + std::to_string(h.arg) + " entries exceeds the " +
                                      std::to_string(remaining()) + " bytes left");
      }
      const size_t count = static_cast<size_t>(h.arg);
      Map entries;
      entries.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        entries.emplace_back();
        RETURN_IF_ERROR(DecodeItem(entries.back().first, depth + 1));
        RETURN_IF_ERROR(DecodeItem(entries.back().second, depth + 1));
      }
      RETURN_IF_ERROR(CheckDuplicateKeys(entries, h.start));
      out = Value::MakeMap(std::move(entries));
      return OkStatus();
    }
    case kMajorTag: {
      RETURN_IF_ERROR(EnterContainer(h, depth));
      Value inner;
      const size_t inner_start = pos_;
      RETURN_IF_ERROR(DecodeItem(inner, depth + 1));
      switch (h.arg) {
        case kTagTDate:
        case kTagFullDate:
          if (!inner.is_text()) {
            return Malformed(inner_start, "tag " + std::to_string(h.arg) + " needs a text string");
          }
          break;
        case kTagEpochTime:
          if (!inner.is_int() && !inner.is_float()) {
            return Malformed(inner_start, "tag 1 needs an integer or a float");
          }
          break;
        case kTagEncodedCbor:
          if (!inner.is_bytes()) return Malformed(inner_start, "tag 24 needs a byte string");
          break;
        default:
          break;
      }
      out = Value::Tagged(h.arg, std::move(inner));
      if (h.arg == kTagEncodedCbor) {
        TagBody& body = std::get<TagBody>(out.heap_->v);
        const ByteView whole = in_.subspan(h.start, pos_ - h.start);
        body.original.assign(whole.begin(), whole.end());
        body.has_original = true;
      }
      return OkStatus();
    }
    case kMajorSimple:
    default:
      break;
  }
  // Major type 7.
  switch (h.ai) {
    case 24:
      if (h.arg < 32) {
        return Malformed(h.start, "two-byte simple value " + std::to_string(h.arg) + " below 32");
      }
      out = Value::Simple(static_cast<uint8_t>(h.arg));
      return OkStatus();
    case 25:
      out = Value::Float(HalfToDouble(static_cast<uint16_t>(h.arg)));
      return OkStatus();
    case 26:
      out = Value::Float(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(h.arg))));
      return OkStatus();
    case 27:
      out = Value::Float(BitsDouble(h.arg));
      return OkStatus();
    default:
      out = Value::Simple(static_cast<uint8_t>(h.arg));
      return OkStatus();
  }
}

Result<Value> Decode(ByteView input, const DecodeLimits& limits) {
  if (input.size() > limits.max_bytes) {
    return Error(StatusCode::kLimitExceeded, "cbor: input of " + std::to_string(input.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(limits.max_bytes));
  }
  Decoder decoder(input, limits);
  Value value;
  RETURN_IF_ERROR(decoder.DecodeItem(value, 0));
  if (decoder.position() != input.size()) {
    return Error(StatusCode::kMalformed, "cbor: " + std::to_string(input.size() - decoder.position()) +
                                             " trailing bytes at offset " +
                                             std::to_string(decoder.position()));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Diagnostic notation

namespace {

void AppendFloatDiagnostic(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  // Like JavaScript's Number#toString: the shortest digits that read back as `d`, in fixed
  // notation for decimal exponents -7 < e < 21, else as "<mantissa>e<exponent>".
  char buf[400];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  const std::string sci(buf, r.ptr);
  const size_t e = sci.find('e');
  int exp10 = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp10);
  if (exp10 > -7 && exp10 < 21) {
    r = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
    std::string fixed(buf, r.ptr);
    if (fixed.find('.') == std::string::npos) fixed += ".0";
    out += fixed;
    return;
  }
  std::string mantissa = sci.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  out += mantissa;
  out += 'e';
  out += exp10 < 0 ? '-' : '+';
  out += std::to_string(exp10 < 0 ? -exp10 : exp10);
}

void AppendTextDiagnostic(std::string& out, std::string_view t) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : t) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendDiagnostic(std::string& out, const Value& v) {
  static const char kHex[] = "0123456789abcdef";
  switch (v.type()) {
    case Type::kUnsigned:
      out += std::to_string(v.uint_value());
      return;
    case Type::kNegative: {
      const uint64_t n = v.negative_argument();
      if (n == std::numeric_limits<uint64_t>::max()) {
        out += "-18446744073709551616";
      } else {
        out += '-';
        out += std::to_string(n + 1);
      }
      return;
    }
    case Type::kBytes:
      out += "h'";
      for (const uint8_t b : v.bytes()) {
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
      }
      out += '\'';
      return;
    case Type::kText:
      AppendTextDiagnostic(out, v.text());
      return;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& e : v.array()) {
        if (!first) out += ", ";
        first = false;
        AppendDiagnostic(out, e);
      }
      out += ']';
      return;
    }
    case Type::kMap: {
      out += '{';
      bool first = true;
      for (const MapEntry& e : v.map()) {
        if (!first) out += ", ";
        first = false;
        AppendDiagnostic(out, e.first);
        out += ": ";
        AppendDiagnostic(out, e.second);
      }
      out += '}';
      return;
    }
    case Type::kTag:
      out += std::to_string(v.tag());
      out += '(';
      AppendDiagnostic(out, v.tagged());
      out += ')';
      return;
    case Type::kSimple: {
      const uint64_t s = *v.AsSimple();
      switch (s) {
        case kSimpleFalse: out += "false"; return;
        case kSimpleTrue: out += "true"; return;
        case kSimpleNull: out += "null"; return;
        case kSimpleUndefined: out += "undefined"; return;
        default:
          out += "simple(" + std::to_string(s) + ")";
          return;
      }
    }
    case Type::kFloat:
      AppendFloatDiagnostic(out, *v.AsFloat());
      return;
  }
}

}  // namespace

std::string ToDiagnostic(const Value& value) {
  std::string out;
  AppendDiagnostic(out, value);
  return out;
}

void AppendHead(Bytes& out, uint8_t major, uint64_t n) {
  const uint8_t mt = static_cast<uint8_t>((major & 7) << 5);
  if (n < 24) {
    out.push_back(static_cast<uint8_t>(mt | n));
  } else if (n <= 0xff) {
    out.push_back(mt | 24);
    out.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xffff) {
    out.push_back(mt | 25);
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  } else if (n <= 0xffffffff) {
    out.push_back(mt | 26);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  } else {
    out.push_back(mt | 27);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  }
}

void AppendByteString(Bytes& out, ByteView b) {
  AppendHead(out, 2, b.size());
  out.insert(out.end(), b.begin(), b.end());
}

void AppendTextString(Bytes& out, std::string_view s) {
  AppendHead(out, 3, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

}  // namespace bonafide::cbor
