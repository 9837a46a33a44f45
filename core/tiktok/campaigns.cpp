#include "core/tiktok/campaigns.hpp"

#include <boost/json/array.hpp>

#include <cstdint>

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

// tiktok-api.md: REACH -> REACH (with frequency), TRAFFIC -> CLICK with
// promotion_type WEBSITE, VIDEO_VIEWS -> ENGAGED_VIEW. The billing event of
// each goal is *(assumed)* there (CLICK->CPC, REACH->CPM, ENGAGED_VIEW->CPV),
// and so is REACH's frequency cap (3 per 7 days, Ads Manager's default).
// This function is the one place that holds it.
std::optional<Goal> goal_for(std::string_view objective) {
  if (objective == "REACH") return Goal{"REACH", "CPM", "", 3, 7};
  if (objective == "TRAFFIC") return Goal{"CLICK", "CPC", "WEBSITE", 0, 0};
  if (objective == "VIDEO_VIEWS") return Goal{"ENGAGED_VIEW", "CPV", "", 0, 0};
  return std::nullopt;
}

namespace {

void add_request_id(json::object& body, const std::string& request_id) {
  if (!request_id.empty()) body["request_id"] = request_id;
}

// A whole amount as an integer (30, not Boost.JSON's 3E1), cents as a number.
json::value amount(double value) {
  const double whole = static_cast<double>(static_cast<std::int64_t>(value));
  if (whole == value) return static_cast<std::int64_t>(value);
  return value;
}

}  // namespace

// The budget lives on the ad group; the campaign has none (BUDGET_MODE_INFINITE),
// so one amount on the command line means one limit upstream.
json::object campaign_body(const CampaignRequest& r) {
  json::object body;
  body["advertiser_id"] = r.advertiser_id;
  body["campaign_name"] = r.name;
  body["objective_type"] = r.objective;
  body["budget_mode"] = "BUDGET_MODE_INFINITE";
  body["operation_status"] = "ENABLE";
  add_request_id(body, r.request_id);
  return body;
}

json::object adgroup_body(const AdgroupRequest& r) {
  json::object body;
  body["advertiser_id"] = r.advertiser_id;
  body["campaign_id"] = r.campaign_id;
  body["adgroup_name"] = r.name;
  body["placement_type"] = "PLACEMENT_TYPE_NORMAL";
  body["placements"] = json::array{"PLACEMENT_TIKTOK"};
  json::array locations;
  for (const auto& l : r.location_ids) locations.emplace_back(l);
  body["location_ids"] = std::move(locations);
  body["budget_mode"] = r.budget_mode;
  body["budget"] = amount(r.budget);
  body["schedule_type"] = r.end ? "SCHEDULE_START_END" : "SCHEDULE_FROM_NOW";
  body["schedule_start_time"] = format_tiktok_time(r.start);
  if (r.end) body["schedule_end_time"] = format_tiktok_time(*r.end);
  body["optimization_goal"] = r.goal.optimization_goal;
  body["billing_event"] = r.goal.billing_event;
  if (!r.goal.promotion_type.empty()) body["promotion_type"] = r.goal.promotion_type;
  if (r.goal.frequency > 0) {
    body["frequency"] = r.goal.frequency;
    body["frequency_schedule"] = r.goal.frequency_schedule;
  }
  body["bid_type"] = "BID_TYPE_NO_BID";
  body["pacing"] = "PACING_MODE_SMOOTH";
  body["operation_status"] = "ENABLE";
  add_request_id(body, r.request_id);
  return body;
}

// A Spark creative: no video_id and no ad_text (the post shows as it is).
json::object ad_body(const SparkAdRequest& r) {
  json::object creative;
  creative["ad_name"] = r.name;
  creative["identity_type"] = r.identity_type;
  creative["identity_id"] = r.identity_id;
  creative["ad_format"] = "SINGLE_VIDEO";
  creative["tiktok_item_id"] = r.item_id;
  if (!r.call_to_action.empty()) creative["call_to_action"] = r.call_to_action;
  if (!r.landing_page_url.empty()) creative["landing_page_url"] = r.landing_page_url;
  json::object body;
  body["advertiser_id"] = r.advertiser_id;
  body["adgroup_id"] = r.adgroup_id;
  json::array creatives;
  creatives.push_back(std::move(creative));
  body["creatives"] = std::move(creatives);
  add_request_id(body, r.request_id);
  return body;
}

Result<std::string> decode_created_id(const json::object& data, std::string_view key,
                                      std::string_view path) {
  return id_field(data, key, path);
}

Result<std::string> decode_first_ad_id(const json::object& data) {
  static constexpr std::string_view kPath = "/ad/create/";
  auto ids = array_field(data, "ad_ids", kPath);
  if (!ids) return ids.error();
  if ((*ids)->empty()) return missing_field(kPath, "ad_ids[0]");
  auto id = id_value((*ids)->front());
  if (!id) return missing_field(kPath, "ad_ids[0]");
  return *id;
}

awaitable<Result<std::string>> create_campaign(ApiClient& api, const Secret& token,
                                               json::object body) {
  auto data = co_await api.post("/campaign/create/", body, &token);
  if (!data) co_return data.error();
  co_return decode_created_id(*data, "campaign_id", "/campaign/create/");
}

awaitable<Result<std::string>> create_adgroup(ApiClient& api, const Secret& token,
                                              json::object body) {
  auto data = co_await api.post("/adgroup/create/", body, &token);
  if (!data) co_return data.error();
  co_return decode_created_id(*data, "adgroup_id", "/adgroup/create/");
}

awaitable<Result<std::string>> create_ad(ApiClient& api, const Secret& token, json::object body) {
  auto data = co_await api.post("/ad/create/", body, &token);
  if (!data) co_return data.error();
  co_return decode_first_ad_id(*data);
}

}  // namespace ttlink::tiktok
