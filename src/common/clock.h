#pragma once

#include <atomic>

#include "common/time.h"

namespace cohort {

// Where "now" comes from. Code that needs the wall clock takes a Clock& so tests can fix it.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// A clock that says what the test sets.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant now) : now_ms_(now.ms) {}
  Instant Now() const override { return Instant{now_ms_.load()}; }
  void Set(Instant now) { now_ms_.store(now.ms); }
  void Advance(std::int64_t ms) { now_ms_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace cohort
