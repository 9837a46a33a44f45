#include "core/spark/spark_metrics.hpp"

#include <map>

#include "core/spark/spark_methods.hpp"

namespace ttlink::spark {

void register_spark_metrics(metrics::Registry& r, SparkService& spark, SparkPoller& poller) {
  r.declare("ttlink_comments_ingested_total", metrics::Type::kCounter,
            "New comments stored by comment polling");
  r.declare("ttlink_comments_stored", metrics::Type::kGauge, "Comments in the store");
  r.declare("ttlink_comments_unanswered", metrics::Type::kGauge,
            "Top-level comments from others, not hidden, without a reply");
  r.declare("ttlink_comments_hidden", metrics::Type::kGauge, "Hidden comments");
  r.declare("ttlink_spark_syncs_total", metrics::Type::kCounter,
            "Spark Ads syncs of a link by outcome");
  r.declare("ttlink_posts", metrics::Type::kGauge, "Spark Ads posts by authorization state");
  r.declare("ttlink_comments_late_seconds", metrics::Type::kGauge,
            "How far comment polling is behind poll.comments_interval (0: on time)");
  r.declare("ttlink_spark_alert_evaluations_total", metrics::Type::kCounter,
            "Evaluations of the Spark Ads alerts (post authorizations, comments): after each "
            "comment round, once a minute while rounds wait");
  r.add_collector([&spark, &poller](metrics::Registry& reg) {
    const auto& stats = poller.stats();
    reg.set("ttlink_comments_late_seconds", {}, static_cast<double>(poller.late().count()));
    reg.set("ttlink_comments_ingested_total", {}, static_cast<double>(stats.comments_ingested));
    reg.set("ttlink_spark_alert_evaluations_total", {},
            static_cast<double>(stats.alert_evaluations));
    reg.set("ttlink_spark_syncs_total", {{"outcome", "success"}},
            static_cast<double>(stats.syncs_ok));
    reg.set("ttlink_spark_syncs_total", {{"outcome", "failure"}},
            static_cast<double>(stats.syncs_failed));
    if (auto totals = spark.store().spark().totals(); totals) {
      reg.set("ttlink_comments_stored", {}, static_cast<double>(totals->total));
      reg.set("ttlink_comments_unanswered", {}, static_cast<double>(totals->unanswered));
      reg.set("ttlink_comments_hidden", {}, static_cast<double>(totals->hidden));
    }
    std::map<std::string, int> by_state{{"ACTIVE", 0}, {"EXPIRING", 0}, {"EXPIRED", 0}};
    if (auto posts = spark.store().spark().list_posts(); posts)
      for (const auto& p : *posts)
        ++by_state[post_state(p, spark.now(), spark.config().refresh.warn_post_auth_before)];
    reg.clear("ttlink_posts");
    for (const auto& [state, n] : by_state) reg.set("ttlink_posts", {{"state", state}}, n);
  });
}

}  // namespace ttlink::spark
