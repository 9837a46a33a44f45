#pragma once
// Metrics of alerts: firing by kind, outbox depth, deliveries by sink and
// outcome (read at scrape time).
#include "core/alerts/dispatcher.hpp"
#include "core/alerts/engine.hpp"
#include "core/metrics/metrics.hpp"

namespace ttlink::alerts {

void register_alert_metrics(metrics::Registry& r, Engine& engine, Dispatcher& dispatcher,
                            store::Store& store);

}  // namespace ttlink::alerts
