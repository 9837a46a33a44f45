#include "daemon/daemon.hpp"

#include <systemd/sd-daemon.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdlib>

#include "core/ads/ads_methods.hpp"
#include "core/alerts/alert_methods.hpp"
#include "core/alerts/alert_metrics.hpp"
#include "core/links/callback_handler.hpp"
#include "core/links/link_methods.hpp"
#include "core/links/link_metrics.hpp"
#include "core/spark/spark_methods.hpp"
#include "core/spark/spark_metrics.hpp"
#include "core/version.hpp"
#include "daemon/backup_method.hpp"
#include "daemon/debug_clock.hpp"
#include "daemon/observability.hpp"

namespace ttlink::daemon {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Comment polling yields to checks and refreshes this late (issue 16:
// refreshes, then bad links, then routine checks, then comments).
constexpr Seconds kCommentsYieldAfter{60};

// On SIGTERM, in-flight work has this long to end by itself; what is left
// is then cancelled (checks, comment polls, deliveries and ctl calls are all
// run again or resent after a restart: nothing is lost by cutting them).
constexpr std::chrono::seconds kDrainGrace{5};

// Cancelled work ends at once, except a token refresh or code exchange under
// way (core/util/shielded.hpp), which ends by its own timeouts.
std::chrono::seconds cancel_grace(const config::Config& c) {
  return std::chrono::duration_cast<std::chrono::seconds>(c.tiktok.connect_timeout +
                                                          c.tiktok.request_timeout) +
         std::chrono::seconds{5};
}

// True when `task` ended before `limit` (it is cancelled otherwise).
asio::awaitable<bool> within(std::chrono::steady_clock::duration limit,
                             asio::awaitable<void> task) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto first = co_await (std::move(task) || timer.async_wait(asio::use_awaitable));
  co_return first.index() == 0;
}

http::ClientOptions http_options(const config::Config& c) {
  http::ClientOptions o;
  o.ca_file = c.tiktok.ca_file;
  o.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.tiktok.connect_timeout);
  o.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.tiktok.request_timeout);
  // As many idle connections as links in flight: under a backlog each of
  // them needs one, and a smaller pool closed and reopened the rest (~60
  // connects/s in a 30,000-link check phase).
  o.max_idle_per_origin = links::SchedulerOptions{}.max_in_flight;
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

void register_version(rpc::Registry& registry) {
  registry.add("daemon.version", "the daemon's version and store schema version",
               [](const json::object&, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
                 co_return json::value(json::object{
                     {"version", kVersion}, {"schema_version", store::Store::schema_version()}});
               });
}

}  // namespace

Daemon::Daemon(config::Config& config, Secret app_secret, store::Store& store,
               AdjustableClock& clock, Logger& log, const std::string& config_path)
    : config_(config),
      store_(store),
      clock_(clock),
      log_(log),
      http_(io_.get_executor(), http_options(config)),
      limiter_(io_.get_executor(), config.poll.max_qps, config.poll.max_qps),
      gate_(clock.as_clock()),
      api_(http_, {config.tiktok.api_base, config.tiktok.app_id, std::move(app_secret)},
           {&limiter_, &gate_, &metrics_}),
      links_(store, api_, config, log, clock.as_clock()),
      scheduler_(io_.get_executor(), links_, log, clock.as_clock()),
      alert_engine_(store, config.alerts.repeat_interval, alerts::sink_filters(config.alerts),
                    clock.as_clock()),
      spark_(store, api_, config, &alert_engine_, log, clock.as_clock(),
             [this](std::string open_id) { return links_.account_access_token(open_id); }),
      spark_poller_(io_.get_executor(), spark_, log,
                    [this] { return config_.poll.comments_interval; }),
      ads_{store, api_, log, clock.as_clock()},
      reloader_(config_path, config, limiter_, log),
      control_(io_.get_executor(), registry_, log, control_options(config)),
      callback_(io_.get_executor(), listen_on(config.callback.listen),
                links::make_callback_handler(links_, log), log),
      batch_commits_(io_.get_executor(), store.connection(),
                     [&log](const Error& e) {
                       log.error("store.batch_commit_failed", {{"error", e.message}});
                     }),
      wal_checkpoints_(io_.get_executor(), store.connection().database(), [&log](const Error& e) {
        log.error("store.checkpoint_failed",
                  {{"error", e.message}, {"instead", "checkpointing on the daemon's thread"}});
      }) {}

