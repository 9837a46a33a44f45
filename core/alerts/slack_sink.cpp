#include "core/alerts/slack_sink.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/alerts/http_post.hpp"

namespace ttlink::alerts {

namespace json = boost::json;

namespace {

// Slack's three control characters; everything else is shown as is.
std::string escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string subject(const json::object& link) {
  std::string s = escaped(payload_text(link, "account"));
  const std::string advertiser = payload_text(link, "advertiser_name");
  const std::string advertiser_id = payload_text(link, "advertiser_id");
  if (!advertiser.empty() || !advertiser_id.empty()) {
    if (!s.empty()) s += " · ";
    s += "advertiser " + escaped(advertiser.empty() ? advertiser_id : advertiser);
    if (!advertiser.empty() && !advertiser_id.empty()) s += " (" + escaped(advertiser_id) + ")";
  }
  return s;
}

std::string reason_line(const json::object& payload) {
  const json::object reason = payload_object(payload, "reason");
  std::string line = escaped(payload_text(reason, "message"));
  if (const auto* code = reason.if_contains("code"); code && code->is_int64() && code->as_int64())
    line += " (" + std::to_string(code->as_int64()) + ")";
  return line;
}

}  // namespace

std::string slack_text(const json::object& payload) {
  const bool resolved = payload_text(payload, "status") == "resolved";
  const json::object action = payload_object(payload, "action");
  const std::string kind = escaped(payload_text(payload, "kind"));
  std::string headline = resolved ? "Resolved: " + kind : escaped(payload_text(action, "text"));
  if (headline.empty()) headline = kind;
  std::string out = resolved ? ":white_check_mark: " : ":rotating_light: ";
  if (!resolved) out += "[" + escaped(payload_text(payload, "severity")) + "] ";
  out += "*" + headline + "*";
  if (const std::string who = subject(payload_object(payload, "link")); !who.empty())
    out += " — " + who;
  if (resolved) return out;
  if (const std::string why = reason_line(payload); !why.empty()) out += "\n>" + why;
  std::string act;
  if (const std::string url = payload_text(action, "url"); !url.empty())
    act = "<" + escaped(url) + "|" + escaped(payload_text(action, "text")) + ">";
  if (const std::string ctl = payload_text(payload, "ctl"); !ctl.empty())
    act += (act.empty() ? "" : " · ") + std::string("`") + escaped(ctl) + "`";
  if (!act.empty()) out += "\n" + act;
  return out;
}

SlackSink::SlackSink(std::string name, const config::AlertSinkConfig& c,
                     boost::asio::any_io_executor ex)
    : name_(std::move(name)),
      url_(c.url),
      extra_headers_(c.headers.begin(), c.headers.end()),
      http_(std::move(ex), sink_http_options(c)) {}

boost::asio::awaitable<Result<void>> SlackSink::deliver(const Outgoing& event) {
  boost::system::error_code ec;
  auto payload = json::parse(event.body, ec);
  if (ec || !payload.is_object()) co_return Error::internal("alert body is not a JSON object");
  const json::object message{{"text", slack_text(payload.get_object())}};
  http::Headers headers = extra_headers_;
  headers.emplace_back("Idempotency-Key", event.idempotency_key);
  co_return co_await post_json(http_, url_, std::move(headers), json::serialize(message), "slack");
}

}  // namespace ttlink::alerts
