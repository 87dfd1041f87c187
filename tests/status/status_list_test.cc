// Tests of the IETF Token Status List (status/token_status_list.h) and its bounded decoding.
#include "status/token_status_list.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "status/internal/compression.h"
#include "test_util.h"

namespace bonafide::status {
namespace {

using testing::AllocationCounter;
using testing::CompressedZeros;
using testing::LoadVectorJson;

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes();
}

Json ListJson(int64_t bits, std::string lst) {
  Json j = Json::object();
  j["bits"] = bits;
  j["lst"] = std::move(lst);
  return j;
}

Json ListJson(int64_t bits, ByteView zlib) { return ListJson(bits, Base64UrlEncode(zlib)); }

// ExtractCborLst reads the `lst` bstr from the CBOR map {"bits": n, "lst": bstr} (exactly this
// shape, as in the vectors: a2, text "bits", small uint, text "lst", bstr), checking `bits`.
Bytes ExtractCborLst(const Bytes& cbor, int expected_bits) {
  const Bytes prefix = {0xa2, 0x64, 'b', 'i', 't', 's'};
  EXPECT_GE(cbor.size(), prefix.size() + 6);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), cbor.begin()));
  size_t pos = prefix.size();
  EXPECT_EQ(cbor[pos++], expected_bits);  // major type 0, value < 24
  const Bytes lst_key = {0x63, 'l', 's', 't'};
  EXPECT_TRUE(std::equal(lst_key.begin(), lst_key.end(), cbor.begin() + static_cast<ptrdiff_t>(pos)));
  pos += lst_key.size();
  const uint8_t initial = cbor[pos++];
  EXPECT_EQ(initial >> 5, 2) << "lst is not a bstr";
  size_t len = initial & 0x1f;
  size_t extra = 0;
  if (len == 24) extra = 1;
  if (len == 25) extra = 2;
  if (len == 26) extra = 4;
  EXPECT_LE(len, 26u);
  if (extra > 0) {
    len = 0;
    for (size_t i = 0; i < extra; ++i) len = (len << 8) | cbor[pos++];
  }
  EXPECT_EQ(pos + len, cbor.size()) << "CBOR has bytes after lst";
  return Bytes(cbor.begin() + static_cast<ptrdiff_t>(pos), cbor.begin() + static_cast<ptrdiff_t>(pos + len));
}

// ---- Vectors ----

TEST(StatusListVectors, EncodingExamples) {
  const Json file = LoadVectorJson("status-list/encoding-examples.json");
  ASSERT_EQ(file["examples"].size(), 2u);
  for (const Json& ex : file["examples"]) {
    const int bits = ex["bits"].get<int>();
    SCOPED_TRACE("bits=" + std::to_string(bits));
    auto list = StatusList::DecodeJson(ex["json"]);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->bits(), bits);
    EXPECT_EQ(list->bytes(), Hex(ex["uncompressed_byte_array_hex"].get<std::string>()));
    EXPECT_EQ(*Base64UrlDecode(ex["json"]["lst"].get<std::string>()), Hex(ex["compressed_zlib_hex"].get<std::string>()));

    const std::vector<int> statuses = ex["statuses_by_index"].get<std::vector<int>>();
    ASSERT_EQ(list->size(), statuses.size());
    for (size_t i = 0; i < statuses.size(); ++i) {
      auto v = list->Get(i);
      ASSERT_TRUE(v.ok());
      EXPECT_EQ(static_cast<int>(*v), statuses[i]) << "index " << i;
    }
    // Boundary: the first index past the list.
    EXPECT_EQ(list->Get(statuses.size()).status().code(), StatusCode::kStatusUnavailable);

    // The CBOR form carries the same zlib bytes.
    const Bytes cbor_lst = ExtractCborLst(Hex(ex["cbor_hex"].get<std::string>()), bits);
    EXPECT_EQ(cbor_lst, Hex(ex["compressed_zlib_hex"].get<std::string>()));
    auto from_cbor = StatusList::Decompress(bits, cbor_lst);
    ASSERT_TRUE(from_cbor.ok());
    EXPECT_EQ(from_cbor->bytes(), list->bytes());
  }
}

