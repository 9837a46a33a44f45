// Issue 16: links on one advertiser share its facts. Ten accounts linked to
// one advertiser (an agency's usual shape): a round of scheduled checks asks
// upstream for the advertiser's status, Business Center role and identities
// once, not ten times; a person's `ttlinkctl check` still asks afresh.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <map>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kAccounts = 10;

class SharedFacts : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = SandboxProcess::start({"--seed", "3", "--empty"});
    auto generated = sandbox->control(
        "POST", "/generate",
        R"({"links":10,"accounts_per_advertiser":10,"posts_per_advertiser":0,"issue_tokens":true})");
    DaemonOptions o;
    o.extra_toml =
        "[debug]\nclock_control = true\n[poll]\nstatus_interval = \"1h\"\njitter = \"0%\"\n"
        "max_qps = 0\ncomments_interval = \"1d\"\n";
    daemon = DaemonProcess::start(*sandbox, o);
    for (const auto& t : generated.at("tokens").as_array()) {
      advertiser = std::string(t.at("advertiser_id").as_string());
      sandbox->control("POST", "/login",
                       json::value{{"advertiser_ids", json::array{json::value(advertiser)}},
                                   {"open_id", t.at("open_id")}});
      ids.push_back(daemon->link(advertiser));
    }
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(kAccounts));
    for (const auto& id : ids) ASSERT_EQ(daemon->state_of(id), "ACTIVE") << id;
  }

  std::map<std::string, std::string> last_checks() {
    std::map<std::string, std::string> out;
    const json::object listed = daemon->must("links.list");
    for (const auto& l : listed.at("links").as_array())
      out[std::string(l.at("id").as_string())] = json::serialize(l.at("last_check_at"));
    return out;
  }

  // Requests per API path since sequence number `from`.
  std::map<std::string, int> requests_since(std::int64_t from) {
    std::map<std::string, int> by_path;
    const json::value log = sandbox->control("GET", "/requests?since=" + std::to_string(from));
    for (const auto& r : log.at("requests").as_array())
      ++by_path[std::string(r.at("path").as_string()).substr(std::string("/open_api/v1.3").size())];
    return by_path;
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string advertiser;
  std::vector<std::string> ids;
};

TEST_F(SharedFacts, ARoundOfChecksAsksForTheAdvertisersFactsOnce) {
  const auto before = last_checks();
  const auto from = sandbox->control("GET", "/requests").at("next").as_int64();
  sandbox->control("POST", "/clock/advance", json::value(json::object{{"seconds", 3600}}));
  daemon->must("debug.clock.advance", {{"seconds", 3600}});
  ASSERT_TRUE(wait_until(
      [&] {
        const auto now = last_checks();
        for (const auto& id : ids)
          if (now.at(id) == before.at(id)) return false;
        return true;
      },
      deadline_in(30s)));
  auto by_path = requests_since(from);
  int total = 0;
  for (const auto& [path, n] : by_path) total += n;
  EXPECT_EQ(by_path["/business/get/"], kAccounts);  // the account's own facts: per link
  EXPECT_EQ(by_path["/advertiser/info/"], 1) << json::serialize(json::value_from(by_path));
  EXPECT_EQ(by_path["/bc/get/"], 1);
  EXPECT_LE(by_path["/identity/get/"], 2);  // TT_USER, and BC_AUTH_TT only if needed
  // The comment poller (poked by the clock) lists posts and ads once per
  // advertiser per round, not once per link.
  EXPECT_LE(by_path["/tt_video/list/"], 1) << json::serialize(json::value_from(by_path));
  EXPECT_LE(by_path["/ad/get/"], 1);
  EXPECT_LE(static_cast<double>(total) / kAccounts, 3.0)
      << json::serialize(json::value_from(by_path));
  for (const auto& id : ids) EXPECT_EQ(daemon->state_of(id), "ACTIVE");

  // The advertiser is limited now: a person's check sees it at once (no
  // shared facts), the scheduled ones of the next round too.
  sandbox->control("POST", "/advertisers",
                   json::value{{"advertiser_id", advertiser}, {"status", "STATUS_LIMIT"}});
  const auto again = sandbox->control("GET", "/requests").at("next").as_int64();
  daemon->must("link.check", {{"id", ids.front()}});
  EXPECT_EQ(daemon->state_of(ids.front()), "ADVERTISER_INACTIVE");
  EXPECT_EQ(requests_since(again)["/advertiser/info/"], 1);
  sandbox->control("POST", "/clock/advance", json::value(json::object{{"seconds", 3600}}));
  daemon->must("debug.clock.advance", {{"seconds", 3600}});
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& id : ids)
          if (daemon->state_of(id) != "ADVERTISER_INACTIVE") return false;
        return true;
      },
      deadline_in(30s)));
}

}  // namespace
}  // namespace ttlink::test
