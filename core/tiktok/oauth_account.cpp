#include "core/tiktok/oauth_account.hpp"

#include "core/tiktok/fields.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

// Every field must be there: a grant without its refresh token would be a
// token silently lost, so such an answer is treated as a transient failure.
Result<AccountGrant> decode_account_grant(const json::object& data, std::string_view path) {
  auto access = string_field(data, "access_token", path);
  auto refresh = string_field(data, "refresh_token", path);
  auto open_id = id_field(data, "open_id", path);
  auto expires = int_field(data, "expires_in", path);
  auto refresh_expires = int_field(data, "refresh_token_expires_in", path);
  if (!access || access->empty()) return missing_field(path, "access_token");
  if (!refresh || refresh->empty()) return missing_field(path, "refresh_token");
  if (!open_id) return open_id.error();
  if (!expires || *expires <= 0) return missing_field(path, "expires_in");
  if (!refresh_expires || *refresh_expires <= 0)
    return missing_field(path, "refresh_token_expires_in");
  return AccountGrant{Secret(std::move(*access)), Secret(std::move(*refresh)),
                      Seconds{*expires},          Seconds{*refresh_expires},
                      std::move(*open_id),        string_or(data, "scope")};
}

Result<TokenInfo> decode_token_info(const json::object& data) {
  auto scope = string_field(data, "scope", "/tt_user/token_info/get/");
  if (!scope) return scope.error();
  return TokenInfo{std::move(*scope), string_or(data, "creator_id")};
}

awaitable<Result<AccountGrant>> exchange_account_code(ApiClient& api, const Secret& code,
                                                      const std::string& redirect_uri) {
  static constexpr std::string_view kPath = "/tt_user/oauth2/token/";
  json::object body{{"client_id", api.config().app_id},
                    {"client_secret", api.config().app_secret.reveal()},
                    {"grant_type", "authorization_code"},
                    {"auth_code", code.reveal()},
                    {"redirect_uri", redirect_uri}};
  auto data = co_await api.post(kPath, body, nullptr);
  if (!data) co_return data.error();
  co_return decode_account_grant(*data, kPath);
}

awaitable<Result<AccountGrant>> refresh_account_token(ApiClient& api, const Secret& refresh_token) {
  static constexpr std::string_view kPath = "/tt_user/oauth2/refresh_token/";
  json::object body{{"client_id", api.config().app_id},
                    {"client_secret", api.config().app_secret.reveal()},
                    {"grant_type", "refresh_token"},
                    {"refresh_token", refresh_token.reveal()}};
  auto data = co_await api.post(kPath, body, nullptr);
  if (!data) co_return data.error();
  co_return decode_account_grant(*data, kPath);
}

awaitable<Result<void>> revoke_account_token(ApiClient& api, const Secret& access_token) {
  json::object body{{"client_id", api.config().app_id},
                    {"client_secret", api.config().app_secret.reveal()},
                    {"access_token", access_token.reveal()}};
  auto data = co_await api.post("/tt_user/oauth2/revoke/", body, nullptr);
  if (!data) co_return data.error();
  co_return Result<void>{};
}

awaitable<Result<TokenInfo>> account_token_info(ApiClient& api, const Secret& access_token) {
  static constexpr std::string_view kPath = "/tt_user/token_info/get/";
  json::object body{{"app_id", api.config().app_id}, {"access_token", access_token.reveal()}};
  auto data = co_await api.post(kPath, body, nullptr);
  if (!data) co_return data.error();
  co_return decode_token_info(*data);
}

}  // namespace ttlink::tiktok
