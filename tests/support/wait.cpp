#include "wait.hpp"

#include <algorithm>
#include <thread>

namespace ttlink::test {

bool wait_until(const std::function<bool()>& predicate,
                std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  return predicate();
}

}  // namespace ttlink::test
