#include "core/links/link_service.hpp"

#include "core/links/authorization_url.hpp"
#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/envelope.hpp"
#include "core/tiktok/identity.hpp"
#include "core/tiktok/oauth_account.hpp"
#include "core/tiktok/oauth_advertiser.hpp"
#include "core/util/random.hpp"
#include "core/util/shielded.hpp"

namespace ttlink::links {
using boost::asio::awaitable;
using store::Actor;
using store::AuthKind;
using store::LinkRecord;

namespace {

bool is_live(const LinkRecord& link) {
  return link.state != LinkState::kUnlinked;
}

Reason reason_of(const Verdict& v) {
  return {v.code, v.message, v.request_id};
}

}  // namespace

LinkService::LinkService(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
                         Logger& log, Clock clock)
    : store_(store),
      api_(api),
      config_(config),
      log_(log),
      clock_(std::move(clock)),
      tokens_(store, api, config, log, clock_),
      checks_(store, api, config, clock_, tokens_) {}

// ---- start / reauth -------------------------------------------------------

awaitable<Result<AuthorizationUrls>> LinkService::start(std::string advertiser_id,
                                                        const Actor& actor) {
  auto link = store_.links().create(advertiser_id, actor);
  if (!link) co_return link.error();
  bool have_advertiser = false;
  if (!advertiser_id.empty()) {
    auto token = store_.tokens().advertiser(advertiser_id);
    if (!token) co_return token.error();
    have_advertiser = token->has_value();
  }
  log_.info("link.start", {{"link", link->id}, {"advertiser", advertiser_id}});
  co_return issue_urls(*link, !have_advertiser, true, actor);
}

awaitable<Result<AuthorizationUrls>> LinkService::reauth(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.links().get(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link))
    co_return Error::conflict("link " + link_id + " is unlinked; start a new one");
  if (link->state == LinkState::kExpired) {
    if (auto r =
            change_state(*link, LinkState::kPending, {0, "authorization started again", ""}, actor);
        !r)
      co_return r.error();
    link->state = LinkState::kPending;
  }
  auto advertiser_ok = co_await advertiser_half_valid(*link);
  bool need_advertiser = !advertiser_ok || !*advertiser_ok;
  if (auto a = audit(link_id, actor, "link.reauth", "new authorization issued"); !a)
    co_return a.error();
  co_return issue_urls(*link, need_advertiser, true, actor);
}

// True when the stored advertiser token still manages the link's advertiser.
// A transient failure counts as "valid": only a definite refusal asks a
// person to authorize the advertiser again.
awaitable<Result<bool>> LinkService::advertiser_half_valid(const LinkRecord& link) {
  if (link.advertiser_id.empty()) co_return false;
  auto token = store_.tokens().advertiser(link.advertiser_id);
  if (!token) co_return token.error();
  if (!token->has_value()) co_return false;
  auto list = co_await tiktok::authorized_advertisers(api_, **token);
  if (!list) co_return !judge_upstream_error(list.error()).has_value();
  for (const auto& a : *list)
    if (a.advertiser_id == link.advertiser_id) co_return true;
  co_return false;
}

Result<AuthorizationUrls> LinkService::issue_urls(const LinkRecord& link, bool advertiser,
                                                  bool account, const Actor& actor) {
  (void)actor;
  if (auto r = store_.auth().cancel_pending(link.id); !r) return r.error();
  const TimePoint now = clock_();
  AuthorizationUrls urls{link.id, link.state, std::nullopt, std::nullopt,
                         now + kAuthorizationLifetime};
  auto add = [&](AuthKind kind) -> Result<std::string> {
    std::string state = random_hex(32);
    store::PendingAuth p{sha256_hex(state), link.id, kind, now, urls.expires_at, std::nullopt};
    if (auto r = store_.auth().add_pending(p); !r) return r.error();
    return kind == AuthKind::kAdvertiser ? advertiser_authorization_url(config_, state)
                                         : account_authorization_url(config_, state);
  };
  if (advertiser) {
    auto url = add(AuthKind::kAdvertiser);
    if (!url) return url.error();
    urls.advertiser_auth_url = *url;
  }
  if (account) {
    auto url = add(AuthKind::kAccount);
    if (!url) return url.error();
    urls.account_auth_url = *url;
  }
  issued_[link.id] = urls;
  return urls;
}

