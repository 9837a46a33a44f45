// Launching Spark Ads from the linked identity, end to end: a real sandbox, a
// real ttlinkd and the real ttlinkctl. The advertiser's Ad Identities with
// the linked account marked; creators' post authorization codes bound,
// watched and unbound; campaign -> ad group -> Spark Ad created exactly once
// however often (or however interrupted) the command runs, refused before any
// request when it cannot work; and the paid figures next to the organic ones.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>

#include <unistd.h>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";
constexpr const char* kIdentity = "7300000000000000001";  // the demo's TT_USER identity
constexpr const char* kOwnPost = "7400000000000000003";   // its post authorized for 90 days

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class SparkLaunch : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start(const std::string& tiktok_toml = "", const std::string& extra_toml = "") {
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    o.tiktok_toml = tiktok_toml;
    o.extra_toml = "[debug]\nclock_control = true\n" + extra_toml;
    daemon = DaemonProcess::start(*sandbox, o);
    link_id = daemon->link(kAdvertiser);
    ASSERT_TRUE(
        wait_until([&] { return daemon->state_of(link_id) == "ACTIVE"; }, deadline_in(10s)));
  }

  // A creator's post with a fresh authorization code valid `days` days.
  json::object spark_code(int days) {
    return sandbox->control("POST", "/spark_codes", json::value{{"days", days}}).as_object();
  }
  // ttlinkctl spark authorize --link LINK -, the code on stdin.
  CtlRun authorize(const std::string& code, bool as_json = false) {
    std::vector<std::string> args{"spark", "authorize", "--link", link_id, "-"};
    if (as_json) args.insert(args.begin(), "--json");
    return ctl(args, code + "\n");
  }

  json::array stored_posts() { return daemon->must("posts.list").at("posts").as_array(); }
  bool stored(const std::string& item_id) {
    for (const auto& p : stored_posts())
      if (str(p.at("item_id")) == item_id) return true;
    return false;
  }
  bool upstream_has_post(const std::string& item_id) {
    const json::value world = sandbox->world();
    for (const auto& p : world.at("posts").as_array())
      if (str(p.at("item_id")) == item_id && str(p.at("advertiser_id")) == kAdvertiser) return true;
    return false;
  }
  // The link's audit entries with `action`, newest first.
  json::array history(const std::string& action) {
    json::array out;
    const json::object got = daemon->must("link.get", {{"id", link_id}});
    for (const auto& e : got.at("history").as_array())
      if (str(e.at("action")) == action) out.push_back(e);
    return out;
  }
  static std::string my_uid() { return "uid=" + std::to_string(::getuid()) + " "; }

  // The sandbox's rows of `table` (campaigns, adgroups, ads) where `key` is `value`.
  json::array upstream(const std::string& table, const std::string& key, const std::string& value) {
    json::array out;
    const json::value world = sandbox->world();
    for (const auto& row : world.at(table).as_array())
      if (row.as_object().contains(key) && str(row.at(key)) == value) out.push_back(row);
    return out;
  }
  // Bodies of the upstream calls to `path`, in order.
  std::vector<json::object> upstream_bodies(const std::string& path) {
    std::vector<json::object> out;
    const json::value log = sandbox->control("GET", "/requests");
    for (const auto& r : log.at("requests").as_array())
      if (str(r.at("path")).ends_with(path))
        out.push_back(json::parse(str(r.at("body"))).as_object());
    return out;
  }
  std::size_t creates() {
    return upstream_calls("/campaign/create/") + upstream_calls("/adgroup/create/") +
           upstream_calls("/ad/create/");
  }

  // ttlinkctl campaign create with the walkthrough's settings and `extra`.
  CtlRun create(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"campaign", "create", "--link", link_id, "--name", name};
    const bool has_objective = std::find(extra.begin(), extra.end(), "--objective") != extra.end();
    if (!has_objective) args.insert(args.end(), {"--objective", "VIDEO_VIEWS"});
    if (std::find(extra.begin(), extra.end(), "--post") == extra.end())
      args.insert(args.end(), {"--post", kOwnPost});
    if (std::find(extra.begin(), extra.end(), "--total-budget") == extra.end() &&
        std::find(extra.begin(), extra.end(), "--daily-budget") == extra.end())
      args.insert(args.end(), {"--daily-budget", "30"});
    args.insert(args.end(), extra.begin(), extra.end());
    return ctl(args);
  }
  json::array launches() {
    return daemon->must("link.get", {{"id", link_id}}).at("campaigns").as_array();
  }

  json::object paid() { return daemon->must("link.get", {{"id", link_id}}).at("paid").as_object(); }
  // Upstream's lifetime figures of every ad of the advertiser, summed, asked
  // directly with the advertiser's token (what the daemon holds in the store).
  json::object upstream_lifetime() {
    std::string token;
    const json::value world = sandbox->world();
    for (const auto& t : world.at("tokens").as_array())
      if (str(t.at("kind")) == "advertiser_access" && !t.at("revoked").as_bool())
        token = str(t.at("token"));
    const std::string query =
        "/report/integrated/get/?advertiser_id=" + std::string(kAdvertiser) +
        "&report_type=BASIC&data_level=AUCTION_AD&dimensions=%5B%22ad_id%22%5D"
        "&query_lifetime=true&page_size=1000&metrics=%5B%22spend%22,%22impressions%22,"
        "%22clicks%22,%22video_play_actions%22,%22likes%22%5D";
    auto res = sandbox->http().request("GET", sandbox->api(query), "", {{"Access-Token", token}});
    EXPECT_TRUE(res && res->status == 200);
    json::object sum{
        {"spend", 0.0}, {"impressions", 0}, {"clicks", 0}, {"video_views", 0}, {"likes", 0}};
    const json::value answer = json::parse(res->body);
    for (const auto& row : answer.at("data").at("list").as_array()) {
      const auto& m = row.at("metrics");
      sum["spend"] = sum["spend"].as_double() + std::stod(str(m.at("spend")));
      for (auto [key, metric] : {std::pair{"impressions", "impressions"},
                                 {"clicks", "clicks"},
                                 {"video_views", "video_play_actions"},
                                 {"likes", "likes"}})
        sum[key] = sum[key].as_int64() + std::stoll(str(m.at(metric)));
    }
    return sum;
  }

  CtlRun ctl(std::vector<std::string> args, std::optional<std::string> input = {}) {
    std::vector<std::string> argv{ctl_binary(), "--socket", daemon->socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = ChildProcess::spawn(argv, {}, std::move(input));
    if (!child) throw std::runtime_error(child.error().message);
    CtlRun run;
    run.exit_code = (*child)->wait(deadline_in(60s)).value_or(-1);
    run.out = (*child)->stdout_text();
    run.err = (*child)->stderr_text();
    return run;
  }
  // ttlinkctl --json ...: the parsed result (the test fails on another exit code).
  json::object ctl_json(std::vector<std::string> args, int expected_exit = 0,
                        std::optional<std::string> input = {}) {
    args.insert(args.begin(), "--json");
    CtlRun run = ctl(std::move(args), std::move(input));
    EXPECT_EQ(run.exit_code, expected_exit) << run.err << run.out;
    if (run.exit_code != 0) return {};
    return json::parse(run.out).as_object();
  }

  // Upstream calls to `path` the sandbox has logged so far.
  std::size_t upstream_calls(const std::string& path) {
    std::size_t n = 0;
    const json::value log = sandbox->control("GET", "/requests");
    for (const auto& r : log.at("requests").as_array())
      if (str(r.at("path")).ends_with(path)) ++n;
    return n;
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string link_id;
};

TEST_F(SparkLaunch, IdentitiesMarkTheLinkedAccount) {
  // Another account of the advertiser, linked through a Business Center.
  sandbox->control("POST", "/identities",
                   json::value{{"advertiser_id", kAdvertiser},
                               {"identity_id", "7300000000000000042"},
                               {"identity_type", "BC_AUTH_TT"},
                               {"user_name", "otherbrand"},
                               {"available_status", "SCOPE_UNAVAILABLE"},
                               {"can_pull_video", false}});
  auto listed = ctl_json({"identities", "--link", link_id});
  const auto& identities = listed.at("identities").as_array();
  ASSERT_EQ(identities.size(), 2u) << json::serialize(listed);
  int linked = 0;
  for (const auto& i : identities) {
    if (!i.at("linked").as_bool()) {
      EXPECT_EQ(str(i.at("identity_type")), "BC_AUTH_TT");
      EXPECT_EQ(str(i.at("available_status")), "SCOPE_UNAVAILABLE");
      EXPECT_FALSE(i.at("can_pull_video").as_bool());
      continue;
    }
    ++linked;
    EXPECT_EQ(str(i.at("identity_id")), kIdentity);
    EXPECT_EQ(str(i.at("identity_type")), "TT_USER");
    EXPECT_EQ(str(i.at("user_name")), "demobrand");
    EXPECT_EQ(str(i.at("available_status")), "AVAILABLE");
    EXPECT_TRUE(i.at("can_pull_video").as_bool());
  }
  EXPECT_EQ(linked, 1);

  CtlRun table = ctl({"identities", "--link", link_id});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("* the link's account"), std::string::npos) << table.out;
  const auto marked = table.out.find("*  " + std::string(kIdentity));
  EXPECT_NE(marked, std::string::npos) << table.out;

  CtlRun unknown = ctl({"identities", "--link", "99"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("99"), std::string::npos) << unknown.err;
}

TEST_F(SparkLaunch, ACreatorsCodeIsBoundOnceAndItsPostWatched) {
  auto created = spark_code(2);  // ends within refresh.warn_post_auth_before (3 d)
  const std::string code = str(created.at("auth_code"));
  const std::string item = str(created.at("item_id"));
  CtlRun bound = authorize(code);
  ASSERT_EQ(bound.exit_code, 0) << bound.err << bound.out;
  EXPECT_NE(bound.out.find("Bound post " + item + " by @" + str(created.at("user_name"))),
            std::string::npos)
      << bound.out;
  EXPECT_NE(bound.out.find("AUTH_CODE identity"), std::string::npos) << bound.out;
  EXPECT_NE(bound.out.find("Authorization ends "), std::string::npos) << bound.out;
  EXPECT_TRUE(upstream_has_post(item));

  // Stored at once like the synced posts, so it is watched before any sync.
  bool found = false;
  for (const auto& p : stored_posts()) {
    if (str(p.at("item_id")) != item) continue;
    found = true;
    EXPECT_EQ(str(p.at("state")), "EXPIRING");
    EXPECT_EQ(str(p.at("link_id")), link_id);
    EXPECT_EQ(str(p.at("auth_code_status")), "IN_USE");
  }
  EXPECT_TRUE(found);
  daemon->must("spark.sync", {{"id", link_id}});
  bool alerted = false;
  const json::object alerts = daemon->must("alerts.list");  // named: the loop must not outlive it
  for (const auto& a : alerts.at("alerts").as_array())
    alerted = alerted || (str(a.at("kind")) == "post_auth_expiring" &&
                          str(a.at("fingerprint")).find(item) != std::string::npos);
  EXPECT_TRUE(alerted);

  auto audited = history("post.authorize");
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(str(audited[0].at("actor")).rfind(my_uid(), 0), 0u) << audited[0];
  EXPECT_NE(str(audited[0].at("reason").at("message")).find(item), std::string::npos);

  // Again: reported as bound, nothing sent, nothing audited twice.
  const std::size_t binds = upstream_calls("/tt_video/authorize/");
  auto again = authorize(code, true);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto again_json = json::parse(again.out).as_object();
  EXPECT_TRUE(again_json.at("already_bound").as_bool());
  EXPECT_EQ(str(again_json.at("post").at("item_id")), item);
  EXPECT_EQ(upstream_calls("/tt_video/authorize/"), binds);
  EXPECT_EQ(history("post.authorize").size(), 1u);

  // Unbound: gone upstream and here; the code is spent.
  CtlRun unbound = ctl({"spark", "unbind", "--link", link_id, item});
  ASSERT_EQ(unbound.exit_code, 0) << unbound.err;
  EXPECT_FALSE(upstream_has_post(item));
  EXPECT_FALSE(stored(item));
  EXPECT_EQ(history("post.unbind").size(), 1u);
  CtlRun spent = authorize(code);
  EXPECT_EQ(spent.exit_code, 1) << spent.out;
  EXPECT_NE(spent.err.find("ask the creator for a new one"), std::string::npos) << spent.err;

  // The code itself never shows: not in outputs, not in the journal.
  for (const std::string& text : {bound.out, bound.err, again.out, spent.err, daemon->log_text()})
    EXPECT_EQ(text.find(code), std::string::npos) << text;
}

TEST_F(SparkLaunch, UnknownAndExpiredCodesAreRefusedAndNothingIsRecorded) {
  const std::size_t posts_before = stored_posts().size();
  CtlRun unknown = authorize("#" + std::string(40, 'a'));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("40110"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("invalid"), std::string::npos) << unknown.err;

  auto created = spark_code(1);
  sandbox->control("POST", "/clock/advance", json::value{{"seconds", 2 * 86400}});
  CtlRun expired = authorize(str(created.at("auth_code")));
  EXPECT_EQ(expired.exit_code, 1);
  EXPECT_NE(expired.err.find("expired"), std::string::npos) << expired.err;
  EXPECT_FALSE(upstream_has_post(str(created.at("item_id"))));

  EXPECT_EQ(stored_posts().size(), posts_before);
  EXPECT_TRUE(history("post.authorize").empty());
  EXPECT_EQ(upstream_calls("/tt_video/authorize/"), 0u);

  CtlRun empty = ctl({"spark", "authorize", "--link", link_id, "-"}, "");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;  // no code on stdin: a usage error
}

TEST_F(SparkLaunch, ADryRunPrintsTheThreeRequestsAndCreatesNothing) {
  daemon->must("spark.sync", {{"id", link_id}});
  CtlRun dry = create("Winter launch", {"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  for (const char* text :
       {"POST /campaign/create/", "POST /adgroup/create/", "POST /ad/create/",
        "\"campaign_name\": \"Winter launch\"", "\"budget\": 30",
        "\"optimization_goal\": \"ENGAGED_VIEW\"", "\"identity_id\": \"7300000000000000001\"",
        "\"tiktok_item_id\": \"7400000000000000003\"", "(campaign_id from /campaign/create/)"})
    EXPECT_NE(dry.out.find(text), std::string::npos) << text << "\n" << dry.out;
  auto dry_json =
      ctl_json({"campaign", "create", "--link", link_id, "--name", "Winter launch", "--objective",
                "VIDEO_VIEWS", "--post", kOwnPost, "--daily-budget", "30", "--dry-run"});
  ASSERT_EQ(dry_json.at("requests").as_array().size(), 3u);
  // No secret: no token, no app secret in what is printed.
  const json::value world = sandbox->world();
  const std::string secret(world.at("app").at("secret").as_string());
  EXPECT_EQ(dry.out.find(secret), std::string::npos);
  EXPECT_EQ(dry.out.find("Access-Token"), std::string::npos);
  EXPECT_EQ(creates(), 0u);
  EXPECT_TRUE(upstream("campaigns", "campaign_name", "Winter launch").empty());
  EXPECT_TRUE(launches().empty());
}

TEST_F(SparkLaunch, RunTwiceCreatesOneCampaignOneAdGroupAndOneSparkAd) {
  daemon->must("spark.sync", {{"id", link_id}});
  CtlRun first = create("Winter launch");
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  EXPECT_NE(first.out.find("Campaign \"Winter launch\" created"), std::string::npos) << first.out;
  CtlRun second = create("Winter launch");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("exists already (nothing sent)"), std::string::npos) << second.out;

  auto campaigns = upstream("campaigns", "campaign_name", "Winter launch");
  ASSERT_EQ(campaigns.size(), 1u);
  const std::string campaign_id = str(campaigns[0].at("campaign_id"));
  EXPECT_EQ(str(campaigns[0].at("objective_type")), "VIDEO_VIEWS");
  auto adgroups = upstream("adgroups", "campaign_id", campaign_id);
  ASSERT_EQ(adgroups.size(), 1u);
  EXPECT_EQ(str(adgroups[0].at("optimization_goal")), "ENGAGED_VIEW");
  EXPECT_EQ(str(adgroups[0].at("budget_mode")), "BUDGET_MODE_DAY");
  auto ads = upstream("ads", "campaign_id", campaign_id);
  ASSERT_EQ(ads.size(), 1u);
  EXPECT_EQ(str(ads[0].at("identity_type")), "TT_USER");
  EXPECT_EQ(str(ads[0].at("identity_id")), kIdentity);
  EXPECT_EQ(str(ads[0].at("tiktok_item_id")), kOwnPost);
  EXPECT_EQ(creates(), 3u);  // the second run sent nothing

  auto listed = launches();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(str(listed[0].at("campaign_id")), campaign_id);
  EXPECT_EQ(str(listed[0].at("ad_id")), str(ads[0].at("ad_id")));
  EXPECT_TRUE(listed[0].at("complete").as_bool());
  for (const char* action : {"campaign.create", "adgroup.create", "ad.create"}) {
    auto audited = history(action);
    ASSERT_EQ(audited.size(), 1u) << action;
    EXPECT_EQ(str(audited[0].at("actor")).rfind(my_uid(), 0), 0u) << audited[0];
  }
  CtlRun shown = ctl({"link", "show", link_id});
  EXPECT_NE(shown.out.find("Campaigns:"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(campaign_id), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("ad.create"), std::string::npos) << shown.out;

  // The same name with other settings is not the same launch.
  CtlRun other = create("Winter launch", {"--location", "2635167"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("launched with other settings"), std::string::npos) << other.err;
  EXPECT_EQ(creates(), 3u);
}

TEST_F(SparkLaunch, ALaunchThatFailedHalfWayResumesWithoutDuplicates) {
  daemon->must("spark.sync", {{"id", link_id}});
  sandbox->control("POST", "/faults",
                   R"({"path":"/adgroup/create/","kind":"code","code":50000,"count":1})");
  CtlRun failed = create("Spring launch");
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("50000"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("run the command again later"), std::string::npos) << failed.err;
  ASSERT_EQ(upstream("campaigns", "campaign_name", "Spring launch").size(), 1u);
  auto listed = launches();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].at("complete").as_bool());
  EXPECT_NE(ctl({"link", "show", link_id}).out.find("(incomplete: rerun the command)"),
            std::string::npos);

  CtlRun resumed = create("Spring launch");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("created now: adgroup, ad"), std::string::npos) << resumed.out;
  auto campaigns = upstream("campaigns", "campaign_name", "Spring launch");
  ASSERT_EQ(campaigns.size(), 1u);
  const std::string campaign_id = str(campaigns[0].at("campaign_id"));
  EXPECT_EQ(upstream("adgroups", "campaign_id", campaign_id).size(), 1u);
  EXPECT_EQ(upstream("ads", "campaign_id", campaign_id).size(), 1u);
  EXPECT_EQ(upstream_calls("/campaign/create/"), 1u);
  // The faulted ad group request and its retry carried the same request_id.
  auto bodies = upstream_bodies("/adgroup/create/");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0].at("request_id"), bodies[1].at("request_id"));
  EXPECT_TRUE(launches()[0].at("complete").as_bool());
}

