#include "core/alerts/dispatcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace ttlink::alerts {

namespace asio = boost::asio;

namespace {
constexpr int kBatch = 64;
// Repeats are checked at least this often, even with an empty outbox.
constexpr std::chrono::milliseconds kMaxSleep{5000};
}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor ex, store::Store& store, Engine& engine,
                       std::vector<std::unique_ptr<Sink>> sinks, Logger& log, Backoff backoff,
                       Clock clock)
    : ex_(ex),
      store_(store),
      engine_(engine),
      sinks_(std::make_move_iterator(sinks.begin()), std::make_move_iterator(sinks.end())),
      log_(log),
      backoff_(backoff),
      clock_(std::move(clock)),
      wake_(ex),
      idle_(ex),
      tasks_(ex, [&log](const std::string& e) {
        log.error("alerts.dispatcher_failed", {{"error", e}});
      }) {}

void Dispatcher::start() {
  if (running_) return;
  running_ = true;
  tasks_.spawn(loop());
}

void Dispatcher::cancel() {
  stop();
  tasks_.cancel();
}

void Dispatcher::stop() {
  running_ = false;
  wake_.cancel();
}

asio::awaitable<void> Dispatcher::drain() {
  stop();
  co_await idle_.until([this] { return !busy_; });
}

asio::awaitable<void> Dispatcher::loop() {
  while (running_) {
    co_await run_once();
    if (!running_) continue;
    wake_.expires_after(sleep_for());
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Dispatcher::run_once() {
  busy_ = true;
  store_failing_ = false;
  if (auto r = engine_.queue_repeats(); !r) {
    store_failing_ = true;
    log_.error("alerts.repeat_failed", {{"error", r.error().message}});
  }
  co_await deliver_due();
  co_await resend_firing();
  busy_ = false;
  idle_.notify();
}

// Until the earliest due row (whole seconds in the store), capped so that
// repeats are noticed.
std::chrono::milliseconds Dispatcher::sleep_for() {
  if (store_failing_) return kMaxSleep;  // not a busy loop against a full disk
  auto next = store_.alerts().next_delivery_at();
  if (!next) log_.error("alerts.outbox_failed", {{"error", next.error().message}});
  if (!next || !next->has_value()) return kMaxSleep;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock_());
  return std::clamp(wait, std::chrono::milliseconds(50), kMaxSleep);
}

// A failed outbox write leaves the row as it was: delivered again later
// (at least once), never lost; the failure is logged.
void Dispatcher::note(const Result<void>& written) {
  if (written) return;
  store_failing_ = true;
  log_.error("alerts.outbox_failed", {{"error", written.error().message}});
}

// A sink took the row: recorded now, or kept in memory until the store
// takes writes again (the row is not sent twice meanwhile; after a restart
// it would be, once: at least once, never lost).
void Dispatcher::record_delivered(std::int64_t seq) {
  auto marked = store_.alerts().mark_delivered(seq, clock_());
  if (marked) {
    unrecorded_.erase(seq);
    return;
  }
  unrecorded_.insert(seq);
  note(marked);
}

std::shared_ptr<Sink> Dispatcher::sink_named(const std::string& name) {
  for (auto& s : sinks_)
    if (s->name() == name) return s;
  return nullptr;
}

void Dispatcher::replace_sinks(std::vector<std::unique_ptr<Sink>> sinks) {
  sinks_.assign(std::make_move_iterator(sinks.begin()), std::make_move_iterator(sinks.end()));
  last_resend_.clear();  // a sink with a new URL starts its resend interval afresh
  wake();                // rows that waited for a sink of that name go now
}

TimePoint Dispatcher::retry_time(int attempts_before) {
  const int exponent = std::min(attempts_before, 20);
  auto delay = std::min<std::int64_t>(backoff_.first.count() << exponent, backoff_.max.count());
  // Full jitter between half and the whole delay: sinks that failed together
  // do not all retry together.
  std::uniform_int_distribution<std::int64_t> jitter(std::max<std::int64_t>(1, delay / 2),
                                                     std::max<std::int64_t>(1, delay));
  return clock_() + Seconds{jitter(rng_)};
}

asio::awaitable<void> Dispatcher::deliver_due() {
  auto due = store_.alerts().due(clock_(), kBatch);
  if (!due) {
    note(due.error());
    co_return;
  }
  for (const auto& d : *due) {
    if (unrecorded_.count(d.seq)) {  // sent already: only the record is missing
      record_delivered(d.seq);
      continue;
    }
    std::shared_ptr<Sink> sink = sink_named(d.sink);
    auto alert = alert_from_json(d.body);
    if (!sink || !alert) {  // removed from the config, or damaged: keep it, retry later
      const std::string why = sink ? alert.error().message : "sink not configured";
      note(store_.alerts().mark_attempt_failed(d.seq, clock_() + backoff_.max, why));
      continue;
    }
    // A named Outgoing: GCC 12 destroys braced temporaries in a co_await
    // expression twice.
    const Outgoing event{std::move(*alert), d.event_id};
    auto sent = co_await sink->deliver(event);
    ++delivery_counts_[{d.sink, sent ? "success" : "failure"}];
    if (sent) {
      record_delivered(d.seq);
      log_.info("alerts.delivered", {{"sink", d.sink}, {"id", d.event_id}});
      continue;
    }
    auto when = retry_time(d.attempts);
    note(store_.alerts().mark_attempt_failed(d.seq, when, sent.error().message));
    log_.warn("alerts.delivery_failed", {{"sink", d.sink},
                                         {"id", d.event_id},
                                         {"attempt", std::to_string(d.attempts + 1)},
                                         {"retry_at", format_rfc3339(when)},
                                         {"error", sent.error().message}});
  }
}

asio::awaitable<void> Dispatcher::resend_firing() {
  const auto sinks = sinks_;  // a reload may replace sinks_ while we wait
  for (const auto& sink : sinks) {
    const auto every = sink->resend_interval();
    if (!every) continue;
    // The first interval starts now: what fires was just sent, or was sent
    // with an endsAt that outlasts a restart.
    auto [last, fresh] = last_resend_.try_emplace(sink->name(), clock_());
    if (fresh || clock_() - last->second < *every) continue;
    last->second = clock_();
    const auto filters = engine_.sinks();  // copied: a reload may replace them
    for (const auto& filter : filters)
      if (filter.name == sink->name()) co_await resend_to(sink, filter);
  }
}

// Best effort, outside the outbox: the outbox already guarantees each event
// once; this only keeps the receiver from timing a firing alert out.
asio::awaitable<void> Dispatcher::resend_to(std::shared_ptr<Sink> held, const SinkFilter& filter) {
  Sink& sink = *held;
  auto firing = store_.alerts().list(false, 10000);
  if (!firing) co_return;
  for (const auto& row : *firing) {
    if (!filter.accepts(row.kind, row.severity)) continue;
    auto alert = alert_from_json(row.payload);
    if (!alert) continue;  // the outbox reports it
    const Outgoing event{std::move(*alert), row.id + ".resend"};
    auto sent = co_await sink.deliver(event);
    ++delivery_counts_[{sink.name(), sent ? "success" : "failure"}];
    if (!sent) {
      log_.warn("alerts.resend_failed", {{"sink", sink.name()}, {"error", sent.error().message}});
      co_return;  // the receiver is down: the next interval tries again
    }
  }
}

asio::awaitable<std::vector<SinkTestOutcome>> Dispatcher::test(Alert alert) {
  std::vector<SinkTestOutcome> out;
  const std::string key = alert.id;
  const Outgoing event{std::move(alert), key};
  const auto sinks = sinks_;  // a reload may replace sinks_ while we wait
  for (const auto& s : sinks) {
    auto r = co_await s->deliver(event);
    out.push_back({s->name(), r.has_value(), r ? std::string() : r.error().message});
  }
  co_return out;
}

}  // namespace ttlink::alerts
