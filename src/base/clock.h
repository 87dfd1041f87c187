// base/clock.h: injectable time source.
//
// Every validity check takes a Clock so tests can pin time. Times are Unix seconds (int64).
// Thread safety: SystemClock and FixedClock are safe for concurrent reads; FixedClock::Set is not
// synchronised with readers.
#ifndef BONAFIDE_BASE_CLOCK_H_
#define BONAFIDE_BASE_CLOCK_H_

#include <cstdint>

namespace bonafide {

// Clock returns the current time in Unix seconds.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowSeconds() const = 0;
};

// SystemClock reads the real-time clock.
class SystemClock final : public Clock {
 public:
  int64_t NowSeconds() const override;
  // Default returns a process-wide instance.
  static const SystemClock& Default();
};

// FixedClock always returns the time it was given; for tests and `--at`.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t now) : now_(now) {}
  int64_t NowSeconds() const override { return now_; }
  void Set(int64_t now) { now_ = now; }

 private:
  int64_t now_;
};

}  // namespace bonafide

#endif  // BONAFIDE_BASE_CLOCK_H_
