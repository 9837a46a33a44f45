#include "core/links/link_metrics.hpp"

namespace ttlink::links {
using metrics::Type;

namespace {

// One GROUP BY over the state index: no link is read.
void collect_links(metrics::Registry& r, LinkService& links) {
  auto stored = links.store().links().count_by_state();
  if (!stored) return;
  std::map<LinkState, int> counts;
  for (LinkState s : kAllLinkStates)
    if (s != LinkState::kUnlinked) counts[s] = 0;
  for (const auto& [state, n] : *stored) counts[state] = n;
  r.clear("ttlink_links");
  for (auto [state, n] : counts)
    r.set("ttlink_links", {{"state", std::string(to_string(state))}}, n);
}

}  // namespace

void register_link_metrics(metrics::Registry& r, LinkService& links, Scheduler& scheduler,
                           RetryState retries) {
  r.declare("ttlink_links", Type::kGauge, "Links by state");
  r.declare("ttlink_refresh_total", Type::kCounter, "Account token refreshes by outcome");
  r.declare("ttlink_checks_total", Type::kCounter, "Scheduled link checks by outcome");
  r.declare("ttlink_rate_limit_waits_total", Type::kCounter,
            "Upstream requests that waited for the client-side rate limit");
  r.declare("ttlink_rate_limit_wait_seconds_total", Type::kCounter,
            "Time spent waiting for the client-side rate limit");
  r.declare("ttlink_next_refresh_timestamp_seconds", Type::kGauge,
            "When the next account token refresh is due (unix time; absent when none)");
  r.declare(
      "ttlink_backoff_active", Type::kGauge,
      "Seconds left of an open back-off window (40100/40132: endpoint; 40113/61000: the app)");
  r.declare("ttlink_schedule_lag_seconds", Type::kGauge,
            "How late the most overdue check or refresh is (0: none is late)");
  r.declare("ttlink_schedule_stretch", Type::kGauge,
            "Checks run every status_interval times this (1: the interval fits in poll.max_qps)");
  r.declare("ttlink_links_failing", Type::kGauge,
            "Links whose last checks or refreshes failed and that wait for a retry");
  const tiktok::RateLimiter& limiter = *retries.limiter;
  r.add_collector([&links, &scheduler, &limiter, retries](metrics::Registry& reg) {
    reg.clear("ttlink_backoff_active");
    for (const auto& b : open_backoffs(retries))
      reg.set("ttlink_backoff_active", {{"scope", b.scope}, {"endpoint", b.endpoint}},
              b.seconds_left);
    reg.set("ttlink_links_failing", {}, static_cast<double>(scheduler.failing().size()));
    reg.set("ttlink_schedule_lag_seconds", {}, static_cast<double>(scheduler.lag().count()));
    reg.set("ttlink_schedule_stretch", {}, scheduler.budget().stretch());
    collect_links(reg, links);
    const auto& s = scheduler.stats();
    reg.set("ttlink_refresh_total", {{"outcome", "success"}}, static_cast<double>(s.refresh_ok));
    reg.set("ttlink_refresh_total", {{"outcome", "failure"}},
            static_cast<double>(s.refresh_failed));
    reg.set("ttlink_checks_total", {{"outcome", "success"}}, static_cast<double>(s.checks_ok));
    reg.set("ttlink_checks_total", {{"outcome", "failure"}}, static_cast<double>(s.checks_failed));
    reg.set("ttlink_rate_limit_waits_total", {}, static_cast<double>(limiter.stats().waits));
    reg.set("ttlink_rate_limit_wait_seconds_total", {}, limiter.stats().waited_seconds);
    reg.clear("ttlink_next_refresh_timestamp_seconds");
    if (auto next = scheduler.next_refresh())
      reg.set("ttlink_next_refresh_timestamp_seconds", {}, static_cast<double>(to_unix(*next)));
  });
}

}  // namespace ttlink::links
