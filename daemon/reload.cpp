#include "daemon/reload.hpp"

namespace ttlink::daemon {

namespace {

std::vector<std::string> restart_only_changes(const config::Config& a, const config::Config& b) {
  std::vector<std::string> out;
  auto differs = [&](bool changed, const char* key) {
    if (changed) out.emplace_back(key);
  };
  differs(a.tiktok.api_base != b.tiktok.api_base, "tiktok.api_base");
  differs(a.tiktok.app_id != b.tiktok.app_id, "tiktok.app_id");
  differs(a.tiktok.app_secret_file != b.tiktok.app_secret_file, "tiktok.app_secret_file");
  differs(a.tiktok.ca_file != b.tiktok.ca_file, "tiktok.ca_file");
  differs(a.callback.listen.host != b.callback.listen.host ||
              a.callback.listen.port != b.callback.listen.port,
          "callback.listen");
  differs(a.store.path != b.store.path || a.store.key_file != b.store.key_file, "store");
  differs(a.control.socket != b.control.socket || a.control.group != b.control.group, "control");
  return out;
}

}  // namespace

tiktok::Limits limits_of(const config::Config& c) {
  tiktok::Limits l;
  l.app_qps = c.poll.max_qps;
  l.endpoint_qps = c.limits.endpoint_qps;
  l.daily_cap = c.limits.daily_cap;
  for (const auto& [path, e] : c.limits.endpoints) l.endpoints[path] = {e.qps, e.daily_cap};
  return l;
}

Result<ReloadOutcome> reload_config(const std::string& path, config::Config& live,
                                    tiktok::RateLimiter& limiter, Logger& log) {
  auto next = config::load_config(path);
  if (!next) {
    log.error("config.reload_failed", {{"error", next.error().message}});
    return next.error();
  }
  ReloadOutcome outcome;
  outcome.needs_restart = restart_only_changes(live, *next);
  live.poll = next->poll;
  live.limits = next->limits;
  live.refresh = next->refresh;
  live.alerts = next->alerts;
  live.comments = next->comments;
  live.tiktok.scopes = next->tiktok.scopes;
  live.tiktok.advertiser_auth_url = next->tiktok.advertiser_auth_url;
  live.tiktok.account_auth_url = next->tiktok.account_auth_url;
  live.callback.public_url = next->callback.public_url;
  limiter.set_limits(limits_of(live));
  outcome.applied = {"poll",     "limits",        "refresh",           "alerts",
                     "comments", "tiktok.scopes", "tiktok.*_auth_url", "callback.public_url"};
  std::string restart;
  for (const auto& k : outcome.needs_restart) restart += (restart.empty() ? "" : ",") + k;
  log.info("config.reloaded", {{"path", path},
                               {"max_qps", std::to_string(live.poll.max_qps)},
                               {"status_interval", format_duration(live.poll.status_interval)},
                               {"needs_restart", restart.empty() ? "none" : restart}});
  return outcome;
}

}  // namespace ttlink::daemon

namespace ttlink::daemon {

Result<ReloadOutcome> Reloader::reload() {
  auto r = reload_config(path_, live_, limiter_, log_);
  if (r && applied_) applied_();
  return r;
}

void Reloader::register_method(rpc::Registry& registry) {
  registry.add("daemon.reload", "re-read the config file (as SIGHUP does)",
               [this](const boost::json::object&,
                      const rpc::Peer&) -> boost::asio::awaitable<rpc::MethodResult> {
                 auto r = reload();
                 if (!r) co_return rpc::to_method_error(r.error());
                 boost::json::array applied, restart;
                 for (auto& s : r->applied) applied.emplace_back(s);
                 for (auto& s : r->needs_restart) restart.emplace_back(s);
                 co_return boost::json::value(
                     boost::json::object{{"applied", applied}, {"needs_restart", restart}});
               });
}

}  // namespace ttlink::daemon
