// Keeping links healthy unattended (issue 5): the scheduler finds each kind
// of break on its next check, retries transient failures without giving up on
// the link, refreshes expired access tokens, and paces its requests.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "core/store/sqlite.hpp"
#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";
constexpr const char* kOpenId = "demo-open-id-0001";

class Health : public ::testing::Test {
 protected:
  void start(
      const std::string& poll = "[poll]\nstatus_interval = \"2s\"\njitter = \"0%\"\nmax_qps = 0\n",
      const std::string& tiktok = "") {
    sandbox = SandboxProcess::start();
    DaemonOptions options;
    options.extra_toml = poll;
    options.tiktok_toml = tiktok;
    daemon = DaemonProcess::start(*sandbox, options);
    id = daemon->link(kAdvertiser);
    ASSERT_EQ(daemon->state_of(id), "ACTIVE");
  }
  bool becomes(const std::string& state, std::chrono::seconds within = 20s) {
    bool ok = wait_until([&] { return daemon->state_of(id) == state; }, deadline_in(within));
    if (!ok) ADD_FAILURE() << "link " << id << " is " << daemon->state_of(id) << ", not " << state;
    return ok;
  }
  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string id;
};

TEST_F(Health, AccountSwitchedToPersonalIsFoundByTheNextCheckAndRecovers) {
  start();
  sandbox->control("POST", "/accounts",
                   R"({"open_id":"demo-open-id-0001","is_business_account":false})");
  becomes("NOT_BUSINESS");
  sandbox->control("POST", "/accounts",
                   R"({"open_id":"demo-open-id-0001","is_business_account":true})");
  becomes("ACTIVE");
}

TEST_F(Health, LimitedAdvertiserIsFoundByTheNextCheck) {
  start();
  sandbox->control("POST", "/advertisers",
                   R"({"advertiser_id":"7000000000000000001","status":"STATUS_LIMIT"})");
  becomes("ADVERTISER_INACTIVE");
  auto link = daemon->must("link.get", {{"id", id}}).at("link").as_object();
  EXPECT_NE(std::string(link.at("reason").at("message").as_string()).find("STATUS_LIMIT"),
            std::string::npos);
}

TEST_F(Health, LostIdentityBindingRequiresReauthorization) {
  start();
  auto identity = sandbox->world().at("identities").as_array().front().as_object();
  identity["available_status"] = "NO_VALID_BIND_ACCOUNT";
  sandbox->control("POST", "/identities", json::value(identity));
  becomes("REAUTH_REQUIRED");
}

TEST_F(Health, ServerErrorsDegradeTheLinkButNeverKillItAndItRecovers) {
  start();
  sandbox->control(
      "POST", "/faults",
      R"({"path":"/business/get/","kind":"http_status","http_status":503,"count":1000})");
  becomes("DEGRADED", 40s);
  auto tokens_before =
      daemon->must("link.get", {{"id", id}}).at("link").at("refresh_token_expires_at");
  EXPECT_TRUE(tokens_before.is_string());  // tokens untouched
  sandbox->control("DELETE", "/faults");
  becomes("ACTIVE", 60s);
}

