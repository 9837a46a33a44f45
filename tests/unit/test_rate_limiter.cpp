#include <gtest/gtest.h>

#include "core/tiktok/rate_limiter.hpp"

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
