#pragma once
// What every link of one advertiser shares: the advertiser's status, the
// authorizing user's role in its Business Center, and its identities
// (/advertiser/info/, /bc/get/, /bc/asset/get/, /identity/get/). Scheduled
// checks fetch them once per advertiser per round (half a status_interval)
// and share them: an agency with 100 accounts on one advertiser pays these
// requests once, not 100 times. A person's `ttlinkctl check` always asks
// upstream afresh (and refreshes what the others share). Errors are never
// kept. Runs on the state thread; one fetch per advertiser at a time.
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/identity.hpp"
#include "core/util/clock.hpp"
#include "core/util/keyed_mutex.hpp"

namespace ttlink::links {

struct AdvertiserFacts {
  TimePoint fetched_at{};
  std::vector<tiktok::AdvertiserInfo> advertisers;  // empty: not reachable with the token
  std::string role{};  // in the Business Center that lists it ("" when none does)
  std::string bc_name{};
  // Identities by type, read when a link first needs that type.
  std::map<std::string, std::vector<tiktok::Identity>> identities;
  bool written = false;  // the advertiser row from this fetch is in the store
};

class AdvertiserFactsCache {
 public:
  // `fresh_for`: how long shared facts serve scheduled checks.
  AdvertiserFactsCache(tiktok::ApiClient& api, Clock clock, std::function<Seconds()> fresh_for);

  // The facts of `advertiser_id`; `shared` lets a scheduled check use facts
  // another link's check fetched within fresh_for.
  boost::asio::awaitable<Result<std::shared_ptr<AdvertiserFacts>>> facts(
      const Secret& token, const std::string& advertiser_id, bool shared);
  // The identities of one type, from `facts` or (once) from upstream.
  boost::asio::awaitable<Result<std::vector<tiktok::Identity>>> identities(
      AdvertiserFacts& facts, const Secret& token, const std::string& advertiser_id,
      const std::string& type);
  std::size_t size() const { return by_advertiser_.size(); }

 private:
  boost::asio::awaitable<Result<std::shared_ptr<AdvertiserFacts>>> fetch(
      const Secret& token, const std::string& advertiser_id);
  bool fresh(const AdvertiserFacts& f) const;
  void forget_stale();

  tiktok::ApiClient& api_;
  Clock clock_;
  std::function<Seconds()> fresh_for_;
  KeyedMutex fetching_;  // key: advertiser id
  std::map<std::string, std::shared_ptr<AdvertiserFacts>> by_advertiser_;
  static constexpr std::size_t kFirstSweepAt = 64;
  std::size_t sweep_at_ = kFirstSweepAt;  // forget_stale() once the map is this big
};

}  // namespace ttlink::links
