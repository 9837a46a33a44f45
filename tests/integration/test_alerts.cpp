// Alerts end to end: a real sandbox, a real ttlinkd, and a real HTTP
// receiver in the test that checks the webhook's HMAC signature and can
// answer 500 for a while. Revoking a token in the sandbox must bring a
// reauth_required alert with a working authorization URL; following it must
// bring the resolved event; nothing is lost across sink outages or kill -9.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/http/server.hpp"
#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";
constexpr const char* kOpenId = "demo-open-id-0001";
constexpr const char* kSecret = "whsec-test-0123456789";

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// HMAC-SHA256 computed here with OpenSSL directly, not with the daemon's helper.
std::string hmac_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

bool signature_ok(const std::string& header, const std::string& body) {
  auto comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  return header.substr(comma + 4) == hmac_hex(kSecret, t + "." + body);
}

// A webhook receiver on loopback, on its own thread.
class Receiver {
 public:
  struct Delivery {
    json::object body;
    std::string key;
    bool signed_ok = false;
    std::string custom_header;
  };

  Receiver()
      : server_(
            io_.get_executor(), {}, [this](const http::Request& r) { return handle(r); }, log_) {
    EXPECT_TRUE(server_.start());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hook"; }
  void fail_next(int n) {
    std::lock_guard lock(mu_);
    failures_left_ = n;
  }
  // The next `n` requests are recorded, then answered only after `delay`.
  void slow_next(int n, std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    slow_left_ = n;
    slow_delay_ = delay;
  }
  std::vector<Delivery> accepted() const {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  int refused() const {
    std::lock_guard lock(mu_);
    return refused_;
  }
  // Waits until an accepted body's "text" (a chat message) contains `part`.
  std::optional<std::string> wait_for_text(const std::string& part,
                                           std::chrono::milliseconds within = 20s) {
    std::optional<std::string> found;
    wait_until(
        [&] {
          for (auto& d : accepted())
            if (const auto* t = d.body.if_contains("text");
                t && t->is_string() && t->get_string().find(part) != json::string::npos) {
              found = str(*t);
              return true;
            }
          return false;
        },
        deadline_in(within));
    return found;
  }
  // Waits until an accepted delivery matches `kind` and `status`.
  std::optional<Delivery> wait_for(const std::string& kind, const std::string& status,
                                   std::chrono::milliseconds within = 20s) {
    std::optional<Delivery> found;
    wait_until(
        [&] {
          for (auto& d : accepted())
            if (str(d.body.at("kind")) == kind && str(d.body.at("status")) == status) {
              found = d;
              return true;
            }
          return false;
        },
        deadline_in(within));
    return found;
  }

 private:
  boost::asio::awaitable<http::Response> handle(const http::Request& r) {
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mu_);
      if (failures_left_ > 0) {
        --failures_left_;
        ++refused_;
        co_return http::Response{500, {}, "down for maintenance"};
      }
      boost::system::error_code ec;
      auto v = json::parse(r.body, ec);
      if (ec || !v.is_object()) co_return http::Response{400, {}, "not json"};
      accepted_.push_back({v.as_object(), r.header("Idempotency-Key"),
                           signature_ok(r.header("X-Ttlink-Signature"), r.body),
                           r.header("X-Team")});
      if (slow_left_ > 0) {
        --slow_left_;
        delay = slow_delay_;
      }
    }
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(io_, delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    co_return http::Response{200, {}, "ok"};
  }

  Logger log_{stderr, LogLevel::kError};
  boost::asio::io_context io_{1};
  http::Server server_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Delivery> accepted_;
  int failures_left_ = 0;
  int refused_ = 0;
  int slow_left_ = 0;
  std::chrono::milliseconds slow_delay_{0};
};

class Alerts : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = SandboxProcess::start();
    { std::ofstream(secret_dir.file("webhook_secret")) << kSecret << "\n"; }
    std::filesystem::permissions(
        secret_dir.file("webhook_secret"),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    DaemonOptions o;
    o.extra_toml = "[[alerts.sink]]\ntype = \"webhook\"\nurl = \"" + receiver.url() +
                   "\"\nsecret_file = \"" + secret_dir.file("webhook_secret") +
                   "\"\ntimeout = \"5s\"\n[alerts.sink.headers]\nX-Team = \"ads-oncall\"\n"
                   "[[alerts.sink]]\ntype = \"log\"\n"
                   "[[alerts.sink]]\ntype = \"slack\"\nurl = \"" +
                   chat.url() + "\"\n";
    daemon = DaemonProcess::start(*sandbox, o);
  }

