#pragma once
// An account's tokens kept fresh: refreshed ahead of expiry (or when told),
// one refresh per account at a time (a second would present a refresh token
// the first just rotated away), and every token upstream hands back is
// committed to the store before anyone uses it.
//
// When that commit fails (a full disk, an I/O error), the old refresh token
// is already dead upstream: the new tokens are kept in memory, used, and
// committed by the next call that finds the store writable again; until
// then no further refresh is made (it would rotate a token that cannot be
// kept either). Only a restart before the store recovers loses them.
//
// A refresh commits its tokens to the WAL and waits for store::WalSync (an
// fdatasync on a worker thread, shared by the refreshes that committed
// meanwhile) before they are used or the refresh returns: durable as with
// synchronous=FULL, without the state thread blocking on the disk.
//
// A refresh token upstream refused (40103, 40105, 40107) is not presented again
// until the account is reauthorized (its stored refresh token changes) or a
// day has passed (to notice an upstream fix): before, every check of a
// REAUTH_REQUIRED link sent it again, more than once per interval.
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/config/config.hpp"
#include "core/store/store.hpp"
#include "core/store/wal_sync.hpp"
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
  // New tokens from a code, or a wipe, replace any waiting for the store.
  // Called with the account's lock held.
  void forget_uncommitted(const std::string& open_id) { uncommitted_.erase(open_id); }
  // Holds the account's lock (e.g. while new tokens from a code are stored).
  boost::asio::awaitable<KeyedMutex::Guard> lock(const std::string& open_id) {
    return locks_.lock(open_id);
  }

 private:
  // Refreshes `stored` (the account's current tokens, read under its lock).
  boost::asio::awaitable<Result<store::AccountTokens>> refresh_locked(
      const std::string& open_id, const store::AccountTokens& stored);
  // The account's current tokens: uncommitted ones (committed now if the
  // store takes them), else the store's. Called with the account's lock held.
  Result<std::optional<store::AccountTokens>> current(const std::string& open_id);
  // Commits refreshed tokens: in the WAL, then synced (see the top).
  boost::asio::awaitable<Result<void>> commit(const std::string& open_id,
                                              const store::AccountTokens& tokens);

  store::Store& store_;
  tiktok::ApiClient& api_;
  const config::Config& config_;
  Logger& log_;
  Clock clock_;
  KeyedMutex locks_;                                         // key: open_id
  std::map<std::string, store::AccountTokens> uncommitted_;  // key: open_id
  std::unique_ptr<store::WalSync> wal_;  // made on first use, on the state thread's executor
  struct Refusal {
    std::string token_hash;  // sha256 of the refused refresh token
    TimePoint at;
    Error error;  // upstream's answer, given again without asking
  };
  std::map<std::string, Refusal> refused_;  // key: open_id
};

}  // namespace ttlink::links
