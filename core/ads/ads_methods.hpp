#pragma once
// The control methods of core/ads: identities.list (more as the launch grows).
#include "core/ads/ads_context.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::ads {

struct AdsParts {
  AdsContext& ctx;
};

void register_ads_methods(rpc::Registry& registry, AdsParts parts);

}  // namespace ttlink::ads
