#include "core/spark/spark_poller.hpp"

#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/envelope.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ttlink::spark {

namespace asio = boost::asio;

SparkPoller::SparkPoller(asio::any_io_executor ex, SparkService& spark, Logger& log,
                         std::function<Seconds()> interval)
    : spark_(spark), log_(log), interval_(std::move(interval)), timer_(ex), idle_(ex) {}

void SparkPoller::start() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(timer_.get_executor(), loop(), asio::detached);
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
    const bool more = co_await round();
    if (auto r = spark_.evaluate_alerts(); !r)
      log_.error("spark.alerts_failed", {{"error", r.error().message}});
    busy_ = false;
    idle_.notify();
    if (!running_ || more || poked_) continue;
    timer_.expires_after(interval_());
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<bool> SparkPoller::round() {
  ++stats_.rounds;
  spark_.begin_round();
  auto links = spark_.store().links().list(false);
  if (!links) {
    log_.error("spark.list_failed", {{"error", links.error().message}});
    co_return false;
  }
  bool more = false;
  for (const auto& link : *links) {
    if (!running_ || (paused_ && paused_())) break;
    if (!SparkService::syncable(link)) continue;
    auto report = co_await spark_.sync_link(link.id, true);
    if (!report && report.error().kind == ErrorKind::kUpstream &&
        tiktok::pauses_app(report.error().upstream_code))
      break;  // the app is paused (one app-wide alert): not this link's failure
    spark_.note_sync(link.id, report);
    if (!report) {
      ++stats_.syncs_failed;
      const Error& e = report.error();
      log_.warn("spark.sync_failed",
                {{"link", link.id},
                 {"outcome", std::string(tiktok::to_string(tiktok::outcome_of(e)))},
                 {"code", std::to_string(e.upstream_code)},
                 {"request_id", e.request_id},
                 {"error", e.message}});
      continue;
    }
    ++stats_.syncs_ok;
    stats_.comments_ingested += static_cast<std::uint64_t>(report->comments.new_comments);
    stats_.requests += static_cast<std::uint64_t>(report->comments.requests);
    more = more || report->comments.more;
    if (report->comments.new_comments > 0)
      log_.info("spark.synced", {{"link", link.id},
                                 {"posts", std::to_string(report->posts)},
                                 {"new_comments", std::to_string(report->comments.new_comments)}});
  }
  co_return more;
}

}  // namespace ttlink::spark