// A permanent error no rule explains (40002 on every /advertiser/info/) used
// to leave next_check_at where it was: one attempt a second, the link ACTIVE,
// nobody told. Now each attempt moves the next one (back-off capped at the
// interval), and the third failure makes the link DEGRADED with an
// upstream_error alert carrying the code and upstream's request_id.
TEST_F(Health, APermanentUnexplainedErrorIsBackedOffAndAlertedWithinThreeAttempts) {
  start("[poll]\nstatus_interval = \"8s\"\njitter = \"0%\"\nmax_qps = 0\n");
  const auto from = sandbox->control("GET", "/requests").at("next").as_int64();
  sandbox->control("POST", "/faults",
                   R"({"path":"/advertiser/info/","kind":"code","code":40002,)"
                   R"("message":"Invalid parameter","fraction":1.0})");
  const auto faulted = std::chrono::steady_clock::now();
  ASSERT_TRUE(becomes("DEGRADED", 60s)) << daemon->log_text();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - faulted);
  auto log = sandbox->control("GET", "/requests?since=" + std::to_string(from));
  int attempts = 0;
  for (const auto& r : log.at("requests").as_array())
    if (r.at("path").as_string() == "/open_api/v1.3/advertiser/info/") ++attempts;
  EXPECT_GE(attempts, 3);
  EXPECT_LE(attempts, 4) << "over " << seconds.count() << " s";  // not one a second
  EXPECT_GE(seconds.count(), 2.0);  // back-off steps of 2 s (a quarter of the interval) and up

  auto alerts = daemon->must("alerts.list").at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1u) << json::serialize(alerts);
  const auto& a = alerts.at(0).as_object();
  EXPECT_EQ(a.at("kind").as_string(), "upstream_error");
  EXPECT_EQ(a.at("severity").as_string(), "critical");
  EXPECT_EQ(a.at("reason").at("code").as_int64(), 40002);
  EXPECT_FALSE(a.at("reason").at("request_id").as_string().empty());
  EXPECT_TRUE(a.at("action").at("url").is_null());  // authorizing again would not help
  const std::string text = daemon->log_text();
  EXPECT_NE(text.find("event=scheduler.check_failed"), std::string::npos) << text;
  EXPECT_NE(text.find("outcome=ttlink_bug"), std::string::npos) << text;
  // `status` says which links wait for a retry, and how many failures in a row.
  auto failing = daemon->must("status").at("retries").at("failing_links").as_array();
  ASSERT_EQ(failing.size(), 1u);
  EXPECT_EQ(failing.at(0).at("id").as_string(), id);
  EXPECT_GE(failing.at(0).at("failures").as_int64(), 3);

  sandbox->control("DELETE", "/faults");  // upstream fixed: the link and the alert recover
  ASSERT_TRUE(becomes("ACTIVE", 60s));
  EXPECT_TRUE(daemon->must("alerts.list").at("alerts").as_array().empty());
}

TEST_F(Health, RateLimitCodesAndTimeoutsAreTransientAndLeaveTheLinkAlone) {
  start("[poll]\nstatus_interval = \"1d\"\n", "request_timeout = \"1s\"\n");
  sandbox->control(
      "POST", "/faults",
      R"({"path":"/business/get/","kind":"code","code":40100,"message":"Too many requests","count":1})");
  auto limited = daemon->call("link.check", {{"id", id}});
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, 1002);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  sandbox->control("POST", "/faults",
                   R"({"path":"/business/get/","kind":"latency","latency_ms":2500,"count":1})");
  auto slow = daemon->call("link.check", {{"id", id}});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, 1003);
  EXPECT_NE(slow.error().message.find("timeout"), std::string::npos) << slow.error().message;
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  // Twice each: a reset of a reused keep-alive connection is retried once on
  // a fresh connection (the sandbox never processed it), by design.
  for (const char* kind : {"reset", "truncate", "malformed"}) {
    sandbox->control("POST", "/faults",
                     std::string(R"({"path":"/business/get/","count":2,"kind":")") + kind + "\"}");
    auto r = daemon->call("link.check", {{"id", id}});
    ASSERT_FALSE(r) << kind;
    EXPECT_EQ(r.error().code, 1003) << kind << ": " << r.error().message;
    EXPECT_EQ(daemon->state_of(id), "ACTIVE") << kind;
    sandbox->control("DELETE", "/faults");
  }
  EXPECT_TRUE(daemon->call("link.check", {{"id", id}}));
}

