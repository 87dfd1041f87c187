// Differential test: cbor/cbor.h against libcbor (Debian's 0.8) on the ISO 18013-5 Annex D
// vectors and on randomly generated well-formed items. Both decoders must see the same data
// model value, and libcbor's re-serialization of preferred-form input must equal ours.
//
// libcbor 0.8 mis-decodes the one-byte tags 6-20, so the generator never emits them.
#include <cbor.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "cbor/cbor.h"

namespace bonafide::cbor {
namespace {

// FromLibcbor converts a libcbor item into our Value (nullopt for what has no counterpart, such
// as indefinite strings, which the inputs here never contain).
std::optional<Value> FromLibcbor(cbor_item_t* item) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
      return Value::Uint(cbor_get_int(item));
    case CBOR_TYPE_NEGINT:
      return Value::Negative(cbor_get_int(item));
    case CBOR_TYPE_BYTESTRING: {
      if (!cbor_bytestring_is_definite(item)) return std::nullopt;
      const size_t n = cbor_bytestring_length(item);
      if (n == 0) return Value::ByteString(Bytes{});
      return Value::ByteString(ByteView(cbor_bytestring_handle(item), n));
    }
    case CBOR_TYPE_STRING: {
      if (!cbor_string_is_definite(item)) return std::nullopt;
      const size_t n = cbor_string_length(item);
      if (n == 0) return Value::Text(std::string_view());
      return Value::Text(AsStringView(ByteView(cbor_string_handle(item), n)));
    }
    case CBOR_TYPE_ARRAY: {
      Value out = Value::MakeArray();
      cbor_item_t** items = cbor_array_handle(item);
      for (size_t i = 0; i < cbor_array_size(item); ++i) {
        std::optional<Value> e = FromLibcbor(items[i]);
        if (!e) return std::nullopt;
        out.Append(std::move(*e));
      }
      return out;
    }
    case CBOR_TYPE_MAP: {
      Value out = Value::MakeMap();
      struct cbor_pair* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < cbor_map_size(item); ++i) {
        std::optional<Value> k = FromLibcbor(pairs[i].key);
        std::optional<Value> v = FromLibcbor(pairs[i].value);
        if (!k || !v) return std::nullopt;
        out.Insert(std::move(*k), std::move(*v));
      }
      return out;
    }
    case CBOR_TYPE_TAG: {
      cbor_item_t* inner = cbor_tag_item(item);  // new reference
      std::optional<Value> v = FromLibcbor(inner);
      cbor_decref(&inner);
      if (!v) return std::nullopt;
      return Value::Tagged(cbor_tag_value(item), std::move(*v));
    }
    case CBOR_TYPE_FLOAT_CTRL:
      if (cbor_float_ctrl_is_ctrl(item)) return Value::Simple(cbor_ctrl_value(item));
      return Value::Float(cbor_float_get_float(item));
  }
  return std::nullopt;
}

struct LibcborItem {
  cbor_item_t* item = nullptr;
  ~LibcborItem() {
    if (item != nullptr) cbor_decref(&item);
  }
};

// HasHalfSubnormal reports whether `v` holds a float our encoder writes as a half-precision
// subnormal: libcbor 0.8 decodes those correctly but serializes them wrongly (f9028c comes out
// as f90200), so its serialization is not compared for such items.
bool HasHalfSubnormal(const Value& v) {
  if (v.is_float()) {
    const double d = std::fabs(*v.AsFloat());
    return d != 0 && d < std::ldexp(1.0, -14);
  }
  if (v.is_tag()) return HasHalfSubnormal(v.tagged());
  for (const Value& e : v.array()) {
    if (HasHalfSubnormal(e)) return true;
  }
  for (const MapEntry& e : v.map()) {
    if (HasHalfSubnormal(e.first) || HasHalfSubnormal(e.second)) return true;
  }
  return false;
}

