// Shared helpers for the status tests: vector loading, zero-stream bombs, allocation counting.
#ifndef BONAFIDE_TESTS_STATUS_TEST_UTIL_H_
#define BONAFIDE_TESTS_STATUS_TEST_UTIL_H_

#include <cstddef>
#include <string>

#include "base/bytes.h"
#include "base/json.h"

namespace bonafide::status::testing {

// ReadVectorFile returns the contents of tests/vectors/<relative>; the test fails if unreadable.
std::string ReadVectorFile(const std::string& relative);
// LoadVectorJson parses tests/vectors/<relative> with generous limits.
Json LoadVectorJson(const std::string& relative);

// CompressedZeros returns a zlib (gzip if `gzip`) stream of `total` zero bytes, built by streaming
// so the test itself never holds `total` bytes.
Bytes CompressedZeros(size_t total, bool gzip);

// AllocationCounter counts bytes requested from the global operator new between Start and Stop
// (this thread's and others', which is fine in a single-threaded test).
class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  size_t bytes() const;
  size_t count() const;
};

}  // namespace bonafide::status::testing

#endif  // BONAFIDE_TESTS_STATUS_TEST_UTIL_H_