TEST_F(Health, ExpiredAccessTokenIsRefreshedNotReauthorized) {
  start();
  auto before = daemon->must("link.get", {{"id", id}}).at("link").at("next_refresh_at");
  sandbox->control("POST", "/tokens/expire", R"({"open_id":"demo-open-id-0001","which":"access"})");
  // The next check meets 40102, refreshes once, and goes on with the new token.
  ASSERT_TRUE(wait_until(
      [&] { return daemon->log_text().find("event=token.refreshed") != std::string::npos; },
      deadline_in(20s)))
      << daemon->log_text();
  becomes("ACTIVE");
  int live_refresh_tokens = 0;
  auto world = sandbox->world();
  for (auto& t : world.at("tokens").as_array())
    if (t.at("kind").as_string() == "account_refresh" && !t.at("revoked").as_bool() &&
        !(t.as_object().contains("used") && t.at("used").as_bool()))
      ++live_refresh_tokens;
  EXPECT_GE(live_refresh_tokens, 1);
}

TEST_F(Health, RefreshTokenRejectedMovesToReauthRequiredAtOnce) {
  start();
  sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
  auto r = daemon->call("link.refresh", {{"id", id}});
  EXPECT_FALSE(r);
  EXPECT_EQ(daemon->state_of(id), "REAUTH_REQUIRED");
}

// A refused refresh token is not presented again and again (issue 28):
// before, every check of a REAUTH_REQUIRED link sent it (40107 each time),
// more than once per interval. After a reauthorization it is asked again.
TEST_F(Health, ARefusedRefreshTokenIsNotPresentedAgainUntilAReauthorization) {
  start();
  sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
  EXPECT_FALSE(daemon->call("link.refresh", {{"id", id}}));
  ASSERT_EQ(daemon->state_of(id), "REAUTH_REQUIRED");
  auto count = [&](const std::string& path) {
    int n = 0;
    auto log = sandbox->control("GET", "/requests?since=0");
    for (auto& r : log.at("requests").as_array())
      if (r.at("path").as_string().ends_with(path)) ++n;
    return n;
  };
  const int refreshes = count("/tt_user/oauth2/refresh_token/");
  auto checked_at = [&] {
    return std::string(
        daemon->must("link.get", {{"id", id}}).at("link").at("last_check_at").as_string());
  };
  // Three more scheduled checks (every 2 s) of the REAUTH_REQUIRED link...
  for (int i = 0; i < 3; ++i) {
    const std::string before = checked_at();
    ASSERT_TRUE(wait_until([&] { return checked_at() != before; }, deadline_in(20s)))
        << daemon->log_text();
  }
  // ...and a refresh asked for by hand: none presents the refused token.
  auto again = daemon->call("link.refresh", {{"id", id}});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("revoked"), std::string::npos) << again.error().message;
  EXPECT_EQ(count("/tt_user/oauth2/refresh_token/"), refreshes);
  EXPECT_EQ(daemon->state_of(id), "REAUTH_REQUIRED");

  // Reauthorized: new tokens, and a refresh goes upstream again.
  auto reauth = daemon->must("link.reauth", {{"id", id}});
  ASSERT_TRUE(reauth.at("account_auth_url").is_string()) << json::serialize(reauth);
  daemon->authorize(std::string(reauth.at("account_auth_url").as_string()));
  ASSERT_TRUE(becomes("ACTIVE"));
  EXPECT_TRUE(daemon->call("link.refresh", {{"id", id}}));
  EXPECT_EQ(count("/tt_user/oauth2/refresh_token/"), refreshes + 1);
}

