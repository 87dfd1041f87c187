// cose/cbor.h: strict, bounded decoding of untrusted CBOR (RFC 8949) over libcbor, and the few
// deterministic encodings COSE needs.
//
// CborDocument::Decode first walks the input with a bounds-checked cursor and rejects, with
// kMalformed: anything that is not exactly one well-formed data item (truncation, trailing bytes,
// reserved additional-information values, a stray "break", simple values below 32 in two-byte
// form), indefinite-length items (COSE and CWT structures are definite; refusing them keeps one
// encoding per value), and maps with duplicate keys (integer and text keys compared by value,
// other keys by their encoded bytes). Nesting deeper than CborLimits::max_depth is kLimitExceeded,
// as is input longer than max_bytes. Only then is libcbor asked to build the tree, so every length
// libcbor allocates for has been checked against the input.
//
// CborValue is a borrowed view into a CborDocument's tree: valid while the document lives; its
// accessors check the type and return kMalformed instead of touching a value of another type.
//
// Thread safety: a CborDocument is immutable after Decode; concurrent const use is safe.
// Ownership: CborDocument owns the tree (freed with cbor_decref); CborValue borrows.
#ifndef BONAFIDE_COSE_CBOR_H_
#define BONAFIDE_COSE_CBOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/status.h"

struct cbor_item_t;  // libcbor's item, kept opaque outside src/cose.

namespace bonafide::cose {

// CborLimits bounds the resources spent decoding untrusted CBOR.
struct CborLimits {
  size_t max_bytes = size_t{1} << 20;  // 1 MiB
  int max_depth = 16;                  // arrays, maps and tags nested inside one another
};

// CborValue is a read-only view of one decoded data item. Default-constructed, it views nothing
// and every accessor returns kMalformed.
class CborValue {
 public:
  CborValue() = default;

  bool is_uint() const;
  bool is_negint() const;
  bool is_int() const { return is_uint() || is_negint(); }
  bool is_bytes() const;
  bool is_text() const;
  bool is_array() const;
  bool is_map() const;
  bool is_tag() const;
  bool is_null() const;

  // AsUint returns an unsigned integer; kMalformed for any other type.
  Result<uint64_t> AsUint() const;
  // AsInt returns an unsigned or negative integer that fits in int64; kMalformed otherwise.
  Result<int64_t> AsInt() const;
  // AsBytes views a byte string's contents (valid while the document lives); kMalformed otherwise.
  Result<ByteView> AsBytes() const;
  // AsText views a text string's contents (valid while the document lives); kMalformed otherwise.
  Result<std::string_view> AsText() const;

  // size returns the number of elements of an array or pairs of a map; 0 for other types.
  size_t size() const;
  // At returns element `i` of an array; kMalformed if this is not an array or i >= size().
  Result<CborValue> At(size_t i) const;
  // EntryAt returns the key and value of pair `i` of a map; kMalformed if this is not a map or
  // i >= size().
  Result<std::pair<CborValue, CborValue>> EntryAt(size_t i) const;
  // FindInt returns the value under integer key `key` of a map, nullopt if absent; kMalformed if
  // this is not a map.
  Result<std::optional<CborValue>> FindInt(int64_t key) const;
  // FindText returns the value under text key `key` of a map, nullopt if absent; kMalformed if
  // this is not a map.
  Result<std::optional<CborValue>> FindText(std::string_view key) const;
  // Tag returns the tag number of a tagged item; kMalformed otherwise.
  Result<uint64_t> Tag() const;
  // Tagged returns the item a tag wraps; kMalformed if this is not a tag.
  Result<CborValue> Tagged() const;

 private:
  friend class CborDocument;
  explicit CborValue(const cbor_item_t* item) : item_(item) {}
  const cbor_item_t* item_ = nullptr;
};

// CborDocument owns one decoded CBOR data item.
class CborDocument {
 public:
  // Decode parses `input` as exactly one well-formed, definite-length CBOR data item without
  // duplicate map keys. kMalformed for anything else; kLimitExceeded past `limits`; kInternal if
  // libcbor fails to allocate.
  static Result<CborDocument> Decode(ByteView input, const CborLimits& limits = {});

  // root returns the top-level item (valid while this document lives).
  CborValue root() const { return CborValue(root_.get()); }

 private:
  struct Deleter {
    void operator()(cbor_item_t* item) const;
  };
  explicit CborDocument(cbor_item_t* root) : root_(root) {}
  std::unique_ptr<cbor_item_t, Deleter> root_;
};

}  // namespace bonafide::cose

#endif  // BONAFIDE_COSE_CBOR_H_
