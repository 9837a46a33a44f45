#pragma once
// The control methods of links: status, links.list, link.get, link.start,
// link.complete, link.reauth, link.unlink, link.check, link.refresh.
#include <boost/json/object.hpp>

#include <functional>

#include "core/links/link_service.hpp"
#include "core/links/scheduler.hpp"
#include "core/rpc/registry.hpp"
#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/rate_limiter.hpp"

namespace ttlink::links {

// How many alerts fire, for `status` (links know nothing of alerts).
using FiringCount = std::function<Result<int>()>;

// What waits for a retry: open back-off windows and failing links (status).
struct RetryState {
  const Scheduler* scheduler = nullptr;
  const tiktok::RateLimiter* limiter = nullptr;
  const tiktok::AppGate* gate = nullptr;
  // The `comments` part of `status` (spark::comments_status): comment
  // polling lives in a module the links do not depend on.
  std::function<boost::json::object()> comments;
};
// Open back-off windows: the app's pause (40113/61000) and each endpoint's.
std::vector<tiktok::OpenBackoff> open_backoffs(const RetryState& retries);
void register_link_methods(rpc::Registry& registry, LinkService& service, FiringCount alerts_firing,
                           RetryState retries = {});

}  // namespace ttlink::links
