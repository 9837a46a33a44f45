#pragma once
// The states of a link (product.md, "Link states"), shared by the store, the
// link service, metrics and alerts.
#include <optional>
#include <string_view>

namespace ttlink {

enum class LinkState {
  kPending,
  kActive,
  kExpiring,
  kDegraded,
  kReauthRequired,
  kNotBusiness,
  kAdvertiserInactive,
  kPermissionDenied,
  kExpired,  // PENDING for over an hour: the authorization was never completed
  kUnlinked,
};

inline constexpr LinkState kAllLinkStates[] = {LinkState::kPending,
                                               LinkState::kActive,
                                               LinkState::kExpiring,
                                               LinkState::kDegraded,
                                               LinkState::kReauthRequired,
                                               LinkState::kNotBusiness,
                                               LinkState::kAdvertiserInactive,
                                               LinkState::kPermissionDenied,
                                               LinkState::kExpired,
                                               LinkState::kUnlinked};

std::string_view to_string(LinkState s);
std::optional<LinkState> parse_link_state(std::string_view text);
// True when a person must act (everything but ACTIVE, EXPIRING's warning
// excepted, DEGRADED which recovers by itself, PENDING and UNLINKED).
bool needs_attention(LinkState s);

}  // namespace ttlink
