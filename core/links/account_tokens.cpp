#include "core/links/account_tokens.hpp"

#include <boost/asio/this_coro.hpp>

#include "core/tiktok/oauth_account.hpp"
#include "core/util/random.hpp"
#include "core/util/shielded.hpp"

namespace ttlink::links {
using boost::asio::awaitable;

namespace {

// Tried again after this long even without a reauthorization.
constexpr Seconds kRefusalLasts{86400};

bool refuses_the_refresh_token(const Error& e) {
  return e.kind == ErrorKind::kUpstream &&
         (e.upstream_code == 40103 || e.upstream_code == 40105 || e.upstream_code == 40107);
}

}  // namespace

AccountTokenKeeper::AccountTokenKeeper(store::Store& store, tiktok::ApiClient& api,
                                       const config::Config& config, Logger& log, Clock clock)
    : store_(store), api_(api), config_(config), log_(log), clock_(std::move(clock)) {}

awaitable<Result<store::AccountTokens>> AccountTokenKeeper::fresh(const std::string& open_id,
                                                                  bool force) {
  auto guard = co_await locks_.lock(open_id);
  auto tokens = current(open_id);
  if (!tokens) co_return tokens.error();
  if (!tokens->has_value())
    co_return Error::not_found("no token stored for account " + open_id + "; reauthorize");
  if (!force && (*tokens)->access_expires_at - clock_() > config_.refresh.before_expiry)
    co_return std::move(**tokens);
  if (auto refusal = refused_.find(open_id); refusal != refused_.end()) {
    if (refusal->second.token_hash == sha256_hex((*tokens)->refresh_token.reveal()) &&
        clock_() - refusal->second.at < kRefusalLasts) {
      // upstream's answer as it was: the same reason, so no new state
      // change, audit row or alert event comes of it.
      co_return refusal->second.error;
    }
    refused_.erase(refusal);  // reauthorized, or a day has passed: ask again
  }
  if (uncommitted_.count(open_id))  // the store still refuses them: no new rotation
    co_return Error::storage("account " + open_id +
                             ": refreshed tokens are waiting for the store to take them");
  // Not cancelled by a shutdown once sent: see shielded().
  co_return co_await shielded(refresh_locked(open_id, **tokens));
}

Result<std::optional<store::AccountTokens>> AccountTokenKeeper::current(
    const std::string& open_id) {
  auto pending = uncommitted_.find(open_id);
  if (pending == uncommitted_.end()) return store_.tokens().account(open_id);
  if (auto r = store_.tokens().put_account(open_id, pending->second); !r)
    return std::optional<store::AccountTokens>(pending->second);  // still in memory only
  log_.info("token.committed_late", {{"open_id", open_id}});
  auto tokens = std::move(pending->second);
  uncommitted_.erase(pending);
  return std::optional<store::AccountTokens>(std::move(tokens));
}

// Called with the account's lock held.
awaitable<Result<store::AccountTokens>> AccountTokenKeeper::refresh_locked(
    const std::string& open_id, const store::AccountTokens& stored) {
  auto grant = co_await tiktok::refresh_account_token(api_, stored.refresh_token);
  if (!grant) {
    log_.warn("token.refresh_failed", {{"open_id", open_id}, {"error", grant.error().message}});
    if (refuses_the_refresh_token(grant.error()))
      refused_[open_id] = {sha256_hex(stored.refresh_token.reveal()), clock_(), grant.error()};
    co_return grant.error();
  }
  const TimePoint now = clock_();
  store::AccountTokens fresh{grant->access_token, grant->refresh_token, now + grant->expires_in,
                             now + grant->refresh_expires_in,
                             grant->scope.empty() ? stored.scope : grant->scope};
  // The old refresh token is dead upstream from now on: commit the new one
  // before anything else, or keep it until the store takes it.
  if (auto r = co_await commit(open_id, fresh); !r) {
    log_.error("token.commit_failed",
               {{"open_id", open_id},
                {"error", r.error().message},
                {"kept", "in memory until the store takes it; a restart before then loses it"}});
    uncommitted_[open_id] = fresh;
    co_return r.error();
  }
  log_.info("token.refreshed",
            {{"open_id", open_id}, {"access_expires_at", format_rfc3339(fresh.access_expires_at)}});
  co_return fresh;
}

awaitable<Result<void>> AccountTokenKeeper::commit(const std::string& open_id,
                                                   const store::AccountTokens& tokens) {
  if (auto r = store_.tokens().put_account_unsynced(open_id, tokens); !r) co_return r;
  if (!wal_)
    wal_ = std::make_unique<store::WalSync>(co_await boost::asio::this_coro::executor,
                                            store_.wal_path());
  co_return co_await wal_->sync();
}

}  // namespace ttlink::links
