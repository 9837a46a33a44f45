#pragma once
// Spark Ads posts of an advertiser and the ads built on them:
// /tt_video/list/ (post authorizations), /tt_video/info/, /tt_video/authorize/
// and /tt_video/unbind/ (a creator's post authorization code), and /ad/get/.
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

// /tt_video/info/: the post behind a post authorization code: a preview
// (NOT_USED) before the code is bound, IN_USE once bound to this advertiser.
// A post code lets anyone holding it promote the post: it is a Secret, sent
// as a query parameter only (never in a URL that is logged or shown).
boost::asio::awaitable<Result<PostAuthorization>> post_of_code(ApiClient& api, const Secret& token,
                                                               const std::string& advertiser_id,
                                                               const Secret& auth_code);
// The decoder behind post_of_code(): `data` is the item (item_info,
// auth_info, user_info, video_info).
Result<PostAuthorization> decode_code_info(const boost::json::object& data);
// /tt_video/authorize/: binds the code's post to the advertiser.
boost::asio::awaitable<Result<void>> authorize_post(ApiClient& api, const Secret& token,
                                                    const std::string& advertiser_id,
                                                    const Secret& auth_code);
// /tt_video/unbind/: removes a post from the advertiser.
boost::asio::awaitable<Result<void>> unbind_post(ApiClient& api, const Secret& token,
                                                 const std::string& advertiser_id,
                                                 const std::string& item_id);

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
