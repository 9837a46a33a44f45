#pragma once
// The alerts about the app itself, one each however many links there are:
// `app_forbidden` while upstream answers 40113, and `upstream_unreachable`
// for the subject "app" once a 61000 (blocklist) pause has lasted over
// 10 minutes. Both resolve when upstream answers anything else.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>

#include "core/alerts/engine.hpp"
#include "core/tiktok/app_gate.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

// How long a 61000 pause lasts before a person is told.
inline constexpr Seconds kBlocklistAlertAfter{600};

// The app-wide conditions that hold at `now`, by kind.
std::optional<alerts::Condition> app_forbidden_condition(
    const std::optional<tiktok::AppCondition>& c);
std::optional<alerts::Condition> blocklist_condition(const std::optional<tiktok::AppCondition>& c,
                                                     TimePoint now);

class AppAlerts {
 public:
  AppAlerts(boost::asio::any_io_executor ex, tiktok::AppGate& gate, alerts::Engine& engine,
            Logger& log, Clock clock, std::function<void()> queued);
  void start();  // evaluates now and every 30 s
  void stop();
  // Fires or resolves what the gate says now; logs each change once.
  void evaluate();

 private:
  void arm();

  boost::asio::steady_timer timer_;
  const tiktok::AppGate& gate_;
  alerts::Engine& engine_;
  Logger& log_;
  Clock clock_;
  std::function<void()> queued_;  // an alert event was queued: wake the dispatcher
  std::optional<long> last_code_;
  bool running_ = false;
};

}  // namespace ttlink::daemon
