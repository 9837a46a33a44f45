#pragma once
// The metrics listener: GET /metrics (Prometheus text format) and
// GET /healthz (200 "ok" while the daemon serves, 503 while it stops).
#include <functional>

#include "core/http/server.hpp"
#include "core/metrics/metrics.hpp"

namespace ttlink::daemon {

http::Handler make_metrics_handler(metrics::Registry& registry, std::function<bool()> healthy);

}  // namespace ttlink::daemon
