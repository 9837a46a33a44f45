#include "daemon/heap_release.hpp"

#include <string>

namespace ttlink::daemon {

HeapRelease::HeapRelease(boost::asio::any_io_executor executor, Logger& log,
                         std::chrono::seconds every)
    : timer_(std::move(executor)), log_(log), every_(every) {}

void HeapRelease::start() {
  running_ = true;
  later();
}

void HeapRelease::stop() {
  running_ = false;
  timer_.cancel();
}

void HeapRelease::later() {
  timer_.expires_after(every_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    if (trimmer_.trim_if_worthwhile()) {
      const HeapFigures after = heap_figures();
      log_.debug("daemon.heap_trimmed", {{"heap_bytes", std::to_string(after.system_bytes)},
                                         {"free_bytes", std::to_string(after.free_bytes)}});
    }
    later();
  });
}

}  // namespace ttlink::daemon
