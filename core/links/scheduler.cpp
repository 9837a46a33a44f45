#include "core/links/scheduler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <limits>

#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/envelope.hpp"

namespace ttlink::links {
namespace asio = boost::asio;
using asio::awaitable;

namespace {

const store::Actor kScheduler{"daemon"};
// Due links read per scan: enough to keep max_in_flight busy for a while.
constexpr int kDueBatch = 1000;

bool refreshable(LinkState s) {
  return s != LinkState::kPending && s != LinkState::kUnlinked && s != LinkState::kReauthRequired &&
         s != LinkState::kExpired;
}

bool checkable(LinkState s) {
  return s != LinkState::kPending && s != LinkState::kUnlinked && s != LinkState::kExpired;
}

}  // namespace

Scheduler::Scheduler(asio::any_io_executor ex, LinkService& links, Logger& log, Clock clock,
                     SchedulerOptions options)
    : ex_(ex),
      links_(links),
      log_(log),
      clock_(std::move(clock)),
      options_(options),
      timer_(ex),
      idle_(ex),
      rng_(std::random_device{}()),
      tasks_(ex, [&log](const std::string& e) {
        log.error("scheduler.task_failed", {{"error", e}});
      }) {}

Scheduler::~Scheduler() {
  *alive_ = false;
}

void Scheduler::start() {
  tasks_.spawn(loop());
}

void Scheduler::stop() {
  stopped_ = true;
  timer_.cancel();
}

void Scheduler::cancel() {
  stop();
  tasks_.cancel();
}

std::map<std::string, int> Scheduler::failing() const {
  std::map<std::string, int> out;
  for (const auto& [id, f] : failures_) out[id] = f.count;
  return out;
}

awaitable<void> Scheduler::drain() {
  stop();
  co_await idle_.until([this] { return idle(); });
}

// Also when the loop is not waiting (work that finished without suspending
// pokes from inside dispatch_due_work): it then looks again before waiting.
void Scheduler::poke() {
  poked_ = true;
  timer_.cancel();
}

awaitable<void> Scheduler::loop() {
  auto alive = alive_;
  spread_overdue_work();
  while (*alive && !stopped_) {
    poked_ = false;
    dispatch_due_work();
    sample_budget(clock_());
    if (poked_) continue;
    timer_.expires_after(options_.tick);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// After a start-up or an outage many links are overdue at once: give each a
// random moment within the next interval instead (refreshes within a short
// window, since their tokens are near expiry).
void Scheduler::spread_overdue_work() {
  const TimePoint now = clock_();
  auto links = links_.store().links().due(now, std::numeric_limits<int>::max());
  if (!links) {
    log_.error("scheduler.list_failed", {{"error", links.error().message}});
    return;
  }
  const auto& cfg = links_.config();
  const auto check_window = std::max<long long>(1, cfg.poll.status_interval.count());
  const auto refresh_window = std::clamp<long long>(cfg.refresh.before_expiry.count() / 4, 1, 600);
  std::size_t spread = 0;
  // One transaction for all: one fsync, not one per link.
  auto done = links_.store().in_transaction([&]() -> Result<void> {
    for (auto link : *links) {
      bool changed = false;
      if (checkable(link.state) && (!link.next_check_at || *link.next_check_at <= now)) {
        link.next_check_at =
            now + Seconds{std::uniform_int_distribution<long long>(0, check_window)(rng_)};
        changed = true;
      }
      if (refreshable(link.state) && link.next_refresh_at && *link.next_refresh_at <= now) {
        link.next_refresh_at =
            now + Seconds{std::uniform_int_distribution<long long>(0, refresh_window)(rng_)};
        changed = true;
      }
      if (!changed) continue;
      if (auto r = links_.store().links().update(link); !r) return r;
      ++spread;
    }
    return {};
  });
  if (!done)
    log_.error("scheduler.spread_failed", {{"error", done.error().message}});
  else if (spread)
    log_.info("scheduler.spread", {{"links", std::to_string(spread)}});
}

// Reads due work from the store's indexes once the queue is empty (the cost
// grows with what is due, not with the number of links), then keeps
// max_in_flight links in progress: a finished link starts the next one at
// once (not at the next tick), and a full batch that ran out looks for the
// next one at once too, so throughput is bounded by upstream and the rate
// limiter, not by the tick (before: up to a tick idle per 1,000 links).
void Scheduler::dispatch_due_work() {
  if (queue_.empty()) {
    const TimePoint now = clock_();
    expire_abandoned(now);
    if (auto next = links_.store().links().next_refresh(); next) next_refresh_ = *next;
    auto links = links_.store().links().due(now, kDueBatch);
    if (!links) {
      log_.error("scheduler.list_failed", {{"error", links.error().message}});
      return;
    }
    lag_ = Seconds{0};
    for (const auto& link : *links) {
      auto late = [&](const std::optional<TimePoint>& at) {
        if (at && *at <= now) lag_ = std::max(lag_, std::chrono::duration_cast<Seconds>(now - *at));
      };
      if (checkable(link.state)) late(link.next_check_at);
      if (refreshable(link.state)) late(link.next_refresh_at);
      if (in_flight_.count(link.id)) continue;
      bool refresh_due =
          refreshable(link.state) && link.next_refresh_at && *link.next_refresh_at <= now;
      bool check_due = checkable(link.state) && link.next_check_at && *link.next_check_at <= now;
      if (refresh_due || check_due) queue_.push_back({link.id, refresh_due, check_due});
    }
    more_due_ = links->size() == static_cast<std::size_t>(kDueBatch) && !queue_.empty();
  }
  launch_queued_work();
}

// Once a minute: do the links' checks fit in poll.max_qps at the configured
// interval? If not, checks are planned further apart, evenly (logged once
// per change; `status` and ttlink_schedule_stretch show it).
void Scheduler::sample_budget(TimePoint now) {
  if (now - last_sample_ < Seconds{60}) return;
  last_sample_ = now;
  auto counts = links_.store().links().count_by_state();
  if (!counts) return;
  BudgetSample s;
  for (const auto& [state, n] : *counts)
    if (checkable(state)) s.checkable_links += n;
  const std::uint64_t checks = stats_.checks_ok + stats_.checks_failed;
  const std::uint64_t sent = sent_ ? sent_() : 0;
  s.checks = checks - checks_at_sample_;
  s.requests = sent - sent_at_sample_;
  checks_at_sample_ = checks;
  sent_at_sample_ = sent;
  const auto& cfg = links_.config();
  if (!budget_.update(s, cfg.poll.status_interval, cfg.poll.max_qps)) return;
  links_.set_interval_stretch(budget_.stretch());
  if (budget_.stretch() > 1.0)
    log_.warn("scheduler.interval_stretched",
              {{"links", std::to_string(s.checkable_links)},
               {"requests_per_check", std::to_string(budget_.requests_per_check())},
               {"max_qps", std::to_string(cfg.poll.max_qps)},
               {"message", budget_.message(cfg.poll.status_interval)}});
  else
    log_.info("scheduler.interval_fits", {{"links", std::to_string(s.checkable_links)}});
}

// PENDING links whose authorization URLs have all ended become EXPIRED.
void Scheduler::expire_abandoned(TimePoint now) {
  auto pending = links_.store().links().pending_since(now - kAuthorizationLifetime);
  if (!pending) {
    log_.error("scheduler.list_failed", {{"error", pending.error().message}});
    return;
  }
  for (const auto& link : *pending)
    if (auto expired = links_.expire_if_abandoned(link); !expired)
      log_.error("link.expire_failed", {{"link", link.id}, {"error", expired.error().message}});
}

void Scheduler::launch_queued_work() {
  if (paused_ && paused_()) return;
  while (!stopped_ && in_flight_.size() < options_.max_in_flight && !queue_.empty()) {
    DueWork work = std::move(queue_.front());
    queue_.pop_front();
    if (!in_flight_.insert(work.link_id).second) continue;
    tasks_.spawn(work_on(work.link_id, work.refresh, work.check));
  }
}

awaitable<void> Scheduler::work_on(std::string link_id, bool refresh_due, bool check_due) {
  auto alive = alive_;
  if (refresh_due) co_await refresh_one(link_id);
  if (*alive && check_due && !stopped_) co_await check_one(link_id);
  if (!*alive) co_return;
  in_flight_.erase(link_id);
  launch_queued_work();
  if (queue_.empty() && more_due_ && !stopped_) {
    more_due_ = false;  // one early scan per batch
    poke();
  }
  idle_.notify();
}

awaitable<void> Scheduler::refresh_one(const std::string& link_id) {
  auto r = co_await links_.refresh_scheduled(link_id, kScheduler);
  if (r) {
    ++stats_.refresh_ok;
    failures_.erase(link_id);
    co_return;
  }
  ++stats_.refresh_failed;
  failed(link_id, r.error(), true);
}

awaitable<void> Scheduler::check_one(const std::string& link_id) {
  auto r = co_await links_.check_scheduled(link_id, kScheduler);
  if (r) {
    ++stats_.checks_ok;
    failures_.erase(link_id);
    co_return;
  }
  ++stats_.checks_failed;
  failed(link_id, r.error(), false);
}

// Every failure moves the next attempt (capped, jittered back-off: never
// once a tick) and is logged with upstream's code and request_id; after
// `degraded_after` failures in a row the link is DEGRADED with the reason and
// an alert (upstream_error when upstream keeps answering what no rule
// explains), tokens untouched; recovery resolves it. Never given up on.
void Scheduler::failed(const std::string& link_id, const Error& e, bool refresh) {
  if (e.kind == ErrorKind::kNotSent) return postponed(link_id, e, refresh);
  if (e.kind == ErrorKind::kUpstream && tiktok::pauses_app(e.upstream_code)) {
    // The app is paused (40113/61000): one app-wide alert says so, and the
    // work stays due until the gate opens. Not this link's failure.
    log_.debug("scheduler.app_paused",
               {{"link", link_id}, {"code", std::to_string(e.upstream_code)}});
    return;
  }
  auto& f = failures_[link_id];
  ++f.count;
  const auto outcome = tiktok::outcome_of(e);
  // 40110 outside a link attempt is as unexplained as any unknown code.
  const bool unexplained =
      outcome == tiktok::Outcome::kBug || outcome == tiktok::Outcome::kLinkAttempt;
  const Trouble trouble = unexplained ? Trouble::kUpstreamError
                          : refresh   ? Trouble::kRefresh
                                      : Trouble::kChecks;
  const TimePoint when = clock_() + backoff(f.count, refresh);
  log_.warn(refresh ? "scheduler.refresh_failed" : "scheduler.check_failed",
            {{"link", link_id},
             {"failures", std::to_string(f.count)},
             {"outcome", std::string(tiktok::to_string(outcome))},
             {"code", std::to_string(e.upstream_code)},
             {"request_id", e.request_id},
             {"retry_at", format_rfc3339(when)},
             {"error", e.message}});
  move_work(link_id, when, refresh);
  if (f.count < options_.degraded_after || f.degraded_for == trouble) return;
  f.degraded_for = trouble;
  const Reason why{e.upstream_code,
                   std::to_string(f.count) + " failures in a row, the last: " + e.message,
                   e.request_id};
  if (auto r = links_.degrade(link_id, why, trouble); !r)
    log_.error("link.degrade_failed", {{"link", link_id}, {"error", r.error().message}});
}

// The link's check (or refresh) is next due at `when`.
void Scheduler::move_work(const std::string& link_id, TimePoint when, bool refresh) {
  auto moved = links_.reschedule(link_id, refresh ? std::nullopt : std::optional<TimePoint>(when),
                                 refresh ? std::optional<TimePoint>(when) : std::nullopt);
  if (!moved)
    log_.error("scheduler.reschedule_failed",
               {{"link", link_id}, {"error", moved.error().message}});
}

// The configured daily cap ([limits]) is used up: nothing was sent, the link
// is as it was. Its work waits for the cap's reset at 00:00 UTC (spread over
// the first ten minutes), said once a day in the log; no failure is counted,
// no state or alert changes (before: DEGRADED after degraded_after tries,
// each link with its own alert, for a limit the admin set).
void Scheduler::postponed(const std::string& link_id, const Error& e, bool refresh) {
  const std::int64_t now = to_unix(clock_());
  const std::int64_t day = now / 86400;
  const TimePoint when =
      from_unix((day + 1) * 86400 + std::uniform_int_distribution<std::int64_t>(0, 600)(rng_));
  if (daily_cap_logged_day_ != day) {
    daily_cap_logged_day_ = day;
    log_.warn("scheduler.daily_cap",
              {{"link", link_id}, {"retry_at", format_rfc3339(when)}, {"error", e.message}});
  }
  move_work(link_id, when, refresh);
}

Seconds retry_delay(int failures, Seconds base, Seconds cap, double jitter, std::mt19937_64& rng) {
  const long long b = std::max<long long>(1, base.count());
  const long long c = std::max<long long>(1, cap.count());
  const long long d = std::min<long long>(b << std::clamp(failures - 1, 0, 20), c);
  if (d < c) return Seconds{std::uniform_int_distribution<long long>(std::max(1LL, d / 2), d)(rng)};
  const auto most = static_cast<long long>(static_cast<double>(c) * (1.0 + jitter));
  return Seconds{std::uniform_int_distribution<long long>(c, std::max(c, most))(rng)};
}

// Exponential from a base tied to the check interval (a quarter of it, 1 s
// to retry_base), capped. Checks are capped at their interval: a failing
// check comes as often as a healthy one, not more (before, jitter at the cap
// went down to half the interval: 17 attempts a minute at 5 s, not 12).
Seconds Scheduler::backoff(int failures, bool refresh) {
  const auto& poll = links_.config().poll;
  const long long interval = poll.status_interval.count();
  const Seconds base{std::clamp<long long>(interval / 4, 1, options_.retry_base.count())};
  Seconds cap = options_.retry_cap;
  if (!refresh) cap = Seconds{std::clamp<long long>(interval, 1, cap.count())};
  return retry_delay(failures, base, cap, poll.jitter, rng_);
}

}  // namespace ttlink::links
