#pragma once
// Paid figures of ads: /report/integrated/get/ (report_type BASIC,
// data_level AUCTION_AD, by ad and day). Metric values arrive as strings
// ("12.34", "1200") and are parsed here; money is kept in millionths so that
// sums are exact.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

// At most this many dates (both included) per request with stat_time_day.
inline constexpr int kMaxReportDaysByDay = 30;
// At most this many ad ids in filtering.ad_ids.
inline constexpr std::size_t kMaxReportAdIds = 100;

struct AdFigures {
  std::int64_t spend_micros = 0;  // account currency, millionths
  std::int64_t impressions = 0;
  std::int64_t clicks = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::int64_t shares = 0;
  std::int64_t follows = 0;
  std::int64_t video_views = 0;  // video_play_actions
  std::int64_t profile_visits = 0;
};

struct AdDayFigures {
  std::string ad_id{};
  std::string day{};  // YYYY-MM-DD (the advertiser's time zone upstream)
  AdFigures figures{};
};

// The metrics every request asks for, in AdFigures' order.
const std::vector<std::string>& report_metrics();

// "12.34" -> 12340000; "1200" -> 1200000000. Plain decimals only.
std::optional<std::int64_t> parse_money_micros(std::string_view text);
// "1200" (or "1200.0": some metrics arrive as decimals) -> 1200.
std::optional<std::int64_t> parse_count(std::string_view text);

// The rows of the pages' concatenated data.list (by ad_id and stat_time_day).
Result<std::vector<AdDayFigures>> decode_ad_days(const boost::json::array& list);

// Every page of the report of `ad_ids` (at most kMaxReportAdIds) for the
// dates `start_date`..`end_date` (YYYY-MM-DD, at most kMaxReportDaysByDay).
boost::asio::awaitable<Result<std::vector<AdDayFigures>>> ad_figures_by_day(
    ApiClient& api, const Secret& token, const std::string& advertiser_id,
    const std::vector<std::string>& ad_ids, const std::string& start_date,
    const std::string& end_date);

}  // namespace ttlink::tiktok
