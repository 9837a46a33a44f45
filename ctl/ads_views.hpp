#pragma once
// Human views of the ads methods: identities.list (and, as the launch grows,
// the post codes, campaign creation and the paid report).
#include <boost/json/value.hpp>

#include <string>

namespace ttlink::ctl {

// One row per identity; the linked account's row is marked.
std::string identities_view(const boost::json::value& result);
// spark.authorize: the post, its creator and when the authorization ends.
std::string authorized_view(const boost::json::value& result);
std::string unbound_view(const boost::json::value& result);
// campaign.create: what exists now (or, for a dry run, the three requests).
std::string campaign_view(const boost::json::value& result);
// report.get: one row per date, then the total.
std::string report_view(const boost::json::value& result);

}  // namespace ttlink::ctl
