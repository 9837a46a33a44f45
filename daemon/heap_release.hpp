#pragma once
// Once a minute, on the state thread: gives the heap freed by the last burst
// of work back to the kernel (HeapTrimmer decides whether it is worth it).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include "core/util/heap_trimmer.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

class HeapRelease {
 public:
  HeapRelease(boost::asio::any_io_executor executor, Logger& log,
              std::chrono::seconds every = std::chrono::seconds{60});
  HeapRelease(const HeapRelease&) = delete;
  HeapRelease& operator=(const HeapRelease&) = delete;

  void start();
  void stop();

 private:
  void later();

  boost::asio::steady_timer timer_;
  Logger& log_;
  std::chrono::seconds every_;
  HeapTrimmer trimmer_;
  bool running_ = false;
};

}  // namespace ttlink::daemon
