#include "core/links/link_checks_run.hpp"

#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/envelope.hpp"
#include "core/tiktok/identity.hpp"

namespace ttlink::links {
using boost::asio::awaitable;
using store::LinkRecord;

namespace {

// A linked account appears as one of these identity types. (Kept outside the
// coroutines: GCC 12 rejects braced lists of string literals inside them.)
const std::vector<std::string>& linked_identity_types() {
  static const std::vector<std::string> kTypes = {"TT_USER", "BC_AUTH_TT"};
  return kTypes;
}

// tiktok-api.md asks for one refresh before a rejected account token counts
// (40102 expired; 40105 invalid or revoked: maybe only this access token).
bool token_rejected(const Error& e) {
  if (e.kind != ErrorKind::kUpstream) return false;
  auto r = tiktok::classify(e.upstream_code);
  return r == tiktok::Reaction::kRefreshToken ||
         (r == tiktok::Reaction::kReauthorize && e.upstream_code == tiktok::kAccessTokenInvalid);
}

}  // namespace

LinkChecks::LinkChecks(store::Store& store, tiktok::ApiClient& api, const config::Config& config,
                       Clock clock, AccountTokenKeeper& tokens)
    : store_(store),
      api_(api),
      config_(config),
      clock_(clock),
      tokens_(tokens),
      advertisers_(api, clock, [this] { return config_.poll.status_interval / 2; }) {}

// The account's own facts, with its token. A 40102 or 40105 from the
// account's calls gets one refresh and one more try before it counts:
// tiktok-api.md asks for a refresh attempt before reauthorization.
awaitable<Result<AccountFacts>> LinkChecks::account_facts(const std::string& open_id) {
  for (int attempt = 0;; ++attempt) {
    auto tokens = co_await tokens_.fresh(open_id, attempt > 0);
    if (!tokens) co_return tokens.error();
    auto info = co_await tiktok::account_token_info(api_, tokens->access_token);
    if (!info && attempt == 0 && token_rejected(info.error())) continue;
    if (!info) co_return attempt == 0 ? info.error() : after_refresh(open_id, info.error());
    auto profile = co_await tiktok::business_profile(api_, tokens->access_token, open_id);
    if (!profile && attempt == 0 && token_rejected(profile.error())) continue;
    if (!profile)
      co_return attempt == 0 ? profile.error() : after_refresh(open_id, profile.error());
    expired_after_refresh_.erase(open_id);
    co_return AccountFacts{std::move(*tokens), std::move(*info), std::move(*profile)};
  }
}

// A 40102 (access token expired) for a token refreshed a moment ago may be
// upstream lagging behind its own refresh: the first time it is transient
// (retried with back-off, the link untouched); if the next check meets it
// again, the token is dead and the error counts (REAUTH_REQUIRED). Before,
// the first one already paged a person (issue 28).
Error LinkChecks::after_refresh(const std::string& open_id, Error e) {
  if (e.kind != ErrorKind::kUpstream || e.upstream_code != tiktok::kAccessTokenExpired) return e;
  if (!expired_after_refresh_.insert(open_id).second) {
    expired_after_refresh_.erase(open_id);
    return e;
  }
  e.kind = ErrorKind::kTransient;
  e.message += " (right after a refresh: retried once later)";
  return e;
}

// The seed's prerequisites, in the order a person would check them.
awaitable<Result<Verdict>> LinkChecks::run(LinkRecord& link, CheckFacts& seen, bool reuse_shared) {
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
  seen.account = store::AccountRecord{link.open_id,         profile.username,
                                      profile.display_name, profile.is_business_account,
                                      info.scope,           organic};
  if (auto v = judge_business(profile)) co_return *v;

  auto adv_token = store_.tokens().advertiser(link.advertiser_id);
  if (!adv_token) co_return adv_token.error();
  if (!adv_token->has_value())
    co_return Verdict{LinkState::kReauthRequired, 0, "no advertiser token; reauthorize"};
  const Secret& token = **adv_token;

  auto shared = co_await advertisers_.facts(token, link.advertiser_id, reuse_shared);
  if (!shared) {
    if (auto v = judge_upstream_error(shared.error())) co_return *v;
    co_return shared.error();
  }
  AdvertiserFacts& adv_facts = **shared;
  if (adv_facts.advertisers.empty())
    co_return Verdict{LinkState::kReauthRequired, 40001,
                      "advertiser " + link.advertiser_id + " is not reachable with this token"};
  const auto& adv = adv_facts.advertisers.front();
  seen.advertiser = store::AdvertiserRecord{adv.advertiser_id, adv.name,     adv.status,
                                            adv.currency,      adv.timezone, adv_facts.role};
  seen.from = *shared;
  if (auto v = judge_advertiser(adv)) co_return *v;
  if (auto v = judge_role(adv_facts.role, adv_facts.bc_name)) co_return *v;

  std::optional<tiktok::Identity> identity;
  for (const std::string& type : linked_identity_types()) {
    auto list = co_await advertisers_.identities(adv_facts, token, link.advertiser_id, type);
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

Result<void> LinkChecks::write_facts(CheckFacts& seen) {
  if (seen.account)
    if (auto r = store_.links().put_account(*seen.account); !r) return r;
  if (seen.advertiser && !(seen.from && seen.from->written)) {
    if (auto r = store_.links().put_advertiser(*seen.advertiser); !r) return r;
    if (seen.from) seen.from->written = true;
  }
  return {};
}

}  // namespace ttlink::links
