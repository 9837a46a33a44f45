#include "core/links/advertiser_facts.hpp"

#include <algorithm>

namespace ttlink::links {
using boost::asio::awaitable;

AdvertiserFactsCache::AdvertiserFactsCache(tiktok::ApiClient& api, Clock clock,
                                           std::function<Seconds()> fresh_for)
    : api_(api), clock_(std::move(clock)), fresh_for_(std::move(fresh_for)) {}

bool AdvertiserFactsCache::fresh(const AdvertiserFacts& f) const {
  const TimePoint now = clock_();
  return f.fetched_at <= now && now - f.fetched_at < fresh_for_();
}

awaitable<Result<std::shared_ptr<AdvertiserFacts>>> AdvertiserFactsCache::facts(
    const Secret& token, const std::string& advertiser_id, bool shared) {
  auto guard = co_await fetching_.lock(advertiser_id);
  if (shared)
    if (auto it = by_advertiser_.find(advertiser_id);
        it != by_advertiser_.end() && fresh(*it->second))
      co_return it->second;
  auto fetched = co_await fetch(token, advertiser_id);
  if (!fetched) {
    by_advertiser_.erase(advertiser_id);  // what others shared may be wrong now
    co_return fetched.error();
  }
  // Swept when the map has doubled since the last sweep: amortised O(1) a
  // fetch (a sweep every 64 fetches walked every advertiser: 5 % of the
  // daemon's CPU in a round of checks at 100,000 advertisers).
  if (by_advertiser_.size() >= sweep_at_) {
    forget_stale();
    sweep_at_ = std::max<std::size_t>(kFirstSweepAt, 2 * by_advertiser_.size());
  }
  by_advertiser_[advertiser_id] = *fetched;
  co_return *fetched;
}

awaitable<Result<std::shared_ptr<AdvertiserFacts>>> AdvertiserFactsCache::fetch(
    const Secret& token, const std::string& advertiser_id) {
  auto f = std::make_shared<AdvertiserFacts>();
  f->fetched_at = clock_();
  std::vector<std::string> ids(1, advertiser_id);
  auto advertisers = co_await tiktok::advertiser_info(api_, token, ids);
  if (!advertisers) co_return advertisers.error();
  f->advertisers = std::move(*advertisers);
  if (f->advertisers.empty()) co_return f;  // the link's checks say what that means
  auto centers = co_await tiktok::business_centers(api_, token);
  if (!centers) co_return centers.error();
  for (const auto& bc : *centers) {
    auto assets = co_await tiktok::bc_advertisers(api_, token, bc.bc_id);
    if (!assets) co_return assets.error();
    for (const auto& a : *assets) {
      if (a.advertiser_id != advertiser_id) continue;
      f->bc_name = bc.name;
      f->role = a.advertiser_role;
      co_return f;
    }
  }
  co_return f;
}

awaitable<Result<std::vector<tiktok::Identity>>> AdvertiserFactsCache::identities(
    AdvertiserFacts& facts, const Secret& token, const std::string& advertiser_id,
    const std::string& type) {
  auto guard = co_await fetching_.lock(advertiser_id);
  if (auto it = facts.identities.find(type); it != facts.identities.end()) co_return it->second;
  auto list = co_await tiktok::identities(api_, token, advertiser_id, type);
  if (!list) co_return list.error();
  facts.identities[type] = *list;
  co_return std::move(*list);
}

// At most twice the advertisers checked within one fresh_for (and
// kFirstSweepAt): older entries go.
void AdvertiserFactsCache::forget_stale() {
  const TimePoint now = clock_();
  const Seconds fresh_for = fresh_for_();
  for (auto it = by_advertiser_.begin(); it != by_advertiser_.end();) {
    const TimePoint at = it->second->fetched_at;
    it = at <= now && now - at < fresh_for ? std::next(it) : by_advertiser_.erase(it);
  }
}

}  // namespace ttlink::links
