#pragma once
// The alerts and their outbox: one row per alert (its latest content), and
// one row per event per sink, delivered at least once, in order per
// (sink, fingerprint).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/connection.hpp"
#include "core/store/records.hpp"

namespace ttlink::store {

class AlertTables {
 public:
  explicit AlertTables(Connection& db) : db_(db) {}

  // Inserts or replaces the alert with this id.
  Result<void> put(const AlertRecord& a);
  Result<std::optional<AlertRecord>> get(std::string_view id);
  Result<std::optional<AlertRecord>> firing(std::string_view fingerprint);
  // Firing alerts (or all, newest first), at most `limit`.
  Result<std::vector<AlertRecord>> list(bool include_resolved, int limit);
  Result<int> firing_count();

  // created_at defaults (epoch) to the clock's now.
  Result<void> enqueue(const AlertDelivery& d);
  // Undelivered rows due at `now`, only the oldest per (sink, fingerprint),
  // so that a resolved never overtakes its firing. Oldest first.
  Result<std::vector<AlertDelivery>> due(TimePoint now, int limit);
  // The earliest next_attempt_at among undelivered rows, if any.
  Result<std::optional<TimePoint>> next_delivery_at();
  Result<void> mark_delivered(std::int64_t seq, TimePoint at);
  Result<void> mark_attempt_failed(std::int64_t seq, TimePoint next_attempt_at,
                                   std::string_view error);
  Result<int> undelivered_count();
  // Rows not delivered yet, by sink name (a reload reports those of a sink
  // it removed).
  Result<std::map<std::string, int>> undelivered_by_sink();
  // When the oldest undelivered row was queued, if any (its age is a metric).
  Result<std::optional<TimePoint>> oldest_undelivered_at();

 private:
  Connection& db_;
};

}  // namespace ttlink::store
