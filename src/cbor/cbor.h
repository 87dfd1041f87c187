// cbor/cbor.h: the CBOR data model (RFC 8949) as an owning value type, a strict bounded decoder
// for untrusted input, and preferred / deterministic encoders for what bonafide signs.
//
// Why our own codec and not libcbor (Debian's libcbor-dev 0.8): see docs/architecture.md. In
// short, libcbor 0.8 cannot decode one-byte tags 6-20, does not report where in the input an
// item came from (so the original bytes of a tag-24 item cannot be kept), does not detect
// duplicate map keys and does not sort map keys. The decoder here is one bounds-checked pass.
//
// Decode accepts exactly one well-formed data item and rejects, with kMalformed: truncation,
// trailing bytes, reserved additional-information values (28-30), a stray break, two-byte simple
// values below 32, indefinite-length items (18013-5 and COSE structures are definite; refusing
// them keeps one encoding per value), text strings that are not UTF-8, maps with duplicate keys
// (keys compared by value), and the tags this module gives a meaning to when they wrap the
// wrong type (0 and 1004 need a text string, 1 a number, 24 a byte string). Input longer than
// DecodeLimits::max_bytes, nesting deeper than max_depth or more than max_items data items in
// total are kLimitExceeded. Non-shortest heads (e.g. 0x1817 for 23) are accepted: bonafide
// hashes the bytes it received, never a re-encoding.
//
// Tag 24 (encoded CBOR data item, RFC 8949 section 3.4.5.1): a decoded tag-24 value remembers
// the exact bytes of the whole tagged item as received (`d8 18 <bstr head> <content>`), and
// both encoders write those bytes back verbatim. So a digest or a transcript computed over a
// re-encoded structure is computed over what the peer sent.
//
// Thread safety: Value is a regular value type (copyable, movable); concurrent const use is safe.
// Ownership: a Value owns all its data; decoding copies out of the input buffer.
#ifndef BONAFIDE_CBOR_CBOR_H_
#define BONAFIDE_CBOR_CBOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace bonafide::cbor {

// Tags with a meaning in bonafide.
inline constexpr uint64_t kTagTDate = 0;          // RFC 3339 date-time text (RFC 8949 3.4.1)
inline constexpr uint64_t kTagEpochTime = 1;      // epoch seconds (RFC 8949 3.4.2)
inline constexpr uint64_t kTagEncodedCbor = 24;   // bstr holding one CBOR item (RFC 8949 3.4.5.1)
inline constexpr uint64_t kTagFullDate = 1004;    // RFC 3339 full-date text (RFC 8943)

// Simple values (RFC 8949 section 3.3).
inline constexpr uint8_t kSimpleFalse = 20;
inline constexpr uint8_t kSimpleTrue = 21;
inline constexpr uint8_t kSimpleNull = 22;
inline constexpr uint8_t kSimpleUndefined = 23;

// Type is the kind of data item a Value holds.
enum class Type : uint8_t {
  kUnsigned,  // major type 0: 0 .. 2^64-1
  kNegative,  // major type 1: -1 .. -2^64 (stored as the argument n, meaning -1-n)
  kBytes,     // major type 2
  kText,      // major type 3 (valid UTF-8)
  kArray,     // major type 4
  kMap,       // major type 5 (entries in insertion / received order, keys unique)
  kTag,       // major type 6: a tag number and one enclosed item
  kSimple,    // major type 7 simple values: false, true, null, undefined and others
  kFloat,     // major type 7 floats (half, single or double in the input)
};

// DecodeLimits bounds the resources spent decoding untrusted CBOR.
struct DecodeLimits {
  size_t max_bytes = size_t{16} << 20;  // 16 MiB: a DeviceResponse with several portraits fits
  int max_depth = 32;                   // arrays, maps and tags nested inside one another
  size_t max_items = 200000;            // data items in total (every element, key and value)
};

class Value;
using Array = std::vector<Value>;
using MapEntry = std::pair<Value, Value>;
using Map = std::vector<MapEntry>;