// CheckAgainstLibcbor asserts that libcbor decodes `in` to the value we decode, and that for
// preferred-form input its serialization equals ours.
void CheckAgainstLibcbor(const Bytes& in, bool preferred) {
  Result<Value> ours = Decode(in);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  struct cbor_load_result result;
  LibcborItem theirs{cbor_load(in.data(), in.size(), &result)};
  ASSERT_NE(theirs.item, nullptr) << "libcbor error " << result.error.code << " at "
                                  << result.error.position;
  ASSERT_EQ(result.read, in.size());
  std::optional<Value> converted = FromLibcbor(theirs.item);
  ASSERT_TRUE(converted.has_value());
  EXPECT_EQ(*converted, *ours) << ToDiagnostic(*converted) << "\nvs\n" << ToDiagnostic(*ours);
  if (preferred && !HasHalfSubnormal(*ours)) {
    unsigned char* buffer = nullptr;
    size_t buffer_size = 0;
    const size_t written = cbor_serialize_alloc(theirs.item, &buffer, &buffer_size);
    ASSERT_GT(written, 0u);
    const Bytes serialized(buffer, buffer + written);
    free(buffer);  // allocated by libcbor with malloc
    EXPECT_EQ(HexEncode(serialized), HexEncode(in));
    EXPECT_EQ(HexEncode(Encode(*ours)), HexEncode(in));
  }
}

TEST(CborLibcborTest, AgreesOnAnnexDVectors) {
  const std::filesystem::path dir =
      std::filesystem::path(BONAFIDE_VECTORS_DIR) / "mdoc-iso18013-5" / "annex-d";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".hex") continue;
    if (name.find(".der.") != std::string::npos || name == "portrait_jpeg.hex") continue;
    SCOPED_TRACE(name);
    std::ifstream file(entry.path());
    std::string line;
    std::getline(file, line);
    Result<Bytes> in = HexDecode(line);
    ASSERT_TRUE(in.ok());
    // The vectors are in preferred form except inside tag-24 content, which both keep as bytes.
    CheckAgainstLibcbor(*in, /*preferred=*/true);
    ++checked;
  }
  EXPECT_GE(checked, 14);
}

// Generator of random well-formed values: definite lengths, unique map keys, no tags 6-20.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Value Item(int depth) {
    const int kind = Pick(depth > 0 ? 12 : 8);
    switch (kind) {
      case 0: return Value::Uint(Integer());
      case 1: return Value::Negative(Integer());
      case 2: return Value::ByteString(RandomBytes());
      case 3: return Value::Text(RandomText());
      case 4: return Value::Float(RandomFloat());
      case 5: {
        static const uint8_t kSimple[] = {kSimpleFalse, kSimpleTrue, kSimpleNull, kSimpleUndefined};
        return Value::Simple(kSimple[Pick(4)]);
      }
      case 6: return Value::Int(static_cast<int64_t>(Pick(50)) - 25);
      case 7: return Value::Text(std::string(static_cast<size_t>(Pick(3)), 'k'));
      case 8:
      case 9: {
        Value a = Value::MakeArray();
        const int n = Pick(6);
        for (int i = 0; i < n; ++i) a.Append(Item(depth - 1));
        return a;
      }
      case 10: {
        Value m = Value::MakeMap();
        const int n = Pick(6);
        std::vector<Value> keys;
        for (int i = 0; i < n; ++i) {
          Value k = Pick(3) == 0 ? Item(depth - 1) : Value::Text("k" + std::to_string(Pick(20)));
          if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
          keys.push_back(k);
          m.Insert(std::move(k), Item(depth - 1));
        }
        return m;
      }
      default: return Tag(depth);
    }
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  uint64_t Integer() {
    switch (Pick(5)) {
      case 0: return rng_() % 24;
      case 1: return rng_() % 256;
      case 2: return rng_() % 65536;
      case 3: return rng_() % (uint64_t{1} << 32);
      default: return rng_();
    }
  }

  Bytes RandomBytes() {
    Bytes b(static_cast<size_t>(Pick(3) == 0 ? Pick(300) : Pick(30)));
    for (uint8_t& x : b) x = static_cast<uint8_t>(rng_());
    return b;
  }

  std::string RandomText() {
    static const char* kPieces[] = {"a", "Z", "0", " ", "\"", "\\", "\n", "\xc3\xbc",
                                    "\xe6\xb0\xb4", "\xf0\x90\x85\x91", "\xef\xbf\xbf", "\x7f"};
    std::string s;
    const int n = Pick(3) == 0 ? Pick(100) : Pick(12);
    for (int i = 0; i < n; ++i) s += kPieces[Pick(12)];
    return s;
  }

  double RandomFloat() {
    switch (Pick(8)) {
      case 0: return static_cast<double>(Pick(2000)) / 8.0 - 100.0;  // often half
      case 1: return static_cast<double>(static_cast<float>(std::ldexp(static_cast<double>(rng_() % 100000), -Pick(40))));
      case 2: return std::bit_cast<double>(rng_());  // any double (NaNs compare equal)
      case 3: return std::ldexp(static_cast<double>(Pick(1024)), -24);  // half subnormals
      case 4: return Pick(2) ? std::numeric_limits<double>::infinity()
                             : -std::numeric_limits<double>::infinity();
      case 5: return Pick(2) ? 0.0 : -0.0;
      case 6: return std::numeric_limits<double>::quiet_NaN();
      default: return std::uniform_real_distribution<double>(-1e10, 1e10)(rng_);
    }
  }

  Value Tag(int depth) {
    switch (Pick(7)) {
      case 0: return Value::TDate("2020-10-01T13:30:02Z");
      case 1: return Value::FullDate("2019-10-20");
      case 2: return Value::Tagged(kTagEpochTime, Value::Uint(Integer()));
      case 3: return Value::EmbeddedCbor(Item(depth - 1));
      case 4: return Value::Tagged(2, Value::ByteString(RandomBytes()));
      default: {
        static const uint64_t kTags[] = {3, 4, 5, 21, 22, 23, 32, 55799, 65536, 1u << 31};
        return Value::Tagged(kTags[Pick(10)], Item(depth - 1));
      }
    }
  }

  std::mt19937_64 rng_;
};