// 40102 for a token refreshed a moment ago may be upstream lagging, not a
// dead link (issue 28): the check fails as transient once and the link stays
// ACTIVE. Before, that one answer made it REAUTH_REQUIRED and paged a person.
// (A 40102 that stays is REAUTH_REQUIRED at the next check: test_outcomes'
// check_code40102 row.)
TEST_F(Health, AnExpiredTokenRightAfterARefreshIsTransientNotReauth) {
  start("[poll]\nstatus_interval = \"1d\"\n");
  sandbox->control("POST", "/faults",
                   R"({"path":"/tt_user/token_info/get/","kind":"code","code":40102,)"
                   R"("message":"Access token has expired","count":2})");
  auto r = daemon->call("link.check", {{"id", id}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("right after a refresh"), std::string::npos)
      << r.error().message;
  EXPECT_NE(daemon->log_text().find("event=token.refreshed"), std::string::npos);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  EXPECT_TRUE(daemon->call("link.check", {{"id", id}}));  // upstream caught up
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
}

TEST_F(Health, RequestsStayUnderMaxQps) {
  start("[poll]\nstatus_interval = \"1s\"\njitter = \"0%\"\nmax_qps = 4\n");
  sandbox->control("DELETE", "/requests");
  auto api_requests = [&] {
    std::vector<double> at;
    auto log = sandbox->control("GET", "/requests?since=0");
    for (auto& r : log.at("requests").as_array())
      if (std::string(r.at("path").as_string()).find("/_sandbox") == std::string::npos)
        at.push_back(r.at("monotonic_ms").to_number<double>());
    return at;
  };
  ASSERT_TRUE(wait_until([&] { return api_requests().size() >= 30; }, deadline_in(30s)));
  auto at = api_requests();
  // A bucket of 4 per second allows a burst of 4, then one every 250 ms.
  const double span_s = (at.back() - at.front()) / 1000.0;
  EXPECT_GE(span_s, (static_cast<double>(at.size()) - 4 - 1) / 4.0 - 0.05)
      << at.size() << " requests in " << span_s << " s";
}

TEST_F(Health, MetricsAreServedInPrometheusFormat) {
  sandbox = SandboxProcess::start();
  int port = free_loopback_port();
  DaemonOptions options;
  options.metrics_port = port;
  daemon = DaemonProcess::start(*sandbox, options);
  id = daemon->link(kAdvertiser);
  auto base = "http://127.0.0.1:" + std::to_string(port);
  auto page = sandbox->http().get(base + "/metrics");
  ASSERT_TRUE(page) << daemon->log_text();
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->header("Content-Type").find("text/plain"), std::string::npos);
  const std::string& text = page->body;
  EXPECT_NE(text.find("ttlink_links{state=\"ACTIVE\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find(
          "ttlink_upstream_requests_total{endpoint=\"/tt_user/oauth2/token/\",code=\"0\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE ttlink_upstream_request_duration_seconds histogram"),
            std::string::npos);
  // Every sample line is NAME{LABELS} VALUE with a declared family.
  std::istringstream lines(text);
  std::string line;
  std::set<std::string> declared;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) declared.insert(line.substr(7, line.find(' ', 7) - 7));
    if (line.empty() || line[0] == '#') continue;
    auto name = line.substr(0, line.find_first_of("{ "));
    bool known = declared.count(name) ||
                 std::any_of(declared.begin(), declared.end(), [&](const std::string& d) {
                   return name == d + "_bucket" || name == d + "_sum" || name == d + "_count";
                 });
    EXPECT_TRUE(known) << line;
    EXPECT_NO_THROW(std::stod(line.substr(line.rfind(' ') + 1))) << line;
  }
  auto health = sandbox->http().get(base + "/healthz");
  EXPECT_EQ(health->status, 200);

  // And Prometheus's own checker agrees (scripts/deps.sh fetches promtool).
  std::string promtool = std::string(TTLINK_SOURCE_DIR) + "/.cache/tools/promtool";
  if (!std::filesystem::exists(promtool)) promtool = "/usr/bin/promtool";
  ASSERT_TRUE(std::filesystem::exists(promtool)) << "run scripts/deps.sh to fetch promtool";
  TempDir dir;
  std::ofstream(dir.file("metrics.txt")) << text;
  auto check = ChildProcess::spawn(
      {"/bin/sh", "-c", "\"$0\" check metrics < \"$1\"", promtool, dir.file("metrics.txt")});
  ASSERT_TRUE(check);
  EXPECT_EQ((*check)->wait(deadline_in(30s)), std::optional<int>(0))
      << (*check)->stdout_text() << (*check)->stderr_text();
}

