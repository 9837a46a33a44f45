#include "core/alerts/alertmanager_sink.hpp"

#include <boost/json/array.hpp>
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

std::string summary(const Alert& a) {
  std::string s = a.action.text.empty() ? std::string(to_string(a.kind)) : a.action.text;
  if (!a.link.account.empty()) s += ": " + a.link.account;
  if (!a.link.advertiser_name.empty())
    s += (a.link.account.empty() ? ": " : " / ") + a.link.advertiser_name;
  return s;
}

json::object annotations(const Alert& a) {
  json::object out;
  put(out, "summary", summary(a));
  std::string description = a.reason.message;
  if (a.reason.code) description += " (" + std::to_string(a.reason.code) + ")";
  put(out, "description", description);
  put(out, "action_url", a.action.url.value_or(""));
  put(out, "ctl", a.ctl);
  put(out, "alert_id", a.id);
  put(out, "account", a.link.account);
  put(out, "advertiser_name", a.link.advertiser_name);
  put(out, "request_id", a.reason.request_id);
  return out;
}

std::string ends_at(const Alert& a, TimePoint now, Seconds resend) {
  if (a.status != AlertStatus::kResolved) return format_rfc3339(now + 4 * resend);
  // Never in the future: a resolved alert must not stay active there.
  return format_rfc3339(a.resolved_at && *a.resolved_at < now ? *a.resolved_at : now);
}

}  // namespace

json::object alertmanager_alert(const Alert& a, TimePoint now, Seconds resend_interval) {
  json::object labels;
  put(labels, "alertname", std::string(to_string(a.kind)));
  put(labels, "severity", std::string(to_string(a.severity)));
  put(labels, "fingerprint", a.fingerprint());
  put(labels, "link_id", a.link.id);
  put(labels, "advertiser_id", a.link.advertiser_id);
  put(labels, "service", "ttlink");
  const TimePoint starts = a.since < now ? a.since : now;
  return json::object{{"labels", std::move(labels)},
                      {"annotations", annotations(a)},
                      {"startsAt", format_rfc3339(starts)},
                      {"endsAt", ends_at(a, now, resend_interval)}};
}

AlertmanagerSink::AlertmanagerSink(std::string name, const config::AlertSinkConfig& c,
                                   boost::asio::any_io_executor ex, Clock clock)
    : name_(std::move(name)),
      alerts_url_(c.url),
      extra_headers_(c.headers.begin(), c.headers.end()),
      resend_(c.resend_interval),
      clock_(std::move(clock)),
      http_(std::move(ex), sink_http_options(c)) {
  while (!alerts_url_.empty() && alerts_url_.back() == '/') alerts_url_.pop_back();
  alerts_url_ += "/api/v2/alerts";
}

boost::asio::awaitable<Result<void>> AlertmanagerSink::deliver(const Outgoing& event) {
  json::array body;
  body.emplace_back(alertmanager_alert(event.alert, clock_(), resend_));
  http::Headers headers = extra_headers_;
  headers.emplace_back("Idempotency-Key", event.idempotency_key);
  co_return co_await post_json(http_, alerts_url_, std::move(headers), json::serialize(body),
                               "alertmanager");
}

}  // namespace ttlink::alerts
