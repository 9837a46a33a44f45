#pragma once
// Polls every syncable link's Spark Ads every poll.comments_interval, one
// link at a time (requests go through the rate limiter the health checks
// share, so a large comment backlog never holds a token refresh up for more
// than one request), then re-evaluates the Spark Ads alerts. A link with
// more backlog than one sync takes is polled again at once.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "core/spark/spark_service.hpp"
#include "core/util/idle_signal.hpp"
#include "core/util/task_group.hpp"

namespace ttlink::spark {

struct PollerStats {
  std::uint64_t rounds = 0;
  std::uint64_t syncs_ok = 0;
  std::uint64_t syncs_failed = 0;
  std::uint64_t comments_ingested = 0;
  std::uint64_t requests = 0;
  std::uint64_t alert_evaluations = 0;  // SparkService::evaluate_alerts calls
};

class SparkPoller {
 public:
  SparkPoller(boost::asio::any_io_executor ex, SparkService& spark, Logger& log,
              std::function<Seconds()> interval);

  void start();
  void stop();
  // stop(), then returns once the link being synced is done.
  boost::asio::awaitable<void> drain();
  // stop(), and the work under way is cancelled (shutdown, once the
  // drain's grace is over).
  void cancel();
  // Returns once the loop has ended.
  boost::asio::awaitable<void> finished() { return tasks_.wait(); }
  void poke();  // poll now (the clock moved, a link was added)
  // No link is synced while `waits_for` names a reason (the app is paused
  // upstream: tiktok::AppGate; checks run late); "" lets rounds go on. Such
  // a round is not a failure of any link.
  void pause_while(std::function<std::string()> waits_for) { waits_for_ = std::move(waits_for); }
  bool idle() const { return !busy_; }
  const PollerStats& stats() const { return stats_; }
  // How far comment polling is behind: the time since the last round ended
  // beyond comments_interval (zero while rounds keep to it). Comments yield
  // to checks, so a daemon that cannot keep up says so here (status, the
  // ttlink_comments_late_seconds gauge, a log line), not by silence.
  Seconds late() const;
  Seconds interval() const { return interval_(); }
  // Why rounds wait now ("" when they do not).
  std::string waiting_for() const { return waits_for_ ? waits_for_() : std::string(); }

 private:
  boost::asio::awaitable<void> loop();
  enum class RoundEnd { kDone, kMore, kPaused };  // kMore: some link has more to read
  boost::asio::awaitable<RoundEnd> round();
  bool paused() const { return !waiting_for().empty(); }
  bool note(const std::string& link_id, const Result<LinkSyncReport>& report);
  void round_ended();
  void log_if_late();
  void evaluate_alerts(RoundEnd end);

  SparkService& spark_;
  Logger& log_;
  std::function<Seconds()> interval_;
  boost::asio::steady_timer timer_;
  IdleSignal idle_;
  std::function<std::string()> waits_for_;
  TimePoint last_round_end_;  // or the poller's construction or start
  std::optional<TimePoint> last_evaluation_;
  bool late_logged_ = false;           // "spark.comments_late" since the last round ended
  std::deque<std::string> remaining_;  // links of the round not synced yet
  bool running_ = false;
  bool busy_ = false;
  bool poked_ = false;
  PollerStats stats_;
  TaskGroup tasks_;  // the loop
};

}  // namespace ttlink::spark
