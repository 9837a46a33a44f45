// Spark Ads end to end: a real sandbox and a real ttlinkd. Post
// authorizations and comments are synced from the sandbox's API, replies and
// hiding go back to it (and are checked in its world), alerts follow the
// sandbox clock, and a kill -9 in the middle of a comment backlog loses and
// duplicates nothing.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "core/store/sqlite.hpp"
#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";
constexpr const char* kAd = "7500000000000000001";
constexpr const char* kItem = "7400000000000000001";

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// A label-less sample's value in a /metrics text ("NAME VALUE" on its own
// line); NaN when it is absent.
double metric_value(const std::string& text, const std::string& name) {
  const std::string head = "\n" + name + " ";
  const auto at = text.find(head);
  if (at == std::string::npos) return std::nan("");
  return std::stod(text.substr(at + head.size()));
}

class Spark : public ::testing::Test {
 protected:
  void start(const std::string& extra_toml = "", int metrics_port = 0,
             const std::string& tiktok_toml = "") {
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    o.metrics_port = metrics_port;
    o.tiktok_toml = tiktok_toml;
    o.extra_toml = "[debug]\nclock_control = true\n" + extra_toml;
    daemon = DaemonProcess::start(*sandbox, o);
    link_id = daemon->link(kAdvertiser);
  }

  // `n` comments on the demo's first Spark Ad, `seconds_ago` old.
  json::array add_comments(int n, const std::string& text, int seconds_ago = 60) {
    const auto now = sandbox->world().at("clock").at("now").as_int64();
    json::object c{{"advertiser_id", kAdvertiser},
                   {"ad_id", kAd},
                   {"item_id", kItem},
                   {"text", text},
                   {"repeat", n},
                   {"create_time", now - seconds_ago}};
    return sandbox->control("POST", "/comments", json::value(c)).at("comment_ids").as_array();
  }

  json::object sync() { return daemon->must("spark.sync", {{"id", link_id}}); }
  json::value link_state() { return daemon->must("link.get", {{"id", link_id}}).at("link"); }

  json::array comments(json::object params = {}) {
    params["limit"] = 1000;
    return daemon->must("comments.list", std::move(params)).at("comments").as_array();
  }

  // Ids of the sandbox's comments under the demo advertiser.
  std::set<std::string> sandbox_comment_ids() {
    std::set<std::string> ids;
    const json::value world = sandbox->world();  // named: the loop must not outlive it
    for (const auto& c : world.at("comments").as_array())
      if (str(c.at("advertiser_id")) == kAdvertiser) ids.insert(str(c.at("comment_id")));
    return ids;
  }

  std::set<std::string> stored_ids() {
    std::set<std::string> ids;
    for (const auto& c : comments()) ids.insert(str(c.at("id")));
    return ids;
  }

  json::array alerts_of(const std::string& kind) {
    json::array out;
    const json::object listed = daemon->must("alerts.list");
    for (auto& a : listed.at("alerts").as_array())
      if (str(a.at("kind")) == kind) out.push_back(a);
    return out;
  }

