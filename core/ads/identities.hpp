#pragma once
// The Ad Identities of a link's advertiser (TT_USER and BC_AUTH_TT: the
// accounts it may run Spark Ads as), with the link's own account marked.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "core/ads/ads_context.hpp"
#include "core/tiktok/identity.hpp"

namespace ttlink::ads {

struct ListedIdentity {
  tiktok::Identity identity;
  bool linked = false;  // the link's account (matched by tiktok::match_identity)
};

// The identity types a linked Business Account shows up as.
inline constexpr const char* kLinkedIdentityTypes[] = {"TT_USER", "BC_AUTH_TT"};

// Marks the one identity tiktok::match_identity picks for `username`.
std::vector<ListedIdentity> mark_linked(const std::vector<tiktok::Identity>& identities,
                                        const std::string& username);

// Every page of /identity/get/ for each type, the link's account marked.
boost::asio::awaitable<Result<std::vector<ListedIdentity>>> link_identities(AdsContext& ctx,
                                                                            std::string link_id);

}  // namespace ttlink::ads
