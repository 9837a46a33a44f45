#include "core/store/ads_tables.hpp"

namespace ttlink::store {

namespace {

#define TTLINK_LAUNCH_COLUMNS                                                                \
  "link_id, name, advertiser_id, objective, item_id, identity_type, identity_id, spec, "     \
  "campaign_request_id, adgroup_request_id, ad_request_id, campaign_id, adgroup_id, ad_id, " \
  "created_at, updated_at"
constexpr Sql kGetLaunch{"ads.get_launch", "SELECT " TTLINK_LAUNCH_COLUMNS
                                           " FROM launches WHERE link_id = ?1 AND name = ?2"};
constexpr Sql kLaunchesOf{"ads.launches_of",
                          "SELECT " TTLINK_LAUNCH_COLUMNS
                          " FROM launches WHERE link_id = ?1 ORDER BY created_at, name"};
constexpr Sql kInsertLaunch{"ads.insert_launch",
                            "INSERT INTO launches (" TTLINK_LAUNCH_COLUMNS
                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                            "?14, ?15, ?15)"};
#undef TTLINK_LAUNCH_COLUMNS
constexpr Sql kUpdateLaunchIds{"ads.update_launch_ids",
                               "UPDATE launches SET campaign_id = ?3, adgroup_id = ?4, ad_id = ?5, "
                               "updated_at = ?6 WHERE link_id = ?1 AND name = ?2"};

LaunchRecord read_launch(const sqlite::Statement& s) {
  LaunchRecord r;
  r.link_id = s.text(0);
  r.name = s.text(1);
  r.advertiser_id = s.text(2);
  r.objective = s.text(3);
  r.item_id = s.text(4);
  r.identity_type = s.text(5);
  r.identity_id = s.text(6);
  r.spec = s.text(7);
  r.campaign_request_id = s.text(8);
  r.adgroup_request_id = s.text(9);
  r.ad_request_id = s.text(10);
  r.campaign_id = s.text(11);
  r.adgroup_id = s.text(12);
  r.ad_id = s.text(13);
  r.created_at = from_unix(s.int64(14));
  r.updated_at = from_unix(s.int64(15));
  return r;
}

}  // namespace

Result<std::optional<LaunchRecord>> AdsTables::launch(const std::string& link_id,
                                                      const std::string& name) {
  auto s = db_.statement(kGetLaunch);
  if (!s) return s.error();
  (*s)->bind(1, link_id).bind(2, name);
  return read_optional<LaunchRecord>(*s, read_launch);
}

Result<void> AdsTables::insert_launch(const LaunchRecord& r) {
  auto s = db_.statement(kInsertLaunch);
  if (!s) return s.error();
  (*s)->bind(1, r.link_id)
      .bind(2, r.name)
      .bind(3, r.advertiser_id)
      .bind(4, r.objective)
      .bind(5, r.item_id)
      .bind(6, r.identity_type)
      .bind(7, r.identity_id)
      .bind(8, r.spec)
      .bind(9, r.campaign_request_id)
      .bind(10, r.adgroup_request_id)
      .bind(11, r.ad_request_id)
      .bind(12, r.campaign_id)
      .bind(13, r.adgroup_id)
      .bind(14, r.ad_id)
      .bind(15, db_.now_unix());
  return (*s)->run();
}

Result<void> AdsTables::update_launch_ids(const LaunchRecord& r) {
  auto s = db_.statement(kUpdateLaunchIds);
  if (!s) return s.error();
  (*s)->bind(1, r.link_id)
      .bind(2, r.name)
      .bind(3, r.campaign_id)
      .bind(4, r.adgroup_id)
      .bind(5, r.ad_id)
      .bind(6, db_.now_unix());
  return (*s)->run();
}

Result<std::vector<LaunchRecord>> AdsTables::launches_of(const std::string& link_id) {
  auto s = db_.statement(kLaunchesOf);
  if (!s) return s.error();
  (*s)->bind(1, link_id);
  return read_rows<LaunchRecord>(*s, read_launch);
}

}  // namespace ttlink::store
