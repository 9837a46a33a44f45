// ttlinkd: wiring only. Parse the command line and config, open the store,
// build the components, register the control methods, serve until SIGTERM.
// Everything runs on one io_context thread: the state thread.
#include <systemd/sd-daemon.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <optional>

#include "core/alerts/alert_methods.hpp"
#include "core/alerts/alert_metrics.hpp"
#include "core/alerts/dispatcher.hpp"
#include "core/alerts/engine.hpp"
#include "core/config/config.hpp"
#include "core/http/client.hpp"
#include "core/http/server.hpp"
#include "core/links/callback_handler.hpp"
#include "core/links/link_methods.hpp"
#include "core/links/link_metrics.hpp"
#include "core/links/link_service.hpp"
#include "core/links/scheduler.hpp"
#include "core/metrics/metrics.hpp"
#include "core/rpc/registry.hpp"
#include "core/rpc/unix_server.hpp"
#include "core/spark/spark_methods.hpp"
#include "core/spark/spark_metrics.hpp"
#include "core/spark/spark_poller.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/rate_limiter.hpp"
#include "core/version.hpp"
#include "daemon/backup_method.hpp"
#include "daemon/observability.hpp"
#include "daemon/reload.hpp"

namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace ttlink;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string config_path = "/etc/ttlink/ttlinkd.toml";
  bool check_config = false;
};

http::ClientOptions http_options(const config::Config& c) {
  http::ClientOptions o;
  o.ca_file = c.tiktok.ca_file;
  o.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.tiktok.connect_timeout);
  o.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.tiktok.request_timeout);
  return o;
}

http::ServerOptions listen_on(const config::HostPort& at) {
  http::ServerOptions o;
  o.host = at.host;
  o.port = at.port;
  return o;
}

rpc::UnixServerOptions control_options(const config::Config& c) {
  rpc::UnixServerOptions o;
  o.path = c.control.socket;
  o.group = c.control.group;
  return o;
}

// The daemon's parts, in the order they are built (and destroyed in reverse).
struct Daemon {
  Daemon(config::Config& config, Secret secret, store::Store& store, Logger& log,
         const std::string& config_path)
      : config(config),
        config_path(config_path),
        log(log),
        http(io.get_executor(), http_options(config)),
        limiter(io.get_executor(), config.poll.max_qps, config.poll.max_qps),
        api(http, {config.tiktok.api_base, config.tiktok.app_id, std::move(secret)},
            {&limiter, &metrics}),
        links(store, api, config, log, [this] { return now(); }),
        scheduler(io.get_executor(), links, log, [this] { return now(); }),
        control(io.get_executor(), registry, log, control_options(config)),
        callback(io.get_executor(), listen_on(config.callback.listen),
                 links::make_callback_handler(links, log), log),
        alert_engine(store, config.alerts.repeat_interval, alerts::sink_filters(config.alerts),
                     [this] { return now(); }),
        spark(
            store, api, config, &alert_engine, log, [this] { return now(); },
            [this](std::string open_id) { return links.account_access_token(open_id); }),
        spark_poller(io.get_executor(), spark, log,
                     [this] { return this->config.poll.comments_interval; }) {}

  // The daemon's clock: wall time, plus an offset that only
  // debug.clock.advance (debug.clock_control) moves.
  TimePoint now() const { return now_utc() + clock_offset; }

  config::Config& config;
  std::string config_path;
  Logger& log;
  Seconds clock_offset{0};
  asio::io_context io{1};
  metrics::Registry metrics;
  rpc::Registry registry;
  http::Client http;
  tiktok::RateLimiter limiter;
  tiktok::ApiClient api;
  links::LinkService links;
  links::Scheduler scheduler;
  rpc::UnixServer control;
  http::Server callback;
  alerts::Engine alert_engine;
  std::optional<alerts::Dispatcher> alert_dispatcher;
  spark::SparkService spark;
  spark::SparkPoller spark_poller;
  std::optional<http::Server> metrics_server;
  bool stopping = false;
};

