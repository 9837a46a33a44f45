// README "What each upstream failure does", row by row: every code of
// tiktok-api.md, every HTTP status class and transport failure is injected
// through the sandbox's faults (on every call of one path) into each kind of
// call ttlink makes: a scheduled check, a scheduled token refresh, a comment
// sync and a person's reply. Over simulated time (both clocks) each case
// asserts how many attempts reached upstream, the link's state, the alert
// and the log line. 40113 and 61000 are app-wide, so they are injected on
// every path.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <functional>
#include <string>
#include <vector>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAdvertiser = "7000000000000000001";

// What a failure means, as the README's table groups the codes.
enum class Meaning {
  kRetry,               // transient: back-off, DEGRADED after 3
  kBackOff,             // 40100/40132: the endpoint's window, then as kRetry
  kRefreshFirst,        // 40102: one refresh, then once more
  kReauthAfterRefresh,  // 40105: as kRefreshFirst, then REAUTH_REQUIRED
  kReauth,              // REAUTH_REQUIRED at once
  kPermission,          // PERMISSION_DENIED at once
  kBug,                 // ttlink_bug: back-off, DEGRADED + upstream_error after 3
  kForbidden,           // 40113: one app_forbidden alert, requests paused
  kBlocklist,           // 61000: requests paused, an app alert after 10 minutes
};

struct Row {
  std::string name;
  std::string fault;  // the fault's JSON members, without path/fraction
  Meaning meaning;
  std::string outcome;  // tiktok::to_string(outcome_of(...)) the logs show
};

Row code_row(long code, Meaning m, std::string outcome) {
  return {"code" + std::to_string(code),
          R"("kind":"code","code":)" + std::to_string(code) + R"(,"message":"injected")", m,
          std::move(outcome)};
}

std::vector<Row> rows() {
  std::vector<Row> r;
  for (long c : {50000L, 50002L, 51001L, 60001L})
    r.push_back(code_row(c, Meaning::kRetry, "retry"));
  r.push_back({"http500", R"("kind":"http_status","http_status":500)", Meaning::kRetry, "retry"});
  r.push_back({"http429", R"("kind":"http_status","http_status":429)", Meaning::kRetry, "retry"});
  r.push_back({"reset", R"("kind":"reset")", Meaning::kRetry, "retry"});
  r.push_back({"malformed", R"("kind":"malformed")", Meaning::kRetry, "retry"});
  r.push_back({"timeout", R"("kind":"latency","latency_ms":1500)", Meaning::kRetry, "retry"});
  for (long c : {40100L, 40132L}) r.push_back(code_row(c, Meaning::kBackOff, "back_off"));
  r.push_back(code_row(40102, Meaning::kRefreshFirst, "refresh_then_retry"));
  r.push_back(code_row(40105, Meaning::kReauthAfterRefresh, "link_state"));
  for (long c : {40001L, 40003L, 40103L, 40107L, 40114L, 40130L, 40131L})
    r.push_back(code_row(c, Meaning::kReauth, "link_state"));
  r.push_back(code_row(40301, Meaning::kPermission, "link_state"));
  for (long c : {40000L, 40002L, 40007L, 40104L, 40108L, 40300L, 20001L, 49999L})
    r.push_back(code_row(c, Meaning::kBug, "ttlink_bug"));
  // Outside a link attempt 40110 is as unexplained as an unknown code.
  r.push_back(code_row(40110, Meaning::kBug, "link_attempt_failed"));
  r.push_back(
      {"http404", R"("kind":"http_status","http_status":404)", Meaning::kBug, "ttlink_bug"});
  r.push_back(code_row(40113, Meaning::kForbidden, "app_forbidden"));
  r.push_back(code_row(61000, Meaning::kBlocklist, "back_off"));
  return r;
}

enum class Call { kCheck, kRefresh, kCommentSync, kReply };

const char* name_of(Call c) {
  switch (c) {
    case Call::kCheck:
      return "check";
    case Call::kRefresh:
      return "refresh";
    case Call::kCommentSync:
      return "comments";
    case Call::kReply:
      return "reply";
  }
  return "?";
}

