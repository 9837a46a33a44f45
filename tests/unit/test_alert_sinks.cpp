// core/alerts: the exec sink with real child processes, the webhook
// signature, and the delivery loop's retries on a real store.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/alerts/alert_metrics.hpp"
#include "core/alerts/alertmanager_sink.hpp"
#include "core/alerts/dispatcher.hpp"
#include "core/alerts/exec_sink.hpp"
#include "core/alerts/slack_sink.hpp"
#include "core/alerts/webhook_sink.hpp"
#include "core/links/attention.hpp"
#include "core/util/random.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::alerts {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using test::TempDir;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

config::AlertSinkConfig exec_config(std::vector<std::string> command,
                                    Seconds timeout = Seconds{5}) {
  config::AlertSinkConfig c;
  c.type = "exec";
  c.command = std::move(command);
  c.timeout = timeout;
  return c;
}

// A small alert for sinks that only pass the payload on.
Alert test_alert(std::string id = "01KEY") {
  Alert a;
  a.id = std::move(id);
  a.kind = AlertKind::kTest;
  a.severity = Severity::kInfo;
  a.subject = a.id;
  return a;
}

Outgoing outgoing(std::string key) {
  return Outgoing{test_alert(), std::move(key)};
}

// What links hand the engine when link `id` records state `to`.
LinkEvent event(store::Store& store, const std::string& id, LinkState to, long code = 40105) {
  auto link = store.links().get(id).value();
  return LinkEvent{store.links().facts(link).value(), LinkState::kActive, to,
                   Reason{code, code ? "revoked" : "", ""},
                   links::attention_for(to, links::Trouble::kChecks, id, std::nullopt)};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExecSink, PassesTheJsonOnStdinAndTheKeyInTheEnvironment) {
  TempDir dir;
  asio::io_context io;
  const std::string out = dir.file("got");
  ExecSink sink(
      "exec#1",
      exec_config({"/bin/sh", "-c", "cat > \"$0\"; echo \"$TTLINK_ALERT_ID\" >> \"$0\"", out}),
      io.get_executor());
  auto r = run(io, sink.deliver(outgoing("01KEY")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(read_file(out), to_json_text(test_alert()) + "01KEY\n");
}

TEST(ExecSink, ANonZeroExitIsAFailureToRetry) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/bin/sh", "-c", "exit 3"}), io.get_executor());
  auto r = run(io, sink.deliver(outgoing("k")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exited with 3"), std::string::npos);
}

TEST(ExecSink, ACommandPastItsTimeoutIsKilled) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/bin/sleep", "30"}, Seconds{1}), io.get_executor());
  const auto started = std::chrono::steady_clock::now();
  auto r = run(io, sink.deliver(outgoing("k")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(ExecSink, AMissingProgramFails) {
  asio::io_context io;
  ExecSink sink("exec#1", exec_config({"/nonexistent/notify"}), io.get_executor());
  EXPECT_FALSE(run(io, sink.deliver(outgoing("k"))));
}

TEST(WebhookSignature, IsTimestampDotBodyHmacSha256) {
  const Secret secret("s3cret");
  EXPECT_EQ(webhook_signature(secret, 1700000000, "{}"),
            "t=1700000000,v1=" + hmac_sha256_hex("s3cret", "1700000000.{}"));
  EXPECT_EQ(webhook_signature(secret, 1700000000, "{}").find("s3cret"), std::string::npos);
}

// The sink reads its secret_file as the config does: a file that group or
// others may read is refused with its path and mode (not only at load_config).
TEST(WebhookSink, ASecretFileOthersMayReadIsRefusedNamingItsMode) {
  TempDir dir;
  const std::string path = dir.file("webhook_secret");
  std::ofstream(path) << "hook-key\n";
  ::chmod(path.c_str(), 0644);
  config::AlertSinkConfig c;
  c.type = "webhook";
  c.url = "https://hooks.example/ttlink";
  c.secret_file = path;
  asio::io_context io;
  auto refused = WebhookSink::create("webhook#1", c, io.get_executor(), now_utc);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            path + ": mode 0644 lets group/others read it; chmod 600 " + path);
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(WebhookSink::create("webhook#1", c, io.get_executor(), now_utc));
  std::ofstream(path, std::ios::trunc) << "\n";
  auto empty = WebhookSink::create("webhook#1", c, io.get_executor(), now_utc);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, path + ": alerts.sink secret_file is empty");
}

// A sink that fails a set number of times, recording what it was given.
class FlakySink final : public Sink {
 public:
  explicit FlakySink(int failures, std::optional<Seconds> resend = std::nullopt)
      : failures_(failures), resend_(resend) {}
  const std::string& name() const override { return name_; }
  std::optional<Seconds> resend_interval() const override { return resend_; }
  asio::awaitable<Result<void>> deliver(const Outgoing& event) override {
    if (failures_-- > 0) co_return Error::transient("HTTP 500");
    got.push_back(event.idempotency_key);
    co_return Result<void>();
  }
  std::vector<std::string> got;

 private:
  std::string name_ = "webhook#1";
  int failures_;
  std::optional<Seconds> resend_;
};

TEST(Dispatcher, RetriesWithBackoffThenDeliversInOrder) {
  TempDir dir;
  auto store = store::Store::open(dir.file("db"), dir.file("key")).value();
  auto link = store->links().create("7000000000000000001", {}).value();
  TimePoint now = from_unix(1'790'000'000);
  Clock clock = [&] { return now; };
  Engine engine(*store, Seconds{3600}, {{"webhook#1", {}, Severity::kInfo}}, clock);
  auto flaky = std::make_unique<FlakySink>(2);
  FlakySink* sink = flaky.get();
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::move(flaky));
  asio::io_context io;
  Logger log(stderr, LogLevel::kError);
  Dispatcher d(io.get_executor(), *store, engine, std::move(sinks), log,
               Backoff{Seconds{10}, Seconds{100}}, clock);

  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kReauthRequired)));
  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kActive, 0)));
  run(io, d.run_once());  // attempt 1 fails: retry in 5..10 s
  EXPECT_TRUE(sink->got.empty());
  run(io, d.run_once());  // not due yet: nothing is tried
  EXPECT_EQ(store->alerts().undelivered_count().value(), 2);
  now += Seconds{10};
  run(io, d.run_once());  // attempt 2 fails: retry in 10..20 s
  EXPECT_TRUE(sink->got.empty());
  now += Seconds{20};
  run(io, d.run_once());  // the firing, then the resolved behind it
  run(io, d.run_once());
  ASSERT_EQ(sink->got.size(), 2u);
  EXPECT_EQ(sink->got[1], sink->got[0] + ".resolved");
  EXPECT_EQ(store->alerts().undelivered_count().value(), 0);
}

