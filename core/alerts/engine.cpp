#include "core/alerts/engine.hpp"

#include <set>

namespace ttlink::alerts {

namespace json = boost::json;

namespace {

// The alerts engine keeps every firing alert in memory only while it works
// on it; this bounds what one list reads.
constexpr int kMaxFiring = 100000;

Condition condition_of(const LinkEvent& e, const Attention& a) {
  Condition c;
  c.kind = a.kind;
  c.severity = a.severity;
  c.subject = e.link.id;
  c.link = e.link;
  c.reason = e.reason;
  c.action = a.action;
  c.ctl = a.ctl;
  return c;
}

}  // namespace

Engine::Engine(store::Store& store, Seconds repeat_interval, std::vector<SinkFilter> sinks,
               Clock clock)
    : store_(store),
      repeat_interval_(repeat_interval),
      sinks_(std::move(sinks)),
      clock_(std::move(clock)) {}

Result<Engine::Stored> Engine::decode(store::AlertRecord row) {
  auto alert = alert_from_json(row.payload);
  if (!alert) return alert.error();
  return Stored{std::move(row), std::move(*alert)};
}

Result<std::optional<Engine::Stored>> Engine::firing(const std::string& fingerprint) {
  auto row = store_.alerts().firing(fingerprint);
  if (!row) return row.error();
  if (!*row) return std::optional<Stored>();
  auto s = decode(std::move(**row));
  if (!s) return s.error();
  return std::optional<Stored>(std::move(*s));
}

Result<void> Engine::on_link_event(const LinkEvent& e) {
  std::optional<Condition> wanted;
  if (e.attention) wanted = condition_of(e, *e.attention);
  for (AlertKind kind : kLinkStateKinds) {
    auto current = firing(fingerprint(kind, e.link.id));
    if (!current) return current.error();
    if (!*current) continue;
    if (wanted && wanted->kind == kind) {
      if (auto r = update(**current, *wanted); !r) return r;
      wanted.reset();  // already firing: once per fingerprint
    } else if (auto r = resolve(**current); !r) {
      return r;
    }
  }
  if (!wanted) return {};
  return open(*wanted);
}

// A new firing alert for `c`, committed with its outbox rows.
Result<void> Engine::open(const Condition& c) {
  const TimePoint now = clock_();
  Alert a;
  a.id = new_alert_id(now);
  a.kind = c.kind;
  a.severity = c.severity;
  a.subject = c.subject;
  a.since = now;
  a.link = c.link;
  a.reason = c.reason;
  a.action = c.action;
  a.ctl = c.ctl;
  a.post = c.post;
  a.comments = c.comments;
  Stored s{store::AlertRecord{a.id,
                              a.fingerprint(),
                              a.kind,
                              a.severity,
                              a.link.id,
                              AlertStatus::kFiring,
                              now,
                              now,
                              {},
                              {},
                              {}},
           std::move(a)};
  return commit_event(s, s.alert.id);
}

// Same kind, maybe a new reason (e.g. another upstream code): a new reason
// is news, so it clears the ack and is sent again; the same reason is not.
// An event without an action URL keeps the one the alert carries.
Result<void> Engine::update(Stored& s, const Condition& c) {
  if (s.alert.reason == c.reason) return {};
  s.alert.reason = c.reason;
  if (c.action.url) s.alert.action = c.action;
  if (c.post) s.alert.post = c.post;
  if (c.comments) s.alert.comments = c.comments;
  s.alert.link = c.link;
  if (c.quiet_updates) {  // the next repeat carries it
    s.row.payload = to_json_text(s.alert);
    return store_.alerts().put(s.row);
  }
  s.row.acked_at.reset();
  s.row.last_sent_at = clock_();
  return commit_event(s, s.alert.id + ".reason." + std::to_string(to_unix(s.row.last_sent_at)));
}

Result<void> Engine::resolve(Stored& s) {
  const TimePoint now = clock_();
  s.alert.status = AlertStatus::kResolved;
  s.alert.resolved_at = now;
  s.row.status = AlertStatus::kResolved;
  s.row.resolved_at = now;
  return commit_event(s, s.alert.id + ".resolved");
}

Result<void> Engine::commit_event(Stored& s, const std::string& event_id) {
  const TimePoint now = clock_();
  s.row.payload = to_json_text(s.alert);
  return store_.in_transaction([&]() -> Result<void> {
    if (auto r = store_.alerts().put(s.row); !r) return r;
    for (const auto& sink : sinks_) {
      if (!sink.accepts(s.alert.kind, s.alert.severity)) continue;
      store::AlertDelivery d;
      d.event_id = event_id;
      d.fingerprint = s.row.fingerprint;
      d.sink = sink.name;
      d.body = s.row.payload;
      d.next_attempt_at = now;
      d.created_at = now;
      if (auto r = store_.alerts().enqueue(d); !r) return r;
    }
    return {};
  });
}

Result<void> Engine::reconcile(AlertKind kind, const std::vector<Condition>& holding) {
  std::set<std::string> live;
  for (const auto& c : holding) {
    live.insert(fingerprint(c.kind, c.subject));
    if (auto r = raise(c); !r) return r;
  }
  auto rows = store_.alerts().list(false, kMaxFiring);
  if (!rows) return rows.error();
  for (auto& row : *rows) {
    if (row.kind != kind || live.count(row.fingerprint)) continue;
    auto s = decode(std::move(row));
    if (!s) return s.error();
    if (auto r = resolve(*s); !r) return r;
  }
  return {};
}

Result<void> Engine::settle(AlertKind kind, const std::string& subject,
                            const std::optional<Condition>& holding) {
  if (holding) return raise(*holding);
  auto current = firing(fingerprint(kind, subject));
  if (!current) return current.error();
  if (!*current) return {};
  return resolve(**current);
}

Result<void> Engine::raise(const Condition& c) {
  auto current = firing(fingerprint(c.kind, c.subject));
  if (!current) return current.error();
  if (*current) return update(**current, c);
  return open(c);
}

Result<int> Engine::queue_repeats() {
  auto rows = store_.alerts().list(false, kMaxFiring);
  if (!rows) return rows.error();
  const TimePoint now = clock_();
  int queued = 0;
  for (auto& row : *rows) {
    if (row.acked_at || now - row.last_sent_at < repeat_interval_) continue;
    auto s = decode(std::move(row));
    if (!s) return s.error();
    s->row.last_sent_at = now;
    if (auto r = commit_event(*s, s->alert.id + ".repeat." + std::to_string(to_unix(now))); !r)
      return r.error();
    ++queued;
  }
  return queued;
}

Result<std::vector<json::object>> Engine::list(bool include_resolved) {
  auto rows = store_.alerts().list(include_resolved, include_resolved ? 1000 : kMaxFiring);
  if (!rows) return rows.error();
  std::vector<json::object> out;
  for (auto& row : *rows) {
    auto s = decode(std::move(row));
    if (!s) return s.error();
    json::object p = to_json(s->alert);
    p["acked"] = s->row.acked_at.has_value();
    out.push_back(std::move(p));
  }
  return out;
}

Result<int> Engine::firing_count() {
  return store_.alerts().firing_count();
}

Result<json::object> Engine::ack(const std::string& id) {
  auto row = store_.alerts().get(id);
  if (!row) return row.error();
  if (!*row) return Error::not_found("no alert " + id);
  if ((*row)->status != AlertStatus::kFiring)
    return Error::conflict("alert " + id + " is already resolved");
  auto s = decode(std::move(**row));
  if (!s) return s.error();
  if (!s->row.acked_at) {
    s->row.acked_at = clock_();
    if (auto r = store_.alerts().put(s->row); !r) return r.error();
  }
  json::object p = to_json(s->alert);
  p["acked"] = true;
  return p;
}

Alert Engine::test_alert() {
  const TimePoint now = clock_();
  Alert a;
  a.id = new_alert_id(now);
  a.kind = AlertKind::kTest;
  a.severity = Severity::kInfo;
  a.subject = a.id;
  a.since = now;
  a.reason = {0, "A test alert sent by `ttlinkctl alert test`", ""};
  a.action = {"None: this is a test", std::nullopt};
  a.ctl = "ttlinkctl alerts";
  return a;
}

}  // namespace ttlink::alerts
