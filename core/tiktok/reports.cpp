#include "core/tiktok/reports.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

#include "core/tiktok/fields.hpp"
#include "core/tiktok/paging.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kPath = "/report/integrated/get/";

bool digits_only(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A metric's value: a string as documented, a number tolerated; "-" or ""
// (no data) is 0.
std::optional<std::string> metric_text(const json::object& metrics, std::string_view key) {
  const auto* v = metrics.if_contains(key);
  if (!v || v->is_null()) return std::string("0");
  if (v->is_string()) {
    std::string s(v->get_string());
    return s.empty() || s == "-" ? "0" : s;
  }
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_double()) return json::serialize(*v);
  return std::nullopt;
}

Result<AdFigures> read_figures(const json::object& metrics) {
  AdFigures f;
  const std::vector<std::string>& names = report_metrics();
  std::int64_t* counts[] = {&f.impressions, &f.clicks,  &f.likes,       &f.comments,
                            &f.shares,      &f.follows, &f.video_views, &f.profile_visits};
  auto spend = metric_text(metrics, names[0]);
  auto micros = spend ? parse_money_micros(*spend) : std::nullopt;
  if (!micros) return missing_field(kPath, "metrics.spend");
  f.spend_micros = *micros;
  for (std::size_t i = 0; i < std::size(counts); ++i) {
    auto text = metric_text(metrics, names[i + 1]);
    auto n = text ? parse_count(*text) : std::nullopt;
    if (!n) return missing_field(kPath, "metrics." + names[i + 1]);
    *counts[i] = *n;
  }
  return f;
}

Result<AdDayFigures> read_row(const json::value& v) {
  if (!v.is_object()) return missing_field(kPath, "list[]");
  const auto* dims = v.get_object().if_contains("dimensions");
  const auto* metrics = v.get_object().if_contains("metrics");
  if (!dims || !dims->is_object()) return missing_field(kPath, "list[].dimensions");
  if (!metrics || !metrics->is_object()) return missing_field(kPath, "list[].metrics");
  auto ad_id = id_field(dims->get_object(), "ad_id", kPath);
  if (!ad_id) return ad_id.error();
  auto day = string_field(dims->get_object(), "stat_time_day", kPath);
  if (!day) return day.error();
  if (day->size() < 10) return missing_field(kPath, "dimensions.stat_time_day");
  auto figures = read_figures(metrics->get_object());
  if (!figures) return figures.error();
  return AdDayFigures{*ad_id, day->substr(0, 10), *figures};  // "YYYY-MM-DD 00:00:00"
}

}  // namespace

const std::vector<std::string>& report_metrics() {
  static const std::vector<std::string> kMetrics = {
      "spend",   "impressions",        "clicks",        "likes", "comments", "shares",
      "follows", "video_play_actions", "profile_visits"};
  return kMetrics;
}

std::optional<std::int64_t> parse_money_micros(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (!digits_only(whole) || (dot != std::string_view::npos && !digits_only(fraction)))
    return std::nullopt;
  if (whole.size() > 12) return std::nullopt;  // far beyond any spend
  if (fraction.size() > 6) fraction = fraction.substr(0, 6);
  std::string micros(fraction);
  micros.resize(6, '0');
  return *to_int(whole) * 1'000'000 + *to_int(micros);
}

std::optional<std::int64_t> parse_count(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (!digits_only(whole) || whole.size() > 18) return std::nullopt;
  if (dot != std::string_view::npos &&
      text.substr(dot + 1).find_first_not_of('0') != std::string_view::npos)
    return std::nullopt;  // a count with a fraction is not a count
  return to_int(whole);
}

Result<std::vector<AdDayFigures>> decode_ad_days(const json::array& list) {
  std::vector<AdDayFigures> out;
  for (const auto& v : list) {
    auto row = read_row(v);
    if (!row) return row.error();
    out.push_back(std::move(*row));
  }
  return out;
}

awaitable<Result<std::vector<AdDayFigures>>> ad_figures_by_day(
    ApiClient& api, const Secret& token, const std::string& advertiser_id,
    const std::vector<std::string>& ad_ids, const std::string& start_date,
    const std::string& end_date) {
  QueryParams query;
  query.emplace_back("advertiser_id", advertiser_id);
  query.emplace_back("report_type", "BASIC");
  query.emplace_back("data_level", "AUCTION_AD");
  query.emplace_back("dimensions", json_string_array({"ad_id", "stat_time_day"}));
  query.emplace_back("metrics", json_string_array(report_metrics()));
  query.emplace_back("start_date", start_date);
  query.emplace_back("end_date", end_date);
  query.emplace_back("filtering", "{\"ad_ids\":" + json_string_array(ad_ids) + "}");
  auto list = co_await get_all_pages(api, kPath, std::move(query), "list", &token, 1000);
  if (!list) co_return list.error();
  co_return decode_ad_days(*list);
}

}  // namespace ttlink::tiktok
