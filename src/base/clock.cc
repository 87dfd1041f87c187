#include "base/clock.h"

#include <chrono>

namespace bonafide {

int64_t SystemClock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::Default() {
  static const SystemClock clock;
  return clock;
}

}  // namespace bonafide