// Value is one CBOR data item. Default-constructed it is null.
class Value {
 public:
  Value();
  ~Value();
  Value(const Value& other);
  Value& operator=(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;

  // Builders.
  static Value Uint(uint64_t v);
  // Int makes an unsigned item for v >= 0 and a negative item otherwise.
  static Value Int(int64_t v);
  // Negative makes the negative integer -1 - n (all of major type 1's range).
  static Value Negative(uint64_t n);
  static Value ByteString(ByteView b);
  static Value ByteString(Bytes&& b);
  static Value Text(std::string_view s);  // the caller guarantees UTF-8
  static Value Text(std::string&& s);
  // Text(const char*) exists so that Text("literal") is not ambiguous between the two above.
  static Value Text(const char* s) { return Text(std::string_view(s)); }
  static Value MakeArray(Array items = {});
  static Value MakeMap(Map entries = {});
  static Value Tagged(uint64_t tag, Value inner);
  static Value Bool(bool b);
  static Value Null();
  static Value Undefined();
  static Value Simple(uint8_t v);
  static Value Float(double d);
  // TDate is tag 0 over `rfc3339` (not validated here; see FormatTDate).
  static Value TDate(std::string_view rfc3339);
  // FullDate is tag 1004 over `yyyy_mm_dd` (not validated here; see ParseFullDate).
  static Value FullDate(std::string_view yyyy_mm_dd);
  // EmbeddedCbor is tag 24 over the deterministic encoding of `item` (EncodeDeterministic).
  static Value EmbeddedCbor(const Value& item);
  // EmbeddedCborBytes is tag 24 over `encoded` taken as is (it should be one CBOR item).
  static Value EmbeddedCborBytes(ByteView encoded);

  Type type() const { return type_; }
  bool is_uint() const { return type_ == Type::kUnsigned; }
  bool is_negative() const { return type_ == Type::kNegative; }
  bool is_int() const { return is_uint() || is_negative(); }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_tag() const { return type_ == Type::kTag; }
  bool is_tag(uint64_t tag) const { return is_tag() && scalar_ == tag; }
  bool is_bool() const { return type_ == Type::kSimple && (scalar_ == kSimpleFalse || scalar_ == kSimpleTrue); }
  bool is_null() const { return type_ == Type::kSimple && scalar_ == kSimpleNull; }
  bool is_undefined() const { return type_ == Type::kSimple && scalar_ == kSimpleUndefined; }
  bool is_simple() const { return type_ == Type::kSimple; }
  bool is_float() const { return type_ == Type::kFloat; }

  // Checked accessors: each returns kMalformed (with `what` in the message when given) if the
  // value is of another type or out of the requested range.
  Result<uint64_t> AsUint() const;
  Result<int64_t> AsInt() const;  // unsigned or negative that fits in int64
  Result<bool> AsBool() const;
  Result<double> AsFloat() const;
  Result<ByteView> AsBytes() const;          // views this value's storage
  Result<std::string_view> AsText() const;   // views this value's storage
  Result<const Array*> AsArray() const;
  Result<const Map*> AsMap() const;
  Result<uint64_t> AsSimple() const;
  // AsTagged returns the item inside tag `tag`; kMalformed if this is not that tag.
  Result<const Value*> AsTagged(uint64_t tag) const;

  // Unchecked views, for code that tested the type first: empty / zero for other types.
  uint64_t uint_value() const { return is_uint() ? scalar_ : 0; }
  // negative_argument returns n for the negative integer -1-n.
  uint64_t negative_argument() const { return is_negative() ? scalar_ : 0; }
  uint64_t tag() const { return is_tag() ? scalar_ : 0; }
  ByteView bytes() const;
  std::string_view text() const;
  const Array& array() const;
  const Map& map() const;
  // tagged returns the enclosed item of a tag (a null value for other types).
  const Value& tagged() const;

  // Mutable access for builders (the value must already be of that type, else a no-op sink).
  Array& mutable_array();
  Map& mutable_map();

  // size returns the number of elements of an array or entries of a map; 0 otherwise.
  size_t size() const;
  // Find returns the value under a text / integer key of a map; nullptr if absent or not a map.
  const Value* Find(std::string_view key) const;
  const Value* Find(int64_t key) const;
  // Append adds an element to an array; Insert adds an entry to a map (no duplicate check; the
  // encoders do not check either, so builders must not insert a key twice).
  void Append(Value v);
  void Insert(Value key, Value v);
  void Insert(std::string_view key, Value v) { Insert(Text(key), std::move(v)); }
  void Insert(int64_t key, Value v) { Insert(Int(key), std::move(v)); }

  // original_encoding returns the exact bytes this tag-24 item was decoded from, or nullopt for
  // any value not produced by Decode as a tag-24 item.
  std::optional<ByteView> original_encoding() const;
  // DecodeEmbedded decodes the byte string inside a tag-24 item as CBOR (with `limits`);
  // kMalformed if this is not tag 24 over a byte string or the content is not one CBOR item.
  Result<Value> DecodeEmbedded(const DecodeLimits& limits = {}) const;

  // Equality by data model value (map order matters; original encodings are ignored; floats
  // compare by bits except that all NaNs are equal, as the encoders write every NaN as f97e00).
  friend bool operator==(const Value& a, const Value& b);

 private:
  struct Heap;  // strings, containers and the tagged item
  Type type_ = Type::kSimple;
  uint64_t scalar_ = kSimpleNull;  // integer argument, simple value, tag number or float bits
  std::unique_ptr<Heap> heap_;
  friend class Decoder;
  friend class Encoder;
};

// Decode parses `input` as exactly one CBOR data item under the rules at the top of this file.
Result<Value> Decode(ByteView input, const DecodeLimits& limits = {});

// Encode returns the preferred serialization of `value` (shortest heads, definite lengths,
// shortest float that keeps the value), map entries in the value's order, tag-24 items that came
// from Decode written as received.
Bytes Encode(const Value& value);
// EncodeDeterministic is Encode with the map keys of every map sorted by the bytewise order of
// their encodings (RFC 8949 section 4.2.1 core deterministic encoding). For everything bonafide
// signs.
Bytes EncodeDeterministic(const Value& value);
// AppendEncode / AppendEncodeDeterministic append to `out` instead.
void AppendEncode(Bytes& out, const Value& value);
void AppendEncodeDeterministic(Bytes& out, const Value& value);

// AppendHead appends the shortest head of major type `major` (0-7) with argument `n`, for code
// that streams a structure it builds itself (Sig_structure, DeviceAuthentication, ...).
void AppendHead(Bytes& out, uint8_t major, uint64_t n);
// AppendByteString appends `b` as a byte string; AppendTextString appends `s` as a text string
// (the caller guarantees UTF-8).
void AppendByteString(Bytes& out, ByteView b);
void AppendTextString(Bytes& out, std::string_view s);

// ToDiagnostic returns RFC 8949 section 8 diagnostic notation (byte strings as h'..'), for logs
// and tests.
std::string ToDiagnostic(const Value& value);

// ParseTDate returns the Unix time of an RFC 3339 date-time as 18013-5 uses it for tdate
// ("YYYY-MM-DDThh:mm:ssZ"; fractional seconds and +hh:mm offsets also accepted, fractions
// truncated); kMalformed for anything else or an impossible date.
Result<int64_t> ParseTDate(std::string_view text);
// FormatTDate returns "YYYY-MM-DDThh:mm:ssZ" for `unix_seconds` (no fraction, as 18013-5 asks);
// kInvalidArgument outside years 0001-9999.
Result<std::string> FormatTDate(int64_t unix_seconds);
// ParseFullDate returns the Unix time of 00:00:00Z on the RFC 3339 full-date "YYYY-MM-DD";
// kMalformed for anything else or an impossible date.
Result<int64_t> ParseFullDate(std::string_view text);
// FormatFullDate returns "YYYY-MM-DD" of the UTC day containing `unix_seconds`;
// kInvalidArgument outside years 0001-9999.
Result<std::string> FormatFullDate(int64_t unix_seconds);

}  // namespace bonafide::cbor

#endif  // BONAFIDE_CBOR_CBOR_H_
