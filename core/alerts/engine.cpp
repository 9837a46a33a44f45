#include "core/alerts/engine.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace ttlink::alerts {

namespace json = boost::json;

namespace {

json::object parse_payload(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.get_object();
}

Severity severity_of(const store::AlertRecord& a) {
  return parse_severity(a.severity).value_or(Severity::kWarning);
}

std::string ctl_for(std::string_view kind, const std::string& link_id) {
  if (kind == "refresh_failing" || kind == "upstream_unreachable")
    return "ttlinkctl check " + link_id;
  if (kind == "advertiser_inactive") return "ttlinkctl link show " + link_id;
  return "ttlinkctl reauth " + link_id;
}

}  // namespace

Engine::Engine(store::Store& store, Seconds repeat_interval, std::vector<SinkFilter> sinks,
               Clock clock)
    : store_(store),
      repeat_interval_(repeat_interval),
      sinks_(std::move(sinks)),
      clock_(std::move(clock)) {}

Result<void> Engine::on_link_state(const std::string& link_id, LinkState to, const Reason& reason,
                                   const std::optional<std::string>& action_url) {
  auto link = store_.get_link(link_id);
  if (!link) return link.error();
  auto spec = kind_for_state(to, reason.message);
  for (auto kind : link_state_kinds()) {
    auto firing = store_.firing_alert(fingerprint(kind, link_id));
    if (!firing) return firing.error();
    if (!firing->has_value()) continue;
    if (spec && spec->kind == kind) {
      if (auto r = refresh_reason(**firing, reason, action_url); !r) return r;
      spec.reset();  // already firing: once per fingerprint
    } else if (auto r = resolve(**firing); !r) {
      return r;
    }
  }
  if (!spec) return {};
  return fire(*link, *spec, reason, action_url);
}

Result<void> Engine::fire(const store::LinkRecord& link, const KindSpec& spec, const Reason& reason,
                          const std::optional<std::string>& action_url) {
  Condition c;
  c.kind = std::string(spec.kind);
  c.severity = spec.severity;
  c.subject = link.id;
  c.link_id = link.id;
  c.reason = reason;
  c.action_text = std::string(spec.action_text);
  c.action_url = action_url;
  c.ctl = ctl_for(spec.kind, link.id);
  return open(link, c);
}

// A new firing alert for `c`, committed with its outbox rows.
Result<void> Engine::open(const store::LinkRecord& link, const Condition& c) {
  const TimePoint now = clock_();
  PayloadInput in;
  in.id = new_alert_id(now);
  in.kind = c.kind;
  in.severity = c.severity;
  in.since = now;
  in.link = link_facts(store_, link);
  in.reason = c.reason;
  in.action_text = c.action_text;
  in.action_url = c.action_url;
  in.ctl = c.ctl;
  in.subject = c.subject;
  in.details = c.details;
  store::AlertRecord a{in.id,
                       fingerprint(c.kind, c.subject),
                       in.kind,
                       std::string(to_string(c.severity)),
                       link.id,
                       "firing",
                       now,
                       now,
                       {},
                       {},
                       json::serialize(make_payload(in))};
  return commit_event(a, a.id);
}

// Same kind, maybe a new reason (e.g. another upstream code): a new reason
// is news, so it clears the ack and is sent again; the same reason is not.
Result<void> Engine::refresh_reason(store::AlertRecord& alert, const Reason& reason,
                                    const std::optional<std::string>& action_url,
                                    const json::object& details, bool quiet) {
  json::object payload = parse_payload(alert.payload);
  const auto* r = payload.if_contains("reason");
  const bool same = r && r->is_object() && r->at("code") == json::value(reason.code) &&
                    r->at("message") == json::value(reason.message);
  if (same) return {};
  payload["reason"] = json::object{{"code", reason.code}, {"message", reason.message}};
  if (action_url) payload["action"].as_object()["url"] = *action_url;
  for (const auto& [key, value] : details) payload[key] = value;
  alert.payload = json::serialize(payload);
  if (quiet) return store_.put_alert(alert);  // the next repeat carries it
  alert.acked_at.reset();
  alert.last_sent_at = clock_();
  return commit_event(alert, alert.id + ".reason." + std::to_string(to_unix(alert.last_sent_at)));
}