std::optional<AuthorizationUrls> LinkService::pending_urls(const std::string& link_id) const {
  auto it = issued_.find(link_id);
  if (it == issued_.end() || it->second.expires_at <= clock_()) return std::nullopt;
  return it->second;
}

// ---- complete --------------------------------------------------------------

awaitable<Result<Completion>> LinkService::complete(Secret code, std::string state,
                                                    const Actor& actor) {
  if (code.empty()) co_return Error::invalid("the authorization code is empty");
  if (state.empty()) co_return Error::invalid("the state is empty");
  auto pending = store_.auth().consume_pending(sha256_hex(state), clock_());
  if (!pending) co_return pending.error();
  auto guard = co_await link_locks_.lock(pending->link_id);
  auto link = store_.links().get(pending->link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link->id + " was unlinked");
  // Not a conditional expression: GCC 12 miscompiles co_await inside ?: (the
  // coroutine frame is corrupted when one branch fails).
  // The code is spent once sent: a shutdown waits for the tokens it buys.
  Result<void> done;
  if (pending->kind == AuthKind::kAdvertiser) {
    done = co_await shielded(complete_advertiser(*link, code, actor));
  } else {
    done = co_await shielded(complete_account(*link, code, actor));
  }
  if (!done) co_return done.error();
  if (both_halves_authorized(*link)) {
    CheckFacts seen;
    auto verdict = co_await checks_.run(*link, seen);
    if (!verdict)
      log_.warn("link.check.transient", {{"link", link->id}, {"error", verdict.error().message}});
    if (auto r = record_check(*link, seen, verdict, actor); !r) co_return r.error();
  }
  issued_.erase(link->id);
  Completion completed{*link, pending->kind, std::nullopt};
  if (auto next = then_account_.find(link->id); next != then_account_.end()) {
    if (pending->kind == AuthKind::kAdvertiser) completed.next_url = next->second;
    then_account_.erase(next);
  }
  co_return completed;
}

Result<LinkRecord> LinkService::refuse(const std::string& state, const std::string& description,
                                       const Actor& actor) {
  auto pending = store_.auth().consume_pending(sha256_hex(state), clock_());
  if (!pending) return pending.error();
  auto link = store_.links().get(pending->link_id);
  if (!link) return link.error();
  std::string why = "authorization refused on the TikTok page" +
                    (description.empty() ? std::string() : ": " + description);
  if (auto a = audit(link->id, actor, "link.refused", why); !a) return a.error();
  issued_.erase(link->id);
  return *link;
}

awaitable<Result<void>> LinkService::complete_advertiser(LinkRecord& link, const Secret& code,
                                                         const Actor& actor) {
  auto grant = co_await tiktok::exchange_advertiser_code(api_, code);
  if (!grant) co_return grant.error();
  std::string chosen = link.advertiser_id;
  bool granted = false;
  for (const auto& id : grant->advertiser_ids) granted = granted || id == chosen;
  if (chosen.empty() && grant->advertiser_ids.size() == 1) {
    chosen = grant->advertiser_ids.front();
    granted = true;
  }
  if (!granted) {
    // Not ours to keep: revoke it rather than leave an orphan token upstream.
    co_await tiktok::revoke_advertiser_token(api_, grant->access_token);
    std::string ids;
    for (const auto& id : grant->advertiser_ids) ids += (ids.empty() ? "" : ", ") + id;
    co_return Error::conflict(chosen.empty()
                                  ? "the authorization granted several advertisers (" + ids +
                                        "); start again with --advertiser ID"
                                  : "the authorization did not grant advertiser " + chosen +
                                        " (granted: " + (ids.empty() ? "none" : ids) + ")");
  }
  // Durable before anything else happens.
  if (auto r = store_.tokens().put_advertiser(chosen, grant->access_token); !r) co_return r.error();
  link.advertiser_id = chosen;
  if (auto r = store_.links().update(link); !r) co_return r.error();
  log_.info("link.advertiser_authorized", {{"link", link.id}, {"advertiser", chosen}});
  co_return audit(link.id, actor, "link.advertiser_authorized", "advertiser " + chosen);
}

