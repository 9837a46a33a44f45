#pragma once
// A sink: somewhere alerts go (webhook, alertmanager, slack, exec, log).
// Each has a name ("webhook#1": its type and place in the config), a filter
// by kind and severity, renders its own body from the typed alert, and
// delivers one event at a time; success means delivered.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/alerts/alert.hpp"
#include "core/config/config.hpp"
#include "core/util/clock.hpp"
#include "core/util/log.hpp"
#include "core/util/result.hpp"

namespace ttlink::alerts {

struct SinkFilter {
  std::string name;
  std::vector<AlertKind> kinds;  // empty = all
  Severity min_severity = Severity::kInfo;
  bool accepts(AlertKind kind, Severity severity) const;
};

std::string sink_name(const config::AlertSinkConfig& c, std::size_t index);
std::vector<SinkFilter> sink_filters(const config::AlertsConfig& c);

// One event on its way out: the alert as it was when the event happened,
// and its Idempotency-Key.
struct Outgoing {
  Alert alert;
  std::string idempotency_key;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const std::string& name() const = 0;
  virtual boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) = 0;
  // Receivers that forget alerts not re-sent in time (Alertmanager) get
  // every firing alert again this often, besides the outbox's events.
  virtual std::optional<Seconds> resend_interval() const { return std::nullopt; }
};

// Builds the configured sinks, in config order. Errors: an unknown type, or
// a webhook secret_file that cannot be read.
Result<std::vector<std::unique_ptr<Sink>>> make_sinks(const config::AlertsConfig& c,
                                                      boost::asio::any_io_executor ex, Logger& log,
                                                      Clock clock);

}  // namespace ttlink::alerts
