#pragma once
// The alerts' one coroutine on the daemon's executor: queues repeats and
// delivers the outbox to the sinks with jittered exponential back-off per
// row. Events reach the outbox through the Engine, inside the transaction
// that records them; wake() says there is something new. Delivery is at least once: a row is marked
// delivered only after its sink said so. One row per (sink, fingerprint) is in flight at a time, so
// a resolved never overtakes its firing. Sinks with a resend interval (Alertmanager) also get every
// firing alert again that often.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "core/alerts/engine.hpp"
#include "core/alerts/sink.hpp"
#include "core/util/idle_signal.hpp"
#include "core/util/log.hpp"
#include "core/util/task_group.hpp"

namespace ttlink::alerts {

struct Backoff {
  Seconds first{2};
  Seconds max{600};
};

struct SinkTestOutcome {
  std::string sink;
  bool ok = false;
  std::string error;
};

class Dispatcher {
 public:
  Dispatcher(boost::asio::any_io_executor ex, store::Store& store, Engine& engine,
             std::vector<std::unique_ptr<Sink>> sinks, Logger& log, Backoff backoff = {},
             Clock clock = now_utc);

  // Something was queued: deliver it now rather than at the next wake-up.
  void wake() { wake_.cancel(); }
  void start();
  void stop();
  // stop(), then returns once the delivery under way is done.
  boost::asio::awaitable<void> drain();
  // stop(), and the delivery under way is cancelled (shutdown, once the
  // drain's grace is over).
  void cancel();
  // Returns once the loop has ended.
  boost::asio::awaitable<void> finished() { return tasks_.wait(); }
  bool idle() const { return !running_ || !busy_; }

  // A reload's new sinks, from the next delivery on. A delivery under way
  // ends on the sink it began with (each holds its sink).
  void replace_sinks(std::vector<std::unique_ptr<Sink>> sinks);

  // Sends a test alert straight to every sink (not through the outbox).
  boost::asio::awaitable<std::vector<SinkTestOutcome>> test(Alert alert);

  // Delivery attempts so far, by (sink, "success" | "failure"), for metrics.
  const std::map<std::pair<std::string, std::string>, std::uint64_t>& delivery_counts() const {
    return delivery_counts_;
  }

  // One pass (repeats, due deliveries); for the loop and tests.
  boost::asio::awaitable<void> run_once();

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> deliver_due();
  boost::asio::awaitable<void> resend_firing();
  boost::asio::awaitable<void> resend_to(std::shared_ptr<Sink> sink, const SinkFilter& filter);
  std::shared_ptr<Sink> sink_named(const std::string& name);
  void note(const Result<void>& written);
  void record_delivered(std::int64_t seq);
  TimePoint retry_time(int attempts_before);
  std::chrono::milliseconds sleep_for();

  boost::asio::any_io_executor ex_;
  store::Store& store_;
  Engine& engine_;
  std::vector<std::shared_ptr<Sink>> sinks_;
  Logger& log_;
  Backoff backoff_;
  Clock clock_;
  boost::asio::steady_timer wake_;
  IdleSignal idle_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> delivery_counts_;
  std::map<std::string, TimePoint> last_resend_;  // by sink
  // Outbox rows a sink took while the store refused to record it (a full
  // disk): not sent again, recorded once the store takes writes.
  std::set<std::int64_t> unrecorded_;
  bool store_failing_ = false;  // a write failed this pass: the loop waits kMaxSleep
  bool running_ = false;
  bool busy_ = false;
  std::mt19937_64 rng_{std::random_device{}()};  // back-off jitter
  TaskGroup tasks_;                              // the loop
};

}  // namespace ttlink::alerts