TEST(StatusListVectors, TestVectorsEveryEntry) {
  const Json file = LoadVectorJson("status-list/test-vectors.json");
  ASSERT_EQ(file["vectors"].size(), 4u);
  std::vector<int> seen_bits;
  for (const Json& vec : file["vectors"]) {
    const int bits = vec["bits"].get<int>();
    seen_bits.push_back(bits);
    SCOPED_TRACE("bits=" + std::to_string(bits));
    const uint64_t n = vec["number_of_entries"].get<uint64_t>();
    ASSERT_EQ(n, uint64_t{1} << 20);

    auto list = StatusList::DecodeJson(vec["json"]);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->size(), n);
    EXPECT_EQ(list->bytes().size(), vec["uncompressed_length_bytes"].get<size_t>());
    EXPECT_EQ(HexEncode(crypto::Sha256(list->bytes())), vec["uncompressed_sha256_hex"].get<std::string>());

    std::vector<uint8_t> expected(n, 0);
    for (const Json& a : vec["assigned_statuses"]) {
      expected[a["index"].get<size_t>()] = a["status"].get<uint8_t>();
    }
    size_t mismatches = 0;
    size_t nonzero = 0;
    for (uint64_t i = 0; i < n; ++i) {
      auto v = list->Get(i);
      if (!v.ok() || static_cast<uint8_t>(*v) != expected[i]) ++mismatches;
      if (v.ok() && *v != StatusType::kValid) ++nonzero;
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(nonzero, vec["nonzero_entries"].get<size_t>());
    EXPECT_EQ(list->Get(n).status().code(), StatusCode::kStatusUnavailable);

    // The CBOR hex's lst bstr inflates to the same bytes.
    const Bytes cbor_lst = ExtractCborLst(Hex(vec["cbor_hex"].get<std::string>()), bits);
    auto from_cbor = StatusList::Decompress(bits, cbor_lst);
    ASSERT_TRUE(from_cbor.ok()) << from_cbor.status().ToString();
    EXPECT_EQ(from_cbor->bytes(), list->bytes());
  }
  EXPECT_EQ(seen_bits, (std::vector<int>{1, 2, 4, 8}));
}

// ---- Construction, Get and Set ----

TEST(StatusList, CreateRejectsBadBits) {
  for (int bits : {0, 3, 5, 6, 7, 9, 16, -1}) {
    EXPECT_EQ(StatusList::Create(bits, 8).status().code(), StatusCode::kInvalidArgument) << bits;
  }
  for (int bits : {1, 2, 4, 8}) EXPECT_TRUE(StatusList::Create(bits, 8).ok()) << bits;
}

