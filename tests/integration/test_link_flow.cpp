// Linking a TikTok Business Account to Ads Manager end to end: a real
// sandbox, a real ttlinkd (store file, control socket, callback listener), the
// browser's redirects followed for real.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class LinkFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = SandboxProcess::start();
    daemon = DaemonProcess::start(*sandbox);
  }
  json::object link_of(const std::string& id) {
    return daemon->must("link.get", {{"id", id}}).at("link").as_object();
  }
  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(LinkFlow, BothAuthorizationPagesLeadToAnActiveLink) {
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  EXPECT_EQ(str(started.at("state")), "PENDING");
  ASSERT_TRUE(started.at("advertiser_auth_url").is_string());
  ASSERT_TRUE(started.at("account_auth_url").is_string());
  const std::string id = str(started.at("link_id"));

  auto first = daemon->authorize(str(started.at("advertiser_auth_url")));
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(daemon->state_of(id), "PENDING");  // one half is not a link
  auto second = daemon->authorize(str(started.at("account_auth_url")));
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_NE(second.body.find("ACTIVE"), std::string::npos) << second.body;

  auto link = link_of(id);
  EXPECT_EQ(str(link.at("state")), "ACTIVE") << json::serialize(link);
  EXPECT_EQ(str(link.at("advertiser_id")), kAdvertiser);
  EXPECT_EQ(str(link.at("username")), "demobrand");
  EXPECT_EQ(str(link.at("identity_type")), "TT_USER");
  EXPECT_TRUE(link.at("refresh_token_expires_at").is_string());
}

TEST_F(LinkFlow, PastedCodesCompleteTheLinkWithoutACallback) {
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  for (const char* key : {"advertiser_auth_url", "account_auth_url"}) {
    auto [code, state] = daemon->code_and_state(str(started.at(key)));
    ASSERT_FALSE(code.empty());
    auto done = daemon->must("link.complete", {{"code", code}, {"state", state}});
    EXPECT_EQ(str(done.at("completed")),
              key == std::string("advertiser_auth_url") ? "advertiser" : "account");
  }
  EXPECT_EQ(daemon->state_of(str(started.at("link_id"))), "ACTIVE");
}

TEST_F(LinkFlow, ReplayedForgedAndMissingStatesAreRejected) {
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  auto [code, state] = daemon->code_and_state(str(started.at("account_auth_url")));
  auto ok = sandbox->http().get(daemon->callback_url() + "?code=" + code + "&state=" + state);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto replay = sandbox->http().get(daemon->callback_url() + "?code=" + code + "&state=" + state);
  EXPECT_EQ(replay->status, 400);
  EXPECT_NE(replay->body.find("already used"), std::string::npos) << replay->body;
  auto forged =
      sandbox->http().get(daemon->callback_url() + "?code=x&state=" + std::string(64, 'a'));
  EXPECT_EQ(forged->status, 400);
  EXPECT_NE(forged->body.find("unknown state"), std::string::npos) << forged->body;
  auto none = sandbox->http().get(daemon->callback_url() + "?code=x");
  EXPECT_EQ(none->status, 400);
  auto pasted = daemon->call("link.complete", {{"code", code}, {"state", state}});
  ASSERT_FALSE(pasted);
  EXPECT_NE(pasted.error().message.find("already used"), std::string::npos);
}

TEST_F(LinkFlow, WithoutAnAdvertiserIdTheAdvertiserIsTakenFromItsAuthorization) {
  auto started = daemon->must("link.start");
  ASSERT_TRUE(started.at("advertiser_auth_url").is_string());
  daemon->authorize(str(started.at("advertiser_auth_url")));
  daemon->authorize(str(started.at("account_auth_url")));
  auto link = link_of(str(started.at("link_id")));
  EXPECT_EQ(str(link.at("advertiser_id")), kAdvertiser);
  EXPECT_EQ(str(link.at("state")), "ACTIVE");
}

TEST_F(LinkFlow, ASecondAccountForAnAuthorizedAdvertiserNeedsOnlyTheAccountUrl) {
  daemon->link(kAdvertiser);
  auto second = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  EXPECT_TRUE(second.at("advertiser_auth_url").is_null());
  EXPECT_TRUE(second.at("account_auth_url").is_string());
}

