#pragma once
// The daemon's one clock. Everything that reads the time (store rows, link
// schedules, alerts, sinks) is handed a Clock, so that simulated time
// (debug.clock.advance) moves all of them together.
#include <functional>

#include "core/util/time.hpp"

namespace ttlink {

using Clock = std::function<TimePoint()>;

// Wall time plus an offset that only debug.clock.advance moves. Owned by the
// daemon; components get `as_clock()`.
class AdjustableClock {
 public:
  TimePoint now() const { return now_utc() + offset_; }
  void advance(Seconds by) { offset_ += by; }
  Clock as_clock() const {
    return [this] { return now(); };
  }

 private:
  Seconds offset_{0};
};

}  // namespace ttlink