  std::string revoke_and_check(const std::string& id) {
    sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
    auto checked = daemon->must("link.check", {{"id", id}}).at("link").as_object();
    return str(checked.at("state"));
  }

  TempDir secret_dir;
  Receiver receiver;
  Receiver chat;  // the slack sink's incoming webhook
  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(Alerts, RevokedTokenRaisesSignedReauthAlertWhoseUrlRelinksAndResolvesIt) {
  auto id = daemon->link(kAdvertiser);
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");

  auto firing = receiver.wait_for("reauth_required", "firing");
  ASSERT_TRUE(firing) << daemon->log_text();
  EXPECT_TRUE(firing->signed_ok);
  EXPECT_EQ(firing->custom_header, "ads-oncall");
  const auto& p = firing->body;
  EXPECT_EQ(firing->key, str(p.at("id")));
  EXPECT_EQ(str(p.at("fingerprint")), "reauth_required/" + id);
  EXPECT_EQ(str(p.at("severity")), "critical");
  EXPECT_EQ(str(p.at("link").at("open_id")), kOpenId);
  EXPECT_EQ(str(p.at("link").at("account")), "@demobrand");
  EXPECT_EQ(p.at("reason").at("code").as_int64(), 40105);
  EXPECT_EQ(str(p.at("ctl")), "ttlinkctl reauth " + id);
  const std::string body_text = json::serialize(p);
  EXPECT_EQ(body_text.find("access_token"), std::string::npos) << body_text;

  auto listed = daemon->must("alerts.list");
  ASSERT_EQ(listed.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(daemon->must("status").at("alerts_firing").as_int64(), 1);
  // Every sink got it: the chat message carries the same action link
  // (with & escaped as Slack wants), the journal sink the fingerprint.
  auto message = chat.wait_for_text("Reauthorize the TikTok account");
  ASSERT_TRUE(message) << daemon->log_text();
  std::string slack_url = str(p.at("action").at("url"));
  for (std::size_t at = 0; (at = slack_url.find('&', at)) != std::string::npos; at += 5)
    slack_url.replace(at, 1, "&amp;");
  EXPECT_NE(message->find("<" + slack_url + "|"), std::string::npos) << *message;
  EXPECT_NE(message->find("@demobrand"), std::string::npos) << *message;
  EXPECT_NE(message->find("`ttlinkctl reauth " + id + "`"), std::string::npos) << *message;
  EXPECT_TRUE(daemon->process().wait_for_output(
      [&](std::string_view line) {
        return line.find("alert") != std::string_view::npos &&
               line.find("reauth_required/" + id) != std::string_view::npos;
      },
      deadline_in(10s)));

  auto page = daemon->authorize(str(p.at("action").at("url")));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");

  auto resolved = receiver.wait_for("reauth_required", "resolved");
  ASSERT_TRUE(resolved) << daemon->log_text();
  EXPECT_TRUE(resolved->signed_ok);
  EXPECT_EQ(str(resolved->body.at("id")), str(p.at("id")));
  EXPECT_NE(resolved->key, firing->key);  // one Idempotency-Key per event
  EXPECT_TRUE(daemon->must("alerts.list").at("alerts").as_array().empty());
  EXPECT_EQ(daemon->must("alerts.list", {{"all", true}}).at("alerts").as_array().size(), 1u);
  EXPECT_EQ(daemon->must("status").at("alerts_firing").as_int64(), 0);
  EXPECT_TRUE(chat.wait_for_text("Resolved: reauth_required")) << daemon->log_text();
  EXPECT_EQ(daemon->log_text().find(kSecret), std::string::npos);
}

TEST_F(Alerts, AReceiverAnswering500IsRetriedUntilItRecoversAndNothingIsLost) {
  auto id = daemon->link(kAdvertiser);
  receiver.fail_next(2);
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  auto firing = receiver.wait_for("reauth_required", "firing", 30s);
  ASSERT_TRUE(firing) << daemon->log_text();
  EXPECT_EQ(receiver.refused(), 2);
  EXPECT_EQ(receiver.accepted().size(), 1u);
  EXPECT_NE(daemon->log_text().find("alerts.delivery_failed"), std::string::npos);
}

TEST_F(Alerts, ASlowReceiverIsRetriedWithTheSameIdempotencyKey) {
  auto id = daemon->link(kAdvertiser);
  receiver.slow_next(1, 8s);  // past the sink's 5 s timeout
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(wait_until([&] { return receiver.accepted().size() >= 2; }, deadline_in(30s)))
      << daemon->log_text();
  auto got = receiver.accepted();
  // At least once: the timed-out attempt and its retry are the same event.
  EXPECT_EQ(got[0].key, got[1].key);
  EXPECT_EQ(json::serialize(got[0].body), json::serialize(got[1].body));
  EXPECT_NE(daemon->log_text().find("alerts.delivery_failed"), std::string::npos);
}

TEST_F(Alerts, EventsOfOneAlertArriveInOrderAfterAnOutage) {
  auto id = daemon->link(kAdvertiser);
  receiver.fail_next(1000);
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  json::array firing;
  ASSERT_TRUE(wait_until(
      [&] { return !(firing = daemon->must("alerts.list").at("alerts").as_array()).empty(); },
      deadline_in(10s)));
  // Fixed and broken again while the receiver is down: firing, resolved,
  // firing queue up behind each other.
  auto page = daemon->authorize(str(firing[0].at("action").at("url")));
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(wait_until(
      [&] {
        return daemon->must("alerts.list", {{"all", true}}).at("alerts").as_array().size() == 2;
      },
      deadline_in(10s)));
  receiver.fail_next(0);
  ASSERT_TRUE(wait_until([&] { return receiver.accepted().size() >= 3; }, deadline_in(40s)))
      << daemon->log_text();
  auto got = receiver.accepted();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(str(got[0].body.at("status")), "firing");
  EXPECT_EQ(str(got[1].body.at("status")), "resolved");
  EXPECT_EQ(str(got[2].body.at("status")), "firing");
  EXPECT_EQ(got[1].key, got[0].key + ".resolved");
  EXPECT_NE(str(got[2].body.at("id")), str(got[0].body.at("id")));
}

TEST_F(Alerts, QueuedAlertsAreDeliveredAfterKillNine) {
  auto id = daemon->link(kAdvertiser);
  receiver.fail_next(1000);  // the receiver is down: the alert stays queued
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(wait_until([&] { return receiver.refused() >= 1; }, deadline_in(20s)));
  daemon->process().kill9();
  receiver.fail_next(0);
  daemon->restart();
  auto firing = receiver.wait_for("reauth_required", "firing", 30s);
  ASSERT_TRUE(firing) << daemon->log_text();
  EXPECT_EQ(str(firing->body.at("link").at("id")), id);
}

TEST_F(Alerts, AlertTestReportsEverySink) {
  auto called = daemon->call("alert.test");
  ASSERT_TRUE(called) << daemon->log_text();
  auto result = called->as_object();
  auto sinks = result.at("sinks").as_array();
  ASSERT_EQ(sinks.size(), 3u);
  EXPECT_EQ(str(sinks[0].at("sink")), "webhook#1");
  EXPECT_EQ(str(sinks[2].at("sink")), "slack#3");
  for (const auto& sink : sinks) EXPECT_TRUE(sink.at("ok").as_bool()) << json::serialize(sink);
  EXPECT_TRUE(chat.wait_for_text("test", 5s));
  auto got = receiver.wait_for("test", "firing", 5s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->signed_ok);

  receiver.fail_next(1);
  auto failed = daemon->must("alert.test").at("sinks").as_array();
  EXPECT_FALSE(failed[0].at("ok").as_bool());
  EXPECT_NE(str(failed[0].at("error")).find("500"), std::string::npos);
}

CtlRun ctl(DaemonProcess& daemon, std::vector<std::string> args) {
  return run_ctl(daemon.socket_path(), std::move(args));
}

TEST_F(Alerts, CtlListsFiringAlertsWithTheirActionAndAcksThem) {
  auto id = daemon->link(kAdvertiser);
  EXPECT_EQ(ctl(*daemon, {"alerts"}).out, "No alerts.\n");
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  auto firing = receiver.wait_for("reauth_required", "firing");
  ASSERT_TRUE(firing);
  const std::string alert_id = str(firing->body.at("id"));

  auto table = ctl(*daemon, {"alerts"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find(alert_id), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("reauth_required"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(str(firing->body.at("action").at("url"))), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("ttlinkctl reauth " + id), std::string::npos) << table.out;

  EXPECT_EQ(ctl(*daemon, {"alert", "ack", alert_id}).exit_code, 0);
  auto listed = json::parse(ctl(*daemon, {"--json", "alerts"}).out);
  EXPECT_TRUE(listed.at("alerts").at(0).at("acked").as_bool());
  EXPECT_EQ(ctl(*daemon, {"alert", "ack", "01NOPE"}).exit_code, 1);
  EXPECT_EQ(ctl(*daemon, {"alert", "test"}).exit_code, 0);
}

TEST_F(Alerts, AckOfAnUnknownAlertIsNotFound) {
  auto r = daemon->call("alert.ack", {{"id", "01NOPE"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 1000);
}

// Reload as a contract (issue 28): a sink's new URL is used from the reload
// on. Before, `daemon.reload` answered applied: ["alerts", ...] and the
// sinks built at start kept delivering to the old URL.
std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = read_text(path);
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::trunc) << text;
}

TEST_F(Alerts, AReloadedSinkUrlGetsTheNextAlertAndTheOldUrlNone) {
  auto id = daemon->link(kAdvertiser);
  Receiver moved;
  replace_in_file(daemon->config_path(), receiver.url(), moved.url());
  auto reloaded = daemon->must("daemon.reload");
  bool alerts_applied = false;
  for (const auto& a : reloaded.at("applied").as_array())
    alerts_applied = alerts_applied || a.as_string() == "alerts";
  EXPECT_TRUE(alerts_applied) << json::serialize(reloaded);

  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(moved.wait_for("reauth_required", "firing")) << daemon->log_text();
  // The chat sink, delivered in the same pass after the webhook, has it too:
  // by then the old URL would have been called, had it still been in use.
  ASSERT_TRUE(wait_until([&] { return !chat.accepted().empty(); }, deadline_in(20s)));
  EXPECT_TRUE(receiver.accepted().empty());
}

TEST_F(Alerts, AReloadWhoseSinkCannotBeBuiltChangesNothing) {
  auto id = daemon->link(kAdvertiser);
  Receiver moved;
  replace_in_file(daemon->config_path(), receiver.url(), moved.url());
  replace_in_file(daemon->config_path(), secret_dir.file("webhook_secret"),
                  secret_dir.file("no_such_secret"));
  auto r = daemon->call("daemon.reload");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no_such_secret"), std::string::npos) << r.error().message;

  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(receiver.wait_for("reauth_required", "firing")) << daemon->log_text();
  EXPECT_TRUE(moved.accepted().empty());
}

TEST_F(Alerts, AReloadThatRemovesASinkWithUndeliveredAlertsSaysSo) {
  auto id = daemon->link(kAdvertiser);
  receiver.fail_next(1000);  // the webhook is down: its rows wait in the outbox
  ASSERT_EQ(revoke_and_check(id), "REAUTH_REQUIRED");
  ASSERT_TRUE(wait_until([&] { return receiver.refused() >= 1; }, deadline_in(20s)));
  ASSERT_TRUE(wait_until([&] { return !chat.accepted().empty(); }, deadline_in(20s)));
  // Only the log sink is left.
  std::string text = read_text(daemon->config_path());
  text = text.substr(0, text.find("[[alerts.sink]]")) + "[[alerts.sink]]\ntype = \"log\"\n";
  std::ofstream(daemon->config_path(), std::ios::trunc) << text;
  auto reloaded = daemon->must("daemon.reload");
  std::string warnings = json::serialize(reloaded.at("warnings"));
  EXPECT_NE(warnings.find("for sink webhook#1"), std::string::npos) << warnings;
  EXPECT_EQ(warnings.find("slack#3"), std::string::npos) << warnings;  // it had delivered all
  EXPECT_NE(daemon->log_text().find("event=config.reload_warning"), std::string::npos);
}

TEST_F(Alerts, AReloadNamesTheKeysOnlyARestartApplies) {
  replace_in_file(daemon->config_path(), "[tiktok]\n", "[tiktok]\nrequest_timeout = \"7s\"\n");
  auto reloaded = daemon->must("daemon.reload");
  EXPECT_EQ(json::serialize(reloaded.at("needs_restart")), R"(["tiktok.request_timeout"])");
}

}  // namespace
}  // namespace ttlink::test
