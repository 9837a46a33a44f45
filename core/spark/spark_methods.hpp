#pragma once
// The control methods of Spark Ads: posts.list, comments.list,
// comment.reply, comment.hide, comment.unhide, spark.sync.
#include "core/rpc/registry.hpp"
#include "core/spark/spark_poller.hpp"
#include "core/spark/spark_service.hpp"

namespace ttlink::spark {

void register_spark_methods(rpc::Registry& registry, SparkService& service);

// The `state` of a post in posts.list: ACTIVE, EXPIRING (within the warning
// window), EXPIRED, or upstream's status when not in use (NOT_USED, DELETED).
std::string post_state(const store::PostRecord& p, TimePoint now, Seconds warn);
// new | replied | hidden (product.md).
std::string comment_status(const store::CommentRecord& c);
// The `comments` part of `status`: the polling interval, how late polling
// is and why, and a message for a person when it is late.
boost::json::object comments_status(const SparkPoller& poller);

}  // namespace ttlink::spark
