#pragma once
// The Business Account itself: /business/get/.
#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

struct BusinessProfile {
  bool is_business_account = false;
  std::string username;
  std::string display_name;
  long long followers_count = 0;
  long long videos_count = 0;
  // Sums over the daily `metrics` upstream returns (the period it chooses).
  long long video_views = 0;
  long long likes = 0;
  long long comments = 0;
  long long shares = 0;
};

// The decoder behind business_profile(), from the envelope's `data`.
Result<BusinessProfile> decode_business_profile(const boost::json::object& data);

boost::asio::awaitable<Result<BusinessProfile>> business_profile(ApiClient& api,
                                                                 const Secret& access_token,
                                                                 const std::string& open_id);

}  // namespace ttlink::tiktok