// 40113 on every path: one probe, then nothing is sent until the window
// ends; `status` (and its exit code), /metrics and the one app-wide alert
// say so; the link itself is not blamed.
TEST_F(Health, AForbiddenAppPausesEveryRequestAndSaysSoOnce) {
  sandbox = SandboxProcess::start();
  const int port = free_loopback_port();
  DaemonOptions options;
  options.metrics_port = port;
  options.extra_toml = "[poll]\nstatus_interval = \"1h\"\n";
  daemon = DaemonProcess::start(*sandbox, options);
  id = daemon->link(kAdvertiser);
  sandbox->control(
      "POST", "/faults",
      R"({"path":"*","kind":"code","code":40113,"message":"App forbidden","fraction":1.0})");
  const auto from = sandbox->control("GET", "/requests").at("next").as_int64();
  auto first = daemon->call("link.check", {{"id", id}});
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().data.at("upstream_code").as_int64(), 40113);
  auto second = daemon->call("link.check", {{"id", id}});  // not even sent
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("not sent: the app is forbidden"), std::string::npos)
      << second.error().message;
  auto log = sandbox->control("GET", "/requests?since=" + std::to_string(from));
  EXPECT_EQ(log.at("requests").as_array().size(), 1u) << json::serialize(log);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");

  ASSERT_TRUE(
      wait_until([&] { return !daemon->must("alerts.list").at("alerts").as_array().empty(); },
                 deadline_in(10s)));
  auto alerts = daemon->must("alerts.list").at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1u) << json::serialize(alerts);
  EXPECT_EQ(alerts.at(0).at("fingerprint").as_string(), "app_forbidden/app");
  EXPECT_EQ(alerts.at(0).at("severity").as_string(), "critical");
  EXPECT_EQ(alerts.at(0).at("reason").at("code").as_int64(), 40113);

  auto backoffs = daemon->must("status").at("retries").at("backoffs").as_array();
  ASSERT_EQ(backoffs.size(), 1u) << json::serialize(backoffs);
  EXPECT_EQ(backoffs.at(0).at("scope").as_string(), "app");
  EXPECT_EQ(backoffs.at(0).at("code").as_int64(), 40113);
  EXPECT_GT(backoffs.at(0).at("seconds_left").as_int64(), 200);  // a 5 min window
  auto ctl = run_ctl(daemon->socket_path(), {"status"});
  EXPECT_EQ(ctl.exit_code, 4) << ctl.out << ctl.err;  // `ttlinkctl status || page-someone`
  EXPECT_NE(ctl.out.find("back-off (app)"), std::string::npos) << ctl.out;
  EXPECT_NE(ctl.out.find("40113"), std::string::npos) << ctl.out;

  auto page = sandbox->http().get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("ttlink_backoff_active{scope=\"app\",endpoint=\"\"}"),
            std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("code=\"40113\"} 1\n"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("ttlink_upstream_errors_total{endpoint="), std::string::npos);
  EXPECT_NE(daemon->log_text().find("event=upstream.app_paused"), std::string::npos);
}