awaitable<Result<void>> LinkService::complete_account(LinkRecord& link, const Secret& code,
                                                      const Actor& actor) {
  auto grant = co_await tiktok::exchange_account_code(api_, code, config_.callback.public_url);
  if (!grant) co_return grant.error();
  const TimePoint now = clock_();
  store::AccountTokens tokens{grant->access_token, grant->refresh_token, now + grant->expires_in,
                              now + grant->refresh_expires_in, grant->scope};
  if (!link.open_id.empty() && link.open_id != grant->open_id) {
    co_await tiktok::revoke_account_token(api_, grant->access_token);
    co_return Error::conflict(
        "the authorization was for another TikTok account than the one "
        "this link uses; log in as that account and try again");
  }
  auto guard = co_await tokens_.lock(grant->open_id);
  // Durable before anything else happens.
  if (auto r = store_.tokens().put_account(grant->open_id, tokens); !r) co_return r.error();
  tokens_.forget_uncommitted(grant->open_id);
  link.open_id = grant->open_id;
  link.next_refresh_at = tokens.access_expires_at - config_.refresh.before_expiry;
  if (auto r = store_.links().update(link); !r) co_return r.error();
  log_.info("link.account_authorized", {{"link", link.id}, {"open_id", link.open_id}});
  co_return audit(link.id, actor, "link.account_authorized", "account " + link.open_id);
}

bool LinkService::both_halves_authorized(const LinkRecord& link) {
  if (link.advertiser_id.empty() || link.open_id.empty()) return false;
  auto token = store_.tokens().advertiser(link.advertiser_id);
  return token && token->has_value();
}

// ---- check -----------------------------------------------------------------

awaitable<Result<LinkRecord>> LinkService::check(std::string link_id, const Actor& actor) {
  co_return co_await run_check(std::move(link_id), actor, false);
}

awaitable<Result<LinkRecord>> LinkService::check_scheduled(std::string link_id,
                                                           const Actor& actor) {
  co_return co_await run_check(std::move(link_id), actor, true);
}

awaitable<Result<LinkRecord>> LinkService::run_check(std::string link_id, const Actor& actor,
                                                     bool shared) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.links().get(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link_id + " is unlinked");
  if (!both_halves_authorized(*link))
    co_return Error::conflict("link " + link_id + " is not authorized yet; complete or reauth it");
  CheckFacts seen;
  auto verdict = co_await checks_.run(*link, seen, shared);
  if (auto r = record_check(*link, seen, verdict, actor); !r) co_return r.error();
  if (!verdict) co_return verdict.error();
  co_return *link;
}

// What the check learned and what it decided, in one transaction. Routine
// writes: they join the store's open batch and commit with the next
// checks' (a state change and its alert commit when this ends; see
// store/connection.hpp). A check upstream could not finish keeps the link's
// state and notes when it was tried.
Result<void> LinkService::record_check(LinkRecord& link, CheckFacts& seen,
                                       const Result<Verdict>& verdict, const Actor& actor) {
  return store_.routine([&]() -> Result<void> {
    if (auto r = checks_.write_facts(seen); !r) return r;
    if (verdict) return record(link, *verdict, actor);
    link.last_check_at = clock_();
    return store_.links().update_schedule(link);
  });
}

Result<void> LinkService::record(LinkRecord& link, const Verdict& v, const Actor& actor) {
  const TimePoint now = clock_();
  link.last_check_at = now;
  link.next_check_at = next_check_time(now);
  if (auto r = store_.links().update_schedule(link); !r) return r.error();
  if (link.state == v.state && link.reason_message == v.message) return {};
  log_.info("link.state", {{"link", link.id},
                           {"from", to_string(link.state)},
                           {"to", to_string(v.state)},
                           {"code", std::to_string(v.code)},
                           {"reason", v.message}});
  if (auto r = change_state(link, v.state, reason_of(v), actor, v.trouble); !r) return r.error();
  link.state = v.state;
  link.reason_code = v.code;
  link.reason_message = v.message;
  return {};
}

// status_interval, give or take poll.jitter, so that links checked together
// drift apart instead of staying in lock step.
TimePoint LinkService::next_check_time(TimePoint now) {
  const double interval =
      static_cast<double>(config_.poll.status_interval.count()) * interval_stretch_;
  const double j = config_.poll.jitter;
  double factor = std::uniform_real_distribution<double>(1.0 - j, 1.0 + j)(rng_);
  return now + Seconds{std::max<long long>(1, static_cast<long long>(interval * factor))};
}

