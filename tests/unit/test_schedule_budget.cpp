// links::ScheduleBudget: the configured interval is kept while the links'
// checks fit in 90 % of poll.max_qps, and stretched evenly (to the
// hundredth) when they do not.
#include <gtest/gtest.h>

#include "core/links/schedule_budget.hpp"

namespace ttlink::links {
namespace {

TEST(ScheduleBudget, KeepsTheIntervalWhileTheChecksFit) {
  ScheduleBudget b;
  // 9,000 links x 6 requests every 15 min = 60 requests/s: fits in 100 x 0.9.
  EXPECT_FALSE(b.update({9000, 100, 600}, Seconds{900}, 100));
  EXPECT_EQ(b.stretch(), 1.0);
  EXPECT_EQ(b.requests_per_check(), 6.0);
  EXPECT_EQ(b.effective(Seconds{900}), Seconds{900});
  EXPECT_EQ(b.message(Seconds{900}), "");
}

TEST(ScheduleBudget, StretchesEvenlyWhenTheyDoNotAndSaysWhatToDo) {
  ScheduleBudget b;
  // 9,000 links x 6 requests every 15 min at max_qps 10: 60 / 9 = 6.67x.
  EXPECT_TRUE(b.update({9000, 50, 300}, Seconds{900}, 10));
  EXPECT_DOUBLE_EQ(b.stretch(), 6.67);
  EXPECT_EQ(b.effective(Seconds{900}), Seconds{6060});  // 6,003 s, up to whole minutes
  EXPECT_EQ(b.message(Seconds{900}),
            "checks run every 101m instead of 15m: raise poll.max_qps or poll.status_interval");
  EXPECT_FALSE(b.update({9000, 50, 300}, Seconds{900}, 10));  // the same: not news
  EXPECT_TRUE(b.update({9000, 50, 300}, Seconds{900}, 100));  // raised: fits again
  EXPECT_EQ(b.stretch(), 1.0);
}

TEST(ScheduleBudget, NoLimitOrNoMeasureNeverStretches) {
  ScheduleBudget b;
  EXPECT_FALSE(b.update({100000, 10, 60}, Seconds{900}, 0));  // max_qps = 0: unlimited
  EXPECT_FALSE(b.update({100000, 0, 0}, Seconds{900}, 0));
  ScheduleBudget fresh;
  EXPECT_FALSE(fresh.update({100000, 0, 500}, Seconds{900}, 10));  // no check yet: unknown cost
  EXPECT_EQ(fresh.stretch(), 1.0);
}

}  // namespace
}  // namespace ttlink::links
