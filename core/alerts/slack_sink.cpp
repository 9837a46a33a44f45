#include "core/alerts/slack_sink.hpp"

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

std::string subject(const LinkFacts& link) {
  std::string s = escaped(link.account);
  const std::string& advertiser = link.advertiser_name;
  const std::string& advertiser_id = link.advertiser_id;
  if (!advertiser.empty() || !advertiser_id.empty()) {
    if (!s.empty()) s += " · ";
    s += "advertiser " + escaped(advertiser.empty() ? advertiser_id : advertiser);
    if (!advertiser.empty() && !advertiser_id.empty()) s += " (" + escaped(advertiser_id) + ")";
  }
  return s;
}

std::string reason_line(const Reason& reason) {
  std::string line = escaped(reason.message);
  if (reason.code) line += " (" + std::to_string(reason.code) + ")";
  return line;
}

}  // namespace

std::string slack_text(const Alert& a) {
  const bool resolved = a.status == AlertStatus::kResolved;
  const std::string kind = escaped(to_string(a.kind));
  std::string headline = resolved ? "Resolved: " + kind : escaped(a.action.text);
  if (headline.empty()) headline = kind;
  std::string out = resolved ? ":white_check_mark: " : ":rotating_light: ";
  if (!resolved) out += "[" + escaped(to_string(a.severity)) + "] ";
  out += "*" + headline + "*";
  if (const std::string who = subject(a.link); !who.empty()) out += " — " + who;
  if (resolved) return out;
  if (const std::string why = reason_line(a.reason); !why.empty()) out += "\n>" + why;
  std::string act;
  if (a.action.url && !a.action.url->empty())
    act = "<" + escaped(*a.action.url) + "|" + escaped(a.action.text) + ">";
  if (!a.ctl.empty()) act += (act.empty() ? "" : " · ") + std::string("`") + escaped(a.ctl) + "`";
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
  const json::object message{{"text", slack_text(event.alert)}};
  http::Headers headers = extra_headers_;
  headers.emplace_back("Idempotency-Key", event.idempotency_key);
  co_return co_await post_json(http_, url_, std::move(headers), json::serialize(message), "slack");
}

}  // namespace ttlink::alerts
