#pragma once
// The rows of the store's tables, as the rest of the daemon sees them.
#include <cstdint>
#include <optional>
#include <string>

#include "core/events/alert_kind.hpp"
#include "core/util/link_state.hpp"
#include "core/util/secret.hpp"
#include "core/util/time.hpp"

namespace ttlink::store {

// Who did something: "daemon", or a control-socket peer "uid=1000 gid=1000 pid=42".
struct Actor {
  std::string description = "daemon";
};

struct LinkRecord {
  std::string id;             // decimal string assigned by the store ("1", "2", ...)
  std::string advertiser_id;  // empty while the advertiser half is not yet known
  std::string open_id;        // empty until the account half completes
  std::string identity_id;    // from /identity/get/, once matched
  std::string identity_type;  // TT_USER | BC_AUTH_TT
  LinkState state = LinkState::kPending;
  long reason_code = 0;        // upstream code (or 0) behind the current state
  std::string reason_message;  // why the link is in its state; never a token
  std::optional<TimePoint> next_refresh_at;
  std::optional<TimePoint> next_check_at;
  std::optional<TimePoint> last_check_at;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct AdvertiserRecord {
  std::string advertiser_id;
  std::string name;
  std::string status;  // STATUS_ENABLE, STATUS_LIMIT, ...
  std::string currency;
  std::string timezone;
  std::string user_role;  // ADMIN | OPERATOR | ANALYST | "" (no Business Center says)
};

// The organic side of an account (/business/get/): followers, and the sums
// of the daily metrics upstream reports.
struct OrganicFigures {
  std::int64_t followers = 0;
  std::int64_t videos = 0;
  std::int64_t video_views = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::int64_t shares = 0;
};

struct AccountRecord {
  std::string open_id;
  std::string username;
  std::string display_name;
  bool is_business_account = false;
  std::string scope;  // comma-separated, as granted
  OrganicFigures organic;
};

struct AccountTokens {
  Secret access_token;
  Secret refresh_token;
  TimePoint access_expires_at{};
  TimePoint refresh_expires_at{};
  std::string scope;
};

enum class AuthKind { kAdvertiser, kAccount };

struct PendingAuth {
  std::string state_hash;  // SHA-256 hex of the `state` value; the value is never stored
  std::string link_id;
  AuthKind kind = AuthKind::kAccount;
  TimePoint created_at{};
  TimePoint expires_at{};
  std::optional<TimePoint> used_at;
};

struct AuditEntry {
  std::int64_t id = 0;
  TimePoint at{};
  std::string link_id;  // may be empty for daemon-wide events
  std::string actor;
  std::string action;  // "link.start", "state", "link.unlink", "token.refresh", ...
  std::string from_state;
  std::string to_state;
  long reason_code = 0;
  std::string reason_message;
};

// One alert (product.md, "Alerts"): the columns the engine looks alerts up
// by, and the alert itself as core/alerts encodes it (`payload`).
struct AlertRecord {
  std::string id;  // sortable: time first
  std::string fingerprint;
  AlertKind kind = AlertKind::kReauthRequired;
  Severity severity = Severity::kWarning;
  std::string link_id;
  AlertStatus status = AlertStatus::kFiring;
  TimePoint since{};
  TimePoint last_sent_at{};  // last time the event was queued (repeat_interval)
  std::optional<TimePoint> acked_at;
  std::optional<TimePoint> resolved_at;
  std::string payload;
};

// One event of an alert on its way to one sink (the outbox).
struct AlertDelivery {
  std::int64_t seq = 0;  // assigned by the store; order of delivery per fingerprint
  std::string event_id;  // the alert id, suffixed for repeats and the resolve
  std::string fingerprint;
  std::string sink;
  std::string body;  // the JSON sent
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;
  std::optional<TimePoint> delivered_at;
  TimePoint created_at{};
};

// A stable link that a person clicks to reauthorize a link (the action of
// an alert): only its hash is stored; it works while it is open.
struct ActionLink {
  std::string token_hash;  // SHA-256 hex of the token in the URL
  std::string link_id;
  TimePoint created_at{};
  std::optional<TimePoint> closed_at;
};

}  // namespace ttlink::store
