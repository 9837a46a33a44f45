#pragma once
// core/spark: Spark Ads. Post authorizations (/tt_video/list/) and comments
// on promoted videos (/comment/list/), synced into the store; replies and
// hiding from ttlinkctl; the alerts they raise. Owns: the posts, comments
// and comment_cursors tables' meaning. Must not touch: tokens (it reads the
// advertiser token, never refreshes it) or link states.
//
// spark_alerts.hpp: what the synced data means as alerts, as pure functions
// of the store's rows and the time (the engine fires and resolves them).
#include <string>
#include <vector>

#include "core/alerts/engine.hpp"
#include "core/store/spark_tables.hpp"

namespace ttlink::spark {

// Which link a post belongs to (posts are per advertiser).
struct PostOwner {
  store::PostRecord post;
  std::string link_id;
};

// post_auth_expiring (IN_USE, ending within `warn`) and post_auth_expired
// (EXPIRED, or IN_USE past its end), one per post.
std::vector<alerts::Condition> post_expiring_conditions(const std::vector<PostOwner>& posts,
                                                        TimePoint now, Seconds warn);
std::vector<alerts::Condition> post_expired_conditions(const std::vector<PostOwner>& posts,
                                                       TimePoint now);

// One alert per post with a count, however many comments: a viral post is
// one alert whose count grows (quietly, until the next repeat).
std::vector<alerts::Condition> keyword_conditions(const std::vector<store::WaitingComments>& w);
std::vector<alerts::Condition> unanswered_conditions(const std::vector<store::WaitingComments>& w,
                                                     Seconds after);

// A comment's text for an alert: one line, at most 80 characters.
std::string excerpt(std::string_view text);

}  // namespace ttlink::spark
