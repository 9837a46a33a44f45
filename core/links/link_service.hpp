#pragma once
// The flows of a link: start, complete (callback or pasted code), check,
// refresh, reauthorize, unlink. Runs on the daemon's state thread; every
// upstream token is committed to the store before anything else uses it.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "core/config/config.hpp"
#include "core/events/link_event.hpp"
#include "core/links/account_tokens.hpp"
#include "core/links/attention.hpp"
#include "core/links/link_checks.hpp"
#include "core/links/link_checks_run.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/oauth_account.hpp"
#include "core/util/clock.hpp"
#include "core/util/keyed_mutex.hpp"
#include "core/util/log.hpp"

namespace ttlink::links {

// How long an authorization URL (and a PENDING link) lives: the auth code's
// own lifetime (tiktok-api.md: 1 hour).
inline constexpr Seconds kAuthorizationLifetime{3600};

// What a person must open to (re)authorize a link.
struct AuthorizationUrls {
  std::string link_id;
  LinkState state = LinkState::kPending;
  std::optional<std::string> advertiser_auth_url;  // null when that half is authorized
  std::optional<std::string> account_auth_url;
  TimePoint expires_at{};
};

struct Completion {
  store::LinkRecord link;
  store::AuthKind kind = store::AuthKind::kAccount;
  // Where the person goes next: the account's page after the advertiser's,
  // when an action link found both halves needing authorization.
  std::optional<std::string> next_url;
};

// Told of every state change inside the transaction that records it: an
// error from an observer undoes the change (nothing is recorded that the
// alerts did not take; the next check tries again).
using LinkObserver = std::function<Result<void>(const LinkEvent&)>;

class LinkService {
 public:
  LinkService(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
              Logger& log, Clock clock = now_utc);

  // A new link; `advertiser_id` may be empty (authorize the advertiser first).
  boost::asio::awaitable<Result<AuthorizationUrls>> start(std::string advertiser_id,
                                                          const store::Actor& actor);
  // New authorization URLs for an existing link; history is kept.
  boost::asio::awaitable<Result<AuthorizationUrls>> reauth(std::string link_id,
                                                           const store::Actor& actor);
  // The OAuth callback (or a pasted code): exchanges the code for tokens,
  // commits them, and checks the link once both halves are authorized.
  boost::asio::awaitable<Result<Completion>> complete(Secret code, std::string state,
                                                      const store::Actor& actor);
  // The user refused on the authorization page (error=access_denied).
  Result<store::LinkRecord> refuse(const std::string& state, const std::string& description,
                                   const store::Actor& actor);
  // Runs every prerequisite check now and records the resulting state.
  boost::asio::awaitable<Result<store::LinkRecord>> check(std::string link_id,
                                                          const store::Actor& actor);
  // The same for the scheduler: advertiser facts fetched this round for
  // another link of the same advertiser may serve (a person's check always
  // asks afresh).
  boost::asio::awaitable<Result<store::LinkRecord>> check_scheduled(std::string link_id,
                                                                    const store::Actor& actor);
  // Refreshes the account's access token now (rotating the refresh token);
  // audited with the caller.
  boost::asio::awaitable<Result<store::LinkRecord>> refresh(std::string link_id,
                                                            const store::Actor& actor);
  // The same for the scheduler: not audited. A routine refresh is neither a
  // state change nor a person's call (its log line and metrics say it), and
  // an audit row per link per day would grow the append-only log by ~36
  // million rows a year at 100,000 links.
  boost::asio::awaitable<Result<store::LinkRecord>> refresh_scheduled(std::string link_id,
                                                                      const store::Actor& actor);
  // Revokes upstream tokens no other link needs, wipes them, marks UNLINKED.
  boost::asio::awaitable<Result<store::LinkRecord>> unlink(std::string link_id,
                                                           const store::Actor& actor);

  // A working access token of the account (refreshed first when due), for
  // components that call the Accounts API (Spark Ads comments).
  boost::asio::awaitable<Result<Secret>> account_access_token(std::string open_id);

  // A PENDING link whose authorization was not completed within the auth
  // code's hour (no usable state left) becomes EXPIRED, with an audit entry.
  // True when it did.
  Result<bool> expire_if_abandoned(const store::LinkRecord& link);

  // Moves a link's next check and/or refresh (scheduler back-off).
  Result<void> reschedule(const std::string& link_id, std::optional<TimePoint> next_check,
                          std::optional<TimePoint> next_refresh);
  // Failures past the threshold: DEGRADED (only from a healthy state), the
  // alert saying whether checks or refreshes fail.
  Result<void> degrade(const std::string& link_id, const Reason& why, Trouble trouble);
  // An alert's action link was clicked: fresh authorization URLs for its
  // link, while the link still needs them (kNotFound once it is closed).
  boost::asio::awaitable<Result<AuthorizationUrls>> follow_action_link(std::string token,
                                                                       const store::Actor& actor);

  // URLs of a pending authorization issued by this process, if any.
  std::optional<AuthorizationUrls> pending_urls(const std::string& link_id) const;

  void on_state_change(LinkObserver observer) { observers_.push_back(std::move(observer)); }

  store::Store& store() { return store_; }
  const config::Config& config() const { return config_; }

  // Checks are planned at status_interval x stretch (>= 1) when the
  // interval does not fit in the request budget (ScheduleBudget).
  void set_interval_stretch(double stretch) { interval_stretch_ = stretch; }

 private:
  boost::asio::awaitable<Result<store::LinkRecord>> run_refresh(std::string link_id,
                                                                const store::Actor& actor,
                                                                bool audited);
  boost::asio::awaitable<Result<store::LinkRecord>> run_check(std::string link_id,
                                                              const store::Actor& actor,
                                                              bool shared);
  Result<AuthorizationUrls> issue_urls(const store::LinkRecord& link, bool advertiser, bool account,
                                       const store::Actor& actor);
  boost::asio::awaitable<Result<void>> complete_advertiser(store::LinkRecord& link,
                                                           const Secret& code,
                                                           const store::Actor& actor);
  boost::asio::awaitable<Result<void>> complete_account(store::LinkRecord& link, const Secret& code,
                                                        const store::Actor& actor);
  boost::asio::awaitable<Result<bool>> advertiser_half_valid(const store::LinkRecord& link);
  Result<void> record(store::LinkRecord& link, const Verdict& v, const store::Actor& actor);
  Result<void> record_check(store::LinkRecord& link, CheckFacts& seen,
                            const Result<Verdict>& verdict, const store::Actor& actor);
  Result<void> change_state(const store::LinkRecord& link, LinkState to, const Reason& reason,
                            const store::Actor& actor, Trouble trouble = Trouble::kChecks);
  Result<std::optional<std::string>> open_action_link(const std::string& link_id);
  Result<void> audit(const std::string& link_id, const store::Actor& actor, std::string action,
                     std::string message);
  bool both_halves_authorized(const store::LinkRecord& link);
  TimePoint next_check_time(TimePoint now);
  double interval_stretch_ = 1.0;

  store::Store& store_;
  tiktok::ApiClient& api_;
  const config::Config& config_;
  Logger& log_;
  Clock clock_;
  AccountTokenKeeper tokens_;
  LinkChecks checks_;
  KeyedMutex link_locks_;                            // key: link id; serialises flows of one link
  std::map<std::string, AuthorizationUrls> issued_;  // link id -> last URLs issued
  std::vector<LinkObserver> observers_;
  std::map<std::string, std::string> then_account_;  // link id -> account URL after the advertiser
  std::mt19937_64 rng_{std::random_device{}()};      // check-interval jitter
};

}  // namespace ttlink::links
