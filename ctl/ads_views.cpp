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

std::string authorized_view(const json::value& result) {
  const json::value& post = member(result, "post");
  const bool already =
      member(result, "already_bound").is_bool() && member(result, "already_bound").get_bool();
  std::string out = already ? "Already bound (nothing sent): post " : "Bound post ";
  out += field(post, "item_id") + " by @" + field(post, "creator") + " (" +
         field(post, "identity_type") + " identity " + field(post, "identity_id") + ")\n";
  out += "Text: " + truncate_to_width(field(post, "text"), 70) + "\n";
  out += "Authorization ends " + field(post, "auth_end_time") + " (" +
         field(post, "auth_code_status") +
         "); ttlinkd warns before it ends (ttlinkctl posts --expiring).\n";
  return out;
}

std::string unbound_view(const json::value& result) {
  return "Unbound post " + field(result, "item_id") + " from the advertiser of link " +
         field(result, "link_id") + ".\n";
}

namespace {

std::string dry_run_view(const json::value& result) {
  std::string out = "Dry run: nothing sent, nothing recorded. The requests, in order:\n";
  if (const json::array* requests = member(result, "requests").if_array())
    for (const auto& r : *requests)
      out += "\nPOST " + field(r, "path") + "\n" + pretty_json(member(r, "body")) + "\n";
  return out;
}

std::string launch_headline(const json::value& result) {
  const std::string status = field(result, "status");
  const std::string name = "Campaign \"" + field(result, "name") + "\"";
  if (status == "existing") return name + " exists already (nothing sent):\n";
  if (status == "resumed") {
    std::string steps;
    if (const json::array* created = member(result, "created").if_array())
      for (const auto& s : *created) steps += (steps.empty() ? "" : ", ") + cell(s);
    return name + ": finished a launch that had stopped half way (created now: " + steps + "):\n";
  }
  return name + " created:\n";
}

}  // namespace

std::string report_view(const json::value& result) {
  const json::array* days = member(result, "days").if_array();
  const std::string currency = field(result, "currency");
  if (!days || days->empty())
    return "No paid figures since " + field(result, "since") +
           " (read with the comments; ttlinkctl sync " + field(result, "link_id") +
           " reads them now).\n";
  Table table({"DATE", "SPEND " + currency, "IMPRESSIONS", "CLICKS", "VIDEO VIEWS", "LIKES",
               "COMMENTS", "SHARES", "FOLLOWS", "PROFILE VISITS"});
  auto add = [&](const std::string& label, const json::value& f) {
    table.add_row({label, amount(member(f, "spend")), field(f, "impressions"), field(f, "clicks"),
                   field(f, "video_views"), field(f, "likes"), field(f, "comments"),
                   field(f, "shares"), field(f, "follows"), field(f, "profile_visits")});
  };
  for (const auto& d : *days) add(field(d, "date"), d);
  add("total", member(result, "total"));
  return table.render();
}

std::string campaign_view(const json::value& result) {
  const json::value& dry = member(result, "dry_run");
  if (dry.is_bool() && dry.get_bool()) return dry_run_view(result);
  return launch_headline(result) + "  campaign  " + field(result, "campaign_id") +
         "\n  ad group  " + field(result, "adgroup_id") + "\n  Spark Ad  " +
         field(result, "ad_id") + ": post " + field(result, "item_id") + " as " +
         field(result, "identity_type") + " " + field(result, "identity_id") + "\n";
}

}  // namespace ttlink::ctl