void register_daemon_methods(Daemon& d) {
  d.registry.add("daemon.version", "the daemon's version and store schema version",
                 [](const json::object&, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
                   co_return json::value(json::object{
                       {"version", kVersion}, {"schema_version", store::Store::schema_version()}});
                 });
  d.registry.add(
      "daemon.reload", "re-read the config file (as SIGHUP does)",
      [&d](const json::object&, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
        auto r = daemon::reload_config(d.config_path, d.config, d.limiter, d.log);
        if (!r) co_return rpc::to_method_error(r.error());
        d.spark.apply_config();
        json::array applied, restart;
        for (auto& s : r->applied) applied.emplace_back(s);
        for (auto& s : r->needs_restart) restart.emplace_back(s);
        co_return json::value(json::object{{"applied", applied}, {"needs_restart", restart}});
      });
}

// Tests and demos against the sandbox move the sandbox's clock by days; this
// moves the daemon's with it (only with debug.clock_control = true).
void register_debug_methods(Daemon& d) {
  if (!d.config.debug.clock_control) return;
  d.log.warn("debug.clock_control",
             {{"note", "debug.clock.advance is enabled: not for production"}});
  d.registry.add(
      "debug.clock.advance", "move the daemon's clock forward (params: seconds)",
      [&d](const json::object& p, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
        auto* s = p.if_contains("seconds");
        if (!s || !s->is_int64() || s->get_int64() < 0)
          co_return rpc::MethodError{rpc::code::kInvalidParams, "seconds must be an integer >= 0",
                                     nullptr};
        d.clock_offset += Seconds{s->get_int64()};
        d.scheduler.poke();
        d.spark_poller.poke();
        co_return json::value(json::object{{"now", format_rfc3339(d.now())}});
      });
}

// The URL to put in an alert that asks a person to reauthorize: the one
// already issued by this process if still valid, else a fresh one.
asio::awaitable<std::optional<std::string>> reauth_url(Daemon& d, std::string link_id) {
  auto urls = d.links.pending_urls(link_id);
  if (!urls || urls->expires_at <= d.now()) {
    const store::Actor actor{"daemon (alert)"};  // named: see dispatcher.cpp on GCC 12
    auto issued = co_await d.links.reauth(link_id, actor);
    if (!issued) co_return std::nullopt;
    urls = *issued;
  }
  co_return urls->account_auth_url ? urls->account_auth_url : urls->advertiser_auth_url;
}

// Alerts: the sinks, the delivery loop, state changes in, control methods.
Result<void> start_alerts(Daemon& d, store::Store& store) {
  auto sinks = alerts::make_sinks(d.config.alerts, d.io.get_executor(), d.log);
  if (!sinks) return sinks.error();
  d.alert_dispatcher.emplace(
      d.io.get_executor(), store, d.alert_engine, std::move(*sinks), d.log,
      [&d](const std::string& id) { return reauth_url(d, id); }, alerts::Backoff{},
      [&d] { return d.now(); });
  d.links.on_state_change([&d](const links::StateChange& c) {
    d.alert_dispatcher->notify({c.link_id, c.to, {c.code, c.message}});
  });
  alerts::register_alert_methods(d.registry, d.alert_engine, *d.alert_dispatcher);
  alerts::register_alert_metrics(d.metrics, d.alert_engine, *d.alert_dispatcher, store);
  d.alert_dispatcher->start();
  return {};
}

Result<void> start_listeners(Daemon& d) {
  if (auto r = d.control.start(); !r) return r;
  if (auto r = d.callback.start(); !r) return r;
  if (d.config.metrics.listen) {
    d.metrics_server.emplace(d.io.get_executor(), listen_on(*d.config.metrics.listen),
                             daemon::make_metrics_handler(d.metrics, [&d] { return !d.stopping; }),
                             d.log);
    if (auto r = d.metrics_server->start(); !r) return r;
  }
  return {};
}

