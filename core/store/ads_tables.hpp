#pragma once
// The ads tables of the store (schema v6): the launches ttlinkctl campaign
// create makes (campaign -> ad group -> Spark Ad), keyed by (link, name),
// with one request_id per step and the ids upstream gave back, so that a
// rerun, or a run after one that failed half way, creates nothing twice.
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

 private:
  Connection& db_;
};

}  // namespace ttlink::store
