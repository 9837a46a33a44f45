#include "core/alerts/log_sink.hpp"

#include <boost/json/parse.hpp>

namespace ttlink::alerts {

boost::asio::awaitable<Result<void>> LogSink::deliver(const Outgoing& event) {
  boost::system::error_code ec;
  auto v = boost::json::parse(event.body, ec);
  if (ec || !v.is_object()) co_return Error::internal("alert body is not a JSON object");
  const auto& o = v.get_object();
  const std::string status = payload_text(o, "status");
  const auto* action = o.if_contains("action");
  std::string url;
  if (action && action->is_object()) url = payload_text(action->get_object(), "url");
  const bool critical = payload_text(o, "severity") == "critical" && status == "firing";
  log_.log(critical ? LogLevel::kError : LogLevel::kWarning, "alert",
           {{"id", event.idempotency_key},
            {"fingerprint", payload_text(o, "fingerprint")},
            {"status", status},
            {"severity", payload_text(o, "severity")},
            {"ctl", payload_text(o, "ctl")},
            {"url", url}});
  co_return Result<void>();
}

}  // namespace ttlink::alerts
