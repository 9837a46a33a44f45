#pragma once
// The metrics of Spark Ads, read at scrape time: comments ingested, stored,
// unanswered and hidden; posts by authorization state.
#include "core/metrics/metrics.hpp"
#include "core/spark/spark_poller.hpp"

namespace ttlink::spark {

void register_spark_metrics(metrics::Registry& registry, SparkService& spark, SparkPoller& poller);

}  // namespace ttlink::spark
