// The one injectable clock. Everything that needs the time (signature dates now; TTL, stream
// timestamps, idempotency windows later) asks a Clock, never the system directly, so tests can
// control time.
#pragma once

#include <atomic>
#include <chrono>

namespace ddbd::storage {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to (tests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start)
      : now_(start.time_since_epoch()) {}
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(now_.load());
  }
  void Advance(std::chrono::system_clock::duration d) { now_ = now_.load() + d; }

 private:
  std::atomic<std::chrono::system_clock::duration> now_;
};

}  // namespace ddbd::storage