// A full disk: the sink took the event but the store cannot record it.
// Before, the row stayed due and was sent again on every pass (about once a
// second); now it is sent once and recorded when the store takes writes.
TEST(Dispatcher, AnEventDeliveredWhileTheStoreRefusesWritesIsNotSentAgain) {
  TempDir dir;
  auto store = store::Store::open(dir.file("db"), dir.file("key")).value();
  auto link = store->links().create("7000000000000000001", {}).value();
  TimePoint now = from_unix(1'790'000'000);
  Clock clock = [&] { return now; };
  Engine engine(*store, Seconds{3600}, {{"webhook#1", {}, Severity::kInfo}}, clock);
  auto flaky = std::make_unique<FlakySink>(0);
  FlakySink* sink = flaky.get();
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::move(flaky));
  asio::io_context io;
  Logger log(stderr, LogLevel::kError);
  Dispatcher d(io.get_executor(), *store, engine, std::move(sinks), log, Backoff{}, clock);
  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kReauthRequired)));

  auto& db = store->connection().database();
  ASSERT_TRUE(db.exec("PRAGMA query_only = ON"));
  for (int pass = 0; pass < 4; ++pass) {
    run(io, d.run_once());
    now += Seconds{1};
  }
  EXPECT_EQ(sink->got.size(), 1u);
  EXPECT_EQ(store->alerts().undelivered_count().value(), 1);  // not recorded: the disk is full

  ASSERT_TRUE(db.exec("PRAGMA query_only = OFF"));
  run(io, d.run_once());
  EXPECT_EQ(sink->got.size(), 1u);
  EXPECT_EQ(store->alerts().undelivered_count().value(), 0);
}

