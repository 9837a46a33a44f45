// /report/integrated/get/: BASIC reports of ads (data_level AUCTION_AD) by
// ad_id, or by ad_id and stat_time_day, with figures from delivery.cpp.
// Metric values are strings, as TikTok sends them.
#include <algorithm>

#include "api.hpp"
#include "campaign_rules.hpp"
#include "delivery.hpp"

namespace sandbox {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxDaysByDay = 30;
constexpr std::int64_t kMaxDays = 365;
// Metrics when the call names none (assumed).
const std::vector<std::string> kDefaultMetrics = {"spend", "impressions"};

struct ReportQuery {
  bool by_day = false;
  bool lifetime = false;
  std::int64_t start = 0, end = 0;  // UTC day starts, inclusive
  std::vector<std::string> metrics;
  std::vector<std::string> ad_ids;  // empty: every ad
};

void check_kind(const ApiCall& call) {
  auto type = call.required("report_type");
  if (rules::one_of(type, {"AUDIENCE", "PLAYABLE_MATERIAL", "CATALOG", "BC", "TT_SHOP"}))
    throw ApiError{40009, "report_type " + type + " is not simulated by ttlink-sandbox"};
  if (type != "BASIC") throw ApiError{40002, "report_type: Not a valid report type."};
  auto level = call.required("data_level");
  if (rules::one_of(level, {"AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP"}))
    throw ApiError{40009, "data_level " + level + " is not simulated by ttlink-sandbox"};
  if (level != "AUCTION_AD") throw ApiError{40002, "data_level: Not a valid data level."};
}

bool read_dimensions(const ApiCall& call) {
  auto dims = call.string_list("dimensions", true);
  std::sort(dims.begin(), dims.end());
  if (dims == std::vector<std::string>{"ad_id"}) return false;
  if (dims == std::vector<std::string>{"ad_id", "stat_time_day"}) return true;
  throw ApiError{
      40002, "dimensions: Must be [\"ad_id\"] or [\"ad_id\", \"stat_time_day\"] at AUCTION_AD."};
}

void read_dates(const ApiCall& call, ReportQuery& q) {
  auto start = parse_tiktok_date(call.required("start_date"));
  auto end = parse_tiktok_date(call.required("end_date"));
  if (!start) throw ApiError{40002, "start_date: Not a valid date (YYYY-MM-DD)."};
  if (!end) throw ApiError{40002, "end_date: Not a valid date (YYYY-MM-DD)."};
  if (*end < *start) throw ApiError{40002, "end_date: Must not be before start_date."};
  auto days = (*end - *start) / kDay + 1;
  auto max = q.by_day ? kMaxDaysByDay : kMaxDays;
  if (days > max)
    throw ApiError{40002, "The time range cannot exceed " + std::to_string(max) + " days."};
  q.start = *start;
  q.end = *end;
}

ReportQuery read_query(const ApiCall& call) {
  check_kind(call);
  ReportQuery q;
  q.by_day = read_dimensions(call);
  q.metrics = call.string_list("metrics", false);
  if (q.metrics.empty()) q.metrics = kDefaultMetrics;
  for (const auto& m : q.metrics)
    if (!known_metric(m)) throw ApiError{40002, "metrics: " + m + " is not a valid metric."};
  auto lifetime = call.optional("query_lifetime", "false");
  if (lifetime != "true" && lifetime != "false")
    throw ApiError{40002, "query_lifetime: Must be true or false."};
  q.lifetime = lifetime == "true";
  if (q.lifetime && q.by_day)
    throw ApiError{40002, "query_lifetime: Cannot be used with the stat_time_day dimension."};
  if (!q.lifetime) read_dates(call, q);
  q.ad_ids = Filtering(call).ids("ad_ids");
  return q;
}

json::object report_row(const ReportQuery& q, const std::string& ad_id, const Figures& f,
                        std::int64_t day) {
  json::object dims{{"ad_id", ad_id}};
  if (q.by_day) dims["stat_time_day"] = tiktok_time(day);
  json::object metrics;
  for (const auto& m : q.metrics) metrics[m] = f.metric(m);
  return {{"dimensions", std::move(dims)}, {"metrics", std::move(metrics)}};
}

// The ad's rows: one per day with delivery, or one for the range (or the
// lifetime). Ads and days without delivery have no row (assumed: TikTok
// leaves empty rows out).
void add_rows(const World& w, const json::object& ad, const ReportQuery& q,
              std::vector<json::object>& out) {
  auto now = w.now();
  auto window = delivery_window(w, ad, now);
  if (window.empty()) return;
  auto rates = rates_of(w, ad);
  auto first = q.lifetime ? window.start - window.start % kDay : q.start;
  auto last = q.lifetime ? window.stop - 1 : q.end;
  auto ad_id = str_field(ad, "ad_id");
  Figures total;
  for (auto day = std::max(first, window.start - window.start % kDay);
       day <= last && day < window.stop; day += kDay) {
    auto f = day_figures(rates, window, day);
    if (q.by_day && !f.zero()) out.push_back(report_row(q, ad_id, f, day));
    total += f;
  }
  if (!q.by_day && !total.zero()) out.push_back(report_row(q, ad_id, total, 0));
}

json::value report_get(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto query = read_query(call);
  auto page = read_page(call, 1000);
  granted_advertiser(ctx, token, advertiser_id);
  const auto& ads = ctx.world.ads;
  std::vector<json::object> rows;
  for (auto i : ads.group(advertiser_id)) {
    const auto& ad = ads.rows()[i];
    if (query.ad_ids.empty() || contains(query.ad_ids, str_field(ad, "ad_id")))
      add_rows(ctx.world, ad, query, rows);
  }
  return paged(rows, page, "list");
}

}  // namespace

void add_report_routes(ApiRoutes& r) {
  r["/report/integrated/get/"] = {"GET", report_get};
}

}  // namespace sandbox