TEST_F(SparkLaunch, LaunchesThatCannotWorkAreRefusedBeforeAnyRequest) {
  daemon->must("spark.sync", {{"id", link_id}});
  struct Case {
    std::vector<std::string> args;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{"--daily-budget", "10"}, "below TikTok's minimum daily budget of an ad group, 20.00 USD"},
      {{"--total-budget", "100", "--end", "2099-01-01"}, "is below TikTok's minimum for"},
      {{"--objective", "TRAFFIC"}, "a TRAFFIC campaign needs --landing-url"},
      {{"--objective", "TRAFFIC", "--landing-url", "http://shop.example/"}, "must be https://"},
      {{"--post", "7400000000000000999"}, "cannot be used by link"},
      {{"--start", "2001-01-01"}, "more than 12 hours in the past"},
  };
  for (const auto& c : cases) {
    CtlRun run = create("Refused", c.args);
    EXPECT_EQ(run.exit_code, 1) << c.reason << "\n" << run.out;
    EXPECT_NE(run.err.find(c.reason), std::string::npos) << run.err;
  }
  CtlRun bad_objective = create("Refused", {"--objective", "APP_PROMOTION"});
  EXPECT_EQ(bad_objective.exit_code, 2);  // a usage error: ttlinkctl knows the three

  // A link that is not ACTIVE: its advertiser limited upstream, then checked.
  sandbox->control("POST", "/advertisers",
                   json::value{{"advertiser_id", kAdvertiser}, {"status", "STATUS_LIMIT"}});
  daemon->must("link.check", {{"id", link_id}});
  ASSERT_EQ(daemon->state_of(link_id), "ADVERTISER_INACTIVE");
  CtlRun inactive = create("Refused");
  EXPECT_EQ(inactive.exit_code, 1);
  EXPECT_NE(inactive.err.find("is ADVERTISER_INACTIVE: campaigns are launched only from an ACTIVE"),
            std::string::npos)
      << inactive.err;

  EXPECT_EQ(creates(), 0u);
  EXPECT_TRUE(launches().empty());
}

