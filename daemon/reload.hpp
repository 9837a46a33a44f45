#pragma once
// SIGHUP and `daemon.reload`: re-read the config and apply what can change
// while running; what needs a restart (API base, credentials, listeners,
// timeouts, store) is listed and left as it is. A config with an error, or
// one a component cannot take (a sink whose secret file is unreadable),
// changes nothing.
#include <functional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/rpc/registry.hpp"
#include "core/tiktok/rate_limiter.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

struct ReloadOutcome {
  std::vector<std::string> applied;        // sections applied
  std::vector<std::string> needs_restart;  // keys that changed but need a restart
  std::vector<std::string> warnings;       // e.g. undelivered alerts of a removed sink
};

// A component's part of a reload: checks what may fail against the next
// config and returns how to apply it (run only once every part is ready).
// The applier may add warnings to the outcome.
using Applier = std::function<void(ReloadOutcome&)>;
using ReloadPart = std::function<Result<Applier>(const config::Config& next)>;

// The rate limiter's limits from poll.max_qps and [limits].
tiktok::Limits limits_of(const config::Config& c);

class Reloader {
 public:
  Reloader(std::string path, config::Config& live, tiktok::RateLimiter& limiter, Logger& log)
      : path_(std::move(path)), live_(live), limiter_(limiter), log_(log) {}
  // Components that hold config of their own (sinks, the alert engine, the
  // comment service) add their part; the rest read `live` as they go.
  void add_part(ReloadPart part) { parts_.push_back(std::move(part)); }
  Result<ReloadOutcome> reload();
  // `daemon.reload`, as SIGHUP does.
  void register_method(rpc::Registry& registry);

 private:
  std::string path_;
  config::Config& live_;
  tiktok::RateLimiter& limiter_;
  Logger& log_;
  std::vector<ReloadPart> parts_;
};

}  // namespace ttlink::daemon
