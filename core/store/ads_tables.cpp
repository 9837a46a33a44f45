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

#define TTLINK_PAID_SUMS                                                                      \
  "coalesce(sum(spend_micros), 0), coalesce(sum(impressions), 0), coalesce(sum(clicks), 0), " \
  "coalesce(sum(likes), 0), coalesce(sum(comments), 0), coalesce(sum(shares), 0), "           \
  "coalesce(sum(follows), 0), coalesce(sum(video_views), 0), coalesce(sum(profile_visits), 0)"
constexpr Sql kDeletePaidDays{"ads.delete_paid_days",
                              "DELETE FROM paid_figures WHERE link_id = ?1 AND day >= ?2 AND "
                              "day <= ?3"};
constexpr Sql kInsertPaidDay{
    "ads.insert_paid_day",
    "INSERT OR REPLACE INTO paid_figures (link_id, ad_id, day, spend_micros, impressions, clicks, "
    "likes, comments, shares, follows, video_views, profile_visits, updated_at) VALUES (?1, ?2, "
    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"};
constexpr Sql kPaidByDay{"ads.paid_by_day", "SELECT day, " TTLINK_PAID_SUMS
                                            " FROM paid_figures WHERE link_id = ?1 AND day >= ?2 "
                                            "GROUP BY day ORDER BY day"};
constexpr Sql kPaidTotal{"ads.paid_total",
                         "SELECT '', " TTLINK_PAID_SUMS " FROM paid_figures WHERE link_id = ?1"};
#undef TTLINK_PAID_SUMS

// A row of kPaidByDay or kPaidTotal: the day, then the sums.
PaidDay read_paid_sums(const sqlite::Statement& s) {
  PaidDay d;
  d.day = s.text(0);
  std::int64_t* fields[] = {
      &d.figures.spend_micros, &d.figures.impressions, &d.figures.clicks,
      &d.figures.likes,        &d.figures.comments,    &d.figures.shares,
      &d.figures.follows,      &d.figures.video_views, &d.figures.profile_visits};
  for (int i = 0; i < 9; ++i) *fields[i] = s.int64(i + 1);
  return d;
}

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

PaidFigures& PaidFigures::operator+=(const PaidFigures& o) {
  spend_micros += o.spend_micros;
  impressions += o.impressions;
  clicks += o.clicks;
  likes += o.likes;
  comments += o.comments;
  shares += o.shares;
  follows += o.follows;
  video_views += o.video_views;
  profile_visits += o.profile_visits;
  return *this;
}

Result<void> AdsTables::replace_paid_days(const std::string& link_id, const std::string& first_day,
                                          const std::string& last_day,
                                          const std::vector<PaidDay>& days) {
  return db_.in_transaction([&]() -> Result<void> {
    auto del = db_.statement(kDeletePaidDays);
    if (!del) return del.error();
    if (auto r = (*del)->bind(1, link_id).bind(2, first_day).bind(3, last_day).run(); !r) return r;
    for (const auto& d : days) {
      auto s = db_.statement(kInsertPaidDay);
      if (!s) return s.error();
      const PaidFigures& f = d.figures;
      (*s)->bind(1, link_id)
          .bind(2, d.ad_id)
          .bind(3, d.day)
          .bind(4, f.spend_micros)
          .bind(5, f.impressions)
          .bind(6, f.clicks)
          .bind(7, f.likes)
          .bind(8, f.comments)
          .bind(9, f.shares)
          .bind(10, f.follows)
          .bind(11, f.video_views)
          .bind(12, f.profile_visits)
          .bind(13, db_.now_unix());
      if (auto r = (*s)->run(); !r) return r;
    }
    return {};
  });
}

Result<std::vector<PaidDay>> AdsTables::paid_by_day(const std::string& link_id,
                                                    const std::string& first_day) {
  auto s = db_.statement(kPaidByDay);
  if (!s) return s.error();
  (*s)->bind(1, link_id).bind(2, first_day);
  return read_rows<PaidDay>(*s, read_paid_sums);
}

Result<PaidFigures> AdsTables::paid_total(const std::string& link_id) {
  auto s = db_.statement(kPaidTotal);
  if (!s) return s.error();
  (*s)->bind(1, link_id);
  auto row = read_optional<PaidDay>(*s, read_paid_sums);
  if (!row) return row.error();
  return *row ? (*row)->figures : PaidFigures{};
}

}  // namespace ttlink::store