Result<bool> LinkService::expire_if_abandoned(const LinkRecord& link) {
  if (link.state != LinkState::kPending || clock_() < link.updated_at + kAuthorizationLifetime)
    return false;
  auto pending = store_.auth().pending_of(link.id);
  if (!pending) return pending.error();
  for (const auto& p : *pending)
    if (p.expires_at > clock_()) return false;  // a URL issued since still works
  const Reason why{0,
                   "the authorization was not completed within an hour; run ttlinkctl reauth " +
                       link.id + " to start again",
                   ""};
  log_.info("link.state", {{"link", link.id}, {"from", "PENDING"}, {"to", "EXPIRED"}});
  if (auto r = change_state(link, LinkState::kExpired, why, {"daemon"}); !r) return r.error();
  return true;
}

Result<void> LinkService::reschedule(const std::string& link_id,
                                     std::optional<TimePoint> next_check,
                                     std::optional<TimePoint> next_refresh) {
  auto link = store_.links().get(link_id);
  if (!link) return link.error();
  if (next_check) link->next_check_at = next_check;
  if (next_refresh) link->next_refresh_at = next_refresh;
  return store_.routine([&] { return store_.links().update_schedule(*link); });
}

Result<void> LinkService::degrade(const std::string& link_id, const Reason& why, Trouble trouble) {
  auto link = store_.links().get(link_id);
  if (!link) return link.error();
  const bool healthy = link->state == LinkState::kActive || link->state == LinkState::kExpiring;
  if (!healthy && link->state != LinkState::kDegraded) return {};
  log_.warn("link.state", {{"link", link_id},
                           {"from", to_string(link->state)},
                           {"to", "DEGRADED"},
                           {"reason", why.message}});
  return change_state(*link, LinkState::kDegraded, why, {"daemon"}, trouble);
}

// One transaction: the state and its audit entry, the link's action links
// (the old ones close: their alert resolves; a state that needs a person
// gets a new one), and the observers' writes (the alert and its outbox).
Result<void> LinkService::change_state(const LinkRecord& link, LinkState to, const Reason& reason,
                                       const Actor& actor, Trouble trouble) {
  return store_.in_transaction([&]() -> Result<void> {
    if (auto r = store_.links().transition(link.id, to, reason, actor); !r) return r;
    // A new reason for the same state keeps the link a person may hold.
    const bool same_state = link.state == to;
    if (!same_state)
      if (auto r = store_.auth().close_action_links(link.id); !r) return r;
    // Kinds a person fixes by authorizing again carry an action link.
    auto attention = attention_for(to, trouble, link.id, std::string());
    if (attention && attention->action.url) {
      attention->action.url.reset();
      if (!same_state) {
        auto url = open_action_link(link.id);
        if (!url) return url.error();
        attention->action.url = *url;
      }
    }
    auto facts = store_.links().facts(link);
    if (!facts) return facts.error();
    const LinkEvent event{std::move(*facts), link.state, to, reason, std::move(attention)};
    for (const auto& observer : observers_)
      if (auto r = observer(event); !r) return r;
    return {};
  });
}

// A new unguessable action link for the link: only its hash is stored.
Result<std::optional<std::string>> LinkService::open_action_link(const std::string& link_id) {
  const std::string token = random_hex(32);
  store::ActionLink a{sha256_hex(token), link_id, clock_(), std::nullopt};
  if (auto r = store_.auth().add_action_link(a); !r) return r.error();
  return std::optional<std::string>(action_link_url(config_, token));
}

awaitable<Result<AuthorizationUrls>> LinkService::follow_action_link(std::string token,
                                                                     const Actor& actor) {
  auto open = store_.auth().open_action_link(sha256_hex(token));
  if (!open) co_return open.error();
  if (!*open)
    co_return Error::not_found(
        "this authorization link is no longer valid: the alert it came with has resolved");
  auto urls = co_await reauth((*open)->link_id, actor);
  // Both halves: the advertiser's page first, then the account's (the
  // callback sends the person on).
  if (urls && urls->advertiser_auth_url && urls->account_auth_url)
    then_account_[urls->link_id] = *urls->account_auth_url;
  co_return urls;
}

