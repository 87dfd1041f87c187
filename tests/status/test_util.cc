#include "test_util.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_bytes{0};
std::atomic<size_t> g_count{0};

void* CountedAlloc(size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_bytes.fetch_add(size, std::memory_order_relaxed);
    g_count.fetch_add(1, std::memory_order_relaxed);
  }
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

// Replacements of the global allocation functions, so tests can bound what a call allocates.
void* operator new(size_t size) { return CountedAlloc(size); }
void* operator new[](size_t size) { return CountedAlloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
// The nothrow forms too (simdjson allocates with new (std::nothrow) T[]): otherwise they come from
// the sanitizer runtime and the free above is an alloc-dealloc mismatch under ASan.
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try { return CountedAlloc(size); } catch (...) { return nullptr; }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try { return CountedAlloc(size); } catch (...) { return nullptr; }
}

namespace bonafide::status::testing {

std::string ReadVectorFile(const std::string& relative) {
  const std::string path = std::string(BONAFIDE_VECTORS_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Json LoadVectorJson(const std::string& relative) {
  JsonLimits limits;
  limits.max_bytes = 16 << 20;
  auto json = ParseJson(ReadVectorFile(relative), limits);
  EXPECT_TRUE(json.ok()) << relative << ": " << json.status().ToString();
  return json.ok() ? *json : Json();
}

Bytes CompressedZeros(size_t total, bool gzip) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  const std::vector<uint8_t> zeros(1 << 20, 0);
  std::vector<uint8_t> buf(1 << 16);
  Bytes out;
  size_t fed = 0;
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (zs.avail_in == 0 && fed < total) {
      const size_t n = std::min(zeros.size(), total - fed);
      zs.next_in = const_cast<Bytef*>(zeros.data());
      zs.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    ret = deflate(&zs, fed == total && zs.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
    EXPECT_TRUE(ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR);
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
  }
  deflateEnd(&zs);
  return out;
}

AllocationCounter::AllocationCounter() {
  g_bytes = 0;
  g_count = 0;
  g_counting = true;
}
AllocationCounter::~AllocationCounter() { g_counting = false; }
size_t AllocationCounter::bytes() const { return g_bytes.load(); }
size_t AllocationCounter::count() const { return g_count.load(); }

}  // namespace bonafide::status::testing
