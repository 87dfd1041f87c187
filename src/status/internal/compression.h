// status/internal/compression.h: zlib (RFC 1950) and gzip (RFC 1952) compression with a bounded,
// strict inflater, for the status list encodings.
//
// Inflate is the defence against decompression bombs: it grows its output in small steps and stops
// with kLimitExceeded as soon as the output would pass `max_output_bytes`, so a 100 MiB bomb costs
// at most about `max_output_bytes` of memory. It is strict: exactly one complete stream, no preset
// dictionary, no trailing bytes, no second gzip member.
//
// Internal to src/status. Thread safety: pure functions.
#ifndef BONAFIDE_STATUS_INTERNAL_COMPRESSION_H_
#define BONAFIDE_STATUS_INTERNAL_COMPRESSION_H_

#include <cstddef>

#include "base/bytes.h"
#include "base/status.h"

namespace bonafide::status::internal {

// Container selects the wrapper around the DEFLATE data.
enum class Container { kZlib, kGzip };

// Deflate compresses `data` at the best compression level into `container` format. kInternal if
// zlib fails (out of memory); never for valid input.
Result<Bytes> Deflate(ByteView data, Container container);

// Inflate decompresses exactly one `container` stream from `compressed`. kMalformed for a corrupt,
// truncated or dictionary-requiring stream or bytes after its end; kLimitExceeded if the output
// would exceed `max_output_bytes`.
Result<Bytes> Inflate(ByteView compressed, Container container, size_t max_output_bytes);

}  // namespace bonafide::status::internal

#endif  // BONAFIDE_STATUS_INTERNAL_COMPRESSION_H_
