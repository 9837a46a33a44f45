#pragma once
// The metrics of links, read from live state at scrape time: links by state,
// refresh and check outcomes, rate-limit waits, the next refresh and the
// earliest refresh-token expiry.
#include "core/links/scheduler.hpp"
#include "core/metrics/metrics.hpp"
#include "core/links/link_methods.hpp"

namespace ttlink::links {

void register_link_metrics(metrics::Registry& registry, LinkService& links, Scheduler& scheduler,
                           RetryState retries);

}  // namespace ttlink::links
