#pragma once
// The JSON a client sees for a link (product.md, `links` shape), built from
// the store. Never includes a token.
#include <boost/json/object.hpp>

#include "core/links/link_service.hpp"
#include "core/store/store.hpp"

namespace ttlink::links {

boost::json::object link_json(store::Store& store, const store::LinkRecord& link);
// The seed's "organic + paid" view: the account's figures from
// /business/get/ next to its promoted posts and their comments, and the
// campaigns launched from the link.
boost::json::object consolidated_json(store::Store& store, const store::LinkRecord& link);
// Paid figures as link.get and report.get show them: spend in the account's
// currency (a number), the counts as integers.
boost::json::object paid_json(const store::PaidFigures& f);
boost::json::object urls_json(const AuthorizationUrls& urls);
boost::json::object audit_json(const store::AuditEntry& e);

}  // namespace ttlink::links
