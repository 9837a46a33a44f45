#pragma once
// Advertiser (Ads Manager) authorization: /oauth2/access_token/,
// /oauth2/advertiser/get/, /oauth2/revoke_token/. The advertiser access token
// does not expire; it stops working when revoked.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

struct AdvertiserGrant {
  Secret access_token;
  std::vector<std::string> advertiser_ids;
};

struct AuthorizedAdvertiser {
  std::string advertiser_id;
  std::string advertiser_name;
};

// The decoders behind the calls below, from the envelope's `data`.
Result<AdvertiserGrant> decode_advertiser_grant(const boost::json::object& data);
Result<std::vector<AuthorizedAdvertiser>> decode_authorized_advertisers(
    const boost::json::object& data);

boost::asio::awaitable<Result<AdvertiserGrant>> exchange_advertiser_code(ApiClient& api,
                                                                         const Secret& auth_code);
boost::asio::awaitable<Result<std::vector<AuthorizedAdvertiser>>> authorized_advertisers(
    ApiClient& api, const Secret& access_token);
boost::asio::awaitable<Result<void>> revoke_advertiser_token(ApiClient& api,
                                                             const Secret& access_token);

}  // namespace ttlink::tiktok
