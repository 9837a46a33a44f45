#pragma once
// What `ttlinkctl campaign create` asks for, and the three requests that
// make it (campaign -> ad group -> Spark Ad), checked before any request is
// sent: each check that fails is a clear error and nothing is created.
// Pure: the facts (link, advertiser, posts, now) are handed in.
#include <optional>
#include <string>
#include <vector>

#include "core/store/records.hpp"
#include "core/store/spark_tables.hpp"
#include "core/tiktok/campaigns.hpp"
#include "core/util/result.hpp"

namespace ttlink::ads {

struct LaunchSpec {
  std::string link_id{};
  std::string name{};
  std::string objective{};  // REACH | TRAFFIC | VIDEO_VIEWS
  std::string item_id{};    // the post: the identity's own, or one bound by code
  std::optional<double> daily_budget{};
  std::optional<double> total_budget{};  // needs `end`
  std::optional<TimePoint> start{};      // none: now
  std::optional<TimePoint> end{};
  std::vector<std::string> location_ids{};  // none: kDefaultLocation
  std::string landing_url{};
  std::string call_to_action{};  // none: LEARN_MORE when there is a landing page
};

// Where an ad group is shown when the command names no location: the United
// States (GeoNames id 6252001, which TikTok's location ids follow) *(assumed)*.
inline constexpr const char* kDefaultLocation = "6252001";

// The spec as canonical JSON: a rerun under the same name must match it.
std::string spec_json(const LaunchSpec& spec);

struct LaunchFacts {
  store::LinkRecord link{};
  std::optional<store::AdvertiserRecord> advertiser{};  // its currency, for messages
  std::vector<store::PostRecord> posts{};               // the advertiser's, as last synced
  TimePoint now{};
};

struct LaunchPlan {
  tiktok::CampaignRequest campaign{};
  tiktok::AdgroupRequest adgroup{};  // campaign_id "" until the campaign exists
  tiktok::SparkAdRequest ad{};       // adgroup_id "" until the ad group exists
};

// The three requests (without request ids), or the first reason the launch
// cannot work: a link that is not ACTIVE or has no identity, a name out of
// bounds, an objective ttlink does not launch, a budget below TikTok's
// minimum, a schedule upstream refuses, a post the identity cannot use, a
// landing page that is not https (or missing for TRAFFIC).
Result<LaunchPlan> plan_launch(const LaunchSpec& spec, const LaunchFacts& facts);

// "30.00 USD".
std::string money(double amount, const std::string& currency);

}  // namespace ttlink::ads
