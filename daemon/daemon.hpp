#pragma once
// ttlinkd's parts, built in dependency order (destroyed in reverse), and
// their lifecycle: wire, start, serve until SIGTERM, drain, stop.
// Everything runs on one io_context thread: the state thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>

#include "core/ads/ads_context.hpp"
#include "core/ads/launcher.hpp"
#include "core/ads/paid_sync.hpp"
#include "core/alerts/dispatcher.hpp"
#include "core/alerts/engine.hpp"
#include "core/config/config.hpp"
#include "core/http/client.hpp"
#include "core/http/server.hpp"
#include "core/links/link_service.hpp"
#include "core/links/scheduler.hpp"
#include "core/metrics/metrics.hpp"
#include "core/rpc/registry.hpp"
#include "core/rpc/unix_server.hpp"
#include "core/spark/spark_poller.hpp"
#include "core/spark/spark_service.hpp"
#include "core/store/batch_commits.hpp"
#include "core/store/store.hpp"
#include "core/store/wal_checkpoints.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/rate_limiter.hpp"
#include "core/util/clock.hpp"
#include "core/util/task_group.hpp"
#include "daemon/app_alerts.hpp"
#include "daemon/heap_release.hpp"
#include "daemon/reload.hpp"
#include "daemon/watchdog.hpp"

namespace ttlink::daemon {

class Daemon {
 public:
  Daemon(config::Config& config, Secret app_secret, store::Store& store, AdjustableClock& clock,
         Logger& log, const std::string& config_path);
  // Serves until SIGTERM/SIGINT; the exit status.
  int run();

 private:
  Result<void> wire();
  Result<void> start_listeners();
  void watch_signals();
  boost::asio::awaitable<void> shut_down(int signo);
  Result<Applier> reload_alerts(const config::Config& next);
  void warn_of_orphaned_deliveries(const std::vector<alerts::SinkFilter>& next,
                                   ReloadOutcome& outcome);
  boost::asio::awaitable<void> drain();     // in-flight work ends by itself
  void cancel();                            // in-flight work is cancelled
  boost::asio::awaitable<void> finished();  // every component's coroutines have ended

  config::Config& config_;
  store::Store& store_;
  AdjustableClock& clock_;
  Logger& log_;
  boost::asio::io_context io_{1};
  metrics::Registry metrics_;
  rpc::Registry registry_;
  http::Client http_;
  tiktok::RateLimiter limiter_;
  tiktok::AppGate gate_;
  tiktok::ApiClient api_;
  links::LinkService links_;
  links::Scheduler scheduler_;
  alerts::Engine alert_engine_;
  std::optional<alerts::Dispatcher> dispatcher_;
  std::optional<AppAlerts> app_alerts_;
  spark::SparkService spark_;
  spark::SparkPoller spark_poller_;
  ads::AdsContext ads_;
  ads::Launcher launcher_{ads_};
  ads::PaidSync paid_{ads_, [this] { return config_.poll.comments_interval; }};
  Reloader reloader_;
  rpc::UnixServer control_;
  http::Server callback_;
  std::optional<http::Server> metrics_server_;
  boost::asio::signal_set hup_{io_, SIGHUP};
  boost::asio::signal_set term_{io_, SIGTERM, SIGINT};
  Watchdog watchdog_{io_.get_executor()};  // pings from the state thread
  HeapRelease heap_release_{io_.get_executor(), log_};
  store::BatchCommits batch_commits_;      // batching on while the daemon lives
  store::WalCheckpoints wal_checkpoints_;  // on a worker while the daemon lives
  bool stopping_ = false;
  TaskGroup shutdown_{io_.get_executor()};  // shut_down(), the one task of the daemon's own
};

}  // namespace ttlink::daemon
