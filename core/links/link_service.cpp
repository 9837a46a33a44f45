#include "core/links/link_service.hpp"

#include "core/links/authorization_url.hpp"
#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/envelope.hpp"
#include "core/tiktok/identity.hpp"
#include "core/tiktok/oauth_account.hpp"
#include "core/tiktok/oauth_advertiser.hpp"
#include "core/util/random.hpp"

namespace ttlink::links {
using boost::asio::awaitable;
using store::Actor;
using store::AuthKind;
using store::LinkRecord;

namespace {

constexpr Seconds kAuthorizationLifetime{3600};  // the auth code's own lifetime
// A linked account appears as one of these identity types. (Kept outside the
// coroutines: GCC 12 rejects braced lists of string literals inside them.)
const std::vector<std::string>& linked_identity_types() {
  static const std::vector<std::string> kTypes = {"TT_USER", "BC_AUTH_TT"};
  return kTypes;
}

bool is_live(const LinkRecord& link) {
  return link.state != LinkState::kUnlinked;
}

bool token_rejected(const Error& e) {
  return e.kind == ErrorKind::kUpstream && (e.upstream_code == 40102 || e.upstream_code == 40105);
}

}  // namespace

LinkService::LinkService(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
                         Logger& log, Clock clock)
    : store_(store), api_(api), config_(config), log_(log), clock_(std::move(clock)) {}

// ---- start / reauth -------------------------------------------------------

awaitable<Result<AuthorizationUrls>> LinkService::start(std::string advertiser_id,
                                                        const Actor& actor) {
  auto link = store_.create_link(advertiser_id, actor);
  if (!link) co_return link.error();
  bool have_advertiser = false;
  if (!advertiser_id.empty()) {
    auto token = store_.advertiser_token(advertiser_id);
    if (!token) co_return token.error();
    have_advertiser = token->has_value();
  }
  log_.info("link.start", {{"link", link->id}, {"advertiser", advertiser_id}});
  co_return issue_urls(*link, !have_advertiser, true, actor);
}

awaitable<Result<AuthorizationUrls>> LinkService::reauth(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.get_link(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link))
    co_return Error::conflict("link " + link_id + " is unlinked; start a new one");
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
  auto token = store_.advertiser_token(link.advertiser_id);
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
  if (auto r = store_.cancel_pending_auths(link.id); !r) return r.error();
  const TimePoint now = clock_();
  AuthorizationUrls urls{link.id, link.state, std::nullopt, std::nullopt,
                         now + kAuthorizationLifetime};
  auto add = [&](AuthKind kind) -> Result<std::string> {
    std::string state = random_hex(32);
    store::PendingAuth p{sha256_hex(state), link.id, kind, now, urls.expires_at, std::nullopt};
    if (auto r = store_.add_pending_auth(p); !r) return r.error();
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
  auto pending = store_.consume_pending_auth(sha256_hex(state), clock_());
  if (!pending) co_return pending.error();
  auto guard = co_await link_locks_.lock(pending->link_id);
  auto link = store_.get_link(pending->link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link->id + " was unlinked");
  // Not a conditional expression: GCC 12 miscompiles co_await inside ?: (the
  // coroutine frame is corrupted when one branch fails).
  Result<void> done;
  if (pending->kind == AuthKind::kAdvertiser) {
    done = co_await complete_advertiser(*link, code, actor);
  } else {
    done = co_await complete_account(*link, code, actor);
  }
  if (!done) co_return done.error();
  if (both_halves_authorized(*link)) {
    auto verdict = co_await run_checks(*link);
    if (!verdict) {
      log_.warn("link.check.transient", {{"link", link->id}, {"error", verdict.error().message}});
    } else if (auto r = record(*link, *verdict, actor); !r) {
      co_return r.error();
    }
  }
  issued_.erase(link->id);
  co_return Completion{*link, pending->kind};
}

Result<LinkRecord> LinkService::refuse(const std::string& state, const std::string& description,
                                       const Actor& actor) {
  auto pending = store_.consume_pending_auth(sha256_hex(state), clock_());
  if (!pending) return pending.error();
  auto link = store_.get_link(pending->link_id);
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
  if (auto r = store_.put_advertiser_token(chosen, grant->access_token); !r) co_return r.error();
  link.advertiser_id = chosen;
  if (auto r = store_.update_link(link); !r) co_return r.error();
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
  auto guard = co_await account_locks_.lock(grant->open_id);
  // Durable before anything else happens.
  if (auto r = store_.put_account_tokens(grant->open_id, tokens); !r) co_return r.error();
  link.open_id = grant->open_id;
  link.next_refresh_at = tokens.access_expires_at - config_.refresh.before_expiry;
  if (auto r = store_.update_link(link); !r) co_return r.error();
  log_.info("link.account_authorized", {{"link", link.id}, {"open_id", link.open_id}});
  co_return audit(link.id, actor, "link.account_authorized", "account " + link.open_id);
}

bool LinkService::both_halves_authorized(const LinkRecord& link) {
  if (link.advertiser_id.empty() || link.open_id.empty()) return false;
  auto token = store_.advertiser_token(link.advertiser_id);
  return token && token->has_value();
}

// ---- check -----------------------------------------------------------------

awaitable<Result<LinkRecord>> LinkService::check(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.get_link(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link_id + " is unlinked");
  if (!both_halves_authorized(*link))
    co_return Error::conflict("link " + link_id + " is not authorized yet; complete or reauth it");
  auto verdict = co_await run_checks(*link);
  if (!verdict) {
    link->last_check_at = clock_();
    (void)store_.update_link(*link);
    co_return verdict.error();
  }
  if (auto r = record(*link, *verdict, actor); !r) co_return r.error();
  co_return *link;
}

// The seed's prerequisites, in the order a person would check them.
// The account's own facts, with its token. A 40102 or 40105 from the
// account's calls gets one refresh and one more try before it counts:
// tiktok-api.md asks for a refresh attempt before reauthorization.
awaitable<Result<AccountFacts>> LinkService::account_facts(const std::string& open_id) {
  for (int attempt = 0;; ++attempt) {
    auto tokens = co_await fresh_account_tokens(open_id, attempt > 0);
    if (!tokens) co_return tokens.error();
    auto info = co_await tiktok::account_token_info(api_, tokens->access_token);
    if (!info && attempt == 0 && token_rejected(info.error())) continue;
    if (!info) co_return info.error();
    auto profile = co_await tiktok::business_profile(api_, tokens->access_token, open_id);
    if (!profile && attempt == 0 && token_rejected(profile.error())) continue;
    if (!profile) co_return profile.error();
    co_return AccountFacts{std::move(*tokens), std::move(*info), std::move(*profile)};
  }
}

// The seed's prerequisites, in the order a person would check them.
awaitable<Result<Verdict>> LinkService::run_checks(LinkRecord& link) {
  auto facts = co_await account_facts(link.open_id);
  if (!facts) {
    if (facts.error().kind == ErrorKind::kNotFound)
      co_return Verdict{LinkState::kReauthRequired, 0, facts.error().message};
    if (auto v = judge_upstream_error(facts.error())) co_return *v;
    co_return facts.error();
  }
  const auto& [tokens, info, profile] = *facts;
  link.next_refresh_at = tokens.access_expires_at - config_.refresh.before_expiry;
  if (auto v = judge_scopes(info.scope, config_.tiktok.scopes)) co_return *v;
  const store::OrganicFigures organic{profile.followers_count, profile.videos_count,
                                      profile.video_views,     profile.likes,
                                      profile.comments,        profile.shares};
  (void)store_.put_account({link.open_id, profile.username, profile.display_name,
                            profile.is_business_account, info.scope, organic});
  if (auto v = judge_business(profile)) co_return *v;

  auto adv_token = store_.advertiser_token(link.advertiser_id);
  if (!adv_token) co_return adv_token.error();
  if (!adv_token->has_value())
    co_return Verdict{LinkState::kReauthRequired, 0, "no advertiser token; reauthorize"};
  const Secret& token = **adv_token;

  std::vector<std::string> ids(1, link.advertiser_id);
  auto advertisers = co_await tiktok::advertiser_info(api_, token, ids);
  if (!advertisers) {
    if (auto v = judge_upstream_error(advertisers.error())) co_return *v;
    co_return advertisers.error();
  }
  if (advertisers->empty())
    co_return Verdict{LinkState::kReauthRequired, 40001,
                      "advertiser " + link.advertiser_id + " is not reachable with this token"};
  const auto& adv = advertisers->front();
  std::string bc_name;
  auto role = co_await user_role_for(token, link.advertiser_id, bc_name);
  if (!role) {
    if (auto v = judge_upstream_error(role.error())) co_return *v;
    co_return role.error();
  }
  (void)store_.put_advertiser(
      {adv.advertiser_id, adv.name, adv.status, adv.currency, adv.timezone, *role});
  if (auto v = judge_advertiser(adv)) co_return *v;
  if (auto v = judge_role(*role, bc_name)) co_return *v;

  std::optional<tiktok::Identity> identity;
  for (const std::string& type : linked_identity_types()) {
    auto list = co_await tiktok::identities(api_, token, link.advertiser_id, type);
    if (!list) {
      if (auto v = judge_upstream_error(list.error())) co_return *v;
      co_return list.error();
    }
    identity = tiktok::match_identity(*list, profile.username);
    if (identity) break;
  }
  if (identity) {
    link.identity_id = identity->identity_id;
    link.identity_type = identity->identity_type;
  }
  Verdict v = judge_identity(identity, link.advertiser_id, profile.username);
  if (v.state != LinkState::kActive) co_return v;
  co_return judge_refresh_expiry(tokens.refresh_expires_at, clock_(),
                                 config_.refresh.warn_refresh_token_before);
}

// The user's role on the advertiser in the Business Center that lists it
// ("" when none does: then the advertiser's own admin authorized it).
awaitable<Result<std::string>> LinkService::user_role_for(const Secret& token,
                                                          const std::string& advertiser_id,
                                                          std::string& bc_name) {
  auto centers = co_await tiktok::business_centers(api_, token);
  if (!centers) co_return centers.error();
  for (const auto& bc : *centers) {
    auto assets = co_await tiktok::bc_advertisers(api_, token, bc.bc_id);
    if (!assets) co_return assets.error();
    for (const auto& a : *assets) {
      if (a.advertiser_id != advertiser_id) continue;
      bc_name = bc.name;
      co_return a.advertiser_role;
    }
  }
  co_return std::string();
}

Result<void> LinkService::record(LinkRecord& link, const Verdict& v, const Actor& actor) {
  const TimePoint now = clock_();
  link.last_check_at = now;
  link.next_check_at = next_check_time(now);
  if (auto r = store_.update_link(link); !r) return r.error();
  if (link.state == v.state && link.reason_message == v.message) return {};
  log_.info("link.state", {{"link", link.id},
                           {"from", to_string(link.state)},
                           {"to", to_string(v.state)},
                           {"code", std::to_string(v.code)},
                           {"reason", v.message}});
  if (auto r = change_state(link.id, link.state, v.state, v.code, v.message, actor); !r)
    return r.error();
  link.state = v.state;
  link.reason_code = v.code;
  link.reason_message = v.message;
  return {};
}

// status_interval, give or take poll.jitter, so that links checked together
// drift apart instead of staying in lock step.
TimePoint LinkService::next_check_time(TimePoint now) {
  const double interval = static_cast<double>(config_.poll.status_interval.count());
  const double j = config_.poll.jitter;
  double factor = std::uniform_real_distribution<double>(1.0 - j, 1.0 + j)(rng_);
  return now + Seconds{std::max<long long>(1, static_cast<long long>(interval * factor))};
}

Result<void> LinkService::reschedule(const std::string& link_id,
                                     std::optional<TimePoint> next_check,
                                     std::optional<TimePoint> next_refresh) {
  auto link = store_.get_link(link_id);
  if (!link) return link.error();
  if (next_check) link->next_check_at = next_check;
  if (next_refresh) link->next_refresh_at = next_refresh;
  return store_.update_link(*link);
}

Result<void> LinkService::degrade(const std::string& link_id, const std::string& why) {
  auto link = store_.get_link(link_id);
  if (!link) return link.error();
  if (link->state != LinkState::kActive && link->state != LinkState::kExpiring) return {};
  log_.warn(
      "link.state",
      {{"link", link_id}, {"from", to_string(link->state)}, {"to", "DEGRADED"}, {"reason", why}});
  return change_state(link_id, link->state, LinkState::kDegraded, 0, why, {"daemon"});
}

// The store first (state + audit entry in one transaction), then observers.
Result<void> LinkService::change_state(const std::string& link_id, LinkState from, LinkState to,
                                       long code, const std::string& message,
                                       const store::Actor& actor) {
  if (auto r = store_.transition(link_id, to, code, message, actor); !r) return r.error();
  StateChange change{link_id, from, to, code, message};
  for (const auto& observer : observers_) observer(change);
  return {};
}

Result<void> LinkService::audit(const std::string& link_id, const Actor& actor, std::string action,
                                std::string message) {
  store::AuditEntry e;
  e.at = clock_();
  e.link_id = link_id;
  e.actor = actor.description;
  e.action = std::move(action);
  e.reason_message = std::move(message);
  return store_.append_audit(e);
}

// ---- tokens ----------------------------------------------------------------

// The account's tokens, refreshed first when the access token is (nearly)
// expired or `force` is set.
awaitable<Result<Secret>> LinkService::account_access_token(std::string open_id) {
  auto tokens = co_await fresh_account_tokens(open_id, false);
  if (!tokens) co_return tokens.error();
  co_return std::move(tokens->access_token);
}

awaitable<Result<store::AccountTokens>> LinkService::fresh_account_tokens(
    const std::string& open_id, bool force) {
  auto guard = co_await account_locks_.lock(open_id);
  auto tokens = store_.account_tokens(open_id);
  if (!tokens) co_return tokens.error();
  if (!tokens->has_value())
    co_return Error::not_found("no token stored for account " + open_id + "; reauthorize");
  if (!force && (*tokens)->access_expires_at - clock_() > config_.refresh.before_expiry)
    co_return std::move(**tokens);
  co_return co_await refresh_locked(open_id);
}

// Called with the account's lock held.
awaitable<Result<store::AccountTokens>> LinkService::refresh_locked(const std::string& open_id) {
  auto current = store_.account_tokens(open_id);
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
  if (auto r = store_.put_account_tokens(open_id, fresh); !r) co_return r.error();
  log_.info("token.refreshed",
            {{"open_id", open_id}, {"access_expires_at", format_rfc3339(fresh.access_expires_at)}});
  co_return fresh;
}

awaitable<Result<LinkRecord>> LinkService::refresh(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.get_link(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link) || link->open_id.empty())
    co_return Error::conflict("link " + link_id + " has no account token to refresh");
  auto tokens = co_await fresh_account_tokens(link->open_id, true);
  if (!tokens) {
    if (auto v = judge_upstream_error(tokens.error())) {
      if (auto r = record(*link, *v, actor); !r) co_return r.error();
    }
    co_return tokens.error();
  }
  if (auto r = reschedule(link_id, std::nullopt,
                          tokens->access_expires_at - config_.refresh.before_expiry);
      !r)
    co_return r.error();
  link = store_.get_link(link_id);
  if (!link) co_return link.error();
  if (auto a = audit(link_id, actor, "token.refresh", "access token refreshed"); !a)
    co_return a.error();
  co_return *link;
}

