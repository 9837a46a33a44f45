#pragma once
// SIGHUP and `daemon.reload`: re-read the config and apply what can change
// while running (poll intervals, rate limits, refresh windows, scopes, alert
// sinks); what needs a restart (API base, credentials, listeners, store) is
// logged and left as it is. A config with an error changes nothing.
#include "core/config/config.hpp"
#include "core/tiktok/rate_limiter.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

struct ReloadOutcome {
  std::vector<std::string> applied;        // sections applied
  std::vector<std::string> needs_restart;  // keys that changed but need a restart
};

Result<ReloadOutcome> reload_config(const std::string& path, config::Config& live,
                                    tiktok::RateLimiter& limiter, Logger& log);

}  // namespace ttlink::daemon
