#include "core/alerts/log_sink.hpp"

namespace ttlink::alerts {

boost::asio::awaitable<Result<void>> LogSink::deliver(const Outgoing& event) {
  const Alert& a = event.alert;
  const bool critical = a.severity == Severity::kCritical && a.status == AlertStatus::kFiring;
  log_.log(critical ? LogLevel::kError : LogLevel::kWarning, "alert",
           {{"id", event.idempotency_key},
            {"fingerprint", a.fingerprint()},
            {"status", std::string(to_string(a.status))},
            {"severity", std::string(to_string(a.severity))},
            {"ctl", a.ctl},
            {"url", a.action.url.value_or("")}});
  co_return Result<void>();
}

}  // namespace ttlink::alerts
