#include "core/alerts/alert_metrics.hpp"

#include <boost/json/value.hpp>

#include <algorithm>

namespace ttlink::alerts {

namespace {

void collect_firing(metrics::Registry& r, store::Store& store) {
  auto firing = store.alerts().list(false, 100000);
  if (!firing) return;
  std::map<std::string, int> by_kind;
  for (auto kind : kLinkStateKinds) by_kind[std::string(to_string(kind))] = 0;
  for (const auto& a : *firing) ++by_kind[std::string(to_string(a.kind))];
  r.clear("ttlink_alerts_firing");
  for (const auto& [kind, n] : by_kind) r.set("ttlink_alerts_firing", {{"kind", kind}}, n);
}

}  // namespace

void register_alert_metrics(metrics::Registry& r, Dispatcher& dispatcher, store::Store& store,
                            Clock clock) {
  r.declare("ttlink_alerts_firing", metrics::Type::kGauge, "Firing alerts by kind");
  r.declare("ttlink_alert_outbox_depth", metrics::Type::kGauge,
            "Alert events not yet delivered (one per sink)");
  r.declare("ttlink_alert_oldest_undelivered_seconds", metrics::Type::kGauge,
            "Age of the oldest alert event not yet delivered (0 when none)");
  r.declare("ttlink_alert_deliveries_total", metrics::Type::kCounter,
            "Alert delivery attempts by sink and outcome");
  r.add_collector([&dispatcher, &store, clock](metrics::Registry& reg) {
    collect_firing(reg, store);
    if (auto depth = store.alerts().undelivered_count(); depth)
      reg.set("ttlink_alert_outbox_depth", {}, *depth);
    if (auto oldest = store.alerts().oldest_undelivered_at(); oldest) {
      const auto age = *oldest ? std::max<std::int64_t>(0, to_unix(clock()) - to_unix(**oldest))
                               : std::int64_t{0};
      reg.set("ttlink_alert_oldest_undelivered_seconds", {}, static_cast<double>(age));
    }
    for (const auto& [key, n] : dispatcher.delivery_counts())
      reg.set("ttlink_alert_deliveries_total", {{"sink", key.first}, {"outcome", key.second}},
              static_cast<double>(n));
  });
}

}  // namespace ttlink::alerts