TEST_F(SparkLaunch, ASparkAdOnAPostBoundByCodeRunsUnderTheCreatorsIdentity) {
  auto code = spark_code(30);
  ASSERT_EQ(authorize(str(code.at("auth_code"))).exit_code, 0);
  const std::string item = str(code.at("item_id"));
  CtlRun run = create("Creator collab", {"--objective", "TRAFFIC", "--post", item, "--landing-url",
                                         "https://shop.example/collab", "--cta", "SHOP_NOW",
                                         "--location", "6252001", "--location", "2635167"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  auto campaigns = upstream("campaigns", "campaign_name", "Creator collab");
  ASSERT_EQ(campaigns.size(), 1u);
  auto ads = upstream("ads", "campaign_id", str(campaigns[0].at("campaign_id")));
  ASSERT_EQ(ads.size(), 1u);
  EXPECT_EQ(str(ads[0].at("identity_type")), "AUTH_CODE");
  EXPECT_EQ(str(ads[0].at("identity_id")), str(code.at("identity_id")));
  EXPECT_EQ(str(ads[0].at("tiktok_item_id")), item);
  EXPECT_EQ(str(ads[0].at("call_to_action")), "SHOP_NOW");
  EXPECT_EQ(str(ads[0].at("landing_page_url")), "https://shop.example/collab");
  auto adgroups = upstream("adgroups", "campaign_id", str(campaigns[0].at("campaign_id")));
  ASSERT_EQ(adgroups.size(), 1u);
  EXPECT_EQ(adgroups[0].at("location_ids").as_array().size(), 2u);
  EXPECT_EQ(str(adgroups[0].at("optimization_goal")), "CLICK");
}

// The comment poller every 2 s (the paid figures with it); only the
// sandbox's clock moves (a jump of the daemon's would make its checks late,
// and comments wait for late checks), less than a day so that no token
// expires behind the daemon's back.
class SparkLaunchPolled : public SparkLaunch {
 protected:
  void SetUp() override { start("", "[poll]\ncomments_interval = \"2s\"\n"); }
};

TEST_F(SparkLaunchPolled, PaidFiguresArriveWithTheCommentsNextToTheOrganicOnes) {
  daemon->must("spark.sync", {{"id", link_id}});
  // Only the ad launched here delivers, and only for 8 hours: once they have
  // passed, upstream's figures stop moving and can be compared.
  for (const char* ad : {"7500000000000000001", "7500000000000000002", "7500000000000000003"})
    sandbox->control(
        "POST", "/ads",
        json::value{
            {"advertiser_id", kAdvertiser}, {"ad_id", ad}, {"operation_status", "DISABLE"}});
  const std::int64_t now = sandbox->world().at("clock").at("now").as_int64();
  std::time_t end_time = now + 8 * 3600;
  char end[32];
  std::strftime(end, sizeof end, "%Y-%m-%d %H:%M:%S", std::gmtime(&end_time));
  ASSERT_EQ(create("Winter launch", {"--total-budget", "30", "--end", end}).exit_code, 0);

  // Four hours of delivery: the poller reads them by itself.
  sandbox->control("POST", "/clock/advance", json::value{{"seconds", 4 * 3600}});
  EXPECT_TRUE(wait_until([&] { return paid().at("spend").as_double() > 0; }, deadline_in(30s)));
  auto synced = daemon->must("spark.sync", {{"id", link_id}});  // a person asks: read now
  EXPECT_GT(synced.at("paid_rows").as_int64(), 0) << json::serialize(synced);
  const double first_spend = paid().at("spend").as_double();

  // The ad group has ended; the poller reads the last figures.
  sandbox->control("POST", "/clock/advance", json::value{{"seconds", 6 * 3600}});
  const json::object upstream = upstream_lifetime();
  EXPECT_GT(upstream.at("spend").as_double(), first_spend);
  EXPECT_LE(upstream.at("spend").as_double(), 30.0);  // the total budget
  EXPECT_TRUE(wait_until(
      [&] {
        return std::abs(paid().at("spend").as_double() - upstream.at("spend").as_double()) < 1e-6;
      },
      deadline_in(30s)))
      << json::serialize(paid()) << " vs " << json::serialize(upstream);
  daemon->must("link.check", {{"id", link_id}});  // organic figures come with the checks
  auto shown = daemon->must("link.get", {{"id", link_id}});
  ASSERT_TRUE(shown.at("organic").is_object());
  EXPECT_GT(shown.at("organic").at("followers").as_int64(), 0);
  auto figures = shown.at("paid").as_object();
  for (const char* key : {"impressions", "clicks", "video_views", "likes"})
    EXPECT_EQ(figures.at(key).as_int64(), upstream.at(key).as_int64()) << key;
  EXPECT_GT(figures.at("impressions").as_int64(), 0);
  for (const char* key : {"comments", "shares", "follows", "profile_visits"})
    EXPECT_TRUE(figures.at(key).is_int64()) << key;
  EXPECT_EQ(str(figures.at("currency")), "USD");

  CtlRun shown_text = ctl({"link", "show", link_id});
  EXPECT_NE(shown_text.out.find("Organic: "), std::string::npos) << shown_text.out;
  EXPECT_NE(shown_text.out.find("Paid: "), std::string::npos) << shown_text.out;
  EXPECT_NE(shown_text.out.find(" USD spent, "), std::string::npos) << shown_text.out;

  auto report = ctl_json({"report", "--link", link_id, "--since", "7d"});
  const auto& days = report.at("days").as_array();
  ASSERT_GE(days.size(), 1u);
  std::int64_t impressions = 0;
  for (std::size_t i = 0; i < days.size(); ++i) {
    impressions += days[i].at("impressions").as_int64();
    if (i > 0) EXPECT_LT(str(days[i - 1].at("date")), str(days[i].at("date")));
  }
  EXPECT_EQ(impressions, report.at("total").at("impressions").as_int64());
  EXPECT_EQ(impressions, upstream.at("impressions").as_int64());
  CtlRun table = ctl({"report", "--link", link_id});
  EXPECT_NE(table.out.find("SPEND USD"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("total"), std::string::npos) << table.out;
}

TEST_F(SparkLaunch, ThePollerReadsPaidFiguresOncePerIntervalAPersonAtOnce) {
  auto synced = daemon->must("spark.sync", {{"id", link_id}});
  ASSERT_TRUE(synced.at("paid_rows").is_int64()) << json::serialize(synced);
  // A poller round within poll.comments_interval of that read: comments are
  // listed (the own posts' last), the report is not asked again.
  sandbox->control("DELETE", "/requests");
  daemon->must("debug.clock.advance", {{"seconds", 1}});  // pokes the poller
  ASSERT_TRUE(
      wait_until([&] { return upstream_calls("/business/comment/list/") >= 3; }, deadline_in(30s)));
  EXPECT_EQ(upstream_calls("/report/integrated/get/"), 0u);
  // A person's sync reads it now: one request for the link's ads.
  daemon->must("spark.sync", {{"id", link_id}});
  EXPECT_EQ(upstream_calls("/report/integrated/get/"), 1u);
}

TEST_F(SparkLaunch, ARefusedReportIsBackedOffAloneAndCommentsStillArrive) {
  daemon->must("spark.sync", {{"id", link_id}});
  sandbox->control("POST", "/faults",
                   R"({"path":"/report/integrated/get/","kind":"code","code":40002,"count":1})");
  sandbox->control("POST", "/comments",
                   json::value{{"advertiser_id", kAdvertiser},
                               {"ad_id", "7500000000000000001"},
                               {"item_id", "7400000000000000001"},
                               {"text", "still arriving"}});
  auto synced = daemon->must("spark.sync", {{"id", link_id}});
  EXPECT_TRUE(synced.at("paid_rows").is_null());
  EXPECT_EQ(synced.at("new_comments").as_int64(), 1);
  EXPECT_EQ(synced.at("sources_failed").as_int64(), 1);
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string log = daemon->log_text();
        return log.find("spark.source_failed") != std::string::npos &&
               log.find("source=report") != std::string::npos &&
               log.find("outcome=ttlink_bug") != std::string::npos;
      },
      deadline_in(5s)))
      << daemon->log_text();
  EXPECT_EQ(daemon->state_of(link_id), "ACTIVE");
}

