// core/links/scheduler: how due work is found and started, on a real sqlite
// store. The links here are ACTIVE without tokens, so each check ends at
// once (a conflict: "not authorized yet") without any upstream request, and
// the scheduler reschedules it like any failure.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "core/http/client.hpp"
#include "core/links/link_service.hpp"
#include "core/links/scheduler.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::links {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

class SchedulerDue : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open(dir_.file("ttlink.db"), dir_.file("store_key"), [this] {
               return now_;
             }).value();
    config_.poll.status_interval = Seconds{3600};
    links_ = std::make_unique<LinkService>(*store_, api_, config_, log_, [this] { return now_; });
  }

  // `n` ACTIVE links whose checks come due at `at`, written in one transaction.
  void add_links(int n, TimePoint at) {
    ASSERT_TRUE(store_->in_transaction([&]() -> Result<void> {
      for (int i = 0; i < n; ++i) {
        auto link = store_->links().create("", {});
        if (!link) return link.error();
        link->state = LinkState::kActive;
        link->next_check_at = at;
        if (auto r = store_->links().update(*link); !r) return r;
      }
      return {};
    }));
  }

  // Runs the daemon's loop until `done` holds or `limit` of real time passed.
  template <class Pred>
  bool run_until(Pred done, std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(50ms);
    return done();
  }

  TempDir dir_;
  TimePoint now_ = from_unix(1'790'000'000);
  std::unique_ptr<store::Store> store_;
  config::Config config_;
  boost::asio::io_context io_;
  http::Client http_{io_.get_executor(), {}};
  // Unroutable: no test here may reach upstream.
  tiktok::ApiClient api_{http_, {"http://127.0.0.1:9/open_api/v1.3", "app", Secret("s")}};
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<LinkService> links_;
};

// More links due than one read of the due index returns (1,000): the next
// read follows as soon as the first batch is done, not a tick later. Before,
// each batch of 1,000 waited for the next tick (1 s in the daemon: a third
// of the time idle while checking 10,000 links); here the tick is an hour.
TEST_F(SchedulerDue, ABatchThatRunsOutReadsTheNextAtOnceNotAtTheNextTick) {
  add_links(2500, now_ + Seconds{10});
  SchedulerOptions options;
  options.tick = std::chrono::hours(1);
  Scheduler scheduler(
      io_.get_executor(), *links_, log_, [this] { return now_; }, options);
  scheduler.start();
  io_.poll();  // the first look: nothing due yet, so nothing spread either
  EXPECT_EQ(scheduler.stats().checks_failed, 0u);
  now_ += Seconds{20};
  scheduler.poke();
  const bool all = run_until([&] { return scheduler.stats().checks_failed >= 2500; }, 30s);
  EXPECT_TRUE(all) << scheduler.stats().checks_failed << " of 2,500 checks ran within the tick";
  // Each was attempted once and moved on (a back-off, not a loop).
  EXPECT_EQ(scheduler.stats().checks_failed, 2500u);
  EXPECT_TRUE(store_->links().due(now_, 10)->empty());
  scheduler.stop();
  io_.poll();
}

// A failing link never costs more than a healthy one (issue 28): once the
// back-off reaches the check interval it never goes below it. Before, the
// jitter at the cap went down to half the interval.
TEST(RetryDelay, OnceCappedItIsNeverBelowTheCapAndAtMostTheJitterAbove) {
  std::mt19937_64 rng(7);
  for (int failures = 4; failures < 40; ++failures)
    for (int i = 0; i < 200; ++i) {
      auto d = retry_delay(failures, Seconds{1}, Seconds{5}, 0.10, rng);
      ASSERT_GE(d, Seconds{5}) << failures;
      ASSERT_LE(d, Seconds{5}) << failures;  // 10 % of 5 s rounds down to 0 s
    }
  for (int i = 0; i < 1000; ++i) {
    auto d = retry_delay(30, Seconds{30}, Seconds{900}, 0.10, rng);
    ASSERT_GE(d, Seconds{900});
    ASSERT_LE(d, Seconds{990});
  }
}

TEST(RetryDelay, BelowTheCapItDoublesWithJitterDownToHalf) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    auto first = retry_delay(1, Seconds{30}, Seconds{900}, 0.10, rng);
    ASSERT_GE(first, Seconds{15});
    ASSERT_LE(first, Seconds{30});
    auto third = retry_delay(3, Seconds{30}, Seconds{900}, 0.10, rng);
    ASSERT_GE(third, Seconds{60});
    ASSERT_LE(third, Seconds{120});
  }
}

// At status_interval = 5 s a permanently failing check made 17 attempts in
// 60 s where a healthy link makes 12. The same sum, from the delays alone:
TEST(RetryDelay, AttemptsInAnHourOfAFailingCheckAreAtMostAHealthyLinks) {
  std::mt19937_64 rng(11);
  for (long long interval : {5LL, 60LL, 900LL}) {
    const Seconds base{std::clamp<long long>(interval / 4, 1, 30)};
    long long t = 0;
    int attempts = 0;
    for (int failures = 1; t < 3600; ++failures, ++attempts)
      t += retry_delay(failures, base, Seconds{interval}, 0.10, rng).count();
    // A healthy link: every interval on average (jitter both ways), plus
    // the back-off's first few quick retries, which find a blip's end.
    const int healthy = static_cast<int>(3600 / interval);
    const int ramp = 5;
    EXPECT_LE(attempts, healthy + ramp) << "interval " << interval;
  }
}

}  // namespace
}  // namespace ttlink::links