// A check interval that cannot fit in poll.max_qps is stretched evenly,
// logged once, and `status` and /metrics say so (issue 16).
TEST_F(Health, AnIntervalTheBudgetCannotHoldIsStretchedAndSaid) {
  sandbox = SandboxProcess::start();
  const int port = free_loopback_port();
  DaemonOptions options;
  options.metrics_port = port;
  options.extra_toml =
      "[debug]\nclock_control = true\n[poll]\nstatus_interval = \"2s\"\njitter = \"0%\"\n"
      "max_qps = 1\n";
  daemon = DaemonProcess::start(*sandbox, options);
  id = daemon->link(kAdvertiser);
  const std::string first =
      json::serialize(daemon->must("link.get", {{"id", id}}).at("link").at("last_check_at"));
  ASSERT_TRUE(wait_until(  // one scheduled check, so that its cost is measured
      [&] {
        return json::serialize(
                   daemon->must("link.get", {{"id", id}}).at("link").at("last_check_at")) != first;
      },
      deadline_in(30s)));
  daemon->must("debug.clock.advance", {{"seconds", 61}});  // the budget's next minute
  json::object schedule;
  ASSERT_TRUE(wait_until(
      [&] {
        schedule = daemon->must("status").at("schedule").as_object();
        return !schedule.at("message").as_string().empty();
      },
      deadline_in(20s)))
      << json::serialize(schedule);
  // One link, ~6 requests a check, every 2 s = 3 requests/s against 0.9 allowed.
  EXPECT_GT(schedule.at("effective_interval_seconds").as_int64(), 2);
  EXPECT_EQ(schedule.at("interval_seconds").as_int64(), 2);
  EXPECT_NE(schedule.at("message").as_string().find("instead of 2s: raise poll.max_qps"),
            std::string::npos)
      << json::serialize(schedule);
  auto ctl = run_ctl(daemon->socket_path(), {"status"});
  EXPECT_NE(ctl.out.find("Schedule: checks run every"), std::string::npos) << ctl.out;
  auto page = sandbox->http().get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("ttlink_schedule_stretch "), std::string::npos);
  EXPECT_EQ(page->body.find("ttlink_schedule_stretch 1\n"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("ttlink_schedule_lag_seconds "), std::string::npos);
  const std::string log = daemon->log_text();
  const auto at = log.find("event=scheduler.interval_stretched");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find("event=scheduler.interval_stretched", at + 1), std::string::npos)
      << "logged once";
}

// [limits]: an endpoint's daily cap is honoured by the real daemon, and a
// person is told why nothing was sent.
TEST_F(Health, AnEndpointsDailyCapStopsItsRequestsAndSaysWhy) {
  start(
      "[poll]\nstatus_interval = \"1d\"\nmax_qps = 0\n"
      "[limits.endpoints.\"/business/get/\"]\ndaily_cap = 2\n");
  const auto from = sandbox->control("GET", "/requests").at("next").as_int64();
  auto r = daemon->call("link.check", {{"id", id}});
  for (int i = 0; i < 3 && r; ++i) r = daemon->call("link.check", {{"id", id}});
  ASSERT_FALSE(r) << "the cap never refused";
  EXPECT_NE(r.error().message.find("daily cap of 2 requests to /business/get/"), std::string::npos)
      << r.error().message;
  int sent = 0;
  auto log = sandbox->control("GET", "/requests?since=" + std::to_string(from));
  for (const auto& q : log.at("requests").as_array())
    if (q.at("path").as_string() == "/open_api/v1.3/business/get/") ++sent;
  EXPECT_LE(sent, 2);
}

// A scheduled check the daily cap holds back is not the link's failure: the
// link stays ACTIVE with no alert, its next check waits for 00:00 UTC, and
// the log says so once. Before: DEGRADED after three refused tries, with an
// alert per link, for a limit the admin set.
TEST_F(Health, AScheduledCheckTheDailyCapHoldsBackWaitsForMidnight) {
  start(
      "[poll]\nstatus_interval = \"2s\"\njitter = \"0%\"\nmax_qps = 0\n"
      "[limits.endpoints.\"/business/get/\"]\ndaily_cap = 1\n");  // linking used it
  ASSERT_TRUE(wait_until(
      [&] { return daemon->log_text().find("event=scheduler.daily_cap") != std::string::npos; },
      deadline_in(20s)))
      << daemon->log_text();
  auto shown = daemon->must("link.get", {{"id", id}});
  EXPECT_EQ(std::string(shown.at("link").at("state").as_string()), "ACTIVE");
  const std::string next(shown.at("link").at("next_check_at").as_string());
  const std::time_t today = std::time(nullptr) / 86400 * 86400;
  char midnight[32];
  const std::time_t tomorrow = today + 86400;
  std::strftime(midnight, sizeof midnight, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tomorrow));
  EXPECT_GE(next, std::string(midnight)) << "the next check waits for the cap's reset";
  EXPECT_TRUE(daemon->must("status").at("retries").at("failing_links").as_array().empty());
  EXPECT_EQ(daemon->must("alerts.list").at("alerts").as_array().size(), 0u);
}