TEST(StatusList, CreateSizeBounds) {
  EXPECT_EQ(StatusList::Create(1, 0).status().code(), StatusCode::kInvalidArgument);
  auto one = StatusList::Create(1, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  EXPECT_EQ(one->bytes().size(), 1u);
  EXPECT_EQ(StatusList::Create(8, StatusList::kMaxBytes + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusList::Create(1, StatusList::kMaxBytes * 8 + 1).status().code(), StatusCode::kInvalidArgument);
}

TEST(StatusList, GetSetBounds) {
  auto list = StatusList::Create(2, 10);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Set(9, StatusType::kSuspended).ok());
  EXPECT_EQ(*list->Get(9), StatusType::kSuspended);
  EXPECT_EQ(list->Get(10).status().code(), StatusCode::kStatusUnavailable);
  EXPECT_EQ(list->Get(UINT64_MAX).status().code(), StatusCode::kStatusUnavailable);
  EXPECT_EQ(list->Set(10, StatusType::kInvalid).code(), StatusCode::kInvalidArgument);
  // Values must fit in `bits`: 3 fits in 2 bits, 4 does not.
  EXPECT_TRUE(list->Set(0, uint8_t{3}).ok());
  EXPECT_EQ(static_cast<int>(*list->Get(0)), 3);
  EXPECT_EQ(list->Set(0, uint8_t{4}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(static_cast<int>(*list->Get(0)), 3);  // unchanged by the failed Set
}

TEST(StatusList, ValueRangePerWidth) {
  for (int bits : {1, 2, 4, 8}) {
    auto list = StatusList::Create(bits, 4);
    ASSERT_TRUE(list.ok());
    const unsigned max = (1u << bits) - 1;
    EXPECT_TRUE(list->Set(1, static_cast<uint8_t>(max)).ok()) << bits;
    EXPECT_EQ(static_cast<unsigned>(*list->Get(1)), max);
    if (bits < 8) {
      EXPECT_EQ(list->Set(1, static_cast<uint8_t>(max + 1)).code(), StatusCode::kInvalidArgument) << bits;
    }
  }
}

TEST(StatusList, BitOrderIsLsbFirst) {
  auto l1 = StatusList::Create(1, 16);
  ASSERT_TRUE(l1.ok());
  ASSERT_TRUE(l1->Set(0, StatusType::kInvalid).ok());
  EXPECT_EQ(l1->bytes()[0], 0x01);
  ASSERT_TRUE(l1->Set(7, StatusType::kInvalid).ok());
  EXPECT_EQ(l1->bytes()[0], 0x81);
  ASSERT_TRUE(l1->Set(8, StatusType::kInvalid).ok());
  EXPECT_EQ(l1->bytes()[1], 0x01);

  auto l2 = StatusList::Create(2, 4);
  ASSERT_TRUE(l2.ok());
  ASSERT_TRUE(l2->Set(1, uint8_t{3}).ok());
  EXPECT_EQ(l2->bytes()[0], 0x0c);

  auto l4 = StatusList::Create(4, 2);
  ASSERT_TRUE(l4.ok());
  ASSERT_TRUE(l4->Set(1, uint8_t{0xa}).ok());
  ASSERT_TRUE(l4->Set(0, uint8_t{0x5}).ok());
  EXPECT_EQ(l4->bytes()[0], 0xa5);

  // Clearing an entry leaves its neighbours alone.
  ASSERT_TRUE(l1->Set(7, StatusType::kValid).ok());
  EXPECT_EQ(l1->bytes()[0], 0x01);
}

TEST(StatusList, FromBytes) {
  auto list = StatusList::FromBytes(2, Hex("c944f9"));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 12u);
  EXPECT_EQ(StatusList::FromBytes(3, Hex("00")).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusList::FromBytes(1, Bytes()).status().code(), StatusCode::kMalformed);
}

TEST(StatusList, RoundTripAllWidths) {
  for (int bits : {1, 2, 4, 8}) {
    SCOPED_TRACE("bits=" + std::to_string(bits));
    constexpr uint64_t kSize = 10007;  // not a multiple of 8: the last byte is padded
    auto list = StatusList::Create(bits, kSize);
    ASSERT_TRUE(list.ok());
    const uint64_t modulus = uint64_t{1} << bits;
    for (uint64_t i = 0; i < kSize; i += 3) {
      ASSERT_TRUE(list->Set(i, static_cast<uint8_t>((i * 7919) % modulus)).ok());
    }
    auto json = list->EncodeJson();
    ASSERT_TRUE(json.ok());
    EXPECT_EQ((*json)["bits"], bits);
    EXPECT_EQ(Find(*json, "aggregation_uri"), nullptr);
    auto decoded = StatusList::DecodeJson(*json);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bytes(), list->bytes());
    EXPECT_GE(decoded->size(), kSize);  // padding entries of the last byte are VALID
    for (uint64_t i = 0; i < kSize; ++i) {
      const uint64_t want = (i % 3 == 0) ? (i * 7919) % modulus : 0;
      ASSERT_EQ(static_cast<uint64_t>(*decoded->Get(i)), want) << i;
    }
    for (uint64_t i = kSize; i < decoded->size(); ++i) EXPECT_EQ(*decoded->Get(i), StatusType::kValid);
    // zlib header (RFC 1950): CM 8, and FLEVEL 3 (best compression).
    auto compressed = list->Compress();
    ASSERT_TRUE(compressed.ok());
    EXPECT_EQ((*compressed)[0], 0x78);
    EXPECT_EQ((*compressed)[1] >> 6, 3);
  }
}

TEST(StatusList, EncodeJsonWithAggregationUri) {
  auto list = StatusList::Create(1, 8);
  ASSERT_TRUE(list.ok());
  auto json = list->EncodeJson("https://example.com/statuslists");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["aggregation_uri"], "https://example.com/statuslists");
  EXPECT_TRUE(StatusList::DecodeJson(*json).ok());
}