Result<void> LinkService::audit(const std::string& link_id, const Actor& actor, std::string action,
                                std::string message) {
  store::AuditEntry e;
  e.at = clock_();
  e.link_id = link_id;
  e.actor = actor.description;
  e.action = std::move(action);
  e.reason_message = std::move(message);
  return store_.links().append_audit(e);
}

// ---- tokens ----------------------------------------------------------------

awaitable<Result<Secret>> LinkService::account_access_token(std::string open_id) {
  auto tokens = co_await tokens_.fresh(open_id, false);
  if (!tokens) co_return tokens.error();
  co_return std::move(tokens->access_token);
}

awaitable<Result<LinkRecord>> LinkService::refresh(std::string link_id, const Actor& actor) {
  co_return co_await run_refresh(std::move(link_id), actor, true);
}

awaitable<Result<LinkRecord>> LinkService::refresh_scheduled(std::string link_id,
                                                             const Actor& actor) {
  co_return co_await run_refresh(std::move(link_id), actor, false);
}

awaitable<Result<LinkRecord>> LinkService::run_refresh(std::string link_id, const Actor& actor,
                                                       bool audited) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.links().get(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link) || link->open_id.empty())
    co_return Error::conflict("link " + link_id + " has no account token to refresh");
  auto tokens = co_await tokens_.fresh(link->open_id, true);
  if (!tokens) {
    if (auto v = judge_upstream_error(tokens.error())) {
      if (auto r = record(*link, *v, actor); !r) co_return r.error();
    }
    co_return tokens.error();
  }
  // The link lock is held: nothing else moved its schedule meanwhile. A
  // routine write (the tokens themselves are committed and synced by now):
  // lost in a crash, the link is refreshed again after the restart.
  link->next_refresh_at = tokens->access_expires_at - config_.refresh.before_expiry;
  if (auto r = store_.routine([&] { return store_.links().update_schedule(*link); }); !r)
    co_return r.error();
  if (!audited) co_return *link;  // the scheduler reads nothing else of it
  if (auto a = audit(link_id, actor, "token.refresh", "access token refreshed"); !a)
    co_return a.error();
  co_return store_.links().get(link_id);  // a person sees the link as it is now
}

// ---- unlink ----------------------------------------------------------------

awaitable<Result<LinkRecord>> LinkService::unlink(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.links().get(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link_id + " is already unlinked");
  if (auto r = store_.auth().cancel_pending(link_id); !r) co_return r.error();
  // Mark it first: if revocation fails half way, no check revives the link.
  if (auto r = change_state(*link, LinkState::kUnlinked,
                            {0, "unlinked by " + actor.description, ""}, actor);
      !r)
    co_return r.error();
  if (!link->open_id.empty()) {
    auto users = store_.links().count_using_account(link->open_id);
    if (users && *users == 0) {
      auto guard2 = co_await tokens_.lock(link->open_id);
      if (auto t = store_.tokens().account(link->open_id); t && t->has_value()) {
        auto r = co_await tiktok::revoke_account_token(api_, (*t)->access_token);
        if (!r)
          log_.warn("unlink.revoke_failed", {{"link", link_id}, {"error", r.error().message}});
      }
      if (auto w = store_.tokens().wipe_account(link->open_id); !w) co_return w.error();
      tokens_.forget_uncommitted(link->open_id);
    }
  }
  if (!link->advertiser_id.empty()) {
    auto users = store_.links().count_using_advertiser(link->advertiser_id);
    if (users && *users == 0) {
      if (auto t = store_.tokens().advertiser(link->advertiser_id); t && t->has_value()) {
        auto r = co_await tiktok::revoke_advertiser_token(api_, **t);
        if (!r)
          log_.warn("unlink.revoke_failed", {{"link", link_id}, {"error", r.error().message}});
      }
      if (auto w = store_.tokens().wipe_advertiser(link->advertiser_id); !w) co_return w.error();
    }
  }
  issued_.erase(link_id);
  log_.info("link.unlinked", {{"link", link_id}, {"actor", actor.description}});
  co_return store_.links().get(link_id);
}

}  // namespace ttlink::links
