#pragma once
// The control methods of core/ads: identities.list, spark.authorize,
// spark.unbind, campaign.create, report.get.
#include "core/ads/ads_context.hpp"
#include "core/ads/launcher.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::ads {

struct AdsParts {
  AdsContext& ctx;
  Launcher& launcher;
};

void register_ads_methods(rpc::Registry& registry, AdsParts parts);

}  // namespace ttlink::ads
