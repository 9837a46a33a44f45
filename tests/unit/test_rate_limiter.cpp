#include <gtest/gtest.h>

#include "core/tiktok/rate_limiter.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace ttlink::tiktok {
namespace {
using Clock = TokenBucket::Clock;
using namespace std::chrono_literals;

TEST(TokenBucket, UnlimitedNeverWaits) {
  TokenBucket b(0);
  auto now = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(b.wait_time(now), Clock::duration::zero());
    b.take();
  }
}

TEST(TokenBucket, AllowsBurstOfRateThenPacesAtRate) {
  TokenBucket b(10);
  auto now = Clock::now();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(b.wait_time(now), Clock::duration::zero()) << i;
    b.take();
  }
  auto wait = b.wait_time(now);
  EXPECT_GT(wait, 90ms);
  EXPECT_LE(wait, 101ms);
  EXPECT_EQ(b.wait_time(now + 100ms), Clock::duration::zero());
}

TEST(TokenBucket, FractionalRatesWaitSeconds) {
  TokenBucket b(0.5);
  auto now = Clock::now();
  ASSERT_EQ(b.wait_time(now), Clock::duration::zero());
  b.take();
  EXPECT_GT(b.wait_time(now), 1900ms);
}

}  // namespace
}  // namespace ttlink::tiktok

namespace ttlink::tiktok {
namespace {

// [limits]: an endpoint's daily cap refuses requests once used up, and a
// new UTC day starts the count again; other endpoints are not touched.
TEST(RateLimiterLimits, DailyCapRefusesUntilTheNextUtcDay) {
  boost::asio::io_context io;
  RateLimiter limiter(io.get_executor(), 0, 0);
  std::int64_t now = 86400LL * 20000 + 3600;
  limiter.count_days_with([&] { return now; });
  Limits l;
  l.endpoints["/comment/list/"] = {std::nullopt, 2};
  limiter.set_limits(l);
  std::vector<std::string> answers;
  auto ask = [&](const char* endpoint) {
    boost::asio::co_spawn(
        io,
        [&, endpoint]() -> boost::asio::awaitable<void> {
          answers.push_back(co_await limiter.acquire(endpoint));
        },
        boost::asio::detached);
    io.run();
    io.restart();
    return answers.back();
  };
  EXPECT_EQ(ask("/comment/list/"), "");
  EXPECT_EQ(ask("/comment/list/"), "");
  const std::string refused = ask("/comment/list/");
  EXPECT_NE(refused.find("daily cap of 2 requests to /comment/list/"), std::string::npos)
      << refused;
  EXPECT_EQ(ask("/bc/get/"), "");  // no cap there
  now += 86400;                    // the next UTC day
  EXPECT_EQ(ask("/comment/list/"), "");
}

TEST(RateLimiterLimits, AnEndpointOverrideLimitsThatEndpointAlone) {
  boost::asio::io_context io;
  RateLimiter limiter(io.get_executor(), 0, 0);
  Limits l;
  l.endpoint_qps = 0;
  l.endpoints["/comment/list/"] = {0.5, std::nullopt};
  limiter.set_limits(l);
  int done = 0;
  for (int i = 0; i < 2; ++i)
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          co_await limiter.acquire("/comment/list/");
          ++done;
        },
        boost::asio::detached);
  for (int i = 0; i < 20; ++i)
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          co_await limiter.acquire("/bc/get/");
          ++done;
        },
        boost::asio::detached);
  io.run_for(std::chrono::milliseconds(300));
  EXPECT_EQ(done, 21);  // every /bc/get/ at once, one /comment/list/ (the next in 2 s)
  EXPECT_EQ(limiter.stats().waits, 0u);
}

}  // namespace
}  // namespace ttlink::tiktok
