#include "core/links/account_tokens.hpp"

#include "core/tiktok/oauth_account.hpp"

namespace ttlink::links {
using boost::asio::awaitable;

AccountTokenKeeper::AccountTokenKeeper(store::Store& store, tiktok::ApiClient& api,
                                       const config::Config& config, Logger& log, Clock clock)
    : store_(store), api_(api), config_(config), log_(log), clock_(std::move(clock)) {}

awaitable<Result<store::AccountTokens>> AccountTokenKeeper::fresh(const std::string& open_id,
                                                                  bool force) {
  auto guard = co_await locks_.lock(open_id);
  auto tokens = store_.tokens().account(open_id);
  if (!tokens) co_return tokens.error();
  if (!tokens->has_value())
    co_return Error::not_found("no token stored for account " + open_id + "; reauthorize");
  if (!force && (*tokens)->access_expires_at - clock_() > config_.refresh.before_expiry)
    co_return std::move(**tokens);
  co_return co_await refresh_locked(open_id);
}

// Called with the account's lock held.
awaitable<Result<store::AccountTokens>> AccountTokenKeeper::refresh_locked(
    const std::string& open_id) {
  auto current = store_.tokens().account(open_id);
  if (!current) co_return current.error();
  if (!current->has_value())
    co_return Error::not_found("no token stored for account " + open_id + "; reauthorize");
  auto grant = co_await tiktok::refresh_account_token(api_, (*current)->refresh_token);
  if (!grant) {
    log_.warn("token.refresh_failed", {{"open_id", open_id}, {"error", grant.error().message}});
    co_return grant.error();
  }
  const TimePoint now = clock_();
  store::AccountTokens fresh{grant->access_token, grant->refresh_token, now + grant->expires_in,
                             now + grant->refresh_expires_in,
                             grant->scope.empty() ? (*current)->scope : grant->scope};
  // The old refresh token is dead upstream from now on: commit the new one
  // before anything else, or it is lost.
  if (auto r = store_.tokens().put_account(open_id, fresh); !r) co_return r.error();
  log_.info("token.refreshed",
            {{"open_id", open_id}, {"access_expires_at", format_rfc3339(fresh.access_expires_at)}});
  co_return fresh;
}

}  // namespace ttlink::links
