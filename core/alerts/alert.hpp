#pragma once
// core/alerts: what ttlink tells people and integrations (product.md,
// "Alerts"): kinds, severities, fingerprints, the payload, the lifecycle
// (engine), the durable outbox's delivery loop (dispatcher) and the sinks.
// Owns: the alerts and alert_deliveries tables' meaning. Must not touch: link
// policy (it only reacts to recorded state changes) or tokens.
//
// alert.hpp: the vocabulary: which link state raises which kind, and the
// JSON payload every sink receives.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/store/store.hpp"
#include "core/util/link_state.hpp"
#include "core/util/time.hpp"

namespace ttlink::alerts {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

// What a link state means as an alert.
struct KindSpec {
  std::string_view kind;
  Severity severity;
  std::string_view action_text;
};

// The alert kind a link state raises; nullopt for healthy or quiet states.
// DEGRADED is upstream_unreachable, or refresh_failing when the reason names
// a failed refresh.
std::optional<KindSpec> kind_for_state(LinkState state, std::string_view reason_message);
// Every kind a link state can raise (to resolve those the link left).
const std::vector<std::string_view>& link_state_kinds();

std::string fingerprint(std::string_view kind, std::string_view link_id);

// A sortable, unique id: 10 chars of milliseconds (Crockford base32), then
// 16 random ones, like a ULID.
std::string new_alert_id(TimePoint now);

// The link part of the payload, from what the store knows.
struct LinkFacts {
  std::string id;
  std::string advertiser_id;
  std::string advertiser_name;
  std::string account;  // "@username", or "" while unknown
  std::string open_id;
};
LinkFacts link_facts(store::Store& store, const store::LinkRecord& link);

struct Reason {
  long code = 0;
  std::string message;
};

struct PayloadInput {
  std::string id;
  std::string kind;
  Severity severity = Severity::kWarning;
  std::string status = "firing";
  TimePoint since{};
  LinkFacts link;
  Reason reason;
  std::string action_text;
  std::optional<std::string> action_url;
  std::string ctl;
  std::string subject;          // fingerprint after the kind; "" = the link id
  boost::json::object details;  // extra members (e.g. "post", "comments")
};
boost::json::object make_payload(const PayloadInput& in);

// Reading a payload back (sinks render it): a string member, or "" when
// absent or not a string; an object member, or an empty one.
std::string payload_text(const boost::json::object& o, std::string_view key);
boost::json::object payload_object(const boost::json::object& o, std::string_view key);

}  // namespace ttlink::alerts
