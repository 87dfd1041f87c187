// status/token_status_list.h: the Status List of the IETF Token Status List
// (draft-ietf-oauth-status-list-20, section 4), its compressed form and its JSON encoding.
//
// A StatusList is a byte array of `size` entries of `bits` bits each (1, 2, 4 or 8). Entries are
// packed least significant bit first: entry i lives in byte i * bits / 8 at bit offset
// (i mod (8 / bits)) * bits (section 4.1). On the wire the array is zlib-compressed (RFC 1950) and,
// in JSON, base64url-encoded: {"bits": n, "lst": "...", "aggregation_uri"?: "..."} (section 4.2).
//
// Decoding is strict and bounded: DecodeLimits caps the inflated size (decompression bombs fail
// with kLimitExceeded without allocating their full size), and a corrupt stream, bytes after the
// stream, an empty list or bits outside {1, 2, 4, 8} are kMalformed.
//
// Get is O(1) and does not allocate on success; verifiers call it once per credential.
//
// Thread safety: StatusList is a value. Concurrent const calls are safe; Set needs exclusive access.
#ifndef BONAFIDE_STATUS_TOKEN_STATUS_LIST_H_
#define BONAFIDE_STATUS_TOKEN_STATUS_LIST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/json.h"
#include "base/status.h"

namespace bonafide::status {

// StatusType is the value of a status entry (draft-20 section 7.1). Only the first three values
// are named; any raw value up to 2^bits - 1 can be stored and read with static_cast.
enum class StatusType : uint8_t {
  kValid = 0x00,      // VALID: the Referenced Token is valid, correct or legal.
  kInvalid = 0x01,    // INVALID: revoked, annulled, taken back, recalled or cancelled.
  kSuspended = 0x02,  // SUSPENDED: temporarily invalid, hanging, debarred from privilege.
};

// DecodeLimits bounds the resources a decoder spends on untrusted input.
struct DecodeLimits {
  // Largest accepted decompressed list. The default, 16 MiB, holds 2^20 entries at 8 bits (1 MiB)
  // with a wide margin, and 134 million 1-bit entries.
  size_t max_decompressed_bytes = size_t{16} << 20;
};

// StatusList is a Status List (draft-20 section 4.1): `size` entries of `bits` bits each.
class StatusList {
 public:
  // Largest list Create accepts, in bytes of the uncompressed array (256 MiB).
  static constexpr uint64_t kMaxBytes = uint64_t{256} << 20;

  // Create returns a list of `size` entries, all VALID. kInvalidArgument if `bits` is not 1, 2, 4
  // or 8, if `size` is 0, or if the list would exceed kMaxBytes.
  static Result<StatusList> Create(int bits, uint64_t size);

  // FromBytes wraps an uncompressed array; its size is bytes.size() * 8 / bits entries.
  // kMalformed if `bits` is not 1, 2, 4 or 8 or `bytes` is empty.
  static Result<StatusList> FromBytes(int bits, Bytes bytes);

  // Decompress inflates the zlib stream `compressed` (the CBOR `lst` bstr or the base64url-decoded
  // JSON `lst`) into a list of `bits`-bit entries. kMalformed for a bad `bits`, corrupt or
  // truncated zlib, trailing bytes or an empty list; kLimitExceeded past `limits`.
  static Result<StatusList> Decompress(int bits, ByteView compressed, const DecodeLimits& limits = {});

  // DecodeJson parses a JSON Status List {"bits", "lst", "aggregation_uri"?}. kMalformed if `json`
  // is not an object, `bits` is not an integer in {1, 2, 4, 8}, `lst` is not strict unpadded
  // base64url of a valid zlib stream, or `aggregation_uri` is present but not a string; and as
  // Decompress. Members the draft does not define are ignored.
  static Result<StatusList> DecodeJson(const Json& json, const DecodeLimits& limits = {});

  // Get returns the status of entry `idx`; kStatusUnavailable if idx >= size(). O(1); does not
  // allocate unless it fails.
  Result<StatusType> Get(uint64_t idx) const {
    if (idx >= size_) return OutOfRange(idx);
    return static_cast<StatusType>(GetUnchecked(idx));
  }

  // Set stores `value` at entry `idx`. kInvalidArgument if idx >= size() or the value does not
  // fit in `bits` bits.
  Status Set(uint64_t idx, StatusType value);
  Status Set(uint64_t idx, uint8_t raw_value) { return Set(idx, static_cast<StatusType>(raw_value)); }

  // Compress returns the zlib stream (RFC 1950, best compression) of the array. kInternal only if
  // zlib fails.
  Result<Bytes> Compress() const;

  // EncodeJson returns {"bits": n, "lst": base64url(zlib(array))} plus `aggregation_uri` when
  // given. kInternal only if zlib fails.
  Result<Json> EncodeJson(std::optional<std::string_view> aggregation_uri = std::nullopt) const;

  int bits() const { return bits_; }
  // size returns the number of entries.
  uint64_t size() const { return size_; }
  // bytes returns the uncompressed array (trailing padding entries are zero).
  const Bytes& bytes() const { return bytes_; }

 private:
  StatusList(int bits, uint64_t size, Bytes bytes);
  uint8_t GetUnchecked(uint64_t idx) const {
    const uint8_t byte = bytes_[static_cast<size_t>(idx >> (3 - log2_bits_))];
    const unsigned shift = static_cast<unsigned>(idx & per_byte_mask_) << log2_bits_;
    return static_cast<uint8_t>((byte >> shift) & value_mask_);
  }
  static Status OutOfRange(uint64_t idx);

  int bits_;
  unsigned log2_bits_;      // 0, 1, 2 or 3
  uint64_t per_byte_mask_;  // 8 / bits - 1
  uint8_t value_mask_;      // 2^bits - 1
  uint64_t size_;
  Bytes bytes_;
};

// IsValidStatusBits is true for the widths the draft allows: 1, 2, 4 and 8.
constexpr bool IsValidStatusBits(int64_t bits) { return bits == 1 || bits == 2 || bits == 4 || bits == 8; }

}  // namespace bonafide::status

#endif  // BONAFIDE_STATUS_TOKEN_STATUS_LIST_H_
