#pragma once
// Keeps every link healthy unattended: refreshes account tokens ahead of
// expiry and runs the link checks every poll.status_interval (with jitter),
// spreading work over time so that neither start-up nor the end of an outage
// sends every request at once. Transient failures retry with capped,
// jittered exponential back-off; past a threshold the link is DEGRADED.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "core/links/link_service.hpp"
#include "core/links/schedule_budget.hpp"
#include "core/util/idle_signal.hpp"
#include "core/util/task_group.hpp"

namespace ttlink::links {

struct SchedulerOptions {
  std::chrono::milliseconds tick{1000};  // how often due work is looked for
  // Links worked on at once (the rate limiter paces requests). 128, not 32:
  // each refresh waits ~10 ms for its WAL fdatasync, and with 32 the daemon
  // sat idle 30 % of a backlog (issue 16: 7,400 req/s instead of 5,900).
  std::size_t max_in_flight = 128;
  int degraded_after = 3;  // failures in a row (of any kind) before DEGRADED
  Seconds retry_base{30};
  Seconds retry_cap{3600};
};

struct SchedulerStats {
  std::uint64_t refresh_ok = 0;
  std::uint64_t refresh_failed = 0;
  std::uint64_t checks_ok = 0;
  std::uint64_t checks_failed = 0;
};

// The wait before attempt `failures` + 1: exponential from `base`, jittered
// between half and the whole delay while below `cap`; once capped, between
// `cap` and `cap` * (1 + jitter), never below it, so that a link failing for
// good is not attempted more often than a healthy one (whose checks come
// every interval, give or take the jitter).
Seconds retry_delay(int failures, Seconds base, Seconds cap, double jitter, std::mt19937_64& rng);

class Scheduler {
 public:
  Scheduler(boost::asio::any_io_executor ex, LinkService& links, Logger& log, Clock clock,
            SchedulerOptions options = {});
  ~Scheduler();

  void start();  // spawns the loop on the executor
  void stop();   // no new work; in-flight work finishes
  // stop(), then returns once in-flight work has finished.
  boost::asio::awaitable<void> drain();
  // stop(), and in-flight work is cancelled (shutdown, once the drain's
  // grace is over): its frames end at their next suspension.
  void cancel();
  // Returns once the loop and every piece of work have ended.
  boost::asio::awaitable<void> finished() { return tasks_.wait(); }
  void poke();  // look for due work now (the clock moved)
  // No work starts while `paused` returns true (the app is paused upstream:
  // tiktok::AppGate); due work waits for it, it is not failed.
  void pause_while(std::function<bool()> paused) { paused_ = std::move(paused); }
  bool idle() const { return in_flight_.empty(); }
  const SchedulerStats& stats() const { return stats_; }
  // Links whose last attempts failed: failures in a row, by link id.
  std::map<std::string, int> failing() const;
  // Next time each kind of work is due across all links (for `status`).
  std::optional<TimePoint> next_refresh() const { return next_refresh_; }
  // How late the most overdue due work was at the last look (0: none late).
  Seconds lag() const { return lag_; }
  const ScheduleBudget& budget() const { return budget_; }
  // Upstream requests sent so far (ApiClient::sent), to measure the cost of
  // a check for the budget.
  void count_requests_with(std::function<std::uint64_t()> sent) { sent_ = std::move(sent); }

 private:
  boost::asio::awaitable<void> loop();
  void spread_overdue_work();
  void dispatch_due_work();
  void expire_abandoned(TimePoint now);
  void sample_budget(TimePoint now);
  void launch_queued_work();
  boost::asio::awaitable<void> work_on(std::string link_id, bool refresh_due, bool check_due);
  boost::asio::awaitable<void> refresh_one(const std::string& link_id);
  boost::asio::awaitable<void> check_one(const std::string& link_id);
  // A request ttlink's own daily cap held back: not the link's failure.
  void postponed(const std::string& link_id, const Error& e, bool refresh);
  void move_work(const std::string& link_id, TimePoint when, bool refresh);
  void failed(const std::string& link_id, const Error& e, bool refresh);
  Seconds backoff(int failures, bool refresh);

  boost::asio::any_io_executor ex_;
  LinkService& links_;
  Logger& log_;
  Clock clock_;
  SchedulerOptions options_;
  boost::asio::steady_timer timer_;
  IdleSignal idle_;
  bool stopped_ = false;
  std::function<bool()> paused_;
  std::set<std::string> in_flight_;
  struct DueWork {
    std::string link_id;
    bool refresh = false;
    bool check = false;
  };
  std::deque<DueWork> queue_;  // found due by the last scan, not started yet
  // The last scan filled its batch and queued work: more may be due behind it,
  // so the scan runs again as soon as the queue empties (not at the next tick).
  bool more_due_ = false;
  bool poked_ = false;  // poke() since the loop last looked for due work
  struct Failures {
    int count = 0;                        // in a row
    std::optional<Trouble> degraded_for;  // what the link was last DEGRADED for
  };
  std::map<std::string, Failures> failures_;  // by link id
  std::int64_t daily_cap_logged_day_ = -1;    // the UTC day "daily cap used up" was logged
  std::optional<TimePoint> next_refresh_;
  Seconds lag_{0};
  ScheduleBudget budget_;
  std::function<std::uint64_t()> sent_;
  TimePoint last_sample_{};
  std::uint64_t checks_at_sample_ = 0;
  std::uint64_t sent_at_sample_ = 0;
  std::mt19937_64 rng_;
  SchedulerStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  TaskGroup tasks_;  // the loop and every work_on()
};

}  // namespace ttlink::links
