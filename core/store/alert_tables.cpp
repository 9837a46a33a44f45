#include "core/store/alert_tables.hpp"

namespace ttlink::store {

#define TTLINK_ALERT_COLUMNS                                                          \
  "id, fingerprint, kind, severity, link_id, status, since, last_sent_at, acked_at, " \
  "resolved_at, payload"

constexpr Sql kUpsertAlert{"upsert_alert",
                           "INSERT OR REPLACE INTO alerts (" TTLINK_ALERT_COLUMNS
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"};
constexpr Sql kSelectAlert{"select_alert",
                           "SELECT " TTLINK_ALERT_COLUMNS " FROM alerts WHERE id = ?1"};
constexpr Sql kFiringAlert{"firing_alert", "SELECT " TTLINK_ALERT_COLUMNS
                                           " FROM alerts WHERE fingerprint = ?1 AND "
                                           "status = 'firing' ORDER BY id DESC LIMIT 1"};
constexpr Sql kListAlerts{"list_alerts", "SELECT " TTLINK_ALERT_COLUMNS
                                         " FROM alerts WHERE ?1 OR status = 'firing' "
                                         "ORDER BY id DESC LIMIT ?2"};
#undef TTLINK_ALERT_COLUMNS

Result<void> AlertTables::put(const AlertRecord& a) {
  auto s = db_.statement(kUpsertAlert);
  if (!s) return s.error();
  (*s)->bind(1, a.id).bind(2, a.fingerprint).bind(3, to_string(a.kind));
  (*s)->bind(4, to_string(a.severity)).bind(5, a.link_id).bind(6, to_string(a.status));
  (*s)->bind(7, to_unix(a.since));
  (*s)->bind(8, to_unix(a.last_sent_at)).bind(9, unix_or_null(a.acked_at));
  (*s)->bind(10, unix_or_null(a.resolved_at)).bind(11, a.payload);
  return (*s)->run();
}

namespace {

// Kind, severity and status are written by this build from enums: anything
// else in a row is a damaged store, said so rather than guessed.
Result<AlertRecord> read_alert(const sqlite::Statement& r) {
  auto kind = parse_alert_kind(r.text(2));
  auto severity = parse_severity(r.text(3));
  auto status = parse_alert_status(r.text(5));
  if (!kind || !severity || !status)
    return Error::storage("alert " + r.text(0) + " has an unknown kind, severity or status");
  return AlertRecord{r.text(0),
                     r.text(1),
                     *kind,
                     *severity,
                     r.text(4),
                     *status,
                     from_unix(r.int64(6)),
                     from_unix(r.int64(7)),
                     time_or_null(r.optional_int64(8)),
                     time_or_null(r.optional_int64(9)),
                     r.text(10)};
}

}  // namespace

Result<std::optional<AlertRecord>> AlertTables::get(std::string_view id) {
  auto s = db_.statement(kSelectAlert);
  if (!s) return s.error();
  (*s)->bind(1, id);
  return read_optional<AlertRecord>(*s, read_alert);
}

Result<std::optional<AlertRecord>> AlertTables::firing(std::string_view fingerprint) {
  auto s = db_.statement(kFiringAlert);
  if (!s) return s.error();
  (*s)->bind(1, fingerprint);
  return read_optional<AlertRecord>(*s, read_alert);
}

Result<std::vector<AlertRecord>> AlertTables::list(bool include_resolved, int limit) {
  auto s = db_.statement(kListAlerts);
  if (!s) return s.error();
  (*s)->bind(1, std::int64_t{include_resolved ? 1 : 0}).bind(2, std::int64_t{limit});
  return read_rows<AlertRecord>(*s, read_alert);
}

constexpr Sql kInsertDelivery{
    "insert_delivery",
    "INSERT INTO alert_deliveries (event_id, fingerprint, sink, body, attempts, "
    "next_attempt_at, last_error, created_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, '', ?6)"};
constexpr Sql kDueDeliveries{
    "due_deliveries",
    "SELECT seq, event_id, fingerprint, sink, body, attempts, next_attempt_at, last_error, "
    "created_at FROM alert_deliveries d WHERE delivered_at IS NULL AND next_attempt_at <= ?1 "
    "AND seq = (SELECT min(seq) FROM alert_deliveries e WHERE e.delivered_at IS NULL AND "
    "e.sink = d.sink AND e.fingerprint = d.fingerprint) ORDER BY seq LIMIT ?2"};
constexpr Sql kNextDeliveryAt{
    "next_delivery_at",
    "SELECT min(next_attempt_at) FROM alert_deliveries WHERE delivered_at IS NULL"};
constexpr Sql kMarkDelivered{"mark_delivered",
                             "UPDATE alert_deliveries SET delivered_at = ?2, "
                             "attempts = attempts + 1, last_error = '' WHERE seq = ?1"};
constexpr Sql kMarkFailed{"mark_attempt_failed",
                          "UPDATE alert_deliveries SET attempts = attempts + 1, "
                          "next_attempt_at = ?2, last_error = ?3 WHERE seq = ?1"};
constexpr Sql kFiringCount{"firing_count", "SELECT count(*) FROM alerts WHERE status = 'firing'"};
constexpr Sql kUndelivered{"undelivered_count",
                           "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL"};
constexpr Sql kOldestUndelivered{
    "oldest_undelivered_at",
    "SELECT min(created_at) FROM alert_deliveries WHERE delivered_at IS NULL"};

constexpr Sql kUndeliveredBySink{
    "undelivered_by_sink",
    "SELECT sink, count(*) FROM alert_deliveries WHERE delivered_at IS NULL GROUP BY sink"};

Result<std::map<std::string, int>> AlertTables::undelivered_by_sink() {
  auto s = db_.statement(kUndeliveredBySink);
  if (!s) return s.error();
  auto rows = read_rows<std::pair<std::string, int>>(*s, [](const sqlite::Statement& r) {
    return std::pair<std::string, int>{r.text(0), static_cast<int>(r.int64(1))};
  });
  if (!rows) return rows.error();
  return std::map<std::string, int>(rows->begin(), rows->end());
}

Result<void> AlertTables::enqueue(const AlertDelivery& d) {
  auto s = db_.statement(kInsertDelivery);
  if (!s) return s.error();
  const TimePoint created = d.created_at == TimePoint{} ? db_.now() : d.created_at;
  (*s)->bind(1, d.event_id).bind(2, d.fingerprint).bind(3, d.sink).bind(4, d.body);
  (*s)->bind(5, to_unix(d.next_attempt_at)).bind(6, to_unix(created));
  return (*s)->run();
}

Result<std::vector<AlertDelivery>> AlertTables::due(TimePoint now, int limit) {
  auto s = db_.statement(kDueDeliveries);
  if (!s) return s.error();
  (*s)->bind(1, to_unix(now)).bind(2, std::int64_t{limit});
  return read_rows<AlertDelivery>(*s, [](const sqlite::Statement& r) {
    return AlertDelivery{r.int64(0),
                         r.text(1),
                         r.text(2),
                         r.text(3),
                         r.text(4),
                         static_cast<int>(r.int64(5)),
                         from_unix(r.int64(6)),
                         r.text(7),
                         std::nullopt,
                         from_unix(r.int64(8))};
  });
}

Result<std::optional<TimePoint>> AlertTables::next_delivery_at() {
  auto v = db_.scalar(kNextDeliveryAt);
  if (!v) return v.error();
  return time_or_null(*v);
}

Result<void> AlertTables::mark_delivered(std::int64_t seq, TimePoint at) {
  auto s = db_.statement(kMarkDelivered);
  if (!s) return s.error();
  (*s)->bind(1, seq).bind(2, to_unix(at));
  return (*s)->run();
}

Result<void> AlertTables::mark_attempt_failed(std::int64_t seq, TimePoint next_attempt_at,
                                              std::string_view error) {
  auto s = db_.statement(kMarkFailed);
  if (!s) return s.error();
  (*s)->bind(1, seq).bind(2, to_unix(next_attempt_at)).bind(3, error);
  return (*s)->run();
}

Result<std::optional<TimePoint>> AlertTables::oldest_undelivered_at() {
  auto v = db_.scalar(kOldestUndelivered);
  if (!v) return v.error();
  return time_or_null(*v);
}

Result<int> AlertTables::firing_count() {
  auto v = db_.scalar(kFiringCount);
  if (!v) return v.error();
  return static_cast<int>(v->value_or(0));
}

Result<int> AlertTables::undelivered_count() {
  auto v = db_.scalar(kUndelivered);
  if (!v) return v.error();
  return static_cast<int>(v->value_or(0));
}

}  // namespace ttlink::store
