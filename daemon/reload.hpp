#pragma once
// SIGHUP and `daemon.reload`: re-read the config and apply what can change
// while running (poll intervals, rate limits, refresh windows, scopes, alert
// sinks); what needs a restart (API base, credentials, listeners, store) is
// logged and left as it is. A config with an error changes nothing.
#include <functional>

#include "core/config/config.hpp"
#include "core/rpc/registry.hpp"
#include "core/tiktok/rate_limiter.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

struct ReloadOutcome {
  std::vector<std::string> applied;        // sections applied
  std::vector<std::string> needs_restart;  // keys that changed but need a restart
};

// The rate limiter's limits from poll.max_qps and [limits].
tiktok::Limits limits_of(const config::Config& c);

Result<ReloadOutcome> reload_config(const std::string& path, config::Config& live,
                                    tiktok::RateLimiter& limiter, Logger& log);

// Reloads `path` into `live`, then tells the components that read it.
class Reloader {
 public:
  Reloader(std::string path, config::Config& live, tiktok::RateLimiter& limiter, Logger& log,
           std::function<void()> applied)
      : path_(std::move(path)),
        live_(live),
        limiter_(limiter),
        log_(log),
        applied_(std::move(applied)) {}
  Result<ReloadOutcome> reload();
  // `daemon.reload`, as SIGHUP does.
  void register_method(rpc::Registry& registry);

 private:
  std::string path_;
  config::Config& live_;
  tiktok::RateLimiter& limiter_;
  Logger& log_;
  std::function<void()> applied_;
};

}  // namespace ttlink::daemon
