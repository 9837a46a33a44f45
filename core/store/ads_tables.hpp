#pragma once
// The ads tables of the store: the launches ttlinkctl campaign create makes
// (schema v7: campaign -> ad group -> Spark Ad), keyed by (link, name), with
// one request_id per step and the ids upstream gave back, so that a rerun, or
// a run after one that failed half way, creates nothing twice; and the paid
// figures of the link's Spark Ads per ad and day (schema v8).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/connection.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::store {

struct LaunchRecord {
  std::string link_id{};
  std::string name{};  // the campaign's name: unique per advertiser upstream
  std::string advertiser_id{};
  std::string objective{};
  std::string item_id{};
  std::string identity_type{};  // the ad's: the link's identity, or AUTH_CODE
  std::string identity_id{};
  std::string spec{};  // the command's settings (JSON): a rerun must ask for the same
  std::string campaign_request_id{};
  std::string adgroup_request_id{};
  std::string ad_request_id{};
  std::string campaign_id{};  // "" until created
  std::string adgroup_id{};
  std::string ad_id{};
  TimePoint created_at{};
  TimePoint updated_at{};

  bool complete() const { return !ad_id.empty(); }
};

struct PaidFigures {
  std::int64_t spend_micros = 0;  // account currency, millionths
  std::int64_t impressions = 0;
  std::int64_t clicks = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::int64_t shares = 0;
  std::int64_t follows = 0;
  std::int64_t video_views = 0;
  std::int64_t profile_visits = 0;

  PaidFigures& operator+=(const PaidFigures& o);
};

// One ad's figures of one day ("YYYY-MM-DD"); summed over ads when read back.
struct PaidDay {
  std::string ad_id{};
  std::string day{};
  PaidFigures figures{};
};

class AdsTables {
 public:
  explicit AdsTables(Connection& db) : db_(db) {}

  Result<std::optional<LaunchRecord>> launch(const std::string& link_id, const std::string& name);
  // A new launch (its request ids chosen, nothing created yet).
  Result<void> insert_launch(const LaunchRecord& r);
  // Stores the ids created so far (campaign_id, adgroup_id, ad_id).
  Result<void> update_launch_ids(const LaunchRecord& r);
  // The link's launches, oldest first.
  Result<std::vector<LaunchRecord>> launches_of(const std::string& link_id);

  // Replaces the link's figures of the days first_day..last_day by `days`
  // (upstream's report of those days is the whole truth about them).
  Result<void> replace_paid_days(const std::string& link_id, const std::string& first_day,
                                 const std::string& last_day, const std::vector<PaidDay>& days);
  // The link's figures per day from `first_day` on, summed over its ads
  // (ad_id ""), oldest first.
  Result<std::vector<PaidDay>> paid_by_day(const std::string& link_id,
                                           const std::string& first_day);
  // Everything stored for the link, summed.
  Result<PaidFigures> paid_total(const std::string& link_id);

 private:
  Connection& db_;
};

}  // namespace ttlink::store
