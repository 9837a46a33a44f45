#pragma once
// Metrics of alerts: firing by kind, outbox depth, deliveries by sink and
// outcome (read at scrape time).
#include "core/alerts/dispatcher.hpp"
#include "core/metrics/metrics.hpp"

namespace ttlink::alerts {

void register_alert_metrics(metrics::Registry& r, Dispatcher& dispatcher, store::Store& store,
                            Clock clock);

}  // namespace ttlink::alerts
