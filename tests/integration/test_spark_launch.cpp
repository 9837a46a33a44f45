// Launching Spark Ads from the linked identity, end to end: a real sandbox, a
// real ttlinkd and the real ttlinkctl. The advertiser's Ad Identities with
// the linked account marked; creators' post authorization codes bound,
// watched and unbound; campaign -> ad group -> Spark Ad created exactly once
// however often (or however interrupted) the command runs, refused before any
// request when it cannot work; and the paid figures next to the organic ones.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class SparkLaunch : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start(const std::string& tiktok_toml = "") {
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    o.tiktok_toml = tiktok_toml;
    o.extra_toml = "[debug]\nclock_control = true\n";
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

}  // namespace
}  // namespace ttlink::test
