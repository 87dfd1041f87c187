// fuzz_status_list: status::StatusList decoding (Decompress of a zlib stream, DecodeJson of a
// JSON Status List) on arbitrary bytes.
//
// Input layout: the first byte picks the mode (bit 7: JSON, else raw zlib) and the entry width
// (bits 0-1: 1, 2, 4 or 8 bits); the rest is the zlib stream or the JSON text. The decompression
// limit is lowered to 2 MiB (the largest draft vector inflates to 1 MiB) so a bomb is cut off
// quickly. Invariants: failures use the documented codes; a decoded list has
// bytes().size() * 8 / bits entries, Get answers for the last entry and kStatusUnavailable one
// past it; Compress / EncodeJson round-trip to the same array.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_common.h"
#include "base/bytes.h"
#include "base/json.h"
#include "status/token_status_list.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::StatusCode;
namespace status = bonafide::status;

void CheckDecoded(const status::StatusList& list, const status::DecodeLimits& limits) {
  Check(list.size() > 0, "a decoded list is not empty");
  Check(list.size() == list.bytes().size() * 8 / static_cast<size_t>(list.bits()),
        "size is bytes * 8 / bits");
  Check(list.bytes().size() <= limits.max_decompressed_bytes, "the limit holds");
  Check(list.Get(list.size() - 1).ok(), "the last entry reads");
  auto past = list.Get(list.size());
  Check(!past.ok() && past.status().code() == StatusCode::kStatusUnavailable,
        "one past the end is unavailable");

  auto compressed = list.Compress();
  Check(compressed.ok(), "Compress succeeds");
  auto again = status::StatusList::Decompress(list.bits(), *compressed, limits);
  Check(again.ok() && again->bytes() == list.bytes(), "Decompress(Compress(x)) == x");

  auto json = list.EncodeJson();
  Check(json.ok(), "EncodeJson succeeds");
  auto from_json = status::StatusList::DecodeJson(*json, limits);
  Check(from_json.ok() && from_json->bytes() == list.bytes() && from_json->bits() == list.bits(),
        "DecodeJson(EncodeJson(x)) == x");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const int bits = 1 << (mode & 3);
  const bonafide::ByteView rest(data + 1, size - 1);
  status::DecodeLimits limits;
  limits.max_decompressed_bytes = size_t{2} << 20;

  if ((mode & 0x80) == 0) {
    auto list = status::StatusList::Decompress(bits, rest, limits);
    if (list.ok()) {
      CheckDecoded(*list, limits);
    } else {
      const StatusCode code = list.status().code();
      Check(code == StatusCode::kMalformed || code == StatusCode::kLimitExceeded,
            "Decompress fails with kMalformed or kLimitExceeded");
    }
    return 0;
  }
  auto json = bonafide::ParseJson(bonafide::AsStringView(rest));
  if (!json.ok()) return 0;
  auto list = status::StatusList::DecodeJson(*json, limits);
  if (list.ok()) {
    CheckDecoded(*list, limits);
  } else {
    const StatusCode code = list.status().code();
    Check(code == StatusCode::kMalformed || code == StatusCode::kLimitExceeded,
          "DecodeJson fails with kMalformed or kLimitExceeded");
  }
  return 0;
}