TEST_F(Health, SighupReloadsIntervalsWithoutDroppingLinks) {
  start();
  auto text = [&] {
    std::ifstream in(daemon->config_path());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  auto pos = text.find("max_qps = 0");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 11, "max_qps = 7");
  std::ofstream(daemon->config_path(), std::ios::trunc) << text;
  daemon->process().signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] { return daemon->log_text().find("event=config.reloaded") != std::string::npos; },
      deadline_in(10s)));
  EXPECT_NE(daemon->log_text().find("max_qps=7"), std::string::npos);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  auto ctl = ChildProcess::spawn({ctl_binary(), "--socket", daemon->socket_path(), "reload"});
  ASSERT_TRUE(ctl);
  EXPECT_EQ((*ctl)->wait(deadline_in(10s)), std::optional<int>(0)) << (*ctl)->stderr_text();
  EXPECT_NE((*ctl)->stdout_text().find("Config reloaded."), std::string::npos);
  // A broken file changes nothing and says why.
  std::ofstream(daemon->config_path(), std::ios::app) << "[poll]\nnonsense = 1\n";
  auto reload = daemon->call("daemon.reload");
  EXPECT_FALSE(reload);
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

const char* kClockControl =
    "[poll]\nstatus_interval = \"15m\"\nmax_qps = 0\n[debug]\nclock_control = true\n";

class SimulatedTime : public Health {
 protected:
  void advance(long long seconds) {
    sandbox->control("POST", "/clock/advance", "{\"seconds\":" + std::to_string(seconds) + "}");
    daemon->must("debug.clock.advance", {{"seconds", seconds}});
  }
  std::size_t refreshes() { return count_of(daemon->log_text(), "event=token.refreshed"); }
};

TEST_F(SimulatedTime, LinksStayActiveThroughMonthsOfDailyExpiry) {
  start(kClockControl);
  for (int day = 1; day <= 120; ++day) {
    auto before = refreshes();
    advance(86400);
    ASSERT_TRUE(wait_until([&] { return refreshes() > before; }, deadline_in(10s)))
        << "no refresh on simulated day " << day << "\n"
        << daemon->log_text();
    ASSERT_TRUE(wait_until([&] { return daemon->state_of(id) == "ACTIVE"; }, deadline_in(10s)))
        << "day " << day << ": " << daemon->state_of(id);
  }
  // The refresh token is not extended by refreshes: near the end of its year
  // the link warns, and after it a person must reauthorize.
  advance(240 * 86400);  // day 360: 5 days left of the refresh token's year
  becomes("EXPIRING");
  advance(10 * 86400);  // day 370: the refresh token is dead (40103)
  becomes("REAUTH_REQUIRED");
  auto urls = daemon->must("link.reauth", {{"id", id}});
  daemon->authorize(std::string(urls.at("account_auth_url").as_string()));
  becomes("ACTIVE");
}

