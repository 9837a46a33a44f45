#include "core/tiktok/business.hpp"

#include <climits>

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {
std::vector<std::string> profile_fields() {
  return {"is_business_account", "username",     "display_name",
          "followers_count",     "videos_count", "metrics"};
}

// Upstream's figures are summed without overflow: an absurd count (up to
// 2^63 - 1, found by fuzz_business_profile) caps the sum instead of wrapping.
long long saturating_add(long long a, long long b) {
  long long sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? LLONG_MAX : LLONG_MIN;
  return sum;
}

// Adds up the daily metrics; a day missing a figure counts as 0.
void add_metrics(const json::object& data, BusinessProfile& p) {
  const auto* metrics = data.if_contains("metrics");
  if (!metrics || !metrics->is_array()) return;
  for (const auto& day : metrics->get_array()) {
    if (!day.is_object()) continue;
    const auto& d = day.get_object();
    p.video_views = saturating_add(p.video_views, int_or(d, "video_views", 0));
    p.likes = saturating_add(p.likes, int_or(d, "likes", 0));
    p.comments = saturating_add(p.comments, int_or(d, "comments", 0));
    p.shares = saturating_add(p.shares, int_or(d, "shares", 0));
  }
}
}  // namespace

Result<BusinessProfile> decode_business_profile(const json::object& data) {
  auto is_business = bool_field(data, "is_business_account", "/business/get/");
  if (!is_business) return is_business.error();
  BusinessProfile p;
  p.is_business_account = *is_business;
  p.username = string_or(data, "username");
  p.display_name = string_or(data, "display_name");
  p.followers_count = int_or(data, "followers_count", 0);
  p.videos_count = int_or(data, "videos_count", 0);
  add_metrics(data, p);
  return p;
}

awaitable<Result<BusinessProfile>> business_profile(ApiClient& api, const Secret& access_token,
                                                    const std::string& open_id) {
  static constexpr std::string_view kPath = "/business/get/";
  QueryParams query;
  query.emplace_back("business_id", open_id);
  query.emplace_back("fields", json_string_array(profile_fields()));
  auto data = co_await api.get(kPath, std::move(query), &access_token);
  if (!data) co_return data.error();
  co_return decode_business_profile(*data);
}

}  // namespace ttlink::tiktok