TEST(Dispatcher, ResendsFiringAlertsEveryIntervalToSinksThatAskUntilResolved) {
  TempDir dir;
  auto store = store::Store::open(dir.file("db"), dir.file("key")).value();
  auto link = store->links().create("7000000000000000001", {}).value();
  auto other = store->links().create("7000000000000000002", {}).value();
  TimePoint now = from_unix(1'790'000'000);
  Clock clock = [&] { return now; };
  // The sink takes critical alerts only: the warning must not be resent.
  Engine engine(*store, Seconds{86400}, {{"webhook#1", {}, Severity::kCritical}}, clock);
  auto resending = std::make_unique<FlakySink>(0, Seconds{60});
  FlakySink* sink = resending.get();
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::move(resending));
  asio::io_context io;
  Logger log(stderr, LogLevel::kError);
  Dispatcher d(io.get_executor(), *store, engine, std::move(sinks), log, Backoff{}, clock);

  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kReauthRequired)));
  ASSERT_TRUE(engine.on_link_event(event(*store, other.id, LinkState::kExpiring, 0)));
  run(io, d.run_once());
  ASSERT_EQ(sink->got.size(), 1u);  // the firing, not yet a resend
  const std::string id = sink->got[0];
  now += Seconds{59};
  run(io, d.run_once());
  EXPECT_EQ(sink->got.size(), 1u);
  now += Seconds{1};
  run(io, d.run_once());
  ASSERT_EQ(sink->got.size(), 2u);
  EXPECT_EQ(sink->got[1], id + ".resend");
  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kActive, 0)));
  now += Seconds{60};
  run(io, d.run_once());
  ASSERT_EQ(sink->got.size(), 3u);
  EXPECT_EQ(sink->got[2], id + ".resolved");
  now += Seconds{60};
  run(io, d.run_once());
  EXPECT_EQ(sink->got.size(), 3u);
}

TEST(AlertMetrics, OutboxDepthAndTheAgeOfItsOldestRowAreExported) {
  TempDir dir;
  auto store = store::Store::open(dir.file("db"), dir.file("key")).value();
  auto link = store->links().create("7000000000000000001", {}).value();
  const TimePoint queued = now_utc() - Seconds{90};
  Engine engine(*store, Seconds{3600}, {{"webhook#1", {}, Severity::kInfo}},
                [&] { return queued; });
  asio::io_context io;
  Logger log(stderr, LogLevel::kError);
  Dispatcher d(io.get_executor(), *store, engine, {}, log);
  metrics::Registry registry;
  register_alert_metrics(registry, d, *store, now_utc);
  EXPECT_NE(registry.render().find("\nttlink_alert_oldest_undelivered_seconds 0\n"),
            std::string::npos);
  ASSERT_TRUE(engine.on_link_event(event(*store, link.id, LinkState::kReauthRequired)));
  const std::string text = registry.render();
  EXPECT_NE(text.find("ttlink_alert_outbox_depth 1\n"), std::string::npos) << text;
  const std::string sample = "\nttlink_alert_oldest_undelivered_seconds ";
  const auto at = text.find(sample);
  ASSERT_NE(at, std::string::npos) << text;
  const double age = std::stod(text.substr(at + sample.size()));
  EXPECT_GE(age, 90);
  EXPECT_LT(age, 600);
}

json::object reauth_payload() {
  return json::parse(R"({"id":"01JABC","fingerprint":"reauth_required/42","kind":"reauth_required",
    "status":"firing","severity":"critical","since":"2026-11-24T10:00:00Z",
    "link":{"id":"42","advertiser_id":"7000000000000000001","advertiser_name":"Brand <Ads> & Co",
            "account":"@brand","open_id":"oid"},
    "reason":{"code":40105,"message":"Access token is invalid"},
    "action":{"text":"Reauthorize the TikTok account","url":"https://t.example/auth?a=1&state=s"},
    "ctl":"ttlinkctl reauth 42"})")
      .as_object();
}

Alert alert_of(const json::object& payload) {
  return alert_from_json(json::serialize(payload)).value();
}

std::string at(const json::object& o, std::string_view a, std::string_view b) {
  return std::string(o.at(a).at(b).as_string());
}

