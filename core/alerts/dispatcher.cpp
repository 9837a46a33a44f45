#include "core/alerts/dispatcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace ttlink::alerts {

namespace asio = boost::asio;

namespace {
constexpr int kBatch = 64;
// Repeats are checked at least this often, even with an empty outbox.
constexpr std::chrono::milliseconds kMaxSleep{5000};
}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor ex, store::Store& store, Engine& engine,
                       std::vector<std::unique_ptr<Sink>> sinks, Logger& log, UrlSource urls,
                       Backoff backoff, Clock clock)
    : ex_(ex),
      store_(store),
      engine_(engine),
      sinks_(std::move(sinks)),
      log_(log),
      urls_(std::move(urls)),
      backoff_(backoff),
      clock_(std::move(clock)),
      wake_(ex) {}

void Dispatcher::notify(StateEvent e) {
  events_.push_back(std::move(e));
  wake_.cancel();
}

void Dispatcher::start() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(ex_, loop(), asio::detached);
}

void Dispatcher::stop() {
  running_ = false;
  wake_.cancel();
}

asio::awaitable<void> Dispatcher::loop() {
  while (running_) {
    co_await run_once();
    if (!running_ || !events_.empty()) continue;
    wake_.expires_after(sleep_for());
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Dispatcher::run_once() {
  busy_ = true;
  co_await take_events();
  if (auto r = engine_.queue_repeats(); !r)
    log_.error("alerts.repeat_failed", {{"error", r.error().message}});
  co_await deliver_due();
  co_await resend_firing();
  busy_ = false;
}

// Until the earliest due row (whole seconds in the store), capped so that
// repeats are noticed.
std::chrono::milliseconds Dispatcher::sleep_for() {
  auto next = store_.next_delivery_at();
  if (!next || !next->has_value()) return kMaxSleep;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock_());
  return std::clamp(wait, std::chrono::milliseconds(50), kMaxSleep);
}

asio::awaitable<void> Dispatcher::take_events() {
  while (!events_.empty()) {
    StateEvent e = std::move(events_.front());
    events_.pop_front();
    std::optional<std::string> url;
    auto spec = kind_for_state(e.to, e.reason.message);
    if (spec && spec->severity == Severity::kCritical && urls_) url = co_await urls_(e.link_id);
    if (auto r = engine_.on_link_state(e.link_id, e.to, e.reason, url); !r)
      log_.error("alerts.event_failed", {{"link", e.link_id}, {"error", r.error().message}});
  }
}

Sink* Dispatcher::sink_named(const std::string& name) {
  for (auto& s : sinks_)
    if (s->name() == name) return s.get();
  return nullptr;
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
  auto due = store_.due_deliveries(clock_(), kBatch);
  if (!due) {
    log_.error("alerts.outbox_failed", {{"error", due.error().message}});
    co_return;
  }
  for (const auto& d : *due) {
    Sink* sink = sink_named(d.sink);
    if (!sink) {  // removed from the config: keep the row, retry later
      (void)store_.mark_attempt_failed(d.seq, clock_() + backoff_.max, "sink not configured");
      continue;
    }
    // A named Outgoing: GCC 12 destroys braced temporaries in a co_await
    // expression twice.
    const Outgoing event{d.body, d.event_id};
    auto sent = co_await sink->deliver(event);
    ++delivery_counts_[{d.sink, sent ? "success" : "failure"}];
    if (sent) {
      (void)store_.mark_delivered(d.seq, clock_());
      log_.info("alerts.delivered", {{"sink", d.sink}, {"id", d.event_id}});
      continue;
    }
    auto when = retry_time(d.attempts);
    (void)store_.mark_attempt_failed(d.seq, when, sent.error().message);
    log_.warn("alerts.delivery_failed", {{"sink", d.sink},
                                         {"id", d.event_id},
                                         {"attempt", std::to_string(d.attempts + 1)},
                                         {"retry_at", format_rfc3339(when)},
                                         {"error", sent.error().message}});
  }
}

asio::awaitable<void> Dispatcher::resend_firing() {
  for (auto& sink : sinks_) {
    const auto every = sink->resend_interval();
    if (!every) continue;
    // The first interval starts now: what fires was just sent, or was sent
    // with an endsAt that outlasts a restart.
    auto [last, fresh] = last_resend_.try_emplace(sink->name(), clock_());
    if (fresh || clock_() - last->second < *every) continue;
    last->second = clock_();
    for (const auto& filter : engine_.sinks())
      if (filter.name == sink->name()) co_await resend_to(*sink, filter);
  }
}

// Best effort, outside the outbox: the outbox already guarantees each event
// once; this only keeps the receiver from timing a firing alert out.
asio::awaitable<void> Dispatcher::resend_to(Sink& sink, const SinkFilter& filter) {
  auto firing = store_.list_alerts(false, 10000);
  if (!firing) co_return;
  for (const auto& a : *firing) {
    if (!filter.accepts(a.kind, parse_severity(a.severity).value_or(Severity::kCritical))) continue;
    const Outgoing event{a.payload, a.id + ".resend"};
    auto sent = co_await sink.deliver(event);
    ++delivery_counts_[{sink.name(), sent ? "success" : "failure"}];
    if (!sent) {
      log_.warn("alerts.resend_failed", {{"sink", sink.name()}, {"error", sent.error().message}});
      co_return;  // the receiver is down: the next interval tries again
    }
  }
}

asio::awaitable<std::vector<SinkTestOutcome>> Dispatcher::test(boost::json::object payload) {
  const std::string body = boost::json::serialize(payload);
  const std::string key(payload["id"].as_string());
  std::vector<SinkTestOutcome> out;
  const Outgoing event{body, key};
  for (auto& s : sinks_) {
    auto r = co_await s->deliver(event);
    out.push_back({s->name(), r.has_value(), r ? std::string() : r.error().message});
  }
  co_return out;
}

}  // namespace ttlink::alerts
