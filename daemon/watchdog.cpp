#include "daemon/watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace ttlink::daemon {

Watchdog::Watchdog(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}

void Watchdog::start() {
  std::uint64_t usec = 0;
  // 0: the environment is left as is (WATCHDOG_USEC is only read here).
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  period_ = std::chrono::microseconds(usec / 2);
  running_ = true;
  sd_notify(0, "WATCHDOG=1");
  ping_later();
}

void Watchdog::stop() {
  running_ = false;
  timer_.cancel();
}

void Watchdog::ping_later() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    sd_notify(0, "WATCHDOG=1");
    ping_later();
  });
}

}  // namespace ttlink::daemon
