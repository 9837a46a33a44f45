#include "ctl/views.hpp"

#include <boost/json/object.hpp>

#include <utility>
#include <vector>

#include "core/util/link_state.hpp"
#include "ctl/render.hpp"

namespace ttlink::ctl {
namespace json = boost::json;
namespace {

std::string key_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : pairs)
    out += key + ":" + std::string(width - key.size() + 2, ' ') + value + "\n";
  return out;
}

// "40105 Access token is invalid", or "-".
std::string reason_text(const json::value& reason) {
  if (!reason.is_object()) return "-";
  const json::value& code = member(reason, "code");
  std::string message = field(reason, "message");
  bool has_code = !code.is_null() && !(code.is_int64() && code.as_int64() == 0);
  if (!has_code) return message;
  return message == "-" ? cell(code) : cell(code) + " " + message;
}

// "Brand Ads (7000000000000000001)": the name a person knows, the id scripts use.
std::string named(const json::value& obj, std::string_view name_key, std::string_view id_key,
                  std::string_view name_prefix = "") {
  std::string name = field(obj, name_key);
  std::string id = field(obj, id_key);
  if (name == "-") return id;
  if (id == "-") return std::string(name_prefix) + name;
  return std::string(name_prefix) + name + " (" + id + ")";
}

std::vector<std::string> attention_ids(const json::value& result) {
  std::vector<std::string> ids;
  if (const json::array* list = member(result, "needs_attention").if_array())
    for (const auto& id : *list) ids.push_back(cell(id));
  return ids;
}

}  // namespace

std::string state_of(const json::value& link) {
  const json::value& state = member(link, "state");
  return state.is_string() ? std::string(state.get_string()) : "";
}

bool state_needs_attention(const json::value& link) {
  auto state = parse_link_state(state_of(link));
  return state && needs_attention(*state);
}

namespace {

// Back-off windows and links waiting to retry ("" when none).
std::string retries_text(const json::value& retries) {
  std::string out;
  if (const json::array* open = member(retries, "backoffs").if_array())
    for (const auto& b : *open)
      out += "  back-off (" + field(b, "scope") +
             (field(b, "endpoint") == "-" ? "" : " " + field(b, "endpoint")) +
             "): " + field(b, "seconds_left") + " s left" +
             (field(b, "code") == "-" ? "" : ", " + field(b, "code") + " " + field(b, "reason")) +
             "\n";
  if (const json::array* failing = member(retries, "failing_links").if_array())
    for (const auto& f : *failing)
      out += "  link " + field(f, "id") + ": " + field(f, "failures") +
             " failures in a row, next try " + field(f, "next_check_at") + "\n";
  return out.empty() ? "" : "\nWaiting to retry (see ttlinkctl link show ID):\n" + out;
}

}  // namespace

std::string status_view(const json::value& result) {
  Table table({"STATE", "LINKS"});
  const json::value& counts = member(result, "links_by_state");
  for (LinkState s : kAllLinkStates)
    if (const json::value& n = member(counts, to_string(s)); !n.is_null())
      table.add_row({std::string(to_string(s)), cell(n)});
  if (const json::object* all = counts.if_object())  // states this ttlinkctl does not know yet
    for (const auto& [name, n] : *all)
      if (!parse_link_state(name)) table.add_row({sanitize(name), cell(n)});
  std::string out = table.empty() ? "No links.\n" : table.render();
  std::vector<std::string> ids = attention_ids(result);
  if (ids.empty()) {
    out += "\nNo link needs attention.\n";
  } else {
    out += "\nNeeds attention (see ttlinkctl link show ID):\n";
    for (const auto& id : ids) out += "  " + id + "\n";
  }
  out += retries_text(member(result, "retries"));
  const json::value& schedule = member(result, "schedule");
  if (const json::value& m = member(schedule, "message"); m.is_string() && !m.as_string().empty())
    out += "\nSchedule: " + sanitize(std::string(m.as_string())) + "\n";
  if (const json::value& lag = member(schedule, "lag_seconds");
      lag.is_int64() && lag.as_int64() > 0)
    out += "Behind schedule by " + field(schedule, "lag_seconds") + " s\n";
  const json::value& comments = member(result, "comments");
  if (const json::value& m = member(comments, "message"); m.is_string() && !m.as_string().empty())
    out += "\nComments: " + sanitize(std::string(m.as_string())) + "\n";
  if (const json::value& next = member(result, "next_refresh_at"); next.is_string())
    out += "\nNext token refresh: " + field(result, "next_refresh_at") + "\n";
  out += "\nAlerts firing: " + field(result, "alerts_firing") + "\n";
  out += "ttlinkd " + field(result, "version") + "\n";
  return out;
}

std::string links_view(const json::value& result) {
  const json::array* links = member(result, "links").if_array();
  if (!links || links->empty())
    return "No links. Start one with: ttlinkctl link start --advertiser ADVERTISER_ID\n";
  Table table({"ID", "ADVERTISER", "ACCOUNT", "STATE", "REASON", "NEXT-REFRESH"});
  for (const auto& link : *links)
    table.add_row({field(link, "id"), named(link, "advertiser_name", "advertiser_id"),
                   named(link, "username", "open_id", "@"), field(link, "state"),
                   reason_text(member(link, "reason")), field(link, "next_refresh_at")});
  return table.render();
}