// Links decide, alerts deliver: every recorded state change reaches the
// alert engine inside the transaction that records it.
Result<void> Daemon::wire() {
  auto sinks = alerts::make_sinks(config_.alerts, io_.get_executor(), log_, clock_.as_clock());
  if (!sinks) return sinks.error();
  dispatcher_.emplace(io_.get_executor(), store_, alert_engine_, std::move(*sinks), log_,
                      alerts::Backoff{}, clock_.as_clock());
  links_.on_state_change([this](const LinkEvent& e) -> Result<void> {
    auto r = alert_engine_.on_link_event(e);
    if (r) dispatcher_->wake();
    return r;
  });
  app_alerts_.emplace(io_.get_executor(), gate_, alert_engine_, log_, clock_.as_clock(),
                      [this] { dispatcher_->wake(); });
  limiter_.set_limits(limits_of(config_));
  scheduler_.pause_while([this] { return gate_.paused(); });
  scheduler_.count_requests_with([this] { return api_.sent(); });
  // Comments come last: they wait while checks or refreshes run late.
  spark_poller_.pause_while([this]() -> std::string {
    if (gate_.paused()) return "the app is paused upstream (see the app alert)";
    if (scheduler_.lag() > kCommentsYieldAfter)
      return "checks and token refreshes come first and run " +
             std::to_string(scheduler_.lag().count()) +
             " s late; raise poll.max_qps (when set) or poll.status_interval";
    return {};
  });
  spark_.set_paid_source(
      [this](const store::LinkRecord& link, const Secret& token, std::vector<std::string> ad_ids,
             bool forced) { return paid_.sync(link, token, std::move(ad_ids), forced); });
  const links::RetryState retries{&scheduler_, &limiter_, &gate_,
                                  [this] { return spark::comments_status(spark_poller_); }};
  tiktok::declare_api_metrics(metrics_);
  links::register_link_metrics(metrics_, links_, scheduler_, retries);
  alerts::register_alert_metrics(metrics_, *dispatcher_, store_, clock_.as_clock());
  spark::register_spark_metrics(metrics_, spark_, spark_poller_);
  register_version(registry_);
  reloader_.add_part([this](const config::Config& next) { return reload_alerts(next); });
  reloader_.add_part([this](const config::Config&) -> Result<Applier> {
    return Applier([this](ReloadOutcome&) { spark_.apply_config(); });
  });
  reloader_.register_method(registry_);
  if (config_.debug.clock_control)
    register_debug_clock(registry_, clock_, log_, [this] {
      scheduler_.poke();
      spark_poller_.poke();
      app_alerts_->evaluate();
    });
  links::register_link_methods(
      registry_, links_, [this] { return store_.alerts().firing_count(); }, retries);
  spark::register_spark_methods(registry_, spark_);
  ads::register_ads_methods(registry_, {ads_, launcher_});
  register_backup_method(registry_, store_, log_);
  alerts::register_alert_methods(registry_, alert_engine_, *dispatcher_);
  return {};
}

// A reload's sinks are built before anything changes (a sink that cannot be
// built fails the reload), then replace the running ones; the engine routes
// and repeats by the new config. Undelivered rows of a sink the new config
// no longer has stay in the outbox, and the reload says so.
Result<Applier> Daemon::reload_alerts(const config::Config& next) {
  auto sinks = alerts::make_sinks(next.alerts, io_.get_executor(), log_, clock_.as_clock());
  if (!sinks) return sinks.error();
  auto built = std::make_shared<std::vector<std::unique_ptr<alerts::Sink>>>(std::move(*sinks));
  return Applier([this, built, filters = alerts::sink_filters(next.alerts),
                  repeat = next.alerts.repeat_interval](ReloadOutcome& outcome) {
    warn_of_orphaned_deliveries(filters, outcome);
    dispatcher_->replace_sinks(std::move(*built));
    alert_engine_.set_sinks(filters);
    alert_engine_.set_repeat_interval(repeat);
  });
}

