#pragma once
// Spark Ads posts of an advertiser and the ads built on them:
// /tt_video/list/ (post authorizations) and /ad/get/.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/tiktok/api_client.hpp"
#include "core/util/time.hpp"

namespace ttlink::tiktok {

struct PostAuthorization {
  std::string item_id;
  std::string auth_code_status;  // auth_info.ad_auth_status: NOT_USED | IN_USE | EXPIRED | DELETED
  std::string identity_id;
  std::string identity_type;
  std::string tiktok_name;
  std::string text;
  std::optional<TimePoint> auth_start_time;
  std::optional<TimePoint> auth_end_time;
};

// Every page of /tt_video/list/.
boost::asio::awaitable<Result<std::vector<PostAuthorization>>> post_authorizations(
    ApiClient& api, const Secret& token, const std::string& advertiser_id);

// The decoder behind post_authorizations(), from the pages' concatenated list.
Result<std::vector<PostAuthorization>> decode_post_authorizations(const boost::json::array& list);

struct SparkAd {
  std::string ad_id;
  std::string adgroup_id;
  std::string identity_id;
  std::string identity_type;
  std::string tiktok_item_id;
};

// Every ad of the advertiser that promotes a TikTok post (a tiktok_item_id).
// The decoder behind spark_ads(), from the pages' concatenated list.
Result<std::vector<SparkAd>> decode_spark_ads(const boost::json::array& list);

boost::asio::awaitable<Result<std::vector<SparkAd>>> spark_ads(ApiClient& api, const Secret& token,
                                                               const std::string& advertiser_id);

}  // namespace ttlink::tiktok
