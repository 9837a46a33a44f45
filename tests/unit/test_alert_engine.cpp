// core/alerts: the lifecycle (fire once, repeat, ack, resolve) and the
// durable outbox, on a real sqlite store in a temporary directory.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/alerts/engine.hpp"
#include "core/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::alerts {
namespace {

namespace json = boost::json;
using test::TempDir;

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open(dir_.file("ttlink.db"), dir_.file("store_key")).value();
    link_ = store_->create_link("7000000000000000001", {}).value();
    link_.open_id = "open-1";
    ASSERT_TRUE(store_->update_link(link_));
    ASSERT_TRUE(store_->put_advertiser(
        {"7000000000000000001", "Brand Ads", "STATUS_ENABLE", "", "", "ADMIN"}));
    ASSERT_TRUE(store_->put_account({"open-1", "brand", "Brand", true, ""}));
    engine_ = std::make_unique<Engine>(*store_, Seconds{3600}, sinks(), [this] { return now_; });
  }

  static std::vector<SinkFilter> sinks() {
    return {{"webhook#1", {}, Severity::kInfo}, {"log#2", {}, Severity::kCritical}};
  }

  std::vector<store::AlertDelivery> due() { return store_->due_deliveries(now_, 100).value(); }
  void deliver_all_due() {
    for (const auto& d : due()) ASSERT_TRUE(store_->mark_delivered(d.seq, now_));
  }
  json::object body(const store::AlertDelivery& d) { return json::parse(d.body).as_object(); }
  Result<void> enter(LinkState s, long code = 40105, std::string message = "token revoked") {
    return engine_->on_link_state(link_.id, s, {code, std::move(message)},
                                  "https://auth.example/?state=abc");
  }

  TempDir dir_;
  TimePoint now_ = from_unix(1'790'000'000);
  std::unique_ptr<store::Store> store_;
  store::LinkRecord link_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(AlertEngineTest, ReauthRequiredFiresOncePerFingerprintWithTheProductPayload) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  ASSERT_TRUE(enter(LinkState::kReauthRequired));  // same state again: nothing new

  auto rows = due();
  ASSERT_EQ(rows.size(), 2u);  // one per sink (log#2 takes critical)
  auto p = body(rows[0]);
  EXPECT_EQ(p["kind"], "reauth_required");
  EXPECT_EQ(p["status"], "firing");
  EXPECT_EQ(p["severity"], "critical");
  EXPECT_EQ(p["fingerprint"], json::value("reauth_required/" + link_.id));
  EXPECT_EQ(p["since"], json::value(format_rfc3339(now_)));
  EXPECT_EQ(p["link"].at("advertiser_name"), "Brand Ads");
  EXPECT_EQ(p["link"].at("account"), "@brand");
  EXPECT_EQ(p["link"].at("open_id"), "open-1");
  EXPECT_EQ(p["reason"].at("code"), 40105);
  EXPECT_EQ(p["action"].at("url"), "https://auth.example/?state=abc");
  EXPECT_EQ(p["ctl"], json::value("ttlinkctl reauth " + link_.id));
  EXPECT_EQ(rows[0].event_id, std::string(p["id"].as_string()));
  EXPECT_EQ(engine_->firing_count().value(), 1);
}

TEST_F(AlertEngineTest, WarningsSkipSinksThatOnlyWantCritical) {
  ASSERT_TRUE(enter(LinkState::kDegraded, 50000, "upstream timeout"));
  auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].sink, "webhook#1");
  EXPECT_EQ(body(rows[0])["kind"], "upstream_unreachable");
}

TEST_F(AlertEngineTest, LeavingTheStateResolvesAndTheResolvedWaitsForItsFiring) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  ASSERT_TRUE(enter(LinkState::kActive, 0, "ok"));
  EXPECT_EQ(engine_->firing_count().value(), 0);

  // The firing rows are due; the resolved rows wait behind them per sink.
  auto first = due();
  ASSERT_EQ(first.size(), 2u);
  for (const auto& d : first) EXPECT_EQ(body(d)["status"], "firing");
  deliver_all_due();
  auto second = due();
  ASSERT_EQ(second.size(), 2u);
  for (const auto& d : second) {
    EXPECT_EQ(body(d)["status"], "resolved");
    EXPECT_EQ(d.event_id, std::string(body(d)["id"].as_string()) + ".resolved");
  }
  deliver_all_due();
  EXPECT_TRUE(due().empty());
  EXPECT_EQ(store_->undelivered_count().value(), 0);
}

