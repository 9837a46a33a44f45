#include "core/ads/identities.hpp"

namespace ttlink::ads {
using boost::asio::awaitable;

std::vector<ListedIdentity> mark_linked(const std::vector<tiktok::Identity>& identities,
                                        const std::string& username) {
  const auto match = tiktok::match_identity(identities, username);
  std::vector<ListedIdentity> out;
  for (const auto& identity : identities) {
    const bool linked = match && match->identity_id == identity.identity_id &&
                        match->identity_type == identity.identity_type;
    out.push_back({identity, linked});
  }
  return out;
}

namespace {

std::string username_of(store::Store& store, const store::LinkRecord& link) {
  if (link.open_id.empty()) return "";
  auto account = store.links().get_account(link.open_id);
  return account && account->has_value() ? (*account)->username : "";
}

}  // namespace

awaitable<Result<std::vector<ListedIdentity>>> link_identities(AdsContext& ctx,
                                                               std::string link_id) {
  auto access = link_access(ctx.store, link_id);
  if (!access) co_return access.error();
  std::vector<tiktok::Identity> all;
  for (const char* type : kLinkedIdentityTypes) {
    auto listed =
        co_await tiktok::identities(ctx.api, access->token, access->link.advertiser_id, type);
    if (!listed) co_return refused(ctx.log, "identities.list_failed", link_id, listed.error());
    all.insert(all.end(), listed->begin(), listed->end());
  }
  co_return mark_linked(all, username_of(ctx.store, access->link));
}

}  // namespace ttlink::ads
