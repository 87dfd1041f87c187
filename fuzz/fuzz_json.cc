// fuzz_json: base/json.h's strict ParseJson on arbitrary bytes.
//
// Invariants: ParseJson never crashes or throws; a rejection is kMalformed or kLimitExceeded;
// whatever it accepts survives a round trip, parse(dump(x)) == x, and dumping is a fixed point
// (dump(parse(dump(x))) == dump(x)). ParseJsonObject agrees with ParseJson on objects.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "base/json.h"

namespace {

using bonafide::fuzz::Check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bonafide::JsonLimits limits;

  auto parsed = bonafide::ParseJson(text, limits);
  auto object = bonafide::ParseJsonObject(text, limits);
  if (!parsed.ok()) {
    const bonafide::StatusCode code = parsed.status().code();
    Check(code == bonafide::StatusCode::kMalformed || code == bonafide::StatusCode::kLimitExceeded,
          "rejection code is kMalformed or kLimitExceeded");
    Check(!object.ok(), "ParseJsonObject accepts what ParseJson rejects");
    return 0;
  }
  Check(object.ok() == parsed->is_object(), "ParseJsonObject accepts exactly the objects");

  const std::string dumped = bonafide::DumpJson(*parsed);
  // Escaping can make the dump longer than the input; the depth is unchanged.
  bonafide::JsonLimits relaxed = limits;
  relaxed.max_bytes = std::max(limits.max_bytes, dumped.size());
  auto reparsed = bonafide::ParseJson(dumped, relaxed);
  Check(reparsed.ok(), "parse(dump(x)) succeeds");
  Check(*reparsed == *parsed, "parse(dump(x)) == x");
  Check(bonafide::DumpJson(*reparsed) == dumped, "dump is a fixed point");
  return 0;
}
