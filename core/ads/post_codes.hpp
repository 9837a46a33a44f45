#pragma once
// Creators' post authorization codes: binding one to the link's advertiser
// (/tt_video/info/ first, then /tt_video/authorize/) and unbinding a post
// (/tt_video/unbind/). A bound post is stored with the other posts at once,
// so it is watched (post_auth_expiring, post_auth_expired) before the next
// sync lists it. A code that cannot be bound records nothing.
#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/ads/ads_context.hpp"
#include "core/tiktok/posts.hpp"

namespace ttlink::ads {

struct BoundPost {
  tiktok::PostAuthorization post;
  bool already_bound = false;  // bound to this advertiser before: nothing was sent
};

// What /tt_video/info/'s status says about binding: "" (bindable: NOT_USED),
// or why not (an expired or unbound code). IN_USE is "already bound".
std::string unbindable_reason(const tiktok::PostAuthorization& preview);

// Binds the creator's code to the link's advertiser. A code already bound
// to it is reported as such (no second /tt_video/authorize/: a code binds
// once). Audited with `actor`.
boost::asio::awaitable<Result<BoundPost>> authorize_code(AdsContext& ctx, std::string link_id,
                                                         Secret auth_code, store::Actor actor);

// Unbinds a post from the link's advertiser and forgets it. Audited.
boost::asio::awaitable<Result<void>> unbind_item(AdsContext& ctx, std::string link_id,
                                                 std::string item_id, store::Actor actor);

}  // namespace ttlink::ads
