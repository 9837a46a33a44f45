#include "ctl/ads_views.hpp"

#include <boost/json/object.hpp>

#include "ctl/render.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

std::string yes_no(const json::value& v) {
  return v.is_bool() ? (v.get_bool() ? "yes" : "no") : "-";
}

}  // namespace

std::string identities_view(const json::value& result) {
  const json::array* list = member(result, "identities").if_array();
  if (!list || list->empty())
    return "No TT_USER or BC_AUTH_TT identity: link the TikTok account to the advertiser in Ads "
           "Manager.\n";
  Table table({"", "IDENTITY", "TYPE", "USER", "NAME", "STATUS", "CAN PULL VIDEO"});
  bool any_linked = false;
  for (const auto& i : *list) {
    const bool linked = member(i, "linked").is_bool() && member(i, "linked").get_bool();
    any_linked = any_linked || linked;
    table.add_row({linked ? "*" : "", field(i, "identity_id"), field(i, "identity_type"),
                   "@" + field(i, "user_name"), field(i, "display_name"),
                   field(i, "available_status"), yes_no(member(i, "can_pull_video"))});
  }
  return table.render() + (any_linked ? "* the link's account\n"
                                      : "The link's account is not among them: ttlinkctl check " +
                                            field(result, "link_id") + "\n");
}

}  // namespace ttlink::ctl
