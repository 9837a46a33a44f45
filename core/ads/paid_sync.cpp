#include "core/ads/paid_sync.hpp"

#include <algorithm>

namespace ttlink::ads {
using boost::asio::awaitable;

namespace {
constexpr Seconds kDay{86400};
}  // namespace

ReportWindow report_window(TimePoint now) {
  const TimePoint last = now + kDay;
  const TimePoint first = last - kDay * (tiktok::kMaxReportDaysByDay - 1);
  return {format_tiktok_time(first).substr(0, 10), format_tiktok_time(last).substr(0, 10)};
}

std::vector<store::PaidDay> paid_days(const std::vector<tiktok::AdDayFigures>& rows) {
  std::vector<store::PaidDay> out;
  for (const auto& r : rows) {
    const tiktok::AdFigures& f = r.figures;
    out.push_back({r.ad_id, r.day,
                   store::PaidFigures{f.spend_micros, f.impressions, f.clicks, f.likes, f.comments,
                                      f.shares, f.follows, f.video_views, f.profile_visits}});
  }
  return out;
}

bool PaidSync::due(const std::string& link_id, bool forced) const {
  if (forced) return true;
  auto it = fetched_.find(link_id);
  return it == fetched_.end() || ctx_.clock() - it->second >= min_interval_();
}

Result<std::vector<std::string>> PaidSync::ad_ids_of(const std::string& link_id,
                                                     std::vector<std::string> ids) {
  auto launches = ctx_.store.ads().launches_of(link_id);
  if (!launches) return launches.error();
  for (const auto& l : *launches)
    if (!l.ad_id.empty()) ids.push_back(l.ad_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

awaitable<Result<std::optional<int>>> PaidSync::sync(const store::LinkRecord& link,
                                                     const Secret& token,
                                                     std::vector<std::string> spark_ad_ids,
                                                     bool forced) {
  if (!due(link.id, forced)) co_return std::optional<int>();
  auto ids = ad_ids_of(link.id, std::move(spark_ad_ids));
  if (!ids) co_return ids.error();
  if (ids->empty()) co_return std::optional<int>();
  const ReportWindow window = report_window(ctx_.clock());
  std::vector<store::PaidDay> days;
  for (std::size_t at = 0; at < ids->size(); at += tiktok::kMaxReportAdIds) {
    const auto end = ids->begin() + static_cast<std::ptrdiff_t>(
                                        std::min(ids->size(), at + tiktok::kMaxReportAdIds));
    const std::vector<std::string> chunk(ids->begin() + static_cast<std::ptrdiff_t>(at), end);
    auto rows = co_await tiktok::ad_figures_by_day(ctx_.api, token, link.advertiser_id, chunk,
                                                   window.first_day, window.last_day);
    if (!rows) co_return rows.error();
    for (auto& d : paid_days(*rows)) days.push_back(std::move(d));
  }
  auto stored =
      ctx_.store.ads().replace_paid_days(link.id, window.first_day, window.last_day, days);
  if (!stored) co_return stored.error();
  fetched_[link.id] = ctx_.clock();
  co_return std::optional<int>(static_cast<int>(days.size()));
}

}  // namespace ttlink::ads