Result<void> Engine::resolve(store::AlertRecord& alert) {
  const TimePoint now = clock_();
  json::object payload = parse_payload(alert.payload);
  payload["status"] = "resolved";
  payload["resolved_at"] = format_rfc3339(now);
  alert.status = "resolved";
  alert.resolved_at = now;
  alert.payload = json::serialize(payload);
  return commit_event(alert, alert.id + ".resolved");
}

Result<void> Engine::commit_event(const store::AlertRecord& alert, const std::string& event_id) {
  const TimePoint now = clock_();
  return store_.in_transaction([&]() -> Result<void> {
    if (auto r = store_.put_alert(alert); !r) return r;
    for (const auto& sink : sinks_) {
      if (!sink.accepts(alert.kind, severity_of(alert))) continue;
      store::AlertDelivery d;
      d.event_id = event_id;
      d.fingerprint = alert.fingerprint;
      d.sink = sink.name;
      d.body = alert.payload;
      d.next_attempt_at = now;
      d.created_at = now;
      if (auto r = store_.enqueue_delivery(d); !r) return r;
    }
    return {};
  });
}

Result<void> Engine::reconcile(std::string_view kind, const std::vector<Condition>& holding) {
  std::set<std::string> live;
  for (const auto& c : holding) {
    live.insert(fingerprint(c.kind, c.subject));
    if (auto r = raise(c); !r) return r;
  }
  auto firing = store_.list_alerts(false, 100000);
  if (!firing) return firing.error();
  for (auto& a : *firing)
    if (a.kind == kind && !live.count(a.fingerprint))
      if (auto r = resolve(a); !r) return r;
  return {};
}

Result<void> Engine::raise(const Condition& c) {
  auto firing = store_.firing_alert(fingerprint(c.kind, c.subject));
  if (!firing) return firing.error();
  if (firing->has_value())
    return refresh_reason(**firing, c.reason, c.action_url, c.details, c.quiet_updates);
  auto link = store_.get_link(c.link_id);
  if (!link) return link.error();
  return open(*link, c);
}

Result<int> Engine::queue_repeats() {
  auto firing = store_.list_alerts(false, 10000);
  if (!firing) return firing.error();
  const TimePoint now = clock_();
  int queued = 0;
  for (auto& a : *firing) {
    if (a.acked_at || now - a.last_sent_at < repeat_interval_) continue;
    a.last_sent_at = now;
    if (auto r = commit_event(a, a.id + ".repeat." + std::to_string(to_unix(now))); !r)
      return r.error();
    ++queued;
  }
  return queued;
}

Result<std::vector<json::object>> Engine::list(bool include_resolved) {
  auto rows = store_.list_alerts(include_resolved, include_resolved ? 1000 : 10000);
  if (!rows) return rows.error();
  std::vector<json::object> out;
  for (const auto& a : *rows) {
    json::object p = parse_payload(a.payload);
    p["acked"] = a.acked_at.has_value();
    out.push_back(std::move(p));
  }
  return out;
}

Result<int> Engine::firing_count() {
  auto rows = store_.list_alerts(false, 10000);
  if (!rows) return rows.error();
  return static_cast<int>(rows->size());
}

Result<json::object> Engine::ack(const std::string& id) {
  auto a = store_.get_alert(id);
  if (!a) return a.error();
  if (!a->has_value()) return Error::not_found("no alert " + id);
  if ((*a)->status != "firing") return Error::conflict("alert " + id + " is already resolved");
  if (!(*a)->acked_at) {
    (*a)->acked_at = clock_();
    if (auto r = store_.put_alert(**a); !r) return r.error();
  }
  json::object p = parse_payload((*a)->payload);
  p["acked"] = true;
  return p;
}

json::object Engine::test_payload() {
  const TimePoint now = clock_();
  PayloadInput in;
  in.id = new_alert_id(now);
  in.kind = "test";
  in.severity = Severity::kInfo;
  in.since = now;
  in.reason = {0, "A test alert sent by `ttlinkctl alert test`"};
  in.action_text = "None: this is a test";
  in.ctl = "ttlinkctl alerts";
  auto p = make_payload(in);
  p["fingerprint"] = "test/" + in.id;
  return p;
}

}  // namespace ttlink::alerts