// SIGHUP reloads. SIGTERM/SIGINT: say STOPPING, stop taking work, let
// in-flight work end, and stop the loop once idle or after a grace period.
void handle_signals(Daemon& d, asio::signal_set& hup, asio::signal_set& term) {
  hup.async_wait([&d, &hup, &term](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (daemon::reload_config(d.config_path, d.config, d.limiter, d.log)) d.spark.apply_config();
    handle_signals(d, hup, term);
  });
  term.async_wait([&d, &hup](const boost::system::error_code& ec, int signo) {
    if (ec || d.stopping) return;
    d.stopping = true;
    d.log.info("daemon.stopping", {{"signal", std::to_string(signo)}});
    sd_notify(0, "STOPPING=1");
    hup.cancel();
    d.scheduler.stop();
    d.spark_poller.stop();
    if (d.alert_dispatcher) d.alert_dispatcher->stop();
    d.control.stop();
    d.callback.stop();
    if (d.metrics_server) d.metrics_server->stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto timer = std::make_shared<asio::steady_timer>(d.io);
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [&d, timer, poll, deadline] {
      const bool idle = d.scheduler.idle() && d.spark_poller.idle() &&
                        (!d.alert_dispatcher || d.alert_dispatcher->idle());
      if (idle || std::chrono::steady_clock::now() > deadline) {
        d.io.stop();
        return;
      }
      timer->expires_after(std::chrono::milliseconds(50));
      timer->async_wait([poll](const boost::system::error_code&) { (*poll)(); });
    };
    (*poll)();
  });
}

int run(config::Config& config, Secret app_secret, Logger& log, const std::string& path) {
  auto store = store::Store::open(config.store.path, config.store.key_file);
  if (!store) {
    log.error("store.open_failed", {{"path", config.store.path}, {"error", store.error().message}});
    return kExitFailure;
  }
  Daemon d(config, std::move(app_secret), **store, log, path);
  tiktok::declare_api_metrics(d.metrics);
  links::register_link_metrics(d.metrics, d.links, d.scheduler, d.limiter);
  register_daemon_methods(d);
  register_debug_methods(d);
  links::register_link_methods(d.registry, d.links, [&d] { return d.alert_engine.firing_count(); });
  spark::register_spark_methods(d.registry, d.spark);
  daemon::register_backup_method(d.registry, **store, log);
  spark::register_spark_metrics(d.metrics, d.spark, d.spark_poller);
  if (auto r = start_alerts(d, **store); !r) {
    log.error("alerts.start_failed", {{"error", r.error().message}});
    return kExitFailure;
  }
  if (auto r = start_listeners(d); !r) {
    log.error("daemon.start_failed", {{"error", r.error().message}});
    return kExitFailure;
  }
  asio::signal_set hup(d.io, SIGHUP), term(d.io, SIGTERM, SIGINT);
  handle_signals(d, hup, term);
  d.scheduler.start();
  d.spark_poller.start();
  log.info("daemon.ready", {{"version", kVersion},
                            {"socket", config.control.socket},
                            {"callback_port", std::to_string(d.callback.port())},
                            {"api_base", config.tiktok.api_base}});
  sd_notify(0, "READY=1");
  d.io.run();
  log.info("daemon.stopped");
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"ttlinkd: keeps TikTok Business accounts linked to Ads Manager healthy"};
  app.add_option("--config", opt.config_path, "config file")->capture_default_str();
  app.add_flag("--check-config", opt.check_config, "validate the config and exit");
  app.set_version_flag("--version", std::string("ttlinkd ") + ttlink::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  auto log = Logger::with_journal_detection();
  auto config = config::load_config(opt.config_path);
  if (!config) {
    std::fprintf(stderr, "ttlinkd: %s\n", config.error().message.c_str());
    return kExitFailure;
  }
  auto secret = config::read_app_secret(*config);
  if (!secret) {
    std::fprintf(stderr, "ttlinkd: %s\n", secret.error().message.c_str());
    return kExitFailure;
  }
  if (opt.check_config) {
    std::printf("ttlinkd: %s is valid\n", opt.config_path.c_str());
    return kExitOk;
  }
  return run(*config, std::move(*secret), log, opt.config_path);
}
