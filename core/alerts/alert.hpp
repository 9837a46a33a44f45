#pragma once
// core/alerts: what ttlink tells people and integrations (product.md,
// "Alerts"): the typed alert, its lifecycle (engine), the durable outbox's
// delivery loop (dispatcher) and the sinks, each rendering its own body
// from the typed alert. Owns: the alerts and alert_deliveries tables'
// meaning. Must not touch: links, TikTok, tokens, pending authorizations:
// what an alert says comes in with the event (core/events) or condition.
//
// alert.hpp: the typed alert and its JSON form (the payload every webhook
// and exec sink receives; also how the store keeps it).
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/events/link_event.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::alerts {

// A Spark Ads post whose authorization ends or ended.
struct PostFacts {
  std::string item_id;
  std::string advertiser_id;
  std::string auth_code_status;
  std::optional<TimePoint> auth_end_time;
  std::string tiktok_name;
  bool operator==(const PostFacts&) const = default;
};

// Comments of one post that wait for a person.
struct CommentFacts {
  std::string item_id;
  std::int64_t count = 0;
  TimePoint oldest{};
  bool operator==(const CommentFacts&) const = default;
};

struct Alert {
  std::string id;  // sortable, unique: new_alert_id()
  AlertKind kind = AlertKind::kReauthRequired;
  Severity severity = Severity::kWarning;
  AlertStatus status = AlertStatus::kFiring;
  std::string subject;  // the fingerprint after the kind: a link id, or LINK/ITEM
  TimePoint since{};
  std::optional<TimePoint> resolved_at;
  LinkFacts link;
  Reason reason;
  Action action;
  std::string ctl;
  std::optional<PostFacts> post;
  std::optional<CommentFacts> comments;

  std::string fingerprint() const;
};

std::string fingerprint(AlertKind kind, std::string_view subject);

// A sortable, unique id: 10 chars of milliseconds (Crockford base32), then
// 16 random ones, like a ULID.
std::string new_alert_id(TimePoint now);

// product.md's payload.
boost::json::object to_json(const Alert& a);
std::string to_json_text(const Alert& a);
// The payload back (as the store keeps it); a malformed one is an error.
Result<Alert> alert_from_json(std::string_view text);

}  // namespace ttlink::alerts
