#include "daemon/reload.hpp"

namespace ttlink::daemon {
namespace {

// Keys that differ between `a` and `b` and are read only at start.
std::vector<std::string> restart_only_changes(const config::Config& a, const config::Config& b) {
  std::vector<std::string> out;
  auto differs = [&](bool changed, const char* key) {
    if (changed) out.emplace_back(key);
  };
  auto same_address = [](const std::optional<config::HostPort>& x,
                         const std::optional<config::HostPort>& y) {
    if (x.has_value() != y.has_value()) return false;
    return !x || (x->host == y->host && x->port == y->port);
  };
  differs(a.tiktok.api_base != b.tiktok.api_base, "tiktok.api_base");
  differs(a.tiktok.app_id != b.tiktok.app_id, "tiktok.app_id");
  differs(a.tiktok.app_secret_file != b.tiktok.app_secret_file, "tiktok.app_secret_file");
  differs(a.tiktok.ca_file != b.tiktok.ca_file, "tiktok.ca_file");
  differs(a.tiktok.connect_timeout != b.tiktok.connect_timeout, "tiktok.connect_timeout");
  differs(a.tiktok.request_timeout != b.tiktok.request_timeout, "tiktok.request_timeout");
  differs(a.callback.listen.host != b.callback.listen.host ||
              a.callback.listen.port != b.callback.listen.port,
          "callback.listen");
  differs(!same_address(a.metrics.listen, b.metrics.listen), "metrics.listen");
  differs(a.store.path != b.store.path || a.store.key_file != b.store.key_file, "store");
  differs(a.control.socket != b.control.socket || a.control.group != b.control.group, "control");
  differs(a.debug.clock_control != b.debug.clock_control, "debug.clock_control");
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

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Result<ReloadOutcome> Reloader::reload() {
  auto next = config::load_config(path_);
  if (!next) {
    log_.error("config.reload_failed", {{"error", next.error().message}});
    return next.error();
  }
  std::vector<Applier> appliers;
  for (const auto& part : parts_) {
    auto ready = part(*next);
    if (!ready) {
      log_.error("config.reload_failed", {{"error", ready.error().message}});
      return ready.error();
    }
    appliers.push_back(std::move(*ready));
  }
  ReloadOutcome outcome;
  outcome.needs_restart = restart_only_changes(live_, *next);
  live_.poll = next->poll;
  live_.limits = next->limits;
  live_.refresh = next->refresh;
  live_.alerts = next->alerts;
  live_.comments = next->comments;
  live_.tiktok.scopes = next->tiktok.scopes;
  live_.tiktok.advertiser_auth_url = next->tiktok.advertiser_auth_url;
  live_.tiktok.account_auth_url = next->tiktok.account_auth_url;
  live_.callback.public_url = next->callback.public_url;
  limiter_.set_limits(limits_of(live_));
  for (auto& apply : appliers) apply(outcome);
  outcome.applied = {"poll",     "limits",        "refresh",           "alerts",
                     "comments", "tiktok.scopes", "tiktok.*_auth_url", "callback.public_url"};
  log_.info(
      "config.reloaded",
      {{"path", path_},
       {"max_qps", std::to_string(live_.poll.max_qps)},
       {"status_interval", format_duration(live_.poll.status_interval)},
       {"needs_restart", outcome.needs_restart.empty() ? "none" : joined(outcome.needs_restart)}});
  for (const auto& w : outcome.warnings) log_.warn("config.reload_warning", {{"warning", w}});
  return outcome;
}

void Reloader::register_method(rpc::Registry& registry) {
  registry.add("daemon.reload", "re-read the config file (as SIGHUP does)",
               [this](const boost::json::object&,
                      const rpc::Peer&) -> boost::asio::awaitable<rpc::MethodResult> {
                 auto r = reload();
                 if (!r) co_return rpc::to_method_error(r.error());
                 boost::json::array applied, restart, warnings;
                 for (auto& s : r->applied) applied.emplace_back(s);
                 for (auto& s : r->needs_restart) restart.emplace_back(s);
                 for (auto& s : r->warnings) warnings.emplace_back(s);
                 co_return boost::json::value(boost::json::object{
                     {"applied", applied}, {"needs_restart", restart}, {"warnings", warnings}});
               });
}

}  // namespace ttlink::daemon
