#include "core/tiktok/oauth_advertiser.hpp"

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

Result<AdvertiserGrant> decode_advertiser_grant(const json::object& data) {
  static constexpr std::string_view kPath = "/oauth2/access_token/";
  auto token = string_field(data, "access_token", kPath);
  if (!token || token->empty()) return missing_field(kPath, "access_token");
  AdvertiserGrant grant{Secret(std::move(*token)), {}};
  if (auto ids = array_field(data, "advertiser_ids", kPath)) {
    for (auto& v : **ids)
      if (auto id = id_value(v)) grant.advertiser_ids.push_back(*id);
  }
  return grant;
}

Result<std::vector<AuthorizedAdvertiser>> decode_authorized_advertisers(const json::object& data) {
  static constexpr std::string_view kPath = "/oauth2/advertiser/get/";
  auto list = array_field(data, "list", kPath);
  if (!list) return list.error();
  std::vector<AuthorizedAdvertiser> out;
  for (auto& item : **list) {
    if (!item.is_object()) return missing_field(kPath, "list[]");
    auto id = id_field(item.get_object(), "advertiser_id", kPath);
    if (!id) return id.error();
    out.push_back({*id, string_or(item.get_object(), "advertiser_name")});
  }
  return out;
}

awaitable<Result<AdvertiserGrant>> exchange_advertiser_code(ApiClient& api,
                                                            const Secret& auth_code) {
  static constexpr std::string_view kPath = "/oauth2/access_token/";
  json::object body{{"app_id", api.config().app_id},
                    {"secret", api.config().app_secret.reveal()},
                    {"auth_code", auth_code.reveal()}};
  auto data = co_await api.post(kPath, body, nullptr);
  if (!data) co_return data.error();
  co_return decode_advertiser_grant(*data);
}

awaitable<Result<std::vector<AuthorizedAdvertiser>>> authorized_advertisers(
    ApiClient& api, const Secret& access_token) {
  static constexpr std::string_view kPath = "/oauth2/advertiser/get/";
  QueryParams query;
  query.emplace_back("app_id", api.config().app_id);
  std::vector<SecretParam> secret_query;
  secret_query.push_back({"secret", &api.config().app_secret});
  auto data = co_await api.get(kPath, std::move(query), &access_token, std::move(secret_query));
  if (!data) co_return data.error();
  co_return decode_authorized_advertisers(*data);
}

awaitable<Result<void>> revoke_advertiser_token(ApiClient& api, const Secret& access_token) {
  json::object body{{"app_id", api.config().app_id},
                    {"secret", api.config().app_secret.reveal()},
                    {"access_token", access_token.reveal()}};
  auto data = co_await api.post("/oauth2/revoke_token/", body, nullptr);
  if (!data) co_return data.error();
  co_return Result<void>{};
}

}  // namespace ttlink::tiktok
