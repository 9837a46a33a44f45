#pragma once
// The control methods of links: status, links.list, link.get, link.start,
// link.complete, link.reauth, link.unlink, link.check, link.refresh.
#include <functional>

#include "core/links/link_service.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::links {

// How many alerts fire, for `status` (links know nothing of alerts).
using FiringCount = std::function<Result<int>()>;

void register_link_methods(rpc::Registry& registry, LinkService& service,
                           FiringCount alerts_firing);

}  // namespace ttlink::links
