// tests/common/test_util.h: helpers shared by bonafide's tests (vector loading, fixed keys).
#ifndef BONAFIDE_TESTS_COMMON_TEST_UTIL_H_
#define BONAFIDE_TESTS_COMMON_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/random.h"

namespace bonafide::testing {

// ReadFile returns the contents of a file, failing the test if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// LoadVector parses tests/vectors/<relative> as JSON (nlohmann's lenient parser: vectors are
// trusted test data and some use non-ASCII).
inline Json LoadVector(const std::string& relative) {
  return Json::parse(ReadFile(std::string(BONAFIDE_VECTORS_DIR) + "/" + relative));
}

// CountingRandom is a deterministic Random for tests: bytes from a simple counter-based mix.
class CountingRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) {
      state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<uint8_t>(state_ >> 56);
    }
  }

 private:
  uint64_t state_ = 42;
};

}  // namespace bonafide::testing

#endif  // BONAFIDE_TESTS_COMMON_TEST_UTIL_H_
