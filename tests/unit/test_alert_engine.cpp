// core/alerts: the lifecycle (fire once, repeat, ack, resolve) and the
// durable outbox, on a real sqlite store in a temporary directory.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/alerts/engine.hpp"
#include "core/links/attention.hpp"
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
    link_ = store_->links().create("7000000000000000001", {}).value();
    link_.open_id = "open-1";
    ASSERT_TRUE(store_->links().update(link_));
    ASSERT_TRUE(store_->links().put_advertiser(
        {"7000000000000000001", "Brand Ads", "STATUS_ENABLE", "", "", "ADMIN"}));
    ASSERT_TRUE(store_->links().put_account({"open-1", "brand", "Brand", true, ""}));
    engine_ = std::make_unique<Engine>(*store_, Seconds{3600}, sinks(), [this] { return now_; });
  }

  static std::vector<SinkFilter> sinks() {
    return {{"webhook#1", {}, Severity::kInfo}, {"log#2", {}, Severity::kCritical}};
  }

  std::vector<store::AlertDelivery> due() { return store_->alerts().due(now_, 100).value(); }
  void deliver_all_due() {
    for (const auto& d : due()) ASSERT_TRUE(store_->alerts().mark_delivered(d.seq, now_));
  }
  json::object body(const store::AlertDelivery& d) { return json::parse(d.body).as_object(); }
  // What links hand over when the link records state `s`.
  Result<void> enter(LinkState s, long code = 40105, std::string message = "token revoked",
                     links::Trouble trouble = links::Trouble::kChecks) {
    const LinkEvent e{
        store_->links().facts(link_).value(), from_, s, Reason{code, std::move(message), "req-1"},
        links::attention_for(s, trouble, link_.id, "https://auth.example/?state=abc")};
    from_ = s;
    return engine_->on_link_event(e);
  }

  TempDir dir_;
  TimePoint now_ = from_unix(1'790'000'000);
  std::unique_ptr<store::Store> store_;
  store::LinkRecord link_;
  LinkState from_ = LinkState::kActive;
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
  EXPECT_EQ(p["reason"].at("request_id"), "req-1");
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
  EXPECT_EQ(store_->alerts().undelivered_count().value(), 0);
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
  EXPECT_EQ(store_->alerts().list(false, 10).value().size(), 1u);
}

TEST_F(AlertEngineTest, FailedAttemptsWaitForTheirRetryTime) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  auto rows = due();
  ASSERT_TRUE(store_->alerts().mark_attempt_failed(rows[0].seq, now_ + Seconds{10}, "HTTP 500"));
  EXPECT_EQ(due().size(), 1u);
  EXPECT_EQ(store_->alerts().next_delivery_at().value(), now_);
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

TEST_F(AlertEngineTest, ANewReasonOfTheSameStateKeepsTheActionLinkWhenNoneIsGiven) {
  ASSERT_TRUE(enter(LinkState::kReauthRequired));
  const LinkEvent again{store_->links().facts(link_).value(), LinkState::kReauthRequired,
                        LinkState::kReauthRequired, Reason{40107, "refresh token invalid", ""},
                        links::attention_for(LinkState::kReauthRequired, links::Trouble::kChecks,
                                             link_.id, std::nullopt)};
  ASSERT_TRUE(engine_->on_link_event(again));
  auto firing = engine_->list(false).value();
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0]["reason"].at("code"), 40107);
  EXPECT_EQ(firing[0]["action"].at("url"), "https://auth.example/?state=abc");
}

TEST(AlertKinds, LinksDecideTheKindOfEachState) {
  using links::attention_for;
  using links::Trouble;
  auto kind = [](LinkState s, Trouble t = Trouble::kChecks) {
    return attention_for(s, t, "1", std::nullopt)->kind;
  };
  EXPECT_EQ(kind(LinkState::kNotBusiness), AlertKind::kNotBusinessAccount);
  EXPECT_EQ(kind(LinkState::kAdvertiserInactive), AlertKind::kAdvertiserInactive);
  EXPECT_EQ(kind(LinkState::kPermissionDenied), AlertKind::kPermissionDenied);
  EXPECT_EQ(kind(LinkState::kDegraded, Trouble::kRefresh), AlertKind::kRefreshFailing);
  EXPECT_EQ(kind(LinkState::kDegraded, Trouble::kChecks), AlertKind::kUpstreamUnreachable);
  EXPECT_EQ(attention_for(LinkState::kExpiring, Trouble::kChecks, "1", "u")->severity,
            Severity::kWarning);
  // Only states a person must authorize again carry the action link.
  EXPECT_FALSE(attention_for(LinkState::kExpiring, Trouble::kChecks, "1", "u")->action.url);
  EXPECT_EQ(attention_for(LinkState::kReauthRequired, Trouble::kChecks, "1", "u")->action.url, "u");
  EXPECT_FALSE(attention_for(LinkState::kActive, Trouble::kChecks, "1", "u"));
  EXPECT_FALSE(attention_for(LinkState::kUnlinked, Trouble::kChecks, "1", "u"));
}

TEST(AlertJson, RoundTripsEveryMember) {
  Alert a;
  a.id = new_alert_id(from_unix(1'790'000'000));
  a.kind = AlertKind::kPostAuthExpiring;
  a.severity = Severity::kWarning;
  a.status = AlertStatus::kResolved;
  a.subject = "1/7300000000000000001";
  a.since = from_unix(1'790'000'000);
  a.resolved_at = from_unix(1'790'000'100);
  a.link = {"1", "7000000000000000001", "Brand Ads", "@brand", "open-1"};
  a.reason = {40002, "bad \"quoted\" text", "2024112413370201012345"};
  a.action = {"Renew it", std::nullopt};
  a.ctl = "ttlinkctl posts --expiring";
  a.post = PostFacts{"7300000000000000001", "7000000000000000001", "IN_USE",
                     from_unix(1'790'086'400), "creator"};
  a.comments = CommentFacts{"7300000000000000001", 3, from_unix(1'789'999'000)};
  auto back = alert_from_json(to_json_text(a));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->fingerprint(), a.fingerprint());
  EXPECT_EQ(back->kind, a.kind);
  EXPECT_EQ(back->status, a.status);
  EXPECT_EQ(back->resolved_at, a.resolved_at);
  EXPECT_EQ(back->link, a.link);
  EXPECT_EQ(back->reason, a.reason);
  EXPECT_EQ(back->action, a.action);
  EXPECT_EQ(back->post, a.post);
  EXPECT_EQ(back->comments, a.comments);
}

TEST(AlertJson, ADamagedStoredAlertIsAnErrorNotAGuess) {
  EXPECT_FALSE(alert_from_json("not json"));
  EXPECT_FALSE(alert_from_json(R"({"id":"x","kind":"no_such_kind","status":"firing"})"));
  Alert a;
  a.id = "x";
  a.subject = "1";
  auto text = to_json_text(a);
  text.replace(text.find("\"since\":\""), 9, "\"since\":7,\"x\":\"");
  EXPECT_FALSE(alert_from_json(text));
}

}  // namespace
}  // namespace ttlink::alerts
