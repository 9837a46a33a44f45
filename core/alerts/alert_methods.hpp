#pragma once
// The control methods of alerts: alerts.list, alert.ack, alert.test.
#include "core/alerts/dispatcher.hpp"
#include "core/alerts/engine.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::alerts {

void register_alert_methods(rpc::Registry& registry, Engine& engine, Dispatcher& dispatcher);

}  // namespace ttlink::alerts
