#pragma once
// Runs the seed's prerequisite checks of one link against upstream, in the
// order a person would check them (the account's token and scopes, Business
// Account, advertiser status, the user's role, the identity, the refresh
// token's remaining life), gathers the facts it learns (account profile,
// advertiser) and returns the state they imply; the caller writes the facts
// and the state in one transaction. The judgements themselves are pure
// functions (link_checks.hpp).
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/config/config.hpp"
#include "core/links/account_tokens.hpp"
#include "core/links/advertiser_facts.hpp"
#include "core/links/link_checks.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/business.hpp"
#include "core/tiktok/oauth_account.hpp"
#include "core/util/clock.hpp"

namespace ttlink::links {

// What the account's own token says about it.
struct AccountFacts {
  store::AccountTokens tokens;
  tiktok::TokenInfo info;
  tiktok::BusinessProfile profile;
};

// What a check learned, kept for the caller's transaction (one commit per
// check for the facts and the link's state, not one each).
struct CheckFacts {
  std::optional<store::AccountRecord> account;
  std::optional<store::AdvertiserRecord> advertiser;
  // The shared facts the advertiser row came from: written once per fetch,
  // not once per link of the advertiser.
  std::shared_ptr<AdvertiserFacts> from;
};

class LinkChecks {
 public:
  LinkChecks(store::Store& store, tiktok::ApiClient& api, const config::Config& config, Clock clock,
             AccountTokenKeeper& tokens);

  // The verdict for `link` (its next refresh and identity are updated in
  // place); an error when upstream could not say (transient). What was
  // learned before the verdict or the error is in `seen` (write_facts()).
  // `reuse_shared`: advertiser facts another link's check fetched this
  // round may serve (scheduled checks); false asks upstream afresh.
  boost::asio::awaitable<Result<Verdict>> run(store::LinkRecord& link, CheckFacts& seen,
                                              bool reuse_shared = false);
  // Writes what `seen` holds (inside the caller's transaction). The
  // advertiser row is skipped when this fetch of it was written already
  // (if that transaction rolled back, the row waits for the next fetch).
  Result<void> write_facts(CheckFacts& seen);

 private:
  boost::asio::awaitable<Result<AccountFacts>> account_facts(const std::string& open_id);
  // An account call's error after the refresh that should have cured it.
  Error after_refresh(const std::string& open_id, Error e);

  store::Store& store_;
  tiktok::ApiClient& api_;
  const config::Config& config_;
  Clock clock_;
  AccountTokenKeeper& tokens_;
  AdvertiserFactsCache advertisers_;
  // Accounts whose token was refused as expired (40102) right after a
  // refresh once already: the next time it counts.
  std::set<std::string> expired_after_refresh_;
};

}  // namespace ttlink::links
