#pragma once
// An account's tokens kept fresh: refreshed ahead of expiry (or when told),
// one refresh per account at a time (a second would present a refresh token
// the first just rotated away), and every token upstream hands back is
// committed to the store before anyone uses it.
#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/config/config.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/util/clock.hpp"
#include "core/util/keyed_mutex.hpp"
#include "core/util/log.hpp"

namespace ttlink::links {

class AccountTokenKeeper {
 public:
  AccountTokenKeeper(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
                     Logger& log, Clock clock);

  // The account's tokens, refreshed first when the access token is within
  // refresh.before_expiry of its end, or when `force` is set.
  boost::asio::awaitable<Result<store::AccountTokens>> fresh(const std::string& open_id,
                                                             bool force);
  // Holds the account's lock (e.g. while new tokens from a code are stored).
  boost::asio::awaitable<KeyedMutex::Guard> lock(const std::string& open_id) {
    return locks_.lock(open_id);
  }

 private:
  boost::asio::awaitable<Result<store::AccountTokens>> refresh_locked(const std::string& open_id);

  store::Store& store_;
  tiktok::ApiClient& api_;
  const config::Config& config_;
  Logger& log_;
  Clock clock_;
  KeyedMutex locks_;  // key: open_id
};

}  // namespace ttlink::links
