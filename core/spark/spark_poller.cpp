#include "core/spark/spark_poller.hpp"

#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/envelope.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ttlink::spark {

namespace asio = boost::asio;

namespace {
// How often a paused round looks whether the pause has ended (a predicate
// call, no request).
constexpr Seconds kPauseRecheck{2};
// How often the Spark Ads alerts are evaluated while rounds wait: nothing
// was synced, so only the clock moved (post authorizations that end); each
// evaluation reads every post and link, too much for every recheck.
constexpr Seconds kPausedAlertInterval{60};
}  // namespace

SparkPoller::SparkPoller(asio::any_io_executor ex, SparkService& spark, Logger& log,
                         std::function<Seconds()> interval)
    : spark_(spark),
      log_(log),
      interval_(std::move(interval)),
      timer_(ex),
      idle_(ex),
      last_round_end_(spark.now()),
      tasks_(ex, [&log](const std::string& e) {
        log.error("spark.poller_failed", {{"error", e}});
      }) {}

void SparkPoller::start() {
  if (running_) return;
  running_ = true;
  last_round_end_ = spark_.now();
  tasks_.spawn(loop());
}

void SparkPoller::cancel() {
  stop();
  tasks_.cancel();
}

void SparkPoller::stop() {
  running_ = false;
  timer_.cancel();
}

asio::awaitable<void> SparkPoller::drain() {
  stop();
  co_await idle_.until([this] { return idle(); });
}

void SparkPoller::poke() {
  poked_ = true;
  timer_.cancel();
}

asio::awaitable<void> SparkPoller::loop() {
  while (running_) {
    busy_ = true;
    poked_ = false;
    const RoundEnd end = co_await round();
    if (end == RoundEnd::kPaused)
      log_if_late();
    else
      round_ended();
    evaluate_alerts(end);
    busy_ = false;
    idle_.notify();
    if (!running_ || end == RoundEnd::kMore || poked_) continue;
    timer_.expires_after(end == RoundEnd::kPaused ? kPauseRecheck : Seconds(interval_()));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

Seconds SparkPoller::late() const {
  const auto since = std::chrono::duration_cast<Seconds>(spark_.now() - last_round_end_);
  return std::max(Seconds{0}, since - interval_());
}

void SparkPoller::round_ended() {
  last_round_end_ = spark_.now();
  if (!late_logged_) return;
  late_logged_ = false;
  log_.info("spark.comments_on_time", {{"interval_seconds", std::to_string(interval_().count())}});
}

// Once per stretch of lateness: a round that waits a whole interval.
void SparkPoller::log_if_late() {
  if (late_logged_ || late() <= Seconds{0}) return;
  late_logged_ = true;
  log_.warn("spark.comments_late", {{"late_seconds", std::to_string(late().count())},
                                    {"interval_seconds", std::to_string(interval_().count())},
                                    {"waiting_for", waiting_for()}});
}

// After every round that synced; while rounds wait, once a minute.
void SparkPoller::evaluate_alerts(RoundEnd end) {
  const TimePoint now = spark_.now();
  if (end == RoundEnd::kPaused && last_evaluation_ &&
      now - *last_evaluation_ < kPausedAlertInterval)
    return;
  last_evaluation_ = now;
  ++stats_.alert_evaluations;
  if (auto r = spark_.evaluate_alerts(); !r)
    log_.error("spark.alerts_failed", {{"error", r.error().message}});
}

// A new round lists the syncable links; a round a pause cut short goes on
// with the links it had left (their listings are read afresh).
asio::awaitable<SparkPoller::RoundEnd> SparkPoller::round() {
  if (paused()) co_return RoundEnd::kPaused;
  spark_.begin_round();
  if (remaining_.empty()) {
    ++stats_.rounds;
    auto links = spark_.store().links().list(false);
    if (!links) {
      log_.error("spark.list_failed", {{"error", links.error().message}});
      co_return RoundEnd::kDone;
    }
    for (const auto& link : *links)
      if (SparkService::syncable(link)) remaining_.push_back(link.id);
  }
  bool more = false;
  while (!remaining_.empty()) {
    if (!running_) co_return RoundEnd::kDone;
    if (paused()) co_return RoundEnd::kPaused;
    const std::string link_id = remaining_.front();
    auto report = co_await spark_.sync_link(link_id, true);
    if (!report && report.error().kind == ErrorKind::kUpstream &&
        tiktok::pauses_app(report.error().upstream_code))
      co_return RoundEnd::kPaused;  // the app is paused (one app-wide alert): not this link's
                                    // failure
    remaining_.pop_front();
    // Unlinked, or no longer syncable, since the round listed it; or held
    // back by ttlink's own daily cap (nothing sent: not the link's failure).
    if (!report &&
        (report.error().kind == ErrorKind::kNotFound ||
         report.error().kind == ErrorKind::kConflict || report.error().kind == ErrorKind::kNotSent))
      continue;
    more = note(link_id, report) || more;
  }
  co_return more ? RoundEnd::kMore : RoundEnd::kDone;
}

// Counts and logs one link's sync; true when the link has more to read.
bool SparkPoller::note(const std::string& link_id, const Result<LinkSyncReport>& report) {
  spark_.note_sync(link_id, report);
  if (!report) {
    ++stats_.syncs_failed;
    const Error& e = report.error();
    log_.warn("spark.sync_failed",
              {{"link", link_id},
               {"outcome", std::string(tiktok::to_string(tiktok::outcome_of(e)))},
               {"code", std::to_string(e.upstream_code)},
               {"request_id", e.request_id},
               {"error", e.message}});
    return false;
  }
  ++stats_.syncs_ok;
  stats_.comments_ingested += static_cast<std::uint64_t>(report->comments.new_comments);
  stats_.requests += static_cast<std::uint64_t>(report->comments.requests);
  if (report->comments.new_comments > 0)
    log_.info("spark.synced", {{"link", link_id},
                               {"posts", std::to_string(report->posts)},
                               {"new_comments", std::to_string(report->comments.new_comments)}});
  return report->comments.more;
}

}  // namespace ttlink::spark
