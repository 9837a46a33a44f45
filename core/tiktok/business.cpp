#include "core/tiktok/business.hpp"

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
using boost::asio::awaitable;

namespace {
std::vector<std::string> profile_fields() {
  return {"is_business_account", "username", "display_name", "followers_count", "videos_count"};
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
  co_return BusinessProfile{*is_business, string_or(*data, "username"),
                            string_or(*data, "display_name"), int_or(*data, "followers_count", 0),
                            int_or(*data, "videos_count", 0)};
}

}  // namespace ttlink::tiktok
