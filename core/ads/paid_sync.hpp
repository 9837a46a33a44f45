#pragma once
// The paid figures of a link's Spark Ads, read with its comments: one
// /report/integrated/get/ per link (per 100 ads) covering the last 30 dates,
// at most once per poll.comments_interval unless a person asks (ttlinkctl
// sync), through the same ApiClient and rate limiter as everything else.
// Upstream's answer replaces what is stored for those dates; older dates
// keep what was read while they were in the window.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ads/ads_context.hpp"
#include "core/tiktok/reports.hpp"

namespace ttlink::ads {

// 30 dates, both included, ending tomorrow (UTC): upstream dates reports in
// the advertiser's time zone, which may be a day ahead of UTC *(assumed:
// the zone itself is not applied)*.
struct ReportWindow {
  std::string first_day{};  // YYYY-MM-DD
  std::string last_day{};
};
ReportWindow report_window(TimePoint now);

// What the store keeps of upstream's rows.
std::vector<store::PaidDay> paid_days(const std::vector<tiktok::AdDayFigures>& rows);

class PaidSync {
 public:
  PaidSync(AdsContext& ctx, std::function<Seconds()> min_interval)
      : ctx_(ctx), min_interval_(std::move(min_interval)) {}

  // Reads and stores the figures of `spark_ad_ids` (the link's Spark Ads
  // upstream lists) and of the ads launched from the link. The rows stored,
  // or nullopt when nothing was asked (no ads, or read within the interval
  // and not `forced`).
  boost::asio::awaitable<Result<std::optional<int>>> sync(const store::LinkRecord& link,
                                                          const Secret& token,
                                                          std::vector<std::string> spark_ad_ids,
                                                          bool forced);

 private:
  bool due(const std::string& link_id, bool forced) const;
  Result<std::vector<std::string>> ad_ids_of(const std::string& link_id,
                                             std::vector<std::string> spark_ad_ids);

  AdsContext& ctx_;
  std::function<Seconds()> min_interval_;
  std::map<std::string, TimePoint> fetched_;  // link id -> last read
};

}  // namespace ttlink::ads
