#pragma once
// Campaigns, ad groups and Spark Ads: the request bodies of /campaign/create/,
// /adgroup/create/ and /ad/create/, what each objective optimises and pays
// for, TikTok's minimum budgets, and the create calls (tiktok-api.md,
// "Campaigns, ad groups, ads, reports"). Every create carries a request_id:
// upstream answers a repeated id with the first call's data and creates
// nothing new.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tiktok/api_client.hpp"
#include "core/util/time.hpp"

namespace ttlink::tiktok {

// TikTok's help centre (not the API docs), in the account's currency units.
inline constexpr double kMinCampaignBudget = 50;
inline constexpr double kMinAdgroupDailyBudget = 20;  // a total budget: 20 x days
// schedule_start_time may be at most this far in the past.
inline constexpr Seconds kMaxStartInPast{12 * 3600};

// What an ad group of an objective optimises for and is billed by.
struct Goal {
  std::string optimization_goal;
  std::string billing_event;
  std::string promotion_type;  // "" when the objective needs none
  int frequency = 0;           // REACH only: impressions per person ...
  int frequency_schedule = 0;  // ... per this many days
};
// The objectives ttlinkctl launches: REACH, TRAFFIC, VIDEO_VIEWS; nullopt
// for any other.
std::optional<Goal> goal_for(std::string_view objective);

struct CampaignRequest {
  std::string advertiser_id{};
  std::string name{};
  std::string objective{};
  std::string request_id{};  // "" in a dry run
};

struct AdgroupRequest {
  std::string advertiser_id{};
  std::string campaign_id{};
  std::string name{};
  std::vector<std::string> location_ids{};
  std::string budget_mode{};  // BUDGET_MODE_DAY | BUDGET_MODE_TOTAL
  double budget = 0;
  TimePoint start{};
  std::optional<TimePoint> end{};  // SCHEDULE_START_END when set
  Goal goal{};
  std::string request_id{};
};

// One Spark Ad: the post shown as it is, under an identity.
struct SparkAdRequest {
  std::string advertiser_id{};
  std::string adgroup_id{};
  std::string name{};
  std::string identity_type{};  // TT_USER | BC_AUTH_TT | AUTH_CODE
  std::string identity_id{};
  std::string item_id{};
  std::string call_to_action{};    // "" leaves it out
  std::string landing_page_url{};  // "" leaves it out
  std::string request_id{};
};

// The JSON bodies, as sent (no secret: the token travels in a header).
boost::json::object campaign_body(const CampaignRequest& r);
boost::json::object adgroup_body(const AdgroupRequest& r);
boost::json::object ad_body(const SparkAdRequest& r);

// The create calls: the new object's id.
boost::asio::awaitable<Result<std::string>> create_campaign(ApiClient& api, const Secret& token,
                                                            boost::json::object body);
boost::asio::awaitable<Result<std::string>> create_adgroup(ApiClient& api, const Secret& token,
                                                           boost::json::object body);
boost::asio::awaitable<Result<std::string>> create_ad(ApiClient& api, const Secret& token,
                                                      boost::json::object body);

// The decoders behind them: data.campaign_id, data.adgroup_id, data.ad_ids[0].
Result<std::string> decode_created_id(const boost::json::object& data, std::string_view key,
                                      std::string_view path);
Result<std::string> decode_first_ad_id(const boost::json::object& data);

}  // namespace ttlink::tiktok
