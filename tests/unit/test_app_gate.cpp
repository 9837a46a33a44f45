// tiktok::AppGate: 40113 and 61000 pause every request of the app; one probe
// goes when a window ends; the same answer doubles the window (capped), any
// other answer ends the pause. Simulated time.
#include <gtest/gtest.h>

#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/envelope.hpp"

namespace ttlink::tiktok {
namespace {

Error answer(long code) {
  Error e = Error::upstream(code, "/advertiser/info/: refused");
  e.request_id = "req-" + std::to_string(code);
  return e;
}

struct Gate : ::testing::Test {
  AdjustableClock clock;
  AppGate gate{clock.as_clock()};
  int changes = 0;
  void SetUp() override {
    gate.on_change([this] { ++changes; });
  }
};

TEST_F(Gate, OpenUntilUpstreamPausesTheApp) {
  EXPECT_FALSE(gate.refuse());
  gate.answered(Error::upstream(40002, "bad parameter"));
  gate.answered(Error::transient("reset"));
  gate.answered({});
  EXPECT_FALSE(gate.paused());
  EXPECT_FALSE(gate.refuse());
  EXPECT_EQ(changes, 0);
}

TEST_F(Gate, ForbiddenRefusesEveryRequestUntilTheWindowEndsThenOneProbeGoes) {
  gate.answered(answer(40113));
  EXPECT_EQ(changes, 1);
  ASSERT_TRUE(gate.paused());
  for (int i = 0; i < 3; ++i) {
    auto refused = gate.refuse();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->upstream_code, 40113);
    EXPECT_EQ(outcome_of(*refused), Outcome::kAppForbidden);
    EXPECT_NE(refused->message.find("not sent"), std::string::npos);
    EXPECT_EQ(refused->request_id, "req-40113");
  }
  EXPECT_NEAR(*gate.seconds_left(), 300, 1);
  clock.advance(Seconds{299});
  EXPECT_TRUE(gate.refuse());
  clock.advance(Seconds{1});
  EXPECT_FALSE(gate.refuse());  // the probe
  EXPECT_TRUE(gate.refuse());   // others wait for its answer
  gate.answered(answer(40113));
  EXPECT_EQ(changes, 1);  // only extended: not news
  EXPECT_EQ(gate.condition()->answers, 2);
  EXPECT_NEAR(*gate.seconds_left(), 600, 1);
  clock.advance(Seconds{600});
  EXPECT_FALSE(gate.refuse());
  gate.answered({});  // upstream serves the app again
  EXPECT_FALSE(gate.paused());
  EXPECT_FALSE(gate.condition());
  EXPECT_EQ(changes, 2);
  EXPECT_FALSE(gate.refuse());
}

TEST_F(Gate, BlocklistWindowsDoubleFromAMinuteUpToAnHour) {
  EXPECT_EQ(app_pause(61000, 1), Seconds{60});
  EXPECT_EQ(app_pause(61000, 2), Seconds{120});
  EXPECT_EQ(app_pause(61000, 6), Seconds{1920});
  EXPECT_EQ(app_pause(61000, 7), Seconds{3600});
  EXPECT_EQ(app_pause(61000, 1000), Seconds{3600});
  EXPECT_EQ(app_pause(40113, 1), Seconds{300});
  const TimePoint start = clock.now();
  gate.answered(answer(61000));
  for (int i = 0; i < 5; ++i) {
    clock.advance(Seconds{static_cast<long long>(*gate.seconds_left()) + 1});
    ASSERT_FALSE(gate.refuse());
    gate.answered(answer(61000));
  }
  EXPECT_EQ(gate.condition()->since, start);  // one streak
  EXPECT_EQ(gate.condition()->answers, 6);
  EXPECT_EQ(changes, 1);
}

TEST_F(Gate, AProbeLostInTransitLetsTheNextRequestProbe) {
  gate.answered(answer(61000));
  clock.advance(Seconds{61});
  ASSERT_FALSE(gate.refuse());
  gate.answered(Error::transient("connection reset"));
  EXPECT_TRUE(gate.condition());
  EXPECT_FALSE(gate.refuse());  // the next probe
}

TEST_F(Gate, ADifferentPauseCodeStartsANewCondition) {
  gate.answered(answer(61000));
  clock.advance(Seconds{61});
  ASSERT_FALSE(gate.refuse());
  gate.answered(answer(40113));
  EXPECT_EQ(gate.condition()->code, 40113);
  EXPECT_EQ(gate.condition()->answers, 1);
  EXPECT_EQ(changes, 2);
}

TEST_F(Gate, AnotherErrorAnswerEndsThePause) {
  gate.answered(answer(40113));
  clock.advance(Seconds{301});
  ASSERT_FALSE(gate.refuse());
  gate.answered(answer(40105));  // an answer about a token: the app is served
  EXPECT_FALSE(gate.paused());
}

}  // namespace
}  // namespace ttlink::tiktok
