#include "core/alerts/sink.hpp"

#include <algorithm>

#include "core/alerts/alertmanager_sink.hpp"
#include "core/alerts/exec_sink.hpp"
#include "core/alerts/log_sink.hpp"
#include "core/alerts/slack_sink.hpp"
#include "core/alerts/webhook_sink.hpp"

namespace ttlink::alerts {

bool SinkFilter::accepts(AlertKind kind, Severity severity) const {
  if (severity < min_severity) return false;
  return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string sink_name(const config::AlertSinkConfig& c, std::size_t index) {
  return c.type + "#" + std::to_string(index + 1);
}

std::vector<SinkFilter> sink_filters(const config::AlertsConfig& c) {
  std::vector<SinkFilter> out;
  for (std::size_t i = 0; i < c.sinks.size(); ++i) {
    const auto& s = c.sinks[i];
    // The config loader checked the names: none is unknown here.
    std::vector<AlertKind> kinds;
    for (const auto& k : s.kinds)
      if (auto kind = parse_alert_kind(k)) kinds.push_back(*kind);
    out.push_back({sink_name(s, i), std::move(kinds),
                   parse_severity(s.min_severity).value_or(Severity::kInfo)});
  }
  return out;
}

Result<std::vector<std::unique_ptr<Sink>>> make_sinks(const config::AlertsConfig& c,
                                                      boost::asio::any_io_executor ex, Logger& log,
                                                      Clock clock) {
  std::vector<std::unique_ptr<Sink>> sinks;
  for (std::size_t i = 0; i < c.sinks.size(); ++i) {
    const auto& s = c.sinks[i];
    const std::string name = sink_name(s, i);
    if (s.type == "log") {
      sinks.push_back(std::make_unique<LogSink>(name, log));
    } else if (s.type == "webhook") {
      auto w = WebhookSink::create(name, s, ex, clock);
      if (!w) return w.error();
      sinks.push_back(std::move(*w));
    } else if (s.type == "exec") {
      sinks.push_back(std::make_unique<ExecSink>(name, s, ex));
    } else if (s.type == "alertmanager") {
      sinks.push_back(std::make_unique<AlertmanagerSink>(name, s, ex, clock));
    } else if (s.type == "slack") {
      sinks.push_back(std::make_unique<SlackSink>(name, s, ex));
    } else {
      return Error::invalid("alerts.sink " + name + ": type " + s.type + " is not supported");
    }
  }
  return sinks;
}

}  // namespace ttlink::alerts
