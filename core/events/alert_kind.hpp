#pragma once
// core/events: the vocabulary links and Spark Ads use to tell the alerts
// what needs a person: alert kinds, severities, reasons, actions, and the
// event a link's state change produces. Header-only types plus their names.
// Owns: nothing stateful. Must not touch: the store, the network.
//
// alert_kind.hpp: product.md's alert kinds, severities and statuses.
#include <optional>
#include <string_view>
#include <vector>

namespace ttlink {

enum class AlertKind {
  kReauthRequired,
  kRefreshFailing,
  kRefreshTokenExpiring,
  kNotBusinessAccount,
  kAdvertiserInactive,
  kPermissionDenied,
  kIdentityUnavailable,
  kPostAuthExpiring,
  kPostAuthExpired,
  kCommentKeyword,
  kCommentUnanswered,
  kUpstreamUnreachable,
  kAppForbidden,
  kUpstreamError,
  kCommentsSyncFailing,
  kTest,  // `ttlinkctl alert test`: never stored
};

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };

enum class AlertStatus { kFiring, kResolved };

std::string_view to_string(AlertKind k);
std::optional<AlertKind> parse_alert_kind(std::string_view text);
std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);
std::string_view to_string(AlertStatus s);
std::optional<AlertStatus> parse_alert_status(std::string_view text);

// Every kind a sink can be routed (all but kTest), in declaration order: the
// one list the config, the docs tests and the completion are checked against.
std::vector<AlertKind> routable_alert_kinds();
// "reauth_required|refresh_failing|...": for messages that list the choices.
std::string_view routable_alert_kind_names();
std::string_view severity_names();  // "info|warning|critical"

// The kinds a link's own state raises: leaving the state resolves them.
inline constexpr AlertKind kLinkStateKinds[] = {
    AlertKind::kReauthRequired,       AlertKind::kNotBusinessAccount,
    AlertKind::kAdvertiserInactive,   AlertKind::kPermissionDenied,
    AlertKind::kRefreshTokenExpiring, AlertKind::kRefreshFailing,
    AlertKind::kUpstreamUnreachable,  AlertKind::kUpstreamError,
    AlertKind::kIdentityUnavailable,
};

}  // namespace ttlink
