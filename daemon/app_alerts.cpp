#include "daemon/app_alerts.hpp"

#include <boost/asio/post.hpp>

namespace ttlink::daemon {

namespace {

constexpr std::chrono::seconds kEvaluateEvery{30};
const std::string kSubject = "app";

alerts::Condition app_condition(AlertKind kind, const tiktok::AppCondition& c, std::string action) {
  alerts::Condition out;
  out.kind = kind;
  out.severity = Severity::kCritical;
  out.subject = kSubject;
  out.reason = {c.code, c.message + " (since " + format_rfc3339(c.since) + ")", c.request_id};
  out.quiet_updates = true;  // each probe's answer is not news
  out.action = {std::move(action), std::nullopt};
  out.ctl = "ttlinkctl status";
  return out;
}

}  // namespace

std::optional<alerts::Condition> app_forbidden_condition(
    const std::optional<tiktok::AppCondition>& c) {
  if (!c || c->code != 40113) return std::nullopt;
  return app_condition(AlertKind::kAppForbidden, *c,
                       "TikTok forbids the app: every link is affected. Check the app's status "
                       "in the TikTok for Business developer portal; ttlink probes again "
                       "after each pause");
}

std::optional<alerts::Condition> blocklist_condition(const std::optional<tiktok::AppCondition>& c,
                                                     TimePoint now) {
  if (!c || c->code != 61000 || now - c->since < kBlocklistAlertAfter) return std::nullopt;
  return app_condition(AlertKind::kUpstreamUnreachable, *c,
                       "TikTok blocklists the app for too many requests: lower poll.max_qps or "
                       "raise the intervals; ttlink pauses and probes again");
}

AppAlerts::AppAlerts(boost::asio::any_io_executor ex, tiktok::AppGate& gate,
                     alerts::Engine& engine, Logger& log, Clock clock,
                     std::function<void()> queued)
    : timer_(ex),
      gate_(gate),
      engine_(engine),
      log_(log),
      clock_(std::move(clock)),
      queued_(std::move(queued)) {
  // Told inside ApiClient's bookkeeping: evaluated just after, not within.
  gate.on_change([this] {
    boost::asio::post(timer_.get_executor(), [this] {
      if (running_) evaluate();
    });
  });
}

void AppAlerts::start() {
  running_ = true;
  evaluate();
  arm();
}

void AppAlerts::stop() {
  running_ = false;
  timer_.cancel();
}

void AppAlerts::arm() {
  timer_.expires_after(kEvaluateEvery);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    evaluate();
    arm();
  });
}

void AppAlerts::evaluate() {
  const auto& c = gate_.condition();
  std::optional<long> code = c ? std::optional<long>(c->code) : std::nullopt;
  if (code != last_code_) {
    if (c)
      log_.error("upstream.app_paused", {{"code", std::to_string(c->code)},
                                         {"request_id", c->request_id},
                                         {"until", format_rfc3339(c->until)},
                                         {"error", c->message}});
    else
      log_.info("upstream.app_resumed", {{"code", std::to_string(*last_code_)}});
    last_code_ = code;
  }
  auto forbidden = engine_.settle(AlertKind::kAppForbidden, kSubject, app_forbidden_condition(c));
  auto blocked = engine_.settle(AlertKind::kUpstreamUnreachable, kSubject,
                                blocklist_condition(c, clock_()));
  for (const auto* r : {&forbidden, &blocked})
    if (!*r) log_.error("alerts.app_alert_failed", {{"error", r->error().message}});
  if (queued_) queued_();
}

}  // namespace ttlink::daemon