// The audit log is append-only: routine refreshes by the scheduler stay out
// of it (log line and metrics), a person's `ttlinkctl refresh` goes in with
// the caller. Before, every scheduled refresh added a row: ~36 million a
// year at 100,000 links.
TEST_F(SimulatedTime, ScheduledRefreshesAreLoggedAPersonsIsAudited) {
  start(kClockControl);
  auto audited_refreshes = [&] {
    auto db = store::sqlite::Database::open(daemon->db_path());
    EXPECT_TRUE(db);
    return db->query_int("SELECT count(*) FROM audit WHERE action = 'token.refresh'").value();
  };
  for (int day = 1; day <= 3; ++day) {
    auto before = refreshes();
    advance(86400);
    ASSERT_TRUE(wait_until([&] { return refreshes() > before; }, deadline_in(10s)))
        << daemon->log_text();
  }
  EXPECT_EQ(audited_refreshes(), 0);
  daemon->must("link.refresh", {{"id", id}});
  EXPECT_EQ(audited_refreshes(), 1);
}

// kill -9 at random moments of refreshes. A token the daemon committed must
// never be lost. The one window no client can close: upstream rotated the
// refresh token and the daemon died before its answer was durable (in flight
// or during the fsync); then the old token is dead upstream. Each such loss
// must be explained by a successful refresh in the sandbox's log, and the
// link must come back through reauthorization.
TEST_F(SimulatedTime, KillDuringRefreshesNeverLosesACommittedToken) {
  start(kClockControl);
  // Upstream answers refreshes after 15 ms, so kills land before, during and
  // after them.
  sandbox->control(
      "POST", "/faults",
      R"({"path":"/tt_user/oauth2/refresh_token/","kind":"latency","latency_ms":15,"count":100000})");
  std::mt19937 rng(42);
  int survived = 0, in_flight_losses = 0;
  for (int i = 0; i < 25; ++i) {
    const auto refreshed_before = refreshes();
    const auto since =
        sandbox->control("GET", "/requests?since=0").at("next").to_number<long long>();
    auto ctl =
        ChildProcess::spawn({ctl_binary(), "--socket", daemon->socket_path(), "refresh", id});
    ASSERT_TRUE(ctl);
    // Not synchronisation: the kill is meant to land at a random moment.
    auto pause = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30000)(rng));
    auto until = std::chrono::steady_clock::now() + pause;
    wait_until([&] { return std::chrono::steady_clock::now() >= until; }, until + 1s);
    daemon->process().kill9();
    // Read the dead daemon's output to its end before counting its lines.
    daemon->process().wait_for_output([](std::string_view) { return false; }, deadline_in(10s));
    const bool was_committed = refreshes() > refreshed_before;
    const std::string killed_log = daemon->log_text();
    daemon->restart();
    auto after = daemon->call("link.refresh", {{"id", id}});
    if (after) {
      ++survived;
      // Its log line must be read before the next iteration counts lines.
      ASSERT_TRUE(wait_until([&] { return refreshes() >= 1; }, deadline_in(10s)));
      continue;
    }
    SCOPED_TRACE("refresh after restart: " + after.error().message);
    // The killed daemon's request may have been answered after it died: the
    // log is read now, when the refresh after restart has been answered too.
    auto log = sandbox->control("GET", "/requests?since=" + std::to_string(since));
    bool upstream_rotated = false;
    for (auto& r : log.at("requests").as_array())
      upstream_rotated |= r.at("path").as_string().ends_with("/tt_user/oauth2/refresh_token/") &&
                          r.at("code").is_int64() && r.at("code").as_int64() == 0;

    ASSERT_FALSE(was_committed) << "a committed refresh token was lost (iteration " << i << ")\n"
                                << killed_log << "\nsandbox: " << boost::json::serialize(log);
    ASSERT_TRUE(upstream_rotated) << "a token was lost without any rotation upstream (iteration "
                                  << i << ")\n"
                                  << boost::json::serialize(log);
    ++in_flight_losses;
    auto urls = daemon->must("link.reauth", {{"id", id}});
    daemon->authorize(std::string(urls.at("account_auth_url").as_string()));
    ASSERT_EQ(daemon->state_of(id), "ACTIVE");
  }
  RecordProperty("survived", survived);
  RecordProperty("lost_in_flight", in_flight_losses);
  EXPECT_GT(survived, 0);
}

}  // namespace
}  // namespace ttlink::test
