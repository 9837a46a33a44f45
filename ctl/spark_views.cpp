#include "ctl/spark_views.hpp"

#include <boost/json/object.hpp>

#include "ctl/render.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

std::string posts_view(const json::value& result) {
  const json::array* posts = member(result, "posts").if_array();
  if (!posts || posts->empty()) return "No Spark Ads posts.\n";
  Table table({"POST", "ADVERTISER", "LINK", "IDENTITY", "STATE", "AUTH ENDS"});
  for (const auto& p : *posts)
    table.add_row({field(p, "item_id"), field(p, "advertiser_id"), field(p, "link_id"),
                   field(p, "identity"), field(p, "state"), field(p, "auth_end_time")});
  return table.render();
}

std::string comments_view(const json::value& result) {
  const json::array* comments = member(result, "comments").if_array();
  if (!comments || comments->empty()) return "No comments.\n";
  Table table({"ID", "LINK", "POST", "AUTHOR", "CREATED", "STATUS", "TEXT"});
  for (const auto& c : *comments)
    table.add_row({field(c, "id"), field(c, "link_id"), field(c, "item_id"),
                   truncate_to_width(field(c, "author"), 24), field(c, "created_at"),
                   field(c, "status"), truncate_to_width(field(c, "text"), 60)});
  return table.render();
}

std::string comment_action_view(const json::value& result) {
  const json::value& c = member(result, "comment");
  std::string out = "Comment " + field(c, "id") + " is now " + field(c, "status");
  if (member(result, "reply_id").is_string()) out += " (reply " + field(result, "reply_id") + ")";
  return out + ".\n";
}

std::string sync_view(const json::value& result) {
  std::string out = "Synced " + field(result, "posts") + " post(s) and " +
                    field(result, "adgroups") + " ad group(s): " + field(result, "new_comments") +
                    " new comment(s) in " + field(result, "requests") + " request(s)";
  if (const json::value& paid = member(result, "paid_rows"); paid.is_int64())
    out += "; paid figures: " + cell(paid) + " ad-day row(s)";
  const json::value& more = member(result, "more");
  if (more.is_bool() && more.get_bool()) out += "; more to read (the daemon continues)";
  return out + ".\n";
}

}  // namespace ttlink::ctl
