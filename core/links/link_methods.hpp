#pragma once
// The control methods of links: status, links.list, link.get, link.start,
// link.complete, link.reauth, link.unlink, link.check, link.refresh.
#include <functional>

#include "core/links/link_service.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::links {

// `alerts_firing` (may be empty) counts firing alerts for `status`: the
// alert engine lives above links, so it is handed in rather than reached.
void register_link_methods(rpc::Registry& registry, LinkService& service,
                           std::function<int()> alerts_firing = {});

}  // namespace ttlink::links
