// The advertiser facts scheduled checks share, against the real sandbox:
// reused while fresh, fetched again once stale, and stale ones forgotten as
// the cache grows, so that it holds about the advertisers of one fresh_for
// (a sweep once the map has doubled, not one over every advertiser each 64
// fetches: that walk was 5 % of the daemon's CPU at 100,000 advertisers).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/http/client.hpp"
#include "core/links/advertiser_facts.hpp"
#include "core/tiktok/api_client.hpp"
#include "support/daemon_fixture.hpp"
#include "support/run_awaitable.hpp"

namespace ttlink::test {
namespace {
using namespace std::chrono_literals;

struct Advertiser {
  std::string id;
  Secret token;
};

TEST(AdvertiserFactsCache, SharesFreshFactsAndForgetsStaleOnesAsItGrows) {
  auto sandbox = SandboxProcess::start();
  auto generated = sandbox->control("POST", "/generate", R"({"links":300,"issue_tokens":true})");
  std::vector<Advertiser> advertisers;
  for (const auto& t : generated.at("tokens").as_array())
    advertisers.push_back({std::string(t.at("advertiser_id").as_string()),
                           Secret(std::string(t.at("advertiser_token").as_string()))});
  ASSERT_EQ(advertisers.size(), 300u);
  auto app = sandbox->control("GET", "/world?comments=false").at("app").as_object();

  boost::asio::io_context io;
  http::Client http(io.get_executor(), http::ClientOptions{});
  tiktok::ApiClient api(http, {sandbox->api_base(), std::string(app.at("app_id").as_string()),
                               Secret(std::string(app.at("secret").as_string()))});
  TimePoint now = std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now());
  links::AdvertiserFactsCache cache(
      api, [&] { return now; }, [] { return Seconds{3600}; });
  auto fetch = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      auto facts = run(io, cache.facts(advertisers[i].token, advertisers[i].id, true));
      ASSERT_TRUE(facts) << facts.error().message;
      ASSERT_EQ((*facts)->advertisers.size(), 1u);
      EXPECT_EQ((*facts)->advertisers[0].advertiser_id, advertisers[i].id);
    }
  };

  fetch(0, 100);
  EXPECT_EQ(cache.size(), 100u);
  const std::uint64_t sent = api.sent();
  fetch(0, 100);  // fresh: shared, nothing asked
  EXPECT_EQ(api.sent(), sent);

  // Two hours on, those 100 are stale; 200 other advertisers are checked.
  now += 2h;
  fetch(100, 300);
  // Bounded by twice the fresh ones: the 100 stale went in a sweep.
  EXPECT_LE(cache.size(), 200u);
  EXPECT_GE(cache.size(), 100u);
  const std::uint64_t before = api.sent();
  fetch(0, 1);  // stale: asked again
  EXPECT_GT(api.sent(), before);
}

}  // namespace
}  // namespace ttlink::test