  void advance_clocks(std::int64_t seconds) {
    sandbox->control("POST", "/clock/advance", json::value(json::object{{"seconds", seconds}}));
    daemon->must("debug.clock.advance", {{"seconds", seconds}});
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string link_id;
};

TEST_F(Spark, PostsAndCommentsOfALinkAreSynced) {
  const int metrics_port = free_loopback_port();
  start("", metrics_port);
  auto report = sync();
  EXPECT_EQ(report.at("posts").as_int64(), 3);
  EXPECT_EQ(report.at("adgroups").as_int64(), 1);
  EXPECT_EQ(report.at("new_comments").as_int64(), 6);

  auto posts = daemon->must("posts.list").at("posts").as_array();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(str(posts[0].at("item_id")), kItem);  // ends first
  EXPECT_EQ(str(posts[0].at("state")), "EXPIRING");
  EXPECT_EQ(str(posts[0].at("link_id")), link_id);
  EXPECT_EQ(str(posts[1].at("state")), "ACTIVE");
  auto expiring = daemon->must("posts.list", {{"expiring", true}}).at("posts").as_array();
  EXPECT_EQ(expiring.size(), 1u);

  EXPECT_EQ(stored_ids(), sandbox_comment_ids());
  auto first = comments().front();  // newest first
  EXPECT_EQ(str(first.at("status")), "new");
  EXPECT_EQ(str(first.at("link_id")), link_id);
  EXPECT_FALSE(first.at("replied").as_bool());

  // link show: the account's organic figures next to what is promoted.
  daemon->must("link.check", {{"id", link_id}});
  auto shown = daemon->must("link.get", {{"id", link_id}});
  EXPECT_EQ(shown.at("organic").at("followers").as_int64(), 12800);
  EXPECT_EQ(shown.at("organic").at("video_views").as_int64(), 5400 + 7100);
  EXPECT_EQ(shown.at("organic").at("comments").as_int64(), 48 + 63);
  EXPECT_EQ(shown.at("promoted").at("posts").as_int64(), 3);
  EXPECT_EQ(shown.at("promoted").at("comments").as_int64(), 6);
  EXPECT_EQ(shown.at("promoted").at("unanswered").as_int64(), 6);

  auto scraped =
      sandbox->http().get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  ASSERT_TRUE(scraped);
  for (const char* line :
       {"ttlink_comments_stored 6", "ttlink_comments_unanswered 6", "ttlink_comments_hidden 0",
        "ttlink_posts{state=\"EXPIRING\"} 1", "ttlink_posts{state=\"ACTIVE\"} 2"})
    EXPECT_NE(scraped->body.find(line), std::string::npos) << line << "\n" << scraped->body;

  // Nothing changed: one request per listing (the ad group's last, partial
  // page; each of the 3 own posts' Accounts API page), nothing new.
  auto again = sync();
  EXPECT_EQ(again.at("new_comments").as_int64(), 0);
  EXPECT_EQ(again.at("videos").as_int64(), 3);
  EXPECT_EQ(again.at("requests").as_int64(), 1 + 3);
}

TEST_F(Spark, PagingAcrossManyPagesResumesWhereItStopped) {
  start();
  add_comments(450, "fan comment {i}");
  auto first = sync();
  EXPECT_EQ(first.at("new_comments").as_int64(), 456);
  // Marketing API: 456 comments are 4 full pages of 100 and a partial one.
  // Accounts API (30 a page): 452 on the first post are 16 pages, 1 each
  // for the other two.
  EXPECT_EQ(first.at("requests").as_int64(), 5 + 16 + 2);
  add_comments(130, "later comment {i}", 30);
  auto second = sync();
  EXPECT_EQ(second.at("new_comments").as_int64(), 130);
  // The partial page again and one more; from the first post's offset, 130
  // more are 5 pages; 1 each for the others.
  EXPECT_EQ(second.at("requests").as_int64(), 2 + 5 + 2);
  EXPECT_EQ(stored_ids(), sandbox_comment_ids());
}

// Upstream lists at most 30 dates at a time: a year of daily comments, read
// every few days while the windows move, arrives whole and once. Only the
// Marketing API is read (no comment.list), whose range is the limited one.
// 360 days: the link's refresh token (one year) must still be valid. No
// scheduled checks: a check in flight while the test jumps the sandbox's
// clock two days would meet tokens expired mid-check (not this test's topic).
TEST_F(Spark, AYearOfDailyCommentsArrivesWholeUnderThe30DayRangeLimit) {
  start("[poll]\nstatus_interval = \"1000d\"\n", 0,
        "scopes = [\"user.info.basic\", \"user.account.type\", \"video.list\"]\n");
  std::size_t added = 0;
  for (int day = 0; day < 360; day += 2) {
    // Comments of yesterday evening and of just now: one every simulated day.
    added += add_comments(2, "day " + std::to_string(day) + " {i}", 26 * 3600).size();
    added += add_comments(1, "day " + std::to_string(day + 1) + " {i}", 1).size();
    if (day % 6 == 0) {  // a request over 30 dates fails the sync
      auto synced = daemon->call("spark.sync", {{"id", link_id}});
      ASSERT_TRUE(synced) << "day " << day << ": " << synced.error().message << "\n"
                          << json::serialize(link_state()) << "\n"
                          << daemon->log_text();
    }
    // The daemon first: a sandbox ahead of it would see tokens expire that
    // the daemon thinks valid (then refreshed, but not what this test is about).
    daemon->must("debug.clock.advance", {{"seconds", 172800}});
    sandbox->control("POST", "/clock/advance", R"({"seconds": 172800})");
  }
  sync();
  const auto stored = stored_ids();
  EXPECT_EQ(stored, sandbox_comment_ids());
  EXPECT_EQ(stored.size(), 6 + added);          // the demo's 6, and every one added
  EXPECT_EQ(comments().size(), stored.size());  // none twice
  EXPECT_EQ(daemon->log_text().find("cannot exceed 30 days"), std::string::npos);
}

// A comment listing that keeps failing was only logged: nobody learnt that
// comments had stopped arriving. Three failed polls in a row raise
// comments_sync_failing with the reason; a good poll resolves it.
// Transient trouble fails the whole link's sync: after three failed polls
// in a row comments_sync_failing (for the link) fires, and resolves.
TEST_F(Spark, CommentSyncThatKeepsFailingIsAlertedAndResolvedWhenItWorksAgain) {
  start("[poll]\ncomments_interval = \"1s\"\n");
  sandbox->control("POST", "/faults",
                   R"({"path":"/comment/list/","kind":"code","code":50002,)"
                   R"("message":"Service timeout","fraction":1.0})");
  ASSERT_TRUE(
      wait_until([&] { return !alerts_of("comments_sync_failing").empty(); }, deadline_in(30s)))
      << daemon->log_text();
  const auto alert = alerts_of("comments_sync_failing").at(0).as_object();
  EXPECT_EQ(alert.at("severity").as_string(), "warning");
  EXPECT_EQ(alert.at("reason").at("code").as_int64(), 50002);
  EXPECT_FALSE(alert.at("reason").at("request_id").as_string().empty());
  EXPECT_EQ(str(alert.at("fingerprint")), "comments_sync_failing/" + link_id);
  sandbox->control("DELETE", "/faults");
  EXPECT_TRUE(
      wait_until([&] { return alerts_of("comments_sync_failing").empty(); }, deadline_in(30s)))
      << daemon->log_text();
}

// A permanent refusal for one ad group (40002 here) backs that ad group off
// alone (one comments interval, then doubling) while the link's other
// sources (its own posts, through the Accounts API) keep arriving; three
// refusals in a row raise comments_sync_failing for LINK/adgroup:ID, and a
// success resolves it.
TEST_F(Spark, APermanentlyRefusedAdGroupIsBackedOffAloneAndAlerted) {
  start("[poll]\ncomments_interval = \"1h\"\n");
  sandbox->control("POST", "/faults",
                   R"({"path":"/comment/list/","kind":"code","code":40002,)"
                   R"("message":"Invalid parameter","fraction":1.0})");
  // The poller (poked by each clock move) and spark.sync share the back-off:
  // whichever asks first is refused, the other finds the ad group waiting.
  auto refusals = [&] {
    int n = 0;
    const json::value log = sandbox->control("GET", "/requests");
    for (const auto& r : log.at("requests").as_array())
      if (str(r.at("path")) == "/open_api/v1.3/comment/list/" && r.at("code").as_int64() == 40002)
        ++n;
    return n;
  };
  auto first = sync();
  EXPECT_EQ(first.at("videos").as_int64(), 3);  // the account's own posts are still read
  EXPECT_EQ(refusals(), 1);
  sync();
  sync();
  EXPECT_EQ(refusals(), 1) << "asked again within its back-off";
  EXPECT_TRUE(alerts_of("comments_sync_failing").empty());
  advance_clocks(3600);  // one interval: asked again, refused (next in 2 h)
  sync();
  EXPECT_EQ(refusals(), 2);
  advance_clocks(3600);
  sync();
  EXPECT_EQ(refusals(), 2) << "the back-off doubled";
  advance_clocks(3600);
  sync();
  EXPECT_EQ(refusals(), 3);
  auto alerts = alerts_of("comments_sync_failing");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(str(alerts.at(0).at("fingerprint"))
                .rfind("comments_sync_failing/" + link_id + "/adgroup:", 0),
            0u)
      << json::serialize(alerts);
  EXPECT_EQ(alerts.at(0).at("reason").at("code").as_int64(), 40002);
  EXPECT_EQ(str(link_state().at("state")), "ACTIVE");  // a source's trouble, not the link's

  sandbox->control("DELETE", "/faults");
  advance_clocks(4 * 3600);
  sync();
  EXPECT_TRUE(alerts_of("comments_sync_failing").empty());
}

TEST_F(Spark, ABacklogLargerThanOneSyncResumesOnTheLastPageRead) {
  // Without comment.list the Accounts API is not read: only the Marketing
  // API's pages are counted here.
  start("[poll]\nmax_qps = 0\n", 0,
        "scopes = [\"user.info.basic\", \"user.account.type\", \"video.list\"]\n");
  add_comments(20500, "backlog {i}");
  auto first = sync();  // 20,506 comments: 205 full pages and one of 6
  EXPECT_TRUE(first.at("more").as_bool());
  EXPECT_EQ(first.at("requests").as_int64(), 200);
  EXPECT_EQ(first.at("new_comments").as_int64(), 20000);
  auto second = sync();
  EXPECT_FALSE(second.at("more").as_bool());
  EXPECT_EQ(second.at("new_comments").as_int64(), 506);
  EXPECT_EQ(second.at("requests").as_int64(), 1 + 6);  // page 200 again, then 201 to 206
}

TEST_F(Spark, CommentsArrivingDuringPagingAreNeitherLostNorDuplicated) {
  start();
  add_comments(600, "before {i}");
  // Each page takes 150 ms, so the sync is still paging while comments land.
  sandbox->control("POST", "/faults",
                   R"({"path":"/comment/list/","kind":"latency","latency_ms":150,"count":20})");
  std::thread writer([&] {
    for (int i = 0; i < 5; ++i) add_comments(40, "during " + std::to_string(i) + " {i}", 0);
  });
  auto during = sync();
  writer.join();
  auto after = sync();
  EXPECT_EQ(during.at("new_comments").as_int64() + after.at("new_comments").as_int64(), 606 + 200);
  const auto stored = stored_ids();
  EXPECT_EQ(stored.size(), 806u);
  EXPECT_EQ(stored, sandbox_comment_ids());
}

TEST_F(Spark, ReplyHideAndUnhideReachTheSandbox) {
  start();
  sync();
  const std::string id = str(comments().back().at("id"));  // the oldest

  auto replied = daemon->must("comment.reply", {{"id", id}, {"text", "Thanks! 🎉 DM us"}});
  EXPECT_EQ(str(replied.at("comment").at("status")), "replied");
  const std::string reply_id = str(replied.at("reply_id"));
  bool found = false;
  const json::value world = sandbox->world();
  for (const auto& c : world.at("comments").as_array())
    if (str(c.at("comment_id")) == reply_id) {
      found = true;
      EXPECT_EQ(str(c.at("parent_comment_id")), id);
      EXPECT_EQ(str(c.at("text")), "Thanks! 🎉 DM us");
    }
  EXPECT_TRUE(found) << "the reply is not in the sandbox";

  auto hidden = daemon->must("comment.hide", {{"id", id}});
  EXPECT_EQ(str(hidden.at("comment").at("status")), "hidden");
  auto hidden_in_sandbox = [&] {
    const json::value now = sandbox->world();
    for (const auto& c : now.at("comments").as_array())
      if (str(c.at("comment_id")) == id) return str(c.at("status")) == "HIDDEN";
    return false;
  };
  EXPECT_TRUE(hidden_in_sandbox());
  EXPECT_EQ(comments({{"status", "hidden"}}).size(), 1u);
  daemon->must("comment.unhide", {{"id", id}});
  EXPECT_FALSE(hidden_in_sandbox());
  EXPECT_EQ(comments({{"status", "replied"}}).size(), 1u);

  // Each action is in the link's audit log, with who asked (SO_PEERCRED).
  auto history = daemon->must("link.get", {{"id", link_id}}).at("history").as_array();
  std::set<std::string> actions;
  for (const auto& e : history)
    if (str(e.at("action")).rfind("comment.", 0) == 0) {
      actions.insert(str(e.at("action")));
      EXPECT_NE(str(e.at("actor")).find("uid=" + std::to_string(getuid())), std::string::npos)
          << json::serialize(e);
    }
  EXPECT_EQ(actions, (std::set<std::string>{"comment.reply", "comment.hide", "comment.unhide"}));

  // A later sync does not count ttlink's own reply as a new comment.
  sync();
  EXPECT_EQ(comments({{"status", "new"}}).size(), 5u);
}

TEST_F(Spark, AReplyOverTheLimitIsRefusedBeforeSending) {
  start();
  sync();
  const std::string id = str(comments().front().at("id"));
  sandbox->control("DELETE", "/requests");
  auto r = daemon->call("comment.reply", {{"id", id}, {"text", std::string(151, 'x')}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, -32602);
  EXPECT_NE(r.error().message.find("at most 150 characters"), std::string::npos)
      << r.error().message;
  const json::value log = sandbox->control("GET", "/requests");
  for (const auto& req : log.at("requests").as_array())
    EXPECT_EQ(json::serialize(req).find("/comment/post/"), std::string::npos);
  // 150 emoji are 150 characters (600 bytes): accepted.
  std::string emoji;
  for (int i = 0; i < 150; ++i) emoji += "😀";
  EXPECT_TRUE(daemon->call("comment.reply", {{"id", id}, {"text", emoji}}));

  auto unknown = daemon->call("comment.hide", {{"id", "123"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, 1000);
  auto bad = daemon->call("comments.list", {{"status", "unread"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, -32602);
}

TEST_F(Spark, HostileCommentTextIsStoredWholeAndShownSafely) {
  start();
  const std::string escape = "\x1b]0;pwned\x07\x1b[31mred\u202e";
  const std::string long_text = "😀" + std::string(10 * 1024, 'a');
  add_comments(1, "evil " + escape + " {i}");
  add_comments(1, long_text);
  sync();
  auto stored = comments({{"search", "evil"}});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(str(stored[0].at("text")), "evil " + escape + " 1");  // kept as sent
  EXPECT_EQ(comments({{"search", "😀aaa"}}).at(0).at("text").as_string().size(), long_text.size());

  auto table = run_ctl(daemon->socket_path(), {"comments"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(table.out.find('\x07'), std::string::npos);
  EXPECT_EQ(table.out.find("\u202e"), std::string::npos);
  EXPECT_NE(table.out.find("\\x1b"), std::string::npos) << table.out;  // shown as an escape
  for (std::size_t start = 0, end; start < table.out.size(); start = end + 1) {
    end = table.out.find('\n', start);
    if (end == std::string::npos) end = table.out.size();
    EXPECT_LT(end - start, 400u) << "a 10 kB comment must not make a 10 kB line";
  }
  auto json_out = run_ctl(daemon->socket_path(), {"--json", "comments", "--search", "evil"});
  EXPECT_EQ(json_out.out.find('\x1b'), std::string::npos);  // JSON escapes it
  EXPECT_EQ(str(json::parse(json_out.out).at("comments").at(0).at("text")),
            "evil " + escape + " 1");

  auto bad = run_ctl(daemon->socket_path(), {"comments", "--status", "unread"});
  EXPECT_EQ(bad.exit_code, 2);
  auto shown = run_ctl(daemon->socket_path(), {"link", "show", link_id});
  EXPECT_NE(shown.out.find("Organic: 12800 followers"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("Promoted: 3 Spark Ads posts, 8 comments"), std::string::npos)
      << shown.out;
}

TEST_F(Spark, PostAuthorizationExpiryOnTheSandboxClockRaisesAndResolvesAlerts) {
  start();
  sync();
  auto expiring = alerts_of("post_auth_expiring");
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(str(expiring[0].at("fingerprint")),
            "post_auth_expiring/" + link_id + "/" + std::string(kItem));
  EXPECT_EQ(str(expiring[0].at("post").at("item_id")), kItem);

  advance_clocks(3 * 86400);  // past the first post's end
  sync();
  EXPECT_TRUE(alerts_of("post_auth_expiring").empty());
  auto expired = alerts_of("post_auth_expired");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(str(expired[0].at("severity")), "critical");

  // The creator renews the authorization: the alert resolves.
  sandbox->control("POST", "/posts",
                   R"({"advertiser_id":"7000000000000000001","item_id":"7400000000000000001",
                       "ad_auth_status":"IN_USE","auth_end_time":"2099-01-01 00:00:00"})");
  sync();
  EXPECT_TRUE(alerts_of("post_auth_expired").empty());
  auto all = daemon->must("alerts.list", {{"all", true}}).at("alerts").as_array();
  int resolved = 0;
  for (const auto& a : all)
    if (str(a.at("kind")).rfind("post_auth_", 0) == 0 && str(a.at("status")) == "resolved")
      ++resolved;
  EXPECT_EQ(resolved, 2);
}

TEST_F(Spark, KeywordAlertsAreOnePerPostWithACount) {
  start("[comments]\nalert_keywords = [\"refund\"]\n[poll]\nmax_qps = 0\n");
  sync();
  EXPECT_TRUE(alerts_of("comment_keyword").empty());
  add_comments(50, "I want a REFUND now {i}");
  sync();
  auto flagged = alerts_of("comment_keyword");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].at("comments").at("count").as_int64(), 50);
  add_comments(25, "refund? {i}");
  sync();
  flagged = alerts_of("comment_keyword");
  ASSERT_EQ(flagged.size(), 1u);  // still one alert: its count grew
  EXPECT_EQ(flagged[0].at("comments").at("count").as_int64(), 75);
  EXPECT_NE(str(flagged[0].at("reason").at("message")).find("75 comment(s)"), std::string::npos);
  // Hidden or answered, they no longer need anyone: the alert resolves.
  for (const auto& c : comments({{"search", "refund"}}))
    daemon->must("comment.hide", {{"id", str(c.at("id"))}});
  sync();
  EXPECT_TRUE(alerts_of("comment_keyword").empty());
}

TEST_F(Spark, UnansweredCommentsAlertAfterTheConfiguredTime) {
  start("[comments]\nalert_unanswered_after = \"2h\"\n");
  sync();  // the demo's comments are 1 to 6 hours old
  auto waiting = alerts_of("comment_unanswered");
  ASSERT_EQ(waiting.size(), 3u);  // one per post
  for (const auto& c : comments())
    daemon->must("comment.reply", {{"id", str(c.at("id"))}, {"text", "Thanks!"}});
  sync();
  EXPECT_TRUE(alerts_of("comment_unanswered").empty());
}

TEST_F(Spark, KillNineInTheMiddleOfABacklogResumesWithoutLossOrDuplicates) {
  start("[poll]\ncomments_interval = \"1s\"\n");
  add_comments(3000, "backlog {i}");
  sandbox->control("POST", "/faults",
                   R"({"path":"/comment/list/","kind":"latency","latency_ms":100,"count":1000})");
  daemon->must("debug.clock.advance", {{"seconds", 0}});  // pokes the poller
  ASSERT_TRUE(wait_until([&] { return comments().size() >= 500; }, deadline_in(30s)))
      << daemon->log_text();
  daemon->process().kill9();
  sandbox->control("DELETE", "/faults");
  sandbox->control("DELETE", "/requests");
  daemon->restart();
  auto resumed = sync();
  // Every comment once, read from the daemon's sqlite file itself.
  auto db = store::sqlite::Database::open(daemon->db_path());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->query_int("SELECT count(*) FROM comments").value(), 3006);
  EXPECT_EQ(db->query_int("SELECT count(DISTINCT text) FROM comments WHERE text LIKE 'backlog %'")
                .value(),
            3000);
  // It resumed from its cursor, not from the first page.
  int pages_read = 0;
  const json::value log = sandbox->control("GET", "/requests");
  for (const auto& req : log.at("requests").as_array()) {
    const std::string path = str(req.at("path"));
    if (path.find("/comment/list/") == std::string::npos || path.find("/business/") != path.npos)
      continue;
    ++pages_read;
    EXPECT_EQ(str(req.at("query")).find("page=1&"), std::string::npos) << str(req.at("query"));
  }
  EXPECT_GT(pages_read, 0);
  EXPECT_LT(pages_read, 31);  // 3006 comments are 31 pages: some were not read again
  EXPECT_GE(resumed.at("requests").as_int64(), 1);
}

TEST_F(Spark, ATokenRefreshIsNotHeldUpByACommentBacklog) {
  start("[poll]\ncomments_interval = \"1s\"\n");
  add_comments(20000, "backlog {i}");
  // 200 pages at 50 ms or more each: the backlog takes at least 10 s.
  sandbox->control("POST", "/faults",
                   R"({"path":"/comment/list/","kind":"latency","latency_ms":50,"count":1000})");
  daemon->must("debug.clock.advance", {{"seconds", 0}});  // pokes the poller
  ASSERT_TRUE(wait_until([&] { return !comments().empty(); }, deadline_in(30s)));
  auto refreshed = daemon->must("link.refresh", {{"id", link_id}});
  EXPECT_EQ(str(refreshed.at("link").at("state")), "ACTIVE");
  auto db = store::sqlite::Database::open(daemon->db_path());
  ASSERT_TRUE(db);
  EXPECT_LT(db->query_int("SELECT count(*) FROM comments").value(), 20006)
      << "the refresh waited for the whole backlog";
}

// Comments yield while checks run more than a minute late, and the round
// goes on once the checks have caught up, not a whole comments_interval (a
// day here) later. Before: a round that found the checks late ended at once
// and slept for the interval.
TEST_F(Spark, CommentsYieldToLateChecksAndResumeOnceTheyCatchUp) {
  start("[poll]\nstatus_interval = \"1h\"\ncomments_interval = \"1d\"\n");
  sync();  // a person's: everything so far is stored (the poller sleeps for a day)
  ASSERT_EQ(stored_ids(), sandbox_comment_ids());
  // Two hours on, the link's check is an hour late; upstream holds it 3 s.
  sandbox->control("POST", "/faults",
                   R"({"path":"/advertiser/info/","kind":"latency","latency_ms":3000,"count":1})");
  advance_clocks(2 * 3600);
  ASSERT_TRUE(
      wait_until([&] { return sandbox->control("GET", "/faults").at("faults").as_array().empty(); },
                 deadline_in(30s)));  // taken: the late check is in flight
  sandbox->control("DELETE", "/requests");
  add_comments(5, "while the check ran late");
  daemon->must("debug.clock.advance", {{"seconds", 0}});  // the poller wakes while checks are late
  EXPECT_TRUE(wait_until([&] { return stored_ids() == sandbox_comment_ids(); }, deadline_in(30s)))
      << daemon->log_text();
  // The late check was answered before any comment was asked for.
  const json::value log = sandbox->control("GET", "/requests");
  std::vector<std::string> paths;
  for (const auto& r : log.at("requests").as_array()) paths.push_back(str(r.at("path")));
  auto first_with = [&](const std::string& end) {
    return std::find_if(paths.begin(), paths.end(),
                        [&](const std::string& p) { return p.ends_with(end); });
  };
  ASSERT_NE(first_with("/advertiser/info/"), paths.end());
  EXPECT_LT(first_with("/advertiser/info/"), first_with("comment/list/"));
  EXPECT_EQ(str(link_state().at("state")), "ACTIVE");
}

// Comments yield to late checks: a daemon that cannot keep up used to stop
// reading comments in silence. Now `status` (and ttlinkctl status, the
// ttlink_comments_late_seconds gauge, one log line) says how late comment
// polling is and why; all of it clears once a round ends again.
TEST_F(Spark, CommentPollingThatFallsBehindSaysHowFarAndWhy) {
  const int metrics_port = free_loopback_port();
  start("[poll]\nstatus_interval = \"1h\"\ncomments_interval = \"1h\"\n", metrics_port);
  auto comments = [&] { return daemon->must("status").at("comments").as_object(); };
  EXPECT_EQ(comments().at("interval_seconds").as_int64(), 3600);
  EXPECT_EQ(comments().at("late_seconds").as_int64(), 0);
  EXPECT_EQ(str(comments().at("message")), "");
  // Three hours on, the link's check is two hours late and upstream holds it
  // 8 s: comment polling waits, two hours past its interval.
  sandbox->control("POST", "/faults",
                   R"({"path":"/advertiser/info/","kind":"latency","latency_ms":8000,"count":1})");
  advance_clocks(3 * 3600);
  ASSERT_TRUE(
      wait_until([&] { return comments().at("late_seconds").as_int64() > 0; }, deadline_in(30s)))
      << daemon->log_text();
  const json::object late = comments();
  EXPECT_GE(late.at("late_seconds").as_int64(), 2 * 3600);
  EXPECT_NE(str(late.at("waiting_for")).find("s late"), std::string::npos)
      << str(late.at("waiting_for"));
  EXPECT_NE(str(late.at("message")).find("behind its 1h interval: checks and token refreshes"),
            std::string::npos)
      << str(late.at("message"));
  CtlRun shown = run_ctl(daemon->socket_path(), {"status"});
  EXPECT_NE(shown.out.find("Comments: comment polling is 2h "), std::string::npos) << shown.out;
  auto scrape = [&] {
    auto r = sandbox->http().get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
    return r ? r->body : std::string();
  };
  const std::string scraped = scrape();
  EXPECT_EQ(scraped.find("ttlink_comments_late_seconds 0\n"), std::string::npos) << scraped;
  EXPECT_NE(scraped.find("ttlink_comments_late_seconds "), std::string::npos);
  EXPECT_TRUE(wait_until(
      [&] { return daemon->log_text().find("spark.comments_late") != std::string::npos; },
      deadline_in(10s)));
  // The check answered: the next round runs, and polling is on time again.
  EXPECT_TRUE(
      wait_until([&] { return comments().at("late_seconds").as_int64() == 0; }, deadline_in(30s)))
      << daemon->log_text();
  // While rounds waited (~8 s, a recheck every 2 s), the alerts that read
  // every post and link were evaluated at most once, and once after the round
  // (they were evaluated at each recheck: O(links) every 2 s at 100,000 links).
  const double before = metric_value(scraped, "ttlink_spark_alert_evaluations_total");
  const double after = metric_value(scrape(), "ttlink_spark_alert_evaluations_total");
  EXPECT_GE(after - before, 1);
  EXPECT_LE(after - before, 2);
  EXPECT_EQ(str(comments().at("message")), "");
  EXPECT_NE(daemon->log_text().find("spark.comments_on_time"), std::string::npos);
}

// Issue 16: the Accounts API lists every comment of the account's own posts,
// promoted ones included, so the first read of an ad group whose ads all run
// own posts does not page through its 28 days of history on the Marketing
// API as well; an ad group with a creator's post (bound by code) does.
TEST_F(Spark, TheFirstBackfillReadsPromotedCommentsOfOwnPostsOnce) {
  start();
  add_comments(120, "ten days old {i}", 10 * 86400);  // under the demo's own posts
  const std::string creator_item = "7400000000000000009";
  sandbox->control(
      "POST", "/adgroups",
      json::value{{"advertiser_id", kAdvertiser}, {"adgroup_id", "7600000000000000002"}});
  sandbox->control("POST", "/ads",
                   json::value{{"advertiser_id", kAdvertiser},
                               {"ad_id", "7500000000000000009"},
                               {"adgroup_id", "7600000000000000002"},
                               {"identity_type", "AUTH_CODE"},
                               {"identity_id", "4600000000000000001"},
                               {"tiktok_item_id", creator_item}});
  const auto now = sandbox->world().at("clock").at("now").as_int64();
  sandbox->control("POST", "/comments",
                   json::value{{"advertiser_id", kAdvertiser},
                               {"ad_id", "7500000000000000009"},
                               {"item_id", creator_item},
                               {"text", "creator post {i}"},
                               {"repeat", 3},
                               {"create_time", now - 10 * 86400}});
  sandbox->control("DELETE", "/requests");
  sync();
  EXPECT_EQ(stored_ids(), sandbox_comment_ids());  // each once, none missing

  std::map<std::string, std::vector<std::string>> marketing;  // ad group -> start_time asked
  const json::value log = sandbox->control("GET", "/requests");
  for (const auto& r : log.at("requests").as_array()) {
    if (!str(r.at("path")).ends_with("/v1.3/comment/list/")) continue;
    const std::string q = str(r.at("query"));
    auto field = [&](const std::string& key) {
      const auto at = q.find(key + "=");
      return q.substr(at + key.size() + 1, q.find('&', at) - at - key.size() - 1);
    };
    marketing[field("search_value")].push_back(field("start_time"));
  }
  std::time_t t = now;
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&t));
  // Own posts: one request, from today (before: every page from 28 days back).
  EXPECT_EQ(marketing["7600000000000000001"], std::vector<std::string>{today});
  // The creator's post: its history through the Marketing API.
  ASSERT_FALSE(marketing["7600000000000000002"].empty());
  EXPECT_LT(marketing["7600000000000000002"].front(), std::string(today));
}

TEST_F(Spark, OrganicCommentsComeThroughTheAccountsApiAndAreAnsweredThere) {
  start();
  // A comment on the post itself, not under an ad: only the Accounts API has it.
  json::object organic{{"advertiser_id", kAdvertiser}, {"item_id", kItem}, {"text", "organic fan"}};
  const std::string id =
      str(sandbox->control("POST", "/comments", json::value(organic)).at("comment_id"));
  auto report = sync();
  EXPECT_EQ(report.at("new_comments").as_int64(), 7);
  auto stored = comments({{"search", "organic fan"}});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(str(stored[0].at("id")), id);
  EXPECT_EQ(str(stored[0].at("ad_id")), "");
  EXPECT_EQ(stored_ids(), sandbox_comment_ids());  // the promoted ones are not stored twice

  sandbox->control("DELETE", "/requests");
  auto replied = daemon->must("comment.reply", {{"id", id}, {"text", "Thank you!"}});
  EXPECT_EQ(str(replied.at("comment").at("status")), "replied");
  daemon->must("comment.hide", {{"id", id}});
  const json::value log = sandbox->control("GET", "/requests");
  std::vector<std::string> paths;
  for (const auto& req : log.at("requests").as_array()) paths.push_back(str(req.at("path")));
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/open_api/v1.3/business/comment/reply/create/"),
            paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/open_api/v1.3/business/comment/hide/"),
            paths.end())
      << json::serialize(log);
  sync();  // our reply is read back as the account's own: not new
  EXPECT_EQ(comments({{"status", "new"}}).size(), 6u);
}

// Accounts API pages (30 comments) are stored about 100 at a time; a sync
// cut short by an error still keeps the pages it read, and the next one
// goes on from there: nothing lost, nothing stored twice, nothing re-read.
TEST_F(Spark, AnAccountsApiBacklogCutByAnErrorKeepsWhatWasReadAndResumes) {
  start();
  json::object organic{
      {"advertiser_id", kAdvertiser}, {"item_id", kItem}, {"text", "organic {i}"}, {"repeat", 100}};
  sandbox->control("POST", "/comments", json::value(organic));
  // The third page of the post's comments fails (offsets 0, 30, 60).
  sandbox->control("POST", "/faults",
                   R"({"path":"/business/comment/list/","kind":"code","code":50002,)"
                   R"("message":"Service timeout","match":"cursor=60&","count":1})");
  EXPECT_FALSE(daemon->call("spark.sync", {{"id", link_id}}));
  std::size_t on_post = 0;
  for (const auto& c : comments())
    if (str(c.at("item_id")) == kItem) ++on_post;
  EXPECT_EQ(on_post, 60u);  // the two pages read are kept (the demo's 2 promoted ones among them)

  sandbox->control("DELETE", "/requests");
  sync();
  EXPECT_EQ(stored_ids(), sandbox_comment_ids());
  const json::value log = sandbox->control("GET", "/requests");
  for (const auto& r : log.at("requests").as_array())
    if (str(r.at("path")).ends_with("/business/comment/list/") &&
        str(r.at("query")).find("video_id=" + std::string(kItem)) != std::string::npos) {
      EXPECT_NE(str(r.at("query")).find("cursor=60&"), std::string::npos)
          << "the first request of the post goes on from offset 60";
      break;
    }
}

}  // namespace
}  // namespace ttlink::test
