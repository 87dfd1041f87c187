// fuzz_cbor: cbor/cbor.h's strict Decode on arbitrary bytes, with small limits.
//
// Invariants: Decode never crashes; a rejection is kMalformed or kLimitExceeded. Whatever it
// accepts survives a round trip through the preferred encoder, Decode(Encode(v)) == v, and
// encoding is a fixed point, Encode(Decode(Encode(v))) == Encode(v). EncodeDeterministic's
// output decodes to a value with the same entries (maps compared as sets), and is itself a fixed
// point of both encoders. Tag-24 items keep their original bytes; DecodeEmbedded and
// ToDiagnostic do not crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "cbor/cbor.h"

namespace {

using bonafide::fuzz::Check;
using bonafide::cbor::Value;

// SameEntries is operator== with map entries compared regardless of order.
bool SameEntries(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameEntries(a.array()[i], b.array()[i])) return false;
    }
    return true;
  }
  if (a.is_map()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a.map()) {
      bool found = false;
      for (const auto& [other_key, other_value] : b.map()) {
        if (SameEntries(key, other_key)) {
          found = SameEntries(value, other_value);
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (a.is_tag()) return a.tag() == b.tag() && SameEntries(a.tagged(), b.tagged());
  return a == b;
}

// VisitTag24 exercises DecodeEmbedded and checks original_encoding on every tag-24 item.
void VisitTag24(const Value& v, const bonafide::cbor::DecodeLimits& limits) {
  if (v.is_tag(bonafide::cbor::kTagEncodedCbor)) {
    Check(v.original_encoding().has_value(), "decoded tag 24 has its original bytes");
    (void)v.DecodeEmbedded(limits);
  }
  if (v.is_tag()) VisitTag24(v.tagged(), limits);
  for (const Value& e : v.array()) VisitTag24(e, limits);
  for (const auto& [key, value] : v.map()) {
    VisitTag24(key, limits);
    VisitTag24(value, limits);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bonafide::cbor::DecodeLimits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_depth = 16;
  limits.max_items = 4096;
  const bonafide::ByteView input(data, size);

  auto decoded = bonafide::cbor::Decode(input, limits);
  if (!decoded.ok()) {
    const bonafide::StatusCode code = decoded.status().code();
    Check(code == bonafide::StatusCode::kMalformed || code == bonafide::StatusCode::kLimitExceeded,
          "rejection code is kMalformed or kLimitExceeded");
    return 0;
  }
  const Value& v = *decoded;
  (void)bonafide::cbor::ToDiagnostic(v);
  VisitTag24(v, limits);

  const bonafide::Bytes encoded = bonafide::cbor::Encode(v);
  Check(encoded.size() <= size, "the preferred encoding is no longer than the input");
  auto reparsed = bonafide::cbor::Decode(encoded, limits);
  Check(reparsed.ok(), "Decode(Encode(v)) succeeds");
  Check(*reparsed == v, "Decode(Encode(v)) == v");
  Check(bonafide::cbor::Encode(*reparsed) == encoded, "Encode is a fixed point");

  const bonafide::Bytes deterministic = bonafide::cbor::EncodeDeterministic(v);
  Check(deterministic.size() == encoded.size(), "deterministic and preferred sizes agree");
  auto sorted = bonafide::cbor::Decode(deterministic, limits);
  Check(sorted.ok(), "Decode(EncodeDeterministic(v)) succeeds");
  Check(SameEntries(*sorted, v), "EncodeDeterministic keeps every entry");
  Check(bonafide::cbor::Encode(*sorted) == deterministic, "deterministic output is in order");
  Check(bonafide::cbor::EncodeDeterministic(*sorted) == deterministic,
        "EncodeDeterministic is a fixed point");
  return 0;
}
