// The action link a critical alert carries: a stable URL on the callback
// listener that starts a fresh authorization when clicked, however late,
// and dies when the alert resolves. Real daemon, real sandbox, real clocks
// moved together (debug.clock_control).
#include <gtest/gtest.h>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;

constexpr const char* kAdvertiser = "7000000000000000001";

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class ActionLinks : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    o.extra_toml = "[debug]\nclock_control = true\n";
    daemon = DaemonProcess::start(*sandbox, o);
  }

  // Revokes the account's token upstream and checks: the alert fires.
  std::string reauth_alert_url(const std::string& id) {
    sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
    auto link = daemon->must("link.check", {{"id", id}}).at("link").as_object();
    EXPECT_EQ(str(link.at("state")), "REAUTH_REQUIRED");
    auto alerts = daemon->must("alerts.list").at("alerts").as_array();
    EXPECT_EQ(alerts.size(), 1u);
    return str(alerts.at(0).at("action").at("url"));
  }

  void advance(long long seconds) {
    sandbox->control("POST", "/clock/advance", "{\"seconds\":" + std::to_string(seconds) + "}");
    daemon->must("debug.clock.advance", {{"seconds", seconds}});
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(ActionLinks, ClickedDaysLaterAfterSomeoneElsesReauthItStillReauthorizes) {
  auto id = daemon->link(kAdvertiser);
  const std::string url = reauth_alert_url(id);
  EXPECT_EQ(url.rfind(daemon->callback_url() + "/reauth/", 0), 0u) << url;
  EXPECT_EQ(url.find("state="), std::string::npos);  // nothing in it expires on its own

  daemon->must("link.reauth", {{"id", id}});  // an admin's reauth cancels pending states
  advance(3 * 86400);                         // the person clicks three days later

  auto page = daemon->authorize(url);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Authorization received"), std::string::npos) << page.body;
  auto link = daemon->must("link.get", {{"id", id}}).at("link").as_object();
  EXPECT_EQ(str(link.at("state")), "ACTIVE");
  EXPECT_TRUE(daemon->must("alerts.list").at("alerts").as_array().empty());

  // Resolved: the link is dead, and says why.
  auto again = sandbox->http().get(url);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 410);
  EXPECT_NE(again->body.find("no longer valid"), std::string::npos) << again->body;
}

TEST_F(ActionLinks, WhenBothHalvesNeedAuthorizationThePersonIsTakenThroughBoth) {
  auto id = daemon->link(kAdvertiser);
  sandbox->control("POST", "/tokens/revoke", json::value{{"advertiser_id", kAdvertiser}});
  const std::string url = reauth_alert_url(id);  // also revokes the account's token
  // Action link -> advertiser page -> callback -> account page -> callback.
  auto chain = sandbox->http().follow_redirects(url, 6);
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->final_response.status, 200) << chain->final_response.body;
  EXPECT_NE(chain->final_response.body.find("ACTIVE"), std::string::npos)
      << chain->final_response.body;
  auto link = daemon->must("link.get", {{"id", id}}).at("link").as_object();
  EXPECT_EQ(str(link.at("state")), "ACTIVE");
}

TEST_F(ActionLinks, AGuessedOrMalformedTokenIsRefused) {
  auto id = daemon->link(kAdvertiser);
  const std::string url = reauth_alert_url(id);
  std::string guessed = url;
  guessed.back() = guessed.back() == '0' ? '1' : '0';
  auto r = sandbox->http().get(guessed);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 410);
  auto bad = sandbox->http().get(daemon->callback_url() + "/reauth/../../etc/passwd");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
  // The real one still works after both.
  EXPECT_EQ(daemon->authorize(url).status, 200);
}

}  // namespace
}  // namespace ttlink::test
