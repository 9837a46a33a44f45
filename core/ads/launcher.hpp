#pragma once
// `ttlinkctl campaign create`: campaign -> ad group -> Spark Ad, idempotent.
// The launch is recorded under (link, name) with one request_id per step
// before anything is sent; each step sends its request_id (upstream answers
// a repeated id with the first answer and creates nothing new) and its id is
// committed as soon as it comes back. So the same command run twice creates
// one campaign, one ad group and one ad, and a run that failed half way (or
// whose answer was lost) resumes on the next run without duplicates.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <utility>
#include <vector>

#include "core/ads/ads_context.hpp"
#include "core/ads/launch_plan.hpp"
#include "core/util/keyed_mutex.hpp"

namespace ttlink::ads {

struct LaunchOutcome {
  store::LaunchRecord record{};
  // A dry run: the three requests (path, body), nothing sent or recorded.
  std::vector<std::pair<std::string, boost::json::object>> requests{};
  std::vector<std::string> created{};  // steps created by this run: campaign, adgroup, ad
  bool dry_run = false;
};

// A request_id: a random 64-bit integer as a decimal string (19 digits).
std::string new_request_id();

class Launcher {
 public:
  explicit Launcher(AdsContext& ctx) : ctx_(ctx) {}

  boost::asio::awaitable<Result<LaunchOutcome>> launch(LaunchSpec spec, bool dry_run,
                                                       store::Actor actor);

 private:
  Result<LaunchFacts> facts_of(const std::string& link_id);
  Result<store::LaunchRecord> begin(const LaunchSpec& spec, const LaunchPlan& plan);
  boost::asio::awaitable<Result<void>> run_steps(store::LaunchRecord& record, LaunchPlan plan,
                                                 const Secret& token, const store::Actor& actor,
                                                 std::vector<std::string>& created);
  Result<void> commit_step(store::LaunchRecord& record, const store::Actor& actor,
                           std::string action, std::string message);

  AdsContext& ctx_;
  KeyedMutex running_;  // key: link/name: two runs of one launch never overlap
};

}  // namespace ttlink::ads