TEST(AlertmanagerAlert, LabelsIdentifyTheAlertAndAnnotationsCarryTheAction) {
  const TimePoint now = parse_rfc3339("2026-11-24T12:00:00Z").value();
  auto a = alertmanager_alert(alert_of(reauth_payload()), now, Seconds{60});
  const auto& labels = a.at("labels").as_object();
  EXPECT_EQ(at(a, "labels", "alertname"), "reauth_required");
  EXPECT_EQ(at(a, "labels", "severity"), "critical");
  EXPECT_EQ(at(a, "labels", "fingerprint"), "reauth_required/42");
  EXPECT_EQ(at(a, "labels", "link_id"), "42");
  EXPECT_EQ(at(a, "labels", "advertiser_id"), "7000000000000000001");
  EXPECT_EQ(at(a, "labels", "service"), "ttlink");
  EXPECT_EQ(labels.size(), 6u);  // nothing that changes while the alert fires
  EXPECT_EQ(at(a, "annotations", "summary"),
            "Reauthorize the TikTok account: @brand / Brand <Ads> & Co");
  EXPECT_EQ(at(a, "annotations", "description"), "Access token is invalid (40105)");
  EXPECT_EQ(at(a, "annotations", "action_url"), "https://t.example/auth?a=1&state=s");
  EXPECT_EQ(at(a, "annotations", "ctl"), "ttlinkctl reauth 42");
  EXPECT_EQ(std::string(a.at("startsAt").as_string()), "2026-11-24T10:00:00Z");
  EXPECT_EQ(std::string(a.at("endsAt").as_string()), "2026-11-24T12:04:00Z");  // now + 4 × 60 s
}

TEST(AlertmanagerAlert, ResolvedEndsAtItsResolveTimeAndNeverInTheFuture) {
  auto p = reauth_payload();
  p["status"] = "resolved";
  p["resolved_at"] = "2026-11-24T11:30:00Z";
  const TimePoint now = parse_rfc3339("2026-11-24T12:00:00Z").value();
  auto a = alertmanager_alert(alert_of(p), now, Seconds{60});
  EXPECT_EQ(std::string(a.at("endsAt").as_string()), "2026-11-24T11:30:00Z");
  p["resolved_at"] = "2027-01-01T00:00:00Z";  // a daemon clock moved ahead (debug)
  a = alertmanager_alert(alert_of(p), now, Seconds{60});
  EXPECT_EQ(std::string(a.at("endsAt").as_string()), "2026-11-24T12:00:00Z");
}

TEST(AlertmanagerAlert, AStoredPayloadWithoutKindIsAnErrorBeforeAnySinkSeesIt) {
  auto p = reauth_payload();
  p.erase("kind");
  auto a = alert_from_json(json::serialize(p));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, ErrorKind::kStorage);
}

TEST(SlackText, SaysWhatWhoWhyAndTheActionWithUpstreamTextEscaped) {
  EXPECT_EQ(slack_text(alert_of(reauth_payload())),
            ":rotating_light: [critical] *Reauthorize the TikTok account* — @brand · advertiser "
            "Brand &lt;Ads&gt; &amp; Co (7000000000000000001)\n"
            ">Access token is invalid (40105)\n"
            "<https://t.example/auth?a=1&amp;state=s|Reauthorize the TikTok account> · "
            "`ttlinkctl reauth 42`");
}

TEST(SlackText, ResolvedIsOneLine) {
  auto p = reauth_payload();
  p["status"] = "resolved";
  EXPECT_EQ(
      slack_text(alert_of(p)),
      ":white_check_mark: *Resolved: reauth_required* — @brand · advertiser Brand &lt;Ads&gt; "
      "&amp; Co (7000000000000000001)");
}

TEST(SlackText, ANewlineInAReasonCannotStartAFakeLine) {
  auto p = reauth_payload();
  p["reason"].as_object()["message"] = "bad\n<!channel> <https://evil|click>";
  const std::string t = slack_text(alert_of(p));
  EXPECT_EQ(t.find("<!channel>"), std::string::npos) << t;
  EXPECT_EQ(t.find("<https://evil"), std::string::npos) << t;
  EXPECT_NE(t.find(">bad &lt;!channel&gt;"), std::string::npos) << t;
}

}  // namespace
}  // namespace ttlink::alerts
