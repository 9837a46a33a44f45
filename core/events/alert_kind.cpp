#include "core/events/alert_kind.hpp"

#include <array>
#include <string>
#include <utility>

namespace ttlink {
namespace {

constexpr std::array<std::pair<AlertKind, std::string_view>, 16> kKindNames = {{
    {AlertKind::kReauthRequired, "reauth_required"},
    {AlertKind::kRefreshFailing, "refresh_failing"},
    {AlertKind::kRefreshTokenExpiring, "refresh_token_expiring"},
    {AlertKind::kNotBusinessAccount, "not_business_account"},
    {AlertKind::kAdvertiserInactive, "advertiser_inactive"},
    {AlertKind::kPermissionDenied, "permission_denied"},
    {AlertKind::kIdentityUnavailable, "identity_unavailable"},
    {AlertKind::kPostAuthExpiring, "post_auth_expiring"},
    {AlertKind::kPostAuthExpired, "post_auth_expired"},
    {AlertKind::kCommentKeyword, "comment_keyword"},
    {AlertKind::kCommentUnanswered, "comment_unanswered"},
    {AlertKind::kUpstreamUnreachable, "upstream_unreachable"},
    {AlertKind::kAppForbidden, "app_forbidden"},
    {AlertKind::kUpstreamError, "upstream_error"},
    {AlertKind::kCommentsSyncFailing, "comments_sync_failing"},
    {AlertKind::kTest, "test"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 3> kSeverityNames = {{
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kCritical, "critical"},
}};

constexpr std::array<std::pair<AlertStatus, std::string_view>, 2> kStatusNames = {{
    {AlertStatus::kFiring, "firing"},
    {AlertStatus::kResolved, "resolved"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names)
    if (value == e) return name;
  return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text) return value;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(AlertKind k) {
  return name_of(kKindNames, k);
}
std::optional<AlertKind> parse_alert_kind(std::string_view text) {
  return value_of(kKindNames, text);
}
std::string_view to_string(Severity s) {
  return name_of(kSeverityNames, s);
}
std::optional<Severity> parse_severity(std::string_view text) {
  return value_of(kSeverityNames, text);
}
std::string_view to_string(AlertStatus s) {
  return name_of(kStatusNames, s);
}
std::optional<AlertStatus> parse_alert_status(std::string_view text) {
  return value_of(kStatusNames, text);
}

std::vector<AlertKind> routable_alert_kinds() {
  std::vector<AlertKind> out;
  for (const auto& [kind, name] : kKindNames)
    if (kind != AlertKind::kTest) out.push_back(kind);
  return out;
}

namespace {
template <class Enum, std::size_t N>
std::string joined(const std::array<std::pair<Enum, std::string_view>, N>& names,
                   std::optional<Enum> skip = std::nullopt) {
  std::string out;
  for (const auto& [value, name] : names)
    if (value != skip) out += (out.empty() ? "" : "|") + std::string(name);
  return out;
}
}  // namespace

std::string_view routable_alert_kind_names() {
  static const std::string names = joined(kKindNames, std::optional(AlertKind::kTest));
  return names;
}

std::string_view severity_names() {
  static const std::string names = joined(kSeverityNames);
  return names;
}

}  // namespace ttlink
