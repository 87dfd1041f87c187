#include "status/token_status_list.h"

#include <string>
#include <utility>

#include "base/encoding.h"
#include "status/internal/compression.h"

namespace bonafide::status {
namespace {

unsigned Log2Bits(int bits) {
  switch (bits) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    default: return 3;
  }
}

}  // namespace

StatusList::StatusList(int bits, uint64_t size, Bytes bytes)
    : bits_(bits),
      log2_bits_(Log2Bits(bits)),
      per_byte_mask_((uint64_t{8} >> Log2Bits(bits)) - 1),
      value_mask_(static_cast<uint8_t>((1u << bits) - 1)),
      size_(size),
      bytes_(std::move(bytes)) {}

Result<StatusList> StatusList::Create(int bits, uint64_t size) {
  if (!IsValidStatusBits(bits)) {
    return Error(StatusCode::kInvalidArgument, "status list bits must be 1, 2, 4 or 8");
  }
  if (size == 0) return Error(StatusCode::kInvalidArgument, "status list must have at least one entry");
  const uint64_t per_byte = uint64_t{8} / static_cast<uint64_t>(bits);
  if (size > kMaxBytes * per_byte) {
    return Error(StatusCode::kInvalidArgument, "status list larger than " + std::to_string(kMaxBytes) + " bytes");
  }
  const uint64_t num_bytes = (size + per_byte - 1) / per_byte;
  return StatusList(bits, size, Bytes(static_cast<size_t>(num_bytes), 0));
}

Result<StatusList> StatusList::FromBytes(int bits, Bytes bytes) {
  if (!IsValidStatusBits(bits)) return Error(StatusCode::kMalformed, "status list bits must be 1, 2, 4 or 8");
  if (bytes.empty()) return Error(StatusCode::kMalformed, "status list is empty");
  const uint64_t size = static_cast<uint64_t>(bytes.size()) * (uint64_t{8} / static_cast<uint64_t>(bits));
  return StatusList(bits, size, std::move(bytes));
}

Result<StatusList> StatusList::Decompress(int bits, ByteView compressed, const DecodeLimits& limits) {
  // Check bits before spending time inflating.
  if (!IsValidStatusBits(bits)) return Error(StatusCode::kMalformed, "status list bits must be 1, 2, 4 or 8");
  ASSIGN_OR_RETURN(Bytes bytes,
                   internal::Inflate(compressed, internal::Container::kZlib, limits.max_decompressed_bytes));
  return FromBytes(bits, std::move(bytes));
}

Result<StatusList> StatusList::DecodeJson(const Json& json, const DecodeLimits& limits) {
  if (!json.is_object()) return Error(StatusCode::kMalformed, "status_list is not a JSON object");
  const Json* bits = Find(json, "bits");
  const Json* lst = Find(json, "lst");
  if (bits == nullptr || !bits->is_number_integer()) {
    return Error(StatusCode::kMalformed, "status_list.bits missing or not an integer");
  }
  const std::optional<int64_t> bits_value = AsInt(*bits);  // nullopt above INT64_MAX
  if (!bits_value || !IsValidStatusBits(*bits_value)) {
    return Error(StatusCode::kMalformed, "status_list.bits must be 1, 2, 4 or 8");
  }
  if (lst == nullptr || !lst->is_string()) {
    return Error(StatusCode::kMalformed, "status_list.lst missing or not a string");
  }
  const Json* aggregation_uri = Find(json, "aggregation_uri");
  if (aggregation_uri != nullptr && !aggregation_uri->is_string()) {
    return Error(StatusCode::kMalformed, "status_list.aggregation_uri is not a string");
  }
  ASSIGN_OR_RETURN(Bytes compressed, Base64UrlDecode(lst->get_ref<const std::string&>()));
  return Decompress(static_cast<int>(*bits_value), compressed, limits);
}

Status StatusList::Set(uint64_t idx, StatusType value) {
  if (idx >= size_) {
    return Error(StatusCode::kInvalidArgument,
                 "index " + std::to_string(idx) + " outside a status list of " + std::to_string(size_) + " entries");
  }
  const uint8_t raw = static_cast<uint8_t>(value);
  if (raw > value_mask_) {
    return Error(StatusCode::kInvalidArgument,
                 "status value " + std::to_string(raw) + " does not fit in " + std::to_string(bits_) + " bits");
  }
  uint8_t& byte = bytes_[static_cast<size_t>(idx >> (3 - log2_bits_))];
  const unsigned shift = static_cast<unsigned>(idx & per_byte_mask_) << log2_bits_;
  byte = static_cast<uint8_t>((byte & ~(value_mask_ << shift)) | (raw << shift));
  return OkStatus();
}

Status StatusList::OutOfRange(uint64_t idx) {
  return Error(StatusCode::kStatusUnavailable, "index " + std::to_string(idx) + " outside the status list");
}

Result<Bytes> StatusList::Compress() const { return internal::Deflate(bytes_, internal::Container::kZlib); }

Result<Json> StatusList::EncodeJson(std::optional<std::string_view> aggregation_uri) const {
  ASSIGN_OR_RETURN(Bytes compressed, Compress());
  Json out = Json::object();
  out["bits"] = bits_;
  out["lst"] = Base64UrlEncode(compressed);
  if (aggregation_uri) out["aggregation_uri"] = std::string(*aggregation_uri);
  return out;
}

}  // namespace bonafide::status
