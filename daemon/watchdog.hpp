#pragma once
// systemd's watchdog (WatchdogSec= in ttlinkd.service): WATCHDOG=1 every half
// of WATCHDOG_USEC, sent by a timer on the state thread's executor, so that a
// state thread that hangs stops the pings and systemd restarts the daemon.
// Does nothing when systemd asked for no watchdog (sd_watchdog_enabled).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace ttlink::daemon {

class Watchdog {
 public:
  explicit Watchdog(boost::asio::any_io_executor executor);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Sends the first ping and keeps pinging until stop().
  void start();
  void stop();
  // The time between pings; zero when there is no watchdog.
  std::chrono::microseconds period() const { return period_; }

 private:
  void ping_later();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds period_{0};
  bool running_ = false;
};

}  // namespace ttlink::daemon
