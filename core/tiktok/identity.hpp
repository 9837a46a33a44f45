#pragma once
// Identities of an Ads Manager account: /identity/get/. A linked Business
// Account shows up as TT_USER (or BC_AUTH_TT through a Business Center).
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/tiktok/api_client.hpp"

namespace ttlink::tiktok {

struct Identity {
  std::string identity_id;
  std::string identity_type;
  std::string display_name;
  std::string user_name;
  std::string available_status;  // AVAILABLE, NO_VALID_BIND_ACCOUNT, ...
  bool can_pull_video = false;   // its posts can be used in ads (the "video library")
};

boost::asio::awaitable<Result<std::vector<Identity>>> identities(ApiClient& api,
                                                                 const Secret& token,
                                                                 const std::string& advertiser_id,
                                                                 const std::string& identity_type);

// The decoder behind identities(), from the pages' concatenated list.
Result<std::vector<Identity>> decode_identities(const boost::json::array& list);

// identity_list carries no open_id: a linked account is matched to its
// identity by user name (tiktok-api.md marks this as assumed; it lives here
// alone so that it can change in one place).
std::optional<Identity> match_identity(const std::vector<Identity>& list,
                                       const std::string& username);

}  // namespace ttlink::tiktok