// A create whose answer never arrives (the daemon gave up waiting, upstream
// created it anyway): the rerun sends the same request_id and gets the same
// ad back, so there is still exactly one.
class SparkLaunchLostAnswer : public SparkLaunch {
 protected:
  void SetUp() override { start("request_timeout = \"1s\"\n"); }
};

TEST_F(SparkLaunchLostAnswer, ACreateWhoseAnswerWasLostIsNotRepeated) {
  daemon->must("spark.sync", {{"id", link_id}});
  sandbox->control("POST", "/faults",
                   R"({"path":"/ad/create/","kind":"latency","latency_ms":2500,"count":1})");
  CtlRun lost = create("Lost answer");
  EXPECT_EQ(lost.exit_code, 1) << lost.out;
  auto campaigns = upstream("campaigns", "campaign_name", "Lost answer");
  ASSERT_EQ(campaigns.size(), 1u);
  const std::string campaign_id = str(campaigns[0].at("campaign_id"));
  // Upstream made the ad although the daemon never heard of it.
  ASSERT_TRUE(wait_until([&] { return upstream("ads", "campaign_id", campaign_id).size() == 1; },
                         deadline_in(10s)));
  EXPECT_FALSE(launches()[0].at("complete").as_bool());

  CtlRun again = create("Lost answer");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto ads = upstream("ads", "campaign_id", campaign_id);
  ASSERT_EQ(ads.size(), 1u);
  EXPECT_EQ(str(launches()[0].at("ad_id")), str(ads[0].at("ad_id")));
  auto bodies = upstream_bodies("/ad/create/");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0].at("request_id"), bodies[1].at("request_id"));
}

}  // namespace
}  // namespace ttlink::test