// ---- unlink ----------------------------------------------------------------

awaitable<Result<LinkRecord>> LinkService::unlink(std::string link_id, const Actor& actor) {
  auto guard = co_await link_locks_.lock(link_id);
  auto link = store_.get_link(link_id);
  if (!link) co_return link.error();
  if (!is_live(*link)) co_return Error::conflict("link " + link_id + " is already unlinked");
  if (auto r = store_.cancel_pending_auths(link_id); !r) co_return r.error();
  // Mark it first: if revocation fails half way, no check revives the link.
  if (auto r = change_state(link_id, link->state, LinkState::kUnlinked, 0,
                            "unlinked by " + actor.description, actor);
      !r)
    co_return r.error();
  if (!link->open_id.empty()) {
    auto users = store_.count_links_using_account(link->open_id);
    if (users && *users == 0) {
      auto guard2 = co_await account_locks_.lock(link->open_id);
      if (auto t = store_.account_tokens(link->open_id); t && t->has_value()) {
        auto r = co_await tiktok::revoke_account_token(api_, (*t)->access_token);
        if (!r)
          log_.warn("unlink.revoke_failed", {{"link", link_id}, {"error", r.error().message}});
      }
      if (auto w = store_.wipe_account_tokens(link->open_id); !w) co_return w.error();
    }
  }
  if (!link->advertiser_id.empty()) {
    auto users = store_.count_links_using_advertiser(link->advertiser_id);
    if (users && *users == 0) {
      if (auto t = store_.advertiser_token(link->advertiser_id); t && t->has_value()) {
        auto r = co_await tiktok::revoke_advertiser_token(api_, **t);
        if (!r)
          log_.warn("unlink.revoke_failed", {{"link", link_id}, {"error", r.error().message}});
      }
      if (auto w = store_.wipe_advertiser_token(link->advertiser_id); !w) co_return w.error();
    }
  }
  issued_.erase(link_id);
  log_.info("link.unlinked", {{"link", link_id}, {"actor", actor.description}});
  co_return store_.get_link(link_id);
}

}  // namespace ttlink::links
