#include "core/tiktok/business.hpp"

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {
std::vector<std::string> profile_fields() {
  return {"is_business_account", "username",     "display_name",
          "followers_count",     "videos_count", "metrics"};
}

// Adds up the daily metrics; a day missing a figure counts as 0.
void add_metrics(const json::object& data, BusinessProfile& p) {
  const auto* metrics = data.if_contains("metrics");
  if (!metrics || !metrics->is_array()) return;
  for (const auto& day : metrics->get_array()) {
    if (!day.is_object()) continue;
    const auto& d = day.get_object();
    p.video_views += int_or(d, "video_views", 0);
    p.likes += int_or(d, "likes", 0);
    p.comments += int_or(d, "comments", 0);
    p.shares += int_or(d, "shares", 0);
  }
}
}  // namespace

awaitable<Result<BusinessProfile>> business_profile(ApiClient& api, const Secret& access_token,
                                                    const std::string& open_id) {
  static constexpr std::string_view kPath = "/business/get/";
  QueryParams query;
  query.emplace_back("business_id", open_id);
  query.emplace_back("fields", json_string_array(profile_fields()));
  auto data = co_await api.get(kPath, std::move(query), &access_token);
  if (!data) co_return data.error();
  auto is_business = bool_field(*data, "is_business_account", kPath);
  if (!is_business) co_return is_business.error();
  BusinessProfile p;
  p.is_business_account = *is_business;
  p.username = string_or(*data, "username");
  p.display_name = string_or(*data, "display_name");
  p.followers_count = int_or(*data, "followers_count", 0);
  p.videos_count = int_or(*data, "videos_count", 0);
  add_metrics(*data, p);
  co_return p;
}

}  // namespace ttlink::tiktok
