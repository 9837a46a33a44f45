#include "core/alerts/log_sink.hpp"

#include <boost/json/parse.hpp>

namespace ttlink::alerts {

namespace {
std::string field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
}  // namespace

boost::asio::awaitable<Result<void>> LogSink::deliver(const Outgoing& event) {
  boost::system::error_code ec;
  auto v = boost::json::parse(event.body, ec);
  if (ec || !v.is_object()) co_return Error::internal("alert body is not a JSON object");
  const auto& o = v.get_object();
  const std::string status = field(o, "status");
  const auto* action = o.if_contains("action");
  std::string url;
  if (action && action->is_object()) url = field(action->get_object(), "url");
  const bool critical = field(o, "severity") == "critical" && status == "firing";
  log_.log(critical ? LogLevel::kError : LogLevel::kWarning, "alert",
           {{"id", event.idempotency_key},
            {"fingerprint", field(o, "fingerprint")},
            {"status", status},
            {"severity", field(o, "severity")},
            {"ctl", field(o, "ctl")},
            {"url", url}});
  co_return Result<void>();
}

}  // namespace ttlink::alerts