// The path each kind of call is refused on.
const char* path_of(Call c) {
  switch (c) {
    case Call::kCheck:
      return "/business/get/";
    case Call::kRefresh:
      return "/tt_user/oauth2/refresh_token/";
    case Call::kCommentSync:
      return "/comment/list/";
    case Call::kReply:
      return "/comment/post/";
  }
  return "";
}

bool app_wide(Meaning m) {
  return m == Meaning::kForbidden || m == Meaning::kBlocklist;
}

// What a person sees once the rounds are over.
struct Expected {
  std::string state = "ACTIVE";
  std::string alert;  // fingerprint prefix ("" = no alert at all)
  std::string log;    // an event that must be in the log
  int min_attempts = 1;
  int max_attempts = 1;
};

Expected expected(Call call, const Row& row, const std::string& link) {
  const Meaning m = row.meaning;
  // One probe per window; requests already on their way when the pause began
  // are answered too (at most the check and the comment poller: 2 a round).
  if (m == Meaning::kForbidden)
    return {"ACTIVE", "app_forbidden/app", "event=upstream.app_paused", 1, 6};
  if (m == Meaning::kBlocklist)
    return {"ACTIVE", call == Call::kReply ? "" : "upstream_unreachable/app",
            "event=upstream.app_paused", 1, 6};
  const bool transient = m == Meaning::kRetry || m == Meaning::kBackOff;
  switch (call) {
    case Call::kCheck:
      if (transient)
        return {"DEGRADED", "upstream_unreachable/" + link, "event=scheduler.check_failed", 3, 6};
      if (m == Meaning::kBug)
        return {"DEGRADED", "upstream_error/" + link, "event=scheduler.check_failed", 3, 3};
      if (m == Meaning::kPermission)
        return {"PERMISSION_DENIED", "permission_denied/" + link, "to=PERMISSION_DENIED", 1, 3};
      if (m == Meaning::kRefreshFirst || m == Meaning::kReauthAfterRefresh)
        return {"REAUTH_REQUIRED", "reauth_required/" + link, "to=REAUTH_REQUIRED", 2, 6};
      return {"REAUTH_REQUIRED", "reauth_required/" + link, "to=REAUTH_REQUIRED", 1, 3};
    case Call::kRefresh:
      if (transient)
        return {"DEGRADED", "refresh_failing/" + link, "event=scheduler.refresh_failed", 3, 6};
      if (m == Meaning::kBug)
        return {"DEGRADED", "upstream_error/" + link, "event=scheduler.refresh_failed", 3, 3};
      if (m == Meaning::kPermission)
        return {"PERMISSION_DENIED", "permission_denied/" + link, "to=PERMISSION_DENIED", 1, 3};
      return {"REAUTH_REQUIRED", "reauth_required/" + link, "to=REAUTH_REQUIRED", 1, 1};
    case Call::kCommentSync:
      // Refused for good for one ad group: that source waits alone.
      if (m == Meaning::kBug)
        return {"ACTIVE",
                "comments_sync_failing/" + link + "/adgroup:", "event=spark.source_failed", 3, 3};
      // Anything else fails the link's sync as a whole; its checks decide its state.
      return {"ACTIVE", "comments_sync_failing/" + link, "event=spark.sync_failed", 3, 6};
    case Call::kReply:
      return {"ACTIVE", "", "event=comment.reply_failed", 1, 2};
  }
  return {};
}

struct Case {
  Call call;
  Row row;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << name_of(c.call) << " refused with " << c.row.name;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(name_of(info.param.call)) + "_" + info.param.row.name;
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (Call call : {Call::kCheck, Call::kRefresh, Call::kCommentSync, Call::kReply})
    for (const Row& row : rows()) out.push_back({call, row});
  return out;
}