TEST(CborLibcborTest, AgreesOnRandomItems) {
  Generator gen(8949);
  int half_subnormals = 0;
  for (int i = 0; i < 400; ++i) {
    SCOPED_TRACE(i);
    const Value v = gen.Item(4);
    const Bytes encoded = Encode(v);
    Result<Value> back = Decode(encoded);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << ToDiagnostic(v);
    EXPECT_EQ(*back, v);
    half_subnormals += HasHalfSubnormal(v) ? 1 : 0;
    CheckAgainstLibcbor(encoded, /*preferred=*/true);
    // The deterministic form is another preferred encoding both agree on.
    CheckAgainstLibcbor(EncodeDeterministic(v), /*preferred=*/true);
    if (HasFailure()) break;
  }
  // Most items are still compared byte for byte with libcbor's serialization.
  EXPECT_LT(half_subnormals, 100);
}

// The libcbor 0.8 bug HasHalfSubnormal works around: a half-precision subnormal decodes to the
// same value in both, and our encoder writes it back exactly.
TEST(CborLibcborTest, HalfSubnormalsDecodeAlike) {
  for (const char* hex : {"f90001", "f9028c", "f903ff", "f98001"}) {
    SCOPED_TRACE(hex);
    Result<Bytes> in = HexDecode(hex);
    ASSERT_TRUE(in.ok());
    CheckAgainstLibcbor(*in, /*preferred=*/false);
    EXPECT_EQ(HexEncode(Encode(*Decode(*in))), hex);
  }
}

// Non-shortest heads: libcbor keeps the widths it read, so its serialization is the input; ours
// is the preferred form. Both decode the same value.
TEST(CborLibcborTest, AgreesOnNonShortestHeads) {
  for (const char* hex : {"1817", "1900ff", "1b0000000000000001", "3a00000000", "5900024142",
                          "7a0000000161", "98020102", "b90001616101", "fa3fc00000",
                          "fb3ff8000000000000", "d818590001a0"}) {
    SCOPED_TRACE(hex);
    Result<Bytes> in = HexDecode(hex);
    ASSERT_TRUE(in.ok());
    CheckAgainstLibcbor(*in, /*preferred=*/false);
  }
}

}  // namespace
}  // namespace bonafide::cbor
