#include "core/alerts/alertmanager_sink.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/alerts/http_post.hpp"

namespace ttlink::alerts {

namespace json = boost::json;

namespace {

// Alertmanager drops empty label values anyway; leaving them out keeps the
// label set the same whichever version of Alertmanager receives it.
void put(json::object& labels, std::string_view name, const std::string& value) {
  if (!value.empty()) labels[name] = value;
}

std::string summary(const json::object& payload, const json::object& link) {
  std::string s = payload_text(payload_object(payload, "action"), "text");
  if (s.empty()) s = payload_text(payload, "kind");
  const std::string account = payload_text(link, "account");
  const std::string advertiser = payload_text(link, "advertiser_name");
  if (!account.empty()) s += ": " + account;
  if (!advertiser.empty()) s += (account.empty() ? ": " : " / ") + advertiser;
  return s;
}

json::object annotations(const json::object& payload, const json::object& link) {
  const json::object reason = payload_object(payload, "reason");
  json::object a;
  put(a, "summary", summary(payload, link));
  std::string description = payload_text(reason, "message");
  if (const auto* code = reason.if_contains("code"); code && code->is_int64() && code->as_int64())
    description += " (" + std::to_string(code->as_int64()) + ")";
  put(a, "description", description);
  put(a, "action_url", payload_text(payload_object(payload, "action"), "url"));
  put(a, "ctl", payload_text(payload, "ctl"));
  put(a, "alert_id", payload_text(payload, "id"));
  put(a, "account", payload_text(link, "account"));
  put(a, "advertiser_name", payload_text(link, "advertiser_name"));
  return a;
}

std::string ends_at(const json::object& payload, TimePoint now, Seconds resend) {
  if (payload_text(payload, "status") != "resolved") return format_rfc3339(now + 4 * resend);
  // A daemon clock ahead of the wall clock (debug clock control) must not
  // keep a resolved alert active in Alertmanager.
  auto resolved = parse_rfc3339(payload_text(payload, "resolved_at"));
  return format_rfc3339(resolved && *resolved < now ? *resolved : now);
}

}  // namespace

Result<json::object> alertmanager_alert(const json::object& payload, TimePoint now,
                                        Seconds resend_interval) {
  for (std::string_view key : {"kind", "fingerprint", "status"})
    if (payload_text(payload, key).empty())
      return Error::invalid("alert payload has no " + std::string(key));
  const json::object link = payload_object(payload, "link");
  json::object labels;
  put(labels, "alertname", payload_text(payload, "kind"));
  put(labels, "severity", payload_text(payload, "severity"));
  put(labels, "fingerprint", payload_text(payload, "fingerprint"));
  put(labels, "link_id", payload_text(link, "id"));
  put(labels, "advertiser_id", payload_text(link, "advertiser_id"));
  put(labels, "service", "ttlink");
  auto since = parse_rfc3339(payload_text(payload, "since"));
  const TimePoint starts = since && *since < now ? *since : now;
  return json::object{{"labels", std::move(labels)},
                      {"annotations", annotations(payload, link)},
                      {"startsAt", format_rfc3339(starts)},
                      {"endsAt", ends_at(payload, now, resend_interval)}};
}

AlertmanagerSink::AlertmanagerSink(std::string name, const config::AlertSinkConfig& c,
                                   boost::asio::any_io_executor ex)
    : name_(std::move(name)),
      alerts_url_(c.url),
      extra_headers_(c.headers.begin(), c.headers.end()),
      resend_(c.resend_interval),
      http_(std::move(ex), sink_http_options(c)) {
  while (!alerts_url_.empty() && alerts_url_.back() == '/') alerts_url_.pop_back();
  alerts_url_ += "/api/v2/alerts";
}

boost::asio::awaitable<Result<void>> AlertmanagerSink::deliver(const Outgoing& event) {
  boost::system::error_code ec;
  auto payload = json::parse(event.body, ec);
  if (ec || !payload.is_object()) co_return Error::internal("alert body is not a JSON object");
  auto alert = alertmanager_alert(payload.get_object(), now_utc(), resend_);
  if (!alert) co_return alert.error();
  json::array body;
  body.emplace_back(std::move(*alert));
  http::Headers headers = extra_headers_;
  headers.emplace_back("Idempotency-Key", event.idempotency_key);
  co_return co_await post_json(http_, alerts_url_, std::move(headers), json::serialize(body),
                               "alertmanager");
}

}  // namespace ttlink::alerts