TEST_F(LinkFlow, ADeniedAuthorizationLeavesTheLinkPendingAndSaysSo) {
  sandbox->control(
      "POST", "/login",
      R"({"advertiser_ids":["7000000000000000001"],"open_id":"demo-open-id-0001","deny":true})");
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  auto page = daemon->authorize(str(started.at("account_auth_url")));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("access_denied"), std::string::npos) << page.body;
  EXPECT_EQ(daemon->state_of(str(started.at("link_id"))), "PENDING");
  auto history =
      json::serialize(daemon->must("link.get", {{"id", started.at("link_id")}}).at("history"));
  EXPECT_NE(history.find("link.refused"), std::string::npos) << history;
}

TEST(LinkFlowClock, AStateOlderThanAnHourIsRefused) {
  auto sandbox = SandboxProcess::start();
  DaemonOptions options;
  options.extra_toml = "[debug]\nclock_control = true\n";
  auto daemon = DaemonProcess::start(*sandbox, options);
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  auto [code, state] = daemon->code_and_state(str(started.at("account_auth_url")));
  daemon->must("debug.clock.advance", {{"seconds", 3601}});
  auto r = daemon->call("link.complete", {{"code", code}, {"state", state}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("expired"), std::string::npos) << r.error().message;
}

// product.md: a PENDING link expires after the auth code's hour. It shows
// as EXPIRED (with an audit entry), and `reauth` starts it again.
TEST(LinkFlowClock, AnAbandonedPendingLinkExpiresAfterAnHourAndReauthRevivesIt) {
  auto sandbox = SandboxProcess::start();
  DaemonOptions options;
  options.extra_toml = "[debug]\nclock_control = true\n";
  auto daemon = DaemonProcess::start(*sandbox, options);
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  const std::string id = str(started.at("link_id"));
  daemon->must("debug.clock.advance", {{"seconds", 3599}});
  EXPECT_EQ(daemon->state_of(id), "PENDING");  // its URLs still work
  daemon->must("debug.clock.advance", {{"seconds", 2}});
  ASSERT_TRUE(wait_until([&] { return daemon->state_of(id) == "EXPIRED"; }, deadline_in(10s)))
      << daemon->log_text();
  auto shown = daemon->must("link.get", {{"id", id}});
  EXPECT_NE(json::serialize(shown.at("history")).find("not completed within an hour"),
            std::string::npos)
      << json::serialize(shown);
  auto listed = json::serialize(daemon->must("links.list"));
  EXPECT_NE(listed.find("\"EXPIRED\""), std::string::npos) << listed;

  auto again = daemon->must("link.reauth", {{"id", id}});
  EXPECT_EQ(daemon->state_of(id), "PENDING");
  if (again.at("advertiser_auth_url").is_string())
    daemon->authorize(str(again.at("advertiser_auth_url")));
  daemon->authorize(str(again.at("account_auth_url")));
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
}

TEST_F(LinkFlow, ACodeRefusedUpstreamIsReportedAndTheDaemonKeepsServing) {
  auto started = daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  auto [code, state] = daemon->code_and_state(str(started.at("account_auth_url")));
  auto r = daemon->call("link.complete", {{"code", "not-" + code}, {"state", state}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 1002);  // upstream refused
  EXPECT_NE(r.error().message.find("/tt_user/oauth2/token/"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(daemon->state_of(str(started.at("link_id"))), "PENDING");
  EXPECT_TRUE(daemon->call("status"));  // still alive
}

TEST_F(LinkFlow, PersonalAccountEndsNotBusiness) {
  sandbox->control("POST", "/accounts",
                   R"({"open_id":"demo-open-id-0001","is_business_account":false})");
  auto id = daemon->link(kAdvertiser);
  auto link = link_of(id);
  EXPECT_EQ(str(link.at("state")), "NOT_BUSINESS");
  EXPECT_NE(str(link.at("reason").at("message")).find("Business Account"), std::string::npos);
}

TEST_F(LinkFlow, UnverifiedAdvertiserEndsInactiveNamingTheStatus) {
  sandbox->control("POST", "/advertisers",
                   R"({"advertiser_id":"7000000000000000001","status":"STATUS_PENDING_VERIFIED"})");
  auto link = link_of(daemon->link(kAdvertiser));
  EXPECT_EQ(str(link.at("state")), "ADVERTISER_INACTIVE");
  EXPECT_NE(str(link.at("reason").at("message")).find("STATUS_PENDING_VERIFIED"),
            std::string::npos);
}

TEST_F(LinkFlow, AnalystRoleEndsPermissionDenied) {
  sandbox->control("POST", "/advertisers",
                   R"({"advertiser_id":"7000000000000000001","user_role":"ANALYST"})");
  auto link = link_of(daemon->link(kAdvertiser));
  EXPECT_EQ(str(link.at("state")), "PERMISSION_DENIED");
  EXPECT_NE(str(link.at("reason").at("message")).find("ANALYST"), std::string::npos);
}

TEST_F(LinkFlow, UnavailableIdentityRequiresReauthorization) {
  auto identities = sandbox->world().at("identities").as_array();
  ASSERT_FALSE(identities.empty());
  auto identity = identities.front().as_object();
  identity["available_status"] = "NO_VALID_BIND_ACCOUNT";
  sandbox->control("POST", "/identities", json::value(identity));
  auto link = link_of(daemon->link(kAdvertiser));
  EXPECT_EQ(str(link.at("state")), "REAUTH_REQUIRED");
  EXPECT_NE(str(link.at("reason").at("message")).find("NO_VALID_BIND_ACCOUNT"), std::string::npos);
}

TEST_F(LinkFlow, MissingScopesRequireReauthorization) {
  sandbox->control("POST", "/login",
                   R"({"advertiser_ids":["7000000000000000001"],"open_id":"demo-open-id-0001",
                       "scopes":["user.info.basic","video.list","comment.list","comment.list.manage"]})");
  auto link = link_of(daemon->link(kAdvertiser));
  EXPECT_EQ(str(link.at("state")), "REAUTH_REQUIRED");
  EXPECT_EQ(link.at("reason").at("code").as_int64(), 40130);
  EXPECT_NE(str(link.at("reason").at("message")).find("user.account.type"), std::string::npos);
}

TEST_F(LinkFlow, RevokedTokenIsFoundByCheckAndReauthRestoresTheLinkKeepingHistory) {
  auto id = daemon->link(kAdvertiser);
  ASSERT_EQ(daemon->state_of(id), "ACTIVE");
  sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
  auto checked = daemon->must("link.check", {{"id", id}}).at("link").as_object();
  EXPECT_EQ(str(checked.at("state")), "REAUTH_REQUIRED");
  EXPECT_EQ(checked.at("reason").at("code").as_int64(), 40105);

  auto urls = daemon->must("link.reauth", {{"id", id}});
  EXPECT_TRUE(urls.at("advertiser_auth_url").is_null());  // that half still works
  auto page = daemon->authorize(str(urls.at("account_auth_url")));
  EXPECT_EQ(page.status, 200) << page.body;
  auto got = daemon->must("link.get", {{"id", id}});
  EXPECT_EQ(str(got.at("link").at("state")), "ACTIVE");
  std::string history = json::serialize(got.at("history"));
  EXPECT_NE(history.find("REAUTH_REQUIRED"), std::string::npos) << history;
  EXPECT_NE(history.find("link.reauth"), std::string::npos) << history;
}

TEST_F(LinkFlow, UnlinkRevokesUpstreamAndWipesLocalTokens) {
  auto id = daemon->link(kAdvertiser);
  auto unlinked = daemon->must("link.unlink", {{"id", id}}).at("link").as_object();
  EXPECT_EQ(str(unlinked.at("state")), "UNLINKED");
  EXPECT_TRUE(unlinked.at("refresh_token_expires_at").is_null());
  auto world = sandbox->world();
  for (auto& t : world.at("tokens").as_array()) {
    auto kind = str(t.at("kind"));
    if (kind == "account_access" || kind == "advertiser_access") {
      EXPECT_TRUE(t.at("revoked").as_bool()) << json::serialize(t);
    }
  }
  auto again = daemon->call("link.check", {{"id", id}});
  EXPECT_FALSE(again);
}

TEST_F(LinkFlow, TokensAreEncryptedAtRestAndAbsentFromLogs) {
  auto id = daemon->link(kAdvertiser);
  daemon->must("link.refresh", {{"id", id}});  // a rotation, too
  std::string disk;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(daemon->db_path() + suffix, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    disk += ss.str();
  }
  ASSERT_FALSE(disk.empty());
  auto world = sandbox->world();
  std::vector<std::string> secrets{str(world.at("app").at("secret"))};
  for (auto& t : world.at("tokens").as_array()) secrets.push_back(str(t.at("token")));
  ASSERT_GT(secrets.size(), 3u);
  const std::string log = daemon->log_text();
  for (const auto& s : secrets) {
    EXPECT_EQ(disk.find(s), std::string::npos) << "a token is stored in clear";
    EXPECT_EQ(log.find(s), std::string::npos) << "a secret is in the log";
  }
}

TEST_F(LinkFlow, LinksSurviveARestart) {
  auto id = daemon->link(kAdvertiser);
  daemon->restart();
  auto checked = daemon->must("link.check", {{"id", id}}).at("link").as_object();
  EXPECT_EQ(str(checked.at("state")), "ACTIVE");
}

// links.list pages by id (limit, after; `next` until the last page), and
// ttlinkctl links reads every page: 1,100 links come back once each, in
// order, as one listing (pages of 500: three answers, none holding the
// daemon's thread for a whole 100,000-link listing).
TEST_F(LinkFlow, LinksAreListedAPageAtATimeAndTtlinkctlReadsEveryPage) {
  for (int i = 0; i < 1100; ++i) daemon->must("link.start", {{"advertiser_id", kAdvertiser}});
  std::vector<std::string> paged;
  json::object params{{"limit", 500}};
  int pages = 0;
  for (;;) {
    auto page = daemon->must("links.list", params);
    ++pages;
    for (const auto& l : page.at("links").as_array()) paged.push_back(str(l.at("id")));
    if (page.at("next").is_null()) break;
    EXPECT_EQ(str(page.at("next")), paged.back());
    params["after"] = page.at("next");
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(paged.size(), 1100u);
  for (std::size_t i = 1; i < paged.size(); ++i)
    ASSERT_LT(std::stoll(paged[i - 1]), std::stoll(paged[i])) << "out of order or twice";

  CtlRun run = run_ctl(daemon->socket_path(), {"--json", "links"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json::value shown = json::parse(run.out);  // outlives the loop (not a temporary in it)
  std::vector<std::string> listed;
  for (const auto& l : shown.at("links").as_array()) listed.push_back(str(l.at("id")));
  EXPECT_EQ(listed, paged);
  // Without limit: every link in one answer, as before (scripts written for it).
  auto whole = daemon->must("links.list");
  EXPECT_EQ(whole.at("links").as_array().size(), 1100u);
  EXPECT_TRUE(whole.at("next").is_null());
}

TEST_F(LinkFlow, BadPagingParamsGetSpecificErrors) {
  for (json::object bad :
       {json::object{{"limit", 0}}, json::object{{"limit", 1001}}, json::object{{"limit", "5"}}}) {
    auto r = daemon->call("links.list", bad);
    ASSERT_FALSE(r) << json::serialize(bad);
    EXPECT_EQ(r.error().code, -32602);
    EXPECT_NE(r.error().message.find("limit must be an integer from 1 to 1000"), std::string::npos)
        << r.error().message;
  }
  for (json::object bad : {json::object{{"after", "x1"}}, json::object{{"after", 7}}}) {
    auto r = daemon->call("links.list", bad);
    ASSERT_FALSE(r) << json::serialize(bad);
    EXPECT_EQ(r.error().code, -32602);
    EXPECT_NE(r.error().message.find("after"), std::string::npos) << r.error().message;
  }
}

TEST_F(LinkFlow, BadParamsGetSpecificErrors) {
  auto r = daemon->call("link.get", {{"id", "abc"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, -32602);
  auto missing = daemon->call("link.get", {{"id", "999"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, 1000);
  auto adv = daemon->call("link.start", {{"advertiser_id", "12x"}});
  ASSERT_FALSE(adv);
  EXPECT_EQ(adv.error().code, -32602);
}

}  // namespace
}  // namespace ttlink::test