void Daemon::warn_of_orphaned_deliveries(const std::vector<alerts::SinkFilter>& next,
                                         ReloadOutcome& outcome) {
  auto waiting = store_.alerts().undelivered_by_sink();
  if (!waiting) {
    outcome.warnings.push_back("cannot count undelivered alerts: " + waiting.error().message);
    return;
  }
  for (const auto& [sink, count] : *waiting) {
    if (std::any_of(next.begin(), next.end(), [&](const auto& f) { return f.name == sink; }))
      continue;
    outcome.warnings.push_back(
        std::to_string(count) + " undelivered alert event(s) for sink " + sink +
        ", which the new config no longer has: they stay in the outbox and go out if a sink of "
        "that name (type#position) comes back");
  }
}

Result<void> Daemon::start_listeners() {
  if (auto r = control_.start(); !r) return r;
  if (auto r = callback_.start(); !r) return r;
  if (!config_.metrics.listen) return {};
  metrics_server_.emplace(io_.get_executor(), listen_on(*config_.metrics.listen),
                          make_metrics_handler(metrics_, [this] { return !stopping_; }), log_);
  return metrics_server_->start();
}

// SIGHUP reloads; SIGTERM/SIGINT shut down.
void Daemon::watch_signals() {
  hup_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    reloader_.reload();  // logs its outcome, success or not
    watch_signals();
  });
  term_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec || stopping_) return;
    shutdown_.spawn(shut_down(signo));
  });
}

// Say STOPPING, stop taking work, let in-flight work end (at most the drain
// grace), cancel what is left and wait until every coroutine has ended, then
// stop the loop: the components are destroyed only once no frame uses them
// (before, frames left in the io_context were destroyed after them: a double
// free on SIGTERM during a slow upstream call).
asio::awaitable<void> Daemon::shut_down(int signo) {
  stopping_ = true;
  log_.info("daemon.stopping", {{"signal", std::to_string(signo)}});
  sd_notify(0, "STOPPING=1");
  watchdog_.stop();
  heap_release_.stop();
  app_alerts_->stop();
  hup_.cancel();
  control_.stop();
  callback_.stop();
  if (metrics_server_) metrics_server_->stop();
  // co_await as a statement of its own: GCC 12 miscompiles some co_await
  // inside conditions.
  const bool drained = co_await within(kDrainGrace, drain());
  if (!drained)
    log_.info("daemon.cancelling", {{"after", std::to_string(kDrainGrace.count()) + "s"}});
  cancel();
  const bool ended = co_await within(cancel_grace(config_), finished());
  if (!ended) {
    // A frame that ignores cancellation is a bug; destroying the components
    // under it would crash. Exit without destructors instead: the store is
    // consistent (tokens are committed as they come; an open batch of
    // routine checks is lost and checked again).
    log_.error("daemon.stop_forced", {{"reason", "work still running after cancellation"}});
    std::_Exit(1);
  }
  io_.stop();
}

asio::awaitable<void> Daemon::drain() {
  co_await scheduler_.drain();
  co_await spark_poller_.drain();
  co_await dispatcher_->drain();
}

void Daemon::cancel() {
  scheduler_.cancel();
  spark_poller_.cancel();
  dispatcher_->cancel();
  control_.cancel();
  callback_.cancel();
  if (metrics_server_) metrics_server_->cancel();
}

asio::awaitable<void> Daemon::finished() {
  co_await scheduler_.finished();
  co_await spark_poller_.finished();
  co_await dispatcher_->finished();
  co_await control_.finished();
  co_await callback_.finished();
  if (metrics_server_) co_await metrics_server_->finished();
}

int Daemon::run() {
  if (auto r = wire(); !r) {
    log_.error("alerts.start_failed", {{"error", r.error().message}});
    return 1;
  }
  if (auto r = start_listeners(); !r) {
    log_.error("daemon.start_failed", {{"error", r.error().message}});
    return 1;
  }
  watch_signals();
  dispatcher_->start();
  app_alerts_->start();
  scheduler_.start();
  spark_poller_.start();
  log_.info("daemon.ready", {{"version", kVersion},
                             {"socket", config_.control.socket},
                             {"callback_port", std::to_string(callback_.port())},
                             {"api_base", config_.tiktok.api_base}});
  sd_notify(0, "READY=1");
  watchdog_.start();
  heap_release_.start();
  io_.run();  // an open batch of routine writes commits when batch_commits_ goes
  log_.info("daemon.stopped");
  return 0;
}

}  // namespace ttlink::daemon