std::string link_view(const json::value& link) {
  return key_values({
      {"Link", field(link, "id")},
      {"State", field(link, "state")},
      {"Reason", reason_text(member(link, "reason"))},
      {"Advertiser", named(link, "advertiser_name", "advertiser_id")},
      {"Account", named(link, "username", "open_id", "@")},
      {"Identity", named(link, "identity_type", "identity_id")},
      {"Next refresh", field(link, "next_refresh_at")},
      {"Refresh token expires", field(link, "refresh_token_expires_at")},
      {"Last check", field(link, "last_check_at")},
  });
}

// Organic figures next to what is promoted and what was paid (organic is
// absent before the first check).
std::string consolidated_view(const json::value& result) {
  const json::value& organic = member(result, "organic");
  const json::value& promoted = member(result, "promoted");
  std::string out;
  if (organic.is_object())
    out += "\nOrganic: " + field(organic, "followers") + " followers, " + field(organic, "videos") +
           " videos, " + field(organic, "video_views") + " views, " + field(organic, "likes") +
           " likes, " + field(organic, "comments") + " comments\n";
  if (promoted.is_object())
    out += std::string(organic.is_object() ? "" : "\n") + "Promoted: " + field(promoted, "posts") +
           " Spark Ads posts, " + field(promoted, "comments") + " comments (" +
           field(promoted, "unanswered") + " unanswered, " + field(promoted, "hidden") +
           " hidden)\n";
  if (const json::value& paid = member(result, "paid"); paid.is_object())
    out += "Paid: " + amount(member(paid, "spend")) + " " + field(paid, "currency") + " spent, " +
           field(paid, "impressions") + " impressions, " + field(paid, "clicks") + " clicks, " +
           field(paid, "video_views") + " video views, " + field(paid, "likes") + " likes, " +
           field(paid, "comments") + " comments, " + field(paid, "shares") + " shares, " +
           field(paid, "follows") + " follows, " + field(paid, "profile_visits") +
           " profile visits (ttlinkctl report --link " + field(member(result, "link"), "id") +
           ")\n";
  return out;
}

// Campaigns launched from the link (ttlinkctl campaign create).
std::string campaigns_view(const json::value& result) {
  const json::array* campaigns = member(result, "campaigns").if_array();
  if (!campaigns || campaigns->empty()) return "";
  Table table({"CAMPAIGN", "OBJECTIVE", "CAMPAIGN ID", "AD GROUP", "AD", "POST", "AS"});
  for (const auto& c : *campaigns) {
    const json::value& complete = member(c, "complete");
    const bool done = complete.is_bool() && complete.get_bool();
    table.add_row({truncate_to_width(field(c, "name"), 30), field(c, "objective"),
                   field(c, "campaign_id"), field(c, "adgroup_id"),
                   done ? field(c, "ad_id") : "(incomplete: rerun the command)",
                   field(c, "item_id"), field(c, "identity_type")});
  }
  return "\nCampaigns:\n" + table.render();
}

std::string link_details_view(const json::value& result) {
  const json::value& link = member(result, "link");
  std::string out = link_view(link);
  out +=
      key_values({{"Created", field(link, "created_at")}, {"Updated", field(link, "updated_at")}});
  out += consolidated_view(result);
  out += campaigns_view(result);
  if (const json::value& pending = member(result, "pending"); pending.is_object())
    out += "\nPending authorization (expires " + field(pending, "expires_at") + "):\n" +
           authorization_view(pending);
  const json::array* history = member(result, "history").if_array();
  if (history && !history->empty()) {
    Table table({"AT", "ACTOR", "ACTION", "FROM", "TO", "REASON"});
    for (const auto& entry : *history)
      table.add_row({field(entry, "at"), field(entry, "actor"), field(entry, "action"),
                     field(entry, "from_state"), field(entry, "to_state"),
                     reason_text(member(entry, "reason"))});
    out += "\nHistory:\n" + table.render();
  }
  return out;
}

std::string authorization_view(const json::value& result) {
  std::string out;
  if (const json::value& url = member(result, "advertiser_auth_url"); url.is_string())
    out += "Open this URL as an Ads Manager admin:\n  " + cell(url) + "\n";
  if (const json::value& url = member(result, "account_auth_url"); url.is_string())
    out += "Open this URL logged in as the TikTok Business Account:\n  " + cell(url) + "\n";
  return out;
}

std::string methods_view(const json::value& result) {
  Table table({"METHOD", "SUMMARY"});
  if (const json::array* methods = member(result, "methods").if_array())
    for (const auto& m : *methods) table.add_row({field(m, "name"), field(m, "summary")});
  return table.render();
}

}  // namespace ttlink::ctl

namespace ttlink::ctl {

std::string reload_view(const json::value& result) {
  std::string out = "Config reloaded.\n";
  if (const json::array* restart = member(result, "needs_restart").if_array();
      restart && !restart->empty()) {
    out += "Changed, but applied only after a restart:";
    for (const auto& key : *restart) out += " " + cell(key);
    out += "\n";
  }
  if (const json::array* warnings = member(result, "warnings").if_array())
    for (const auto& w : *warnings) out += "Warning: " + cell(w) + "\n";
  return out;
}

}  // namespace ttlink::ctl