class Outcomes : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Call call = GetParam().call;
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    // Only the call under test comes due in the simulated hours below.
    const char* status = call == Call::kCheck ? "1h" : "2d";
    o.extra_toml = std::string("[debug]\nclock_control = true\n[poll]\nstatus_interval = \"") +
                   status + "\"\ncomments_interval = \"1h\"\njitter = \"0%\"\nmax_qps = 0\n";
    o.tiktok_toml = "request_timeout = \"1s\"\n";
    // Refreshes come from the scheduler alone: without comment.list the
    // comment poller never asks for the account's token.
    if (call == Call::kRefresh)
      o.tiktok_toml += "scopes = [\"user.info.basic\", \"user.account.type\", \"video.list\"]\n";
    daemon = DaemonProcess::start(*sandbox, o);
    link = daemon->link(kAdvertiser);
    ASSERT_EQ(daemon->state_of(link), "ACTIVE");
    // A promoted comment written now. The demo's are 1 to 6 hours old, and
    // the first Marketing API read of an ad group the Accounts API lists
    // whole starts today: from midnight to 6 am UTC they were all read
    // through the Accounts API, and no comment carried an ad to reply under.
    if (call == Call::kReply)
      sandbox->control("POST", "/comments",
                       R"({"advertiser_id":"7000000000000000001","ad_id":"7500000000000000001",)"
                       R"("item_id":"7400000000000000001","text":"Ships to EU?"})");
    daemon->must("spark.sync", {{"id", link}});  // comments to answer; the first backfill done
  }

  void inject() {
    const Row& row = GetParam().row;
    const std::string path = app_wide(row.meaning) ? "*" : path_of(GetParam().call);
    sandbox->control("POST", "/faults",
                     R"({"path":")" + path + R"(",)" + row.fault + R"(,"fraction":1.0})");
    from = sandbox->control("GET", "/requests").at("next").as_int64();
  }

  // Requests upstream answered with the injected fault since inject().
  int attempts() {
    int n = 0;
    const json::value log = sandbox->control("GET", "/requests?since=" + std::to_string(from));
    for (const auto& r : log.at("requests").as_array())
      if (!r.at("fault").is_null()) ++n;
    return n;
  }

  void advance(std::int64_t seconds) {
    sandbox->control("POST", "/clock/advance", json::value(json::object{{"seconds", seconds}}));
    daemon->must("debug.clock.advance", {{"seconds", seconds}});
  }

  // One step of simulated time, then until upstream saw one more attempt or
  // the link reached a state that makes no more (REAUTH_REQUIRED stops refreshes).
  void round(std::int64_t seconds) {
    const int before = attempts();
    const int failed_before = failures();
    // A scheduled attempt that fails counts once it has ended (a reset is
    // retried once on a fresh connection: two requests, one attempt).
    const Meaning m = GetParam().row.meaning;
    const bool counted = (GetParam().call == Call::kCheck || GetParam().call == Call::kRefresh) &&
                         (m == Meaning::kRetry || m == Meaning::kBackOff || m == Meaning::kBug);
    advance(seconds);
    wait_until(
        [&] {
          const std::string s = daemon->state_of(link);
          if (s == "REAUTH_REQUIRED" || s == "PERMISSION_DENIED") return true;
          return attempts() > before && (!counted || failures() > failed_before);
        },
        deadline_in(15s));
  }

  // Failed scheduled attempts in a row of the link (`status`).
  int failures() {
    const json::object status = daemon->must("status");
    for (const auto& f : status.at("retries").at("failing_links").as_array())
      if (f.at("id").as_string() == link) return static_cast<int>(f.at("failures").as_int64());
    return 0;
  }

  // Firing alerts about failures (simulated hours also make the demo's
  // comments unanswered and its posts' authorizations end: not asserted here).
  std::vector<std::string> fingerprints() {
    std::vector<std::string> out;
    const json::object listed = daemon->must("alerts.list");
    for (const auto& a : listed.at("alerts").as_array()) {
      const std::string kind(a.at("kind").as_string());
      if (kind.rfind("comment_", 0) == 0 || kind.rfind("post_auth_", 0) == 0) continue;
      out.emplace_back(a.at("fingerprint").as_string());
    }
    return out;
  }

  bool has_alert(const std::string& prefix) {
    for (const auto& f : fingerprints())
      if (f.rfind(prefix, 0) == 0) return true;
    return false;
  }

  // Reply to a promoted comment (its answer goes through the Marketing API).
  boost::system::result<json::value, rpc::ClientError> reply() {
    const json::object listed = daemon->must("comments.list", {{"limit", 100}});
    for (const auto& c : listed.at("comments").as_array())
      if (!c.at("ad_id").as_string().empty()) {
        comment = std::string(c.at("id").as_string());
        return daemon->call("comment.reply", {{"id", comment}, {"text", "Thanks!"}});
      }
    ADD_FAILURE() << "no promoted comment synced";
    return rpc::ClientError{};
  }

  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
  std::string link;
  std::string comment;
  std::int64_t from = 0;
};

