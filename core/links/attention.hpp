#pragma once
// What a link state means to a person: the alert kind it raises, how bad it
// is, what to do and which ttlinkctl command helps. Links decide this; the
// alerts only deliver it.
#include <optional>
#include <string>

#include "core/events/link_event.hpp"

namespace ttlink::links {

// Why a link is DEGRADED: its checks, or its token refreshes, keep failing
// for want of upstream; or upstream keeps answering what no rule explains.
// kIdentity: the identity's available_status is not AVAILABLE (the link is
// REAUTH_REQUIRED for the documented statuses, DEGRADED for others).
enum class Trouble { kChecks, kRefresh, kUpstreamError, kIdentity };

// The attention `to` needs, or nullopt for healthy and quiet states.
// `action_url` goes into critical kinds (a person must authorize again).
std::optional<Attention> attention_for(LinkState to, Trouble trouble, const std::string& link_id,
                                       const std::optional<std::string>& action_url);

}  // namespace ttlink::links
