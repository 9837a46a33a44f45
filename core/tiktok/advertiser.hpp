#pragma once
// Ads Manager accounts and Business Centers: /advertiser/info/, /bc/get/,
// /bc/asset/get/.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <string>
#include <vector>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

struct AdvertiserInfo {
  std::string advertiser_id;
  std::string name;
  std::string status;  // STATUS_ENABLE is the only operational one
  std::string role;    // ROLE_ADVERTISER, ... (account type, not permission)
  std::string currency;
  std::string timezone;
  std::string rejection_reason;
};

struct BusinessCenter {
  std::string bc_id;
  std::string name;
  std::string user_role;
};

struct BcAdvertiserAsset {
  std::string advertiser_id;
  std::string name;
  std::string advertiser_role;  // ADMIN | OPERATOR | ANALYST
};

boost::asio::awaitable<Result<std::vector<AdvertiserInfo>>> advertiser_info(
    ApiClient& api, const Secret& token, const std::vector<std::string>& advertiser_ids);
boost::asio::awaitable<Result<std::vector<BusinessCenter>>> business_centers(ApiClient& api,
                                                                             const Secret& token);
boost::asio::awaitable<Result<std::vector<BcAdvertiserAsset>>> bc_advertisers(
    ApiClient& api, const Secret& token, const std::string& bc_id);

// The decoders behind the calls above, from the envelope's `data` (or the
// pages' concatenated list): pure, so that fuzz targets reach them.
Result<std::vector<AdvertiserInfo>> decode_advertiser_info(const boost::json::object& data);
Result<std::vector<BusinessCenter>> decode_business_centers(const boost::json::array& list);
Result<std::vector<BcAdvertiserAsset>> decode_bc_advertisers(const boost::json::array& list);

// A human reading of a non-operational advertiser status.
std::string describe_advertiser_status(const std::string& status);

}  // namespace ttlink::tiktok
