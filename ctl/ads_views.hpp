#pragma once
// Human views of the ads methods: identities.list (and, as the launch grows,
// the post codes, campaign creation and the paid report).
#include <boost/json/value.hpp>

#include <string>

namespace ttlink::ctl {

// One row per identity; the linked account's row is marked.
std::string identities_view(const boost::json::value& result);

}  // namespace ttlink::ctl
