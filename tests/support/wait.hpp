#pragma once
// Waiting on a condition with a deadline, never on a fixed sleep.
#include <chrono>
#include <functional>

namespace ttlink::test {

// Polls `predicate` with a short growing backoff (1 ms .. 50 ms) until it is
// true (returns true) or the deadline passes (returns false after one last
// check).
bool wait_until(const std::function<bool()>& predicate,
                std::chrono::steady_clock::time_point deadline);

inline std::chrono::steady_clock::time_point deadline_in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

}  // namespace ttlink::test