TEST_P(Outcomes, AttemptsStateAlertAndLogAreAsTheTableSays) {
  const auto& [call, row] = GetParam();
  inject();
  switch (call) {
    case Call::kCheck:  // each check is due once per hour; back-off stays within it
      for (int i = 0; i < 3; ++i) round(3600);
      break;
    case Call::kRefresh:  // due 2 h before the 24 h access token ends; back-off 30 s, 60 s
      round(22 * 3600 + 60);
      round(120);
      round(120);
      if (row.meaning == Meaning::kBlocklist) round(600);  // told after 10 minutes
      break;
    case Call::kCommentSync:  // comments_interval 1 h; a refused ad group waits 1 h, then 2 h
      round(3600);
      round(3600);
      round(7200);
      break;
    case Call::kReply: {
      auto r = reply();
      ASSERT_FALSE(r) << "a refused reply was reported as sent";
      // Upstream's answers (codes, HTTP 4xx) are 1002, transport trouble 1003.
      const bool answered =
          row.fault.find(R"("kind":"code")") != std::string::npos || row.name == "http404";
      EXPECT_EQ(r.error().code, answered ? 1002 : 1003) << r.error().message;
      // The sandbox logs a delayed answer once it is sent.
      EXPECT_TRUE(wait_until([&] { return attempts() >= 1; }, deadline_in(5s)));
      if (app_wide(row.meaning)) {  // the next one is not even sent
        const int before = attempts();
        auto again = reply();
        ASSERT_FALSE(again);
        EXPECT_NE(again.error().message.find("not sent"), std::string::npos)
            << again.error().message;
        EXPECT_EQ(attempts(), before);
      }
      const json::object replied = daemon->must("comments.list", {{"status", "replied"}});
      EXPECT_TRUE(replied.at("comments").as_array().empty());  // nothing recorded
      break;
    }
  }
  const Expected want = expected(call, row, link);
  if (!want.alert.empty())
    EXPECT_TRUE(wait_until([&] { return has_alert(want.alert); }, deadline_in(15s)))
        << "no alert " << want.alert << " among "
        << json::serialize(json::value_from(fingerprints()));
  else
    for (const auto& f : fingerprints()) ADD_FAILURE() << "unexpected alert " << f;
  // One alert for the app, never one per link; nothing else fires beside it.
  if (app_wide(row.meaning))
    for (const auto& f : fingerprints())
      EXPECT_TRUE(f.rfind("app_forbidden/app", 0) == 0 ||
                  f.rfind("upstream_unreachable/app", 0) == 0)
          << f;
  EXPECT_EQ(daemon->state_of(link), want.state);
  const int n = attempts();
  EXPECT_GE(n, want.min_attempts);
  EXPECT_LE(n, want.max_attempts) << "attempts over the simulated time";
  // The daemon's stderr reaches the test through a pipe: wait for the line.
  const bool logged = wait_until(
      [&] {
        const std::string text = daemon->log_text();
        return text.find(want.log) != std::string::npos &&
               (want.log.find("failed") == std::string::npos ||
                text.find("outcome=" + row.outcome) != std::string::npos);
      },
      deadline_in(5s));
  EXPECT_TRUE(logged) << want.log << " (outcome=" << row.outcome << ") not logged:\n"
                      << daemon->log_text();
}

INSTANTIATE_TEST_SUITE_P(EveryRowEveryCall, Outcomes, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace ttlink::test
