#pragma once
// Human views of method results (status, links, one link, methods). Every
// piece of daemon text goes through render.hpp's sanitising; a missing field
// shows as "-" rather than failing.
#include <boost/json/value.hpp>

#include <string>

namespace ttlink::ctl {

std::string status_view(const boost::json::value& result);
std::string links_view(const boost::json::value& result);
// The fields of one link (link.get's "link", or the "link" of other results).
std::string link_view(const boost::json::value& link);
// link.get's whole result: the link, its pending authorization, its history.
std::string link_details_view(const boost::json::value& result);
// link.start / link.reauth: the URLs to open, each with what to do.
std::string authorization_view(const boost::json::value& result);
std::string methods_view(const boost::json::value& result);
std::string reload_view(const boost::json::value& result);

// The link's state, "" when absent; true when a person must act on it.
std::string state_of(const boost::json::value& link);
bool state_needs_attention(const boost::json::value& link);

}  // namespace ttlink::ctl
