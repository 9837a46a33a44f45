#pragma once
// The control methods of links: status, links.list, link.get, link.start,
// link.complete, link.reauth, link.unlink, link.check, link.refresh.
#include "core/links/link_service.hpp"
#include "core/rpc/registry.hpp"

namespace ttlink::links {

void register_link_methods(rpc::Registry& registry, LinkService& service);

}  // namespace ttlink::links
