#pragma once
// TikTok account (Business Account) authorization: /tt_user/oauth2/token/,
// /tt_user/oauth2/refresh_token/, /tt_user/oauth2/revoke/,
// /tt_user/token_info/get/. Access tokens live 24 h, refresh tokens 1 year;
// a refresh may rotate the refresh token (the caller persists it first).
#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/tiktok/api_client.hpp"
#include "core/util/time.hpp"

namespace ttlink::tiktok {

struct AccountGrant {
  Secret access_token;
  Secret refresh_token;
  Seconds expires_in{0};
  Seconds refresh_expires_in{0};
  std::string open_id;
  std::string scope;  // "a,b,c"
};

struct TokenInfo {
  std::string scope;
  std::string creator_id;
};

// The decoders behind the calls below, from the envelope's `data`. A grant
// missing any field is an error (a refresh token silently lost otherwise).
Result<AccountGrant> decode_account_grant(const boost::json::object& data, std::string_view path);
Result<TokenInfo> decode_token_info(const boost::json::object& data);

boost::asio::awaitable<Result<AccountGrant>> exchange_account_code(ApiClient& api,
                                                                   const Secret& code,
                                                                   const std::string& redirect_uri);
boost::asio::awaitable<Result<AccountGrant>> refresh_account_token(ApiClient& api,
                                                                   const Secret& refresh_token);
boost::asio::awaitable<Result<void>> revoke_account_token(ApiClient& api,
                                                          const Secret& access_token);
boost::asio::awaitable<Result<TokenInfo>> account_token_info(ApiClient& api,
                                                             const Secret& access_token);

}  // namespace ttlink::tiktok
