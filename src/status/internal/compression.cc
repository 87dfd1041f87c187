#include "status/internal/compression.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>

#define ZLIB_CONST
#include <zlib.h>

namespace bonafide::status::internal {
namespace {

// zlib's windowBits: 15 is a 32 KiB window with the zlib wrapper; +16 selects the gzip wrapper.
int WindowBits(Container container) { return container == Container::kGzip ? 15 + 16 : 15; }

// Size of each step the streams take; bounds the overshoot past a limit.
constexpr size_t kChunk = 32 * 1024;

// FeedInput points the stream at the next piece of `data` (avail_in is 32-bit), advancing `pos`.
void FeedInput(z_stream& zs, ByteView data, size_t& pos) {
  const size_t n = std::min<size_t>(data.size() - pos, UINT_MAX);
  zs.next_in = data.data() + pos;
  zs.avail_in = static_cast<uInt>(n);
  pos += n;
}

}  // namespace

Result<Bytes> Deflate(ByteView data, Container container) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, WindowBits(container), 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(StatusCode::kInternal, "deflateInit2 failed");
  }
  Bytes out;
  std::array<uint8_t, kChunk> buf;
  size_t pos = 0;
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (zs.avail_in == 0 && pos < data.size()) FeedInput(zs, data, pos);
    const int flush = (pos == data.size()) ? Z_FINISH : Z_NO_FLUSH;
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    ret = deflate(&zs, flush);
    if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
      deflateEnd(&zs);
      return Error(StatusCode::kInternal, "deflate failed");
    }
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
  }
  deflateEnd(&zs);
  return out;
}

Result<Bytes> Inflate(ByteView compressed, Container container, size_t max_output_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, WindowBits(container)) != Z_OK) {
    return Error(StatusCode::kInternal, "inflateInit2 failed");
  }
  // Ends the stream on every return path.
  struct Guard {
    z_stream* zs;
    ~Guard() { inflateEnd(zs); }
  } guard{&zs};

  Bytes out;
  std::array<uint8_t, kChunk> buf;
  size_t pos = 0;
  while (true) {
    if (zs.avail_in == 0 && pos < compressed.size()) FeedInput(zs, compressed, pos);
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    const int ret = inflate(&zs, Z_NO_FLUSH);
    if (ret == Z_NEED_DICT) return Error(StatusCode::kMalformed, "compressed stream needs a preset dictionary");
    if (ret == Z_DATA_ERROR) return Error(StatusCode::kMalformed, "corrupt compressed stream");
    if (ret == Z_MEM_ERROR) return Error(StatusCode::kInternal, "inflate out of memory");
    const size_t produced = buf.size() - zs.avail_out;
    if (produced > max_output_bytes - out.size()) {
      return Error(StatusCode::kLimitExceeded,
                   "decompressed status list exceeds " + std::to_string(max_output_bytes) + " bytes");
    }
    out.insert(out.end(), buf.data(), buf.data() + produced);
    if (ret == Z_STREAM_END) break;
    // Z_BUF_ERROR with a fresh output buffer means inflate needs input we do not have.
    if (ret == Z_BUF_ERROR && zs.avail_in == 0 && pos == compressed.size()) {
      return Error(StatusCode::kMalformed, "truncated compressed stream");
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) return Error(StatusCode::kMalformed, "inflate failed");
  }
  if (zs.avail_in != 0 || pos != compressed.size()) {
    return Error(StatusCode::kMalformed, "trailing bytes after the compressed stream");
  }
  return out;
}

}  // namespace bonafide::status::internal