TEST_F(AlertEngineTest, ChangingStateResolvesTheOldKindAndFiresTheNew) {
  ASSERT_TRUE(enter(LinkState::kExpiring, 0, "refresh token expires soon"));
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  auto all = engine_->list(true).value();
  ASSERT_EQ(all.size(), 2u);
  auto firing = engine_->list(false).value();
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0]["kind"], "reauth_required");
}

TEST_F(AlertEngineTest, RepeatsAfterTheIntervalUntilAcked) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  deliver_all_due();
  now_ += Seconds{3599};
  EXPECT_EQ(engine_->queue_repeats().value(), 0);
  now_ += Seconds{1};
  EXPECT_EQ(engine_->queue_repeats().value(), 1);
  auto repeats = due();
  ASSERT_EQ(repeats.size(), 2u);
  EXPECT_NE(repeats[0].event_id.find(".repeat."), std::string::npos);
  deliver_all_due();

  auto id = std::string(engine_->list(false).value()[0]["id"].as_string());
  auto acked = engine_->ack(id);
  ASSERT_TRUE(acked);
  EXPECT_EQ((*acked)["acked"], true);
  now_ += Seconds{7200};
  EXPECT_EQ(engine_->queue_repeats().value(), 0);
  EXPECT_TRUE(due().empty());
}

TEST_F(AlertEngineTest, ANewReasonClearsTheAckAndIsSentAgain) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  deliver_all_due();
  auto id = std::string(engine_->list(false).value()[0]["id"].as_string());
  ASSERT_TRUE(engine_->ack(id));
  ASSERT_TRUE(enter(LinkState::kReauthRequired, 40107, "refresh token invalid"));
  auto rows = due();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(body(rows[0])["reason"].at("code"), 40107);
  EXPECT_EQ(engine_->list(false).value()[0]["acked"], false);
}

TEST_F(AlertEngineTest, AckOfUnknownOrResolvedAlertIsAnError) {
  EXPECT_EQ(engine_->ack("nope").error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  auto id = std::string(engine_->list(false).value()[0]["id"].as_string());
  ASSERT_TRUE(enter(LinkState::kActive, 0, ""));
  EXPECT_EQ(engine_->ack(id).error().kind, ErrorKind::kConflict);
}

TEST_F(AlertEngineTest, QueuedAlertsSurviveReopeningTheStore) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  engine_.reset();
  store_.reset();
  store_ = store::Store::open(dir_.file("ttlink.db"), dir_.file("store_key")).value();
  EXPECT_EQ(due().size(), 2u);
  EXPECT_EQ(store_->list_alerts(false, 10).value().size(), 1u);
}

TEST_F(AlertEngineTest, FailedAttemptsWaitForTheirRetryTime) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  auto rows = due();
  ASSERT_TRUE(store_->mark_attempt_failed(rows[0].seq, now_ + Seconds{10}, "HTTP 500"));
  EXPECT_EQ(due().size(), 1u);
  EXPECT_EQ(store_->next_delivery_at().value(), now_);
  now_ += Seconds{10};
  auto later = due();
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].attempts, 1);
  EXPECT_EQ(later[0].last_error, "HTTP 500");
}

TEST(AlertIds, AreSortableByTimeAndUnique) {
  auto a = new_alert_id(from_unix(1'790'000'000));
  auto b = new_alert_id(from_unix(1'790'000'001));
  auto c = new_alert_id(from_unix(1'790'000'001));
  EXPECT_EQ(a.size(), 26u);
  EXPECT_LT(a, b);
  EXPECT_NE(b, c);
}

TEST(AlertKinds, MapLinkStates) {
  EXPECT_EQ(kind_for_state(LinkState::kNotBusiness, "")->kind, "not_business_account");
  EXPECT_EQ(kind_for_state(LinkState::kAdvertiserInactive, "")->kind, "advertiser_inactive");
  EXPECT_EQ(kind_for_state(LinkState::kPermissionDenied, "")->kind, "permission_denied");
  EXPECT_EQ(kind_for_state(LinkState::kExpiring, "")->severity, Severity::kWarning);
  EXPECT_EQ(kind_for_state(LinkState::kDegraded, "token refresh failed")->kind, "refresh_failing");
  EXPECT_FALSE(kind_for_state(LinkState::kActive, ""));
  EXPECT_FALSE(kind_for_state(LinkState::kUnlinked, ""));
}

}  // namespace
}  // namespace ttlink::alerts
