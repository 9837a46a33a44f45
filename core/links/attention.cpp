#include "core/links/attention.hpp"

namespace ttlink::links {
namespace {

struct Spec {
  AlertKind kind;
  Severity severity;
  const char* action;
  const char* ctl;              // followed by the link id
  bool authorize_again = true;  // the action is an authorization link
};

std::optional<Spec> spec_for(LinkState to, Trouble trouble) {
  switch (to) {
    case LinkState::kReauthRequired:
      if (trouble == Trouble::kIdentity)
        return Spec{AlertKind::kIdentityUnavailable, Severity::kCritical,
                    "Reauthorize the TikTok account: Ads Manager shows its identity as not "
                    "available",
                    "ttlinkctl reauth "};
      return Spec{AlertKind::kReauthRequired, Severity::kCritical, "Reauthorize the TikTok account",
                  "ttlinkctl reauth "};
    case LinkState::kNotBusiness:
      return Spec{AlertKind::kNotBusinessAccount, Severity::kCritical,
                  "Switch the TikTok account to a Business Account, then reauthorize",
                  "ttlinkctl reauth "};
    case LinkState::kAdvertiserInactive:
      return Spec{AlertKind::kAdvertiserInactive, Severity::kCritical,
                  "Fix the advertiser's status in TikTok Ads Manager", "ttlinkctl link show "};
    case LinkState::kPermissionDenied:
      return Spec{AlertKind::kPermissionDenied, Severity::kCritical,
                  "Grant the authorizing user admin or operator access, then reauthorize",
                  "ttlinkctl reauth "};
    case LinkState::kExpiring:
      return Spec{AlertKind::kRefreshTokenExpiring, Severity::kWarning,
                  "Reauthorize the TikTok account before the refresh token expires",
                  "ttlinkctl reauth "};
    case LinkState::kDegraded:
      if (trouble == Trouble::kIdentity)
        return Spec{AlertKind::kIdentityUnavailable, Severity::kCritical,
                    "Check the identity in Ads Manager (Assets, Identities): Spark Ads cannot "
                    "use it until it shows Available",
                    "ttlinkctl link show ", false};
      if (trouble == Trouble::kUpstreamError)
        return Spec{AlertKind::kUpstreamError, Severity::kCritical,
                    "Report it with the request_id: upstream keeps refusing a request no rule "
                    "explains (ttlink retries with back-off)",
                    "ttlinkctl link show ", false};
      if (trouble == Trouble::kRefresh)
        return Spec{AlertKind::kRefreshFailing, Severity::kWarning,
                    "None needed yet: ttlink retries; check TikTok's status if it persists",
                    "ttlinkctl check "};
      return Spec{AlertKind::kUpstreamUnreachable, Severity::kWarning,
                  "None needed yet: ttlink retries; check connectivity if it persists",
                  "ttlinkctl check "};
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Attention> attention_for(LinkState to, Trouble trouble, const std::string& link_id,
                                       const std::optional<std::string>& action_url) {
  auto spec = spec_for(to, trouble);
  if (!spec) return std::nullopt;
  Attention a{spec->kind, spec->severity, Action{spec->action, std::nullopt}, spec->ctl + link_id};
  if (spec->severity == Severity::kCritical && spec->authorize_again) a.action.url = action_url;
  return a;
}

}  // namespace ttlink::links
