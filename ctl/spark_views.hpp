#pragma once
// Human views of the Spark Ads methods: posts.list, comments.list and the
// comment actions.
#include <boost/json/value.hpp>

#include <string>

namespace ttlink::ctl {

std::string posts_view(const boost::json::value& result);
// One row per comment; the text cut to one line of at most 60 columns
// (--json has it whole).
std::string comments_view(const boost::json::value& result);
std::string comment_action_view(const boost::json::value& result);
std::string sync_view(const boost::json::value& result);

}  // namespace ttlink::ctl