// ---- Strict decoding ----

class StatusListDecode : public ::testing::Test {
 protected:
  // zlib of b9a3, the bits=1 example.
  const Bytes good_ = Hex("78dadbb918000217015d");
};

TEST_F(StatusListDecode, BitsMustBeOneTwoFourOrEight) {
  for (int64_t bits : {0, 3, 5, 6, 7, 9, 16, -1}) {
    EXPECT_EQ(StatusList::DecodeJson(ListJson(bits, good_)).status().code(), StatusCode::kMalformed) << bits;
  }
  EXPECT_EQ(StatusList::Decompress(3, good_).status().code(), StatusCode::kMalformed);
  for (int64_t bits : {1, 2, 4, 8}) EXPECT_TRUE(StatusList::DecodeJson(ListJson(bits, good_)).ok()) << bits;
}

TEST_F(StatusListDecode, MemberTypes) {
  Json j = ListJson(1, good_);
  j["bits"] = "1";
  EXPECT_EQ(StatusList::DecodeJson(j).status().code(), StatusCode::kMalformed);
  j["bits"] = 1.0;
  EXPECT_EQ(StatusList::DecodeJson(j).status().code(), StatusCode::kMalformed);
  j["bits"] = uint64_t{1} << 63;
  EXPECT_EQ(StatusList::DecodeJson(j).status().code(), StatusCode::kMalformed);
  j.erase("bits");
  EXPECT_EQ(StatusList::DecodeJson(j).status().code(), StatusCode::kMalformed);

  Json k = ListJson(1, good_);
  k["lst"] = 5;
  EXPECT_EQ(StatusList::DecodeJson(k).status().code(), StatusCode::kMalformed);
  k.erase("lst");
  EXPECT_EQ(StatusList::DecodeJson(k).status().code(), StatusCode::kMalformed);

  Json a = ListJson(1, good_);
  a["aggregation_uri"] = 7;
  EXPECT_EQ(StatusList::DecodeJson(a).status().code(), StatusCode::kMalformed);
  a["aggregation_uri"] = "https://example.com/agg";
  EXPECT_TRUE(StatusList::DecodeJson(a).ok());

  EXPECT_EQ(StatusList::DecodeJson(Json::array()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusList::DecodeJson(Json("x")).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListDecode, StrictBase64Url) {
  EXPECT_EQ(StatusList::DecodeJson(ListJson(1, std::string("eNrbuRgAAhcBXQ=="))).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(StatusList::DecodeJson(ListJson(1, std::string("eNrbuRgAAhcBXQ+"))).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(StatusList::DecodeJson(ListJson(1, std::string(""))).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListDecode, CorruptZlib) {
  Bytes bad_checksum = good_;
  bad_checksum.back() ^= 0x01;  // Adler-32 mismatch
  EXPECT_EQ(StatusList::Decompress(1, bad_checksum).status().code(), StatusCode::kMalformed);
  Bytes bad_header = good_;
  bad_header[1] ^= 0x01;  // FCHECK no longer makes the header a multiple of 31
  EXPECT_EQ(StatusList::Decompress(1, bad_header).status().code(), StatusCode::kMalformed);
  Bytes bad_data = good_;
  bad_data[2] = 0xff;  // reserved block type 3
  EXPECT_EQ(StatusList::Decompress(1, bad_data).status().code(), StatusCode::kMalformed);
  const Bytes raw_deflate(good_.begin() + 2, good_.end() - 4);  // no zlib wrapper
  EXPECT_EQ(StatusList::Decompress(1, raw_deflate).status().code(), StatusCode::kMalformed);
  auto gzip = internal::Deflate(Hex("b9a3"), internal::Container::kGzip);
  ASSERT_TRUE(gzip.ok());
  EXPECT_EQ(StatusList::Decompress(1, *gzip).status().code(), StatusCode::kMalformed);
  // A preset dictionary (FDICT) is not allowed: 78 bb is a valid header with FDICT set.
  EXPECT_EQ(StatusList::Decompress(1, Hex("78bb00000001030000000001")).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListDecode, Truncated) {
  for (size_t n = 0; n < good_.size(); ++n) {
    const Bytes prefix(good_.begin(), good_.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_EQ(StatusList::Decompress(1, prefix).status().code(), StatusCode::kMalformed) << n;
  }
  EXPECT_TRUE(StatusList::Decompress(1, good_).ok());
}

TEST_F(StatusListDecode, TrailingBytes) {
  Bytes one_more = good_;
  one_more.push_back(0x00);
  EXPECT_EQ(StatusList::Decompress(1, one_more).status().code(), StatusCode::kMalformed);
  Bytes two_streams = good_;
  two_streams.insert(two_streams.end(), good_.begin(), good_.end());
  EXPECT_EQ(StatusList::Decompress(1, two_streams).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusList::DecodeJson(ListJson(1, one_more)).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListDecode, EmptyListRejected) {
  auto empty = internal::Deflate(Bytes(), internal::Container::kZlib);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(StatusList::Decompress(1, *empty).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListDecode, LimitBoundary) {
  const Bytes zeros_4k = CompressedZeros(4096, false);
  DecodeLimits limits;
  limits.max_decompressed_bytes = 4096;
  auto at_limit = StatusList::Decompress(1, zeros_4k, limits);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->size(), 4096u * 8);
  limits.max_decompressed_bytes = 4095;
  EXPECT_EQ(StatusList::Decompress(1, zeros_4k, limits).status().code(), StatusCode::kLimitExceeded);
}

TEST_F(StatusListDecode, DefaultLimitIs16MiB) {
  EXPECT_EQ(DecodeLimits().max_decompressed_bytes, size_t{16} << 20);
  // 2^20 entries at 8 bits (1 MiB) is far inside the default.
  EXPECT_TRUE(StatusList::Decompress(8, CompressedZeros(size_t{1} << 20, false)).ok());
  EXPECT_TRUE(StatusList::Decompress(8, CompressedZeros(size_t{16} << 20, false)).ok());
  EXPECT_EQ(StatusList::Decompress(8, CompressedZeros((size_t{16} << 20) + 1, false)).status().code(),
            StatusCode::kLimitExceeded);
}

TEST_F(StatusListDecode, DecompressionBombFailsFastAndSmall) {
  const Bytes bomb = CompressedZeros(size_t{100} << 20, false);  // 100 MiB of zeros, ~100 KB compressed
  ASSERT_LT(bomb.size(), size_t{200} << 10);
  const Json json = ListJson(1, bomb);

  size_t allocated = 0;
  Status status;
  {
    AllocationCounter counter;
    status = StatusList::DecodeJson(json).status();
    allocated = counter.bytes();
  }
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  // Growing to the 16 MiB limit allocates about 32 MiB in total; never anything near 100 MiB.
  EXPECT_LT(allocated, size_t{40} << 20);

  // With a small limit the cost shrinks with it.
  DecodeLimits small;
  small.max_decompressed_bytes = 64 << 10;
  {
    AllocationCounter counter;
    EXPECT_EQ(StatusList::DecodeJson(json, small).status().code(), StatusCode::kLimitExceeded);
    EXPECT_LT(counter.bytes(), size_t{512} << 10);
  }
}

// The counter the bomb and Get tests rely on does count: a guard against those tests passing vacuously.
TEST(AllocationCounter, CountsAllocations) {
  AllocationCounter counter;
  auto* buffer = new std::vector<uint8_t>(size_t{1} << 20);
  EXPECT_GE(counter.bytes(), size_t{1} << 20);
  EXPECT_GE(counter.count(), 2u);
  delete buffer;
}

TEST(StatusList, GetDoesNotAllocate) {
  auto list = StatusList::DecodeJson(ListJson(1, std::string("eNrbuRgAAhcBXQ")));
  ASSERT_TRUE(list.ok());
  uint64_t invalid = 0;
  size_t allocations = 0;
  {
    AllocationCounter counter;
    for (int round = 0; round < 1000; ++round) {
      for (uint64_t i = 0; i < 16; ++i) invalid += (*list->Get(i) == StatusType::kInvalid) ? 1u : 0u;
    }
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(invalid, 9000u);  // b9a3 has 9 bits set
}

}  // namespace
}  // namespace bonafide::status
