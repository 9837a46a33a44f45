#pragma once
// The params of the ads control methods, read with clear -32602 messages:
// ids are decimal strings (never parsed as numbers), a post code is a
// Secret from the moment it is read, and campaign.create's params become a
// LaunchSpec.
#include <boost/json/object.hpp>

#include <string>

#include "core/ads/launch_plan.hpp"
#include "core/rpc/registry.hpp"
#include "core/util/secret.hpp"

namespace ttlink::ads {

Result<std::string> link_id_param(const boost::json::object& params);
Result<std::string> item_id_param(const boost::json::object& params);
// The code is never echoed, not even in a parameter error.
Result<Secret> auth_code_param(const boost::json::object& params);
// campaign.create: link_id, name, objective, post, daily_budget | total_budget,
// start, end (RFC 3339, "YYYY-MM-DD HH:MM:SS" UTC, or a date), locations,
// landing_url, cta.
Result<LaunchSpec> launch_spec(const boost::json::object& params);
// report.get's `since` (default 7d) as its first date, YYYY-MM-DD (UTC).
Result<std::string> first_day_param(const boost::json::object& params, TimePoint now);

}  // namespace ttlink::ads
