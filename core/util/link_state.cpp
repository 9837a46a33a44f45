#include "core/util/link_state.hpp"

namespace ttlink {

std::string_view to_string(LinkState s) {
  switch (s) {
    case LinkState::kPending:
      return "PENDING";
    case LinkState::kActive:
      return "ACTIVE";
    case LinkState::kExpiring:
      return "EXPIRING";
    case LinkState::kDegraded:
      return "DEGRADED";
    case LinkState::kReauthRequired:
      return "REAUTH_REQUIRED";
    case LinkState::kNotBusiness:
      return "NOT_BUSINESS";
    case LinkState::kAdvertiserInactive:
      return "ADVERTISER_INACTIVE";
    case LinkState::kPermissionDenied:
      return "PERMISSION_DENIED";
    case LinkState::kExpired:
      return "EXPIRED";
    case LinkState::kUnlinked:
      return "UNLINKED";
  }
  return "UNKNOWN";
}

std::optional<LinkState> parse_link_state(std::string_view text) {
  for (LinkState s : kAllLinkStates)
    if (to_string(s) == text) return s;
  return std::nullopt;
}

bool needs_attention(LinkState s) {
  switch (s) {
    case LinkState::kExpiring:
    case LinkState::kReauthRequired:
    case LinkState::kNotBusiness:
    case LinkState::kAdvertiserInactive:
    case LinkState::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

}  // namespace ttlink
