// The real ttlinkctl binary against an in-test UnixServer whose handlers
// return prepared results: exit codes, --json, tables, sanitising, waiting;
// and against a real ttlinkd and sandbox where the daemon's part matters
// (the code read from stdin completes a real authorization).
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <future>
#include <mutex>
#include <thread>

#include "core/rpc/unix_server.hpp"
#include "support/child_process.hpp"
#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::rpc {
namespace {
namespace json = boost::json;
namespace asio = boost::asio;
using namespace std::chrono_literals;

const char* const kMethods[] = {"status",        "links.list",    "link.get",    "link.start",
                                "link.complete", "link.reauth",   "link.unlink", "link.refresh",
                                "link.check",    "daemon.version"};

json::value link_json(std::string id, std::string state) {
  return json::object{{"id", id},
                      {"advertiser_id", "7000000000000000001"},
                      {"advertiser_name", "Brand Ads"},
                      {"open_id", "open-1"},
                      {"username", "brand"},
                      {"state", state},
                      {"reason", nullptr},
                      {"next_refresh_at", "2026-11-24T12:00:00Z"},
                      {"refresh_token_expires_at", "2027-11-24T10:00:00Z"},
                      {"last_check_at", nullptr}};
}

class CtlTest : public ::testing::Test {
 protected:
  CtlTest() {
    for (const char* method : kMethods)
      registry.add(method, "prepared by the test",
                   [this, name = std::string(method)](
                       const json::object& params, const Peer&) -> asio::awaitable<MethodResult> {
                     std::lock_guard lock(mutex);
                     received[name] = params;
                     auto found = answers.find(name);
                     if (found == answers.end())
                       co_return MethodError{code::kInternalError, "no answer prepared"};
                     co_return found->second;
                   });
    UnixServerOptions options;
    options.path = dir.file("ttlinkd.sock");
    server = std::make_unique<UnixServer>(ioc.get_executor(), registry, log, options);
    auto started = server->start();
    if (!started) throw std::runtime_error(started.error().message);
    io_thread = std::thread([this] { ioc.run(); });
  }

  ~CtlTest() override {
    std::promise<void> stopped;
    asio::post(ioc, [&] {
      server->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work.reset();
    io_thread.join();
  }

  void answer(const std::string& method, MethodResult result) {
    std::lock_guard lock(mutex);
    answers.insert_or_assign(method, std::move(result));
  }
  json::object params_of(const std::string& method) {
    std::lock_guard lock(mutex);
    return received[method];
  }

  // Runs ttlinkctl with `args` (after --socket) and collects everything it wrote.
  test::CtlRun ctl(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                   bool with_socket = true) {
    return test::run_ctl(with_socket ? dir.file("ttlinkd.sock") : "", std::move(args),
                         std::move(env));
  }

  test::TempDir dir;
  Registry registry;
  Logger log{stderr, LogLevel::kError};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread io_thread;
  std::unique_ptr<UnixServer> server;
  std::mutex mutex;
  std::map<std::string, MethodResult> answers;
  std::map<std::string, json::object> received;
};

TEST_F(CtlTest, StatusOfHealthyLinksExitsZeroWithCountsPerState) {
  answer("status", json::parse(R"({"links_by_state":{"ACTIVE":2,"DEGRADED":1},
      "needs_attention":[],"alerts_firing":0,"version":"0.1.0"})"));
  test::CtlRun run = ctl({"status"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ACTIVE    2"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("DEGRADED  1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("No link needs attention"), std::string::npos) << run.out;
}

TEST_F(CtlTest, StatusSaysWhatWaitsForARetryAndWhy) {
  answer("status", json::parse(R"({"links_by_state":{"ACTIVE":1,"DEGRADED":1},
      "needs_attention":[],"alerts_firing":1,"version":"0.1.0",
      "retries":{"backoffs":[{"scope":"app","endpoint":"","seconds_left":540},
                             {"scope":"endpoint","endpoint":"/advertiser/info/","seconds_left":3}],
                 "failing_links":[{"id":"7002","failures":4,"next_check_at":"2026-12-02T12:00:00Z"}]}})"));
  test::CtlRun run = ctl({"status"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Waiting to retry"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("back-off (app): 540 s left"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("back-off (endpoint /advertiser/info/): 3 s left"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("link 7002: 4 failures in a row, next try 2026-12-02T12:00:00Z"),
            std::string::npos)
      << run.out;
}

TEST_F(CtlTest, StatusWithLinksNeedingAttentionExitsFourAndNamesThem) {
  answer("status", json::parse(R"({"links_by_state":{"ACTIVE":1,"REAUTH_REQUIRED":1},
      "needs_attention":["7001"],"alerts_firing":1,"version":"0.1.0"})"));
  test::CtlRun run = ctl({"status"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.out.find("7001"), std::string::npos) << run.out;
  EXPECT_EQ(ctl({"--json", "status"}).exit_code, 4);
}

TEST_F(CtlTest, JsonPrintsTheResultAsIs) {
  json::value result = json::object{{"links", json::array{link_json("7001", "ACTIVE")}}};
  answer("links.list", result);
  test::CtlRun run = ctl({"--json", "links"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(json::parse(run.out), result);
  test::CtlRun after = ctl({"links", "--json"});  // the flag also after the command
  EXPECT_EQ(json::parse(after.out), result);
}

TEST_F(CtlTest, ADaemonErrorExitsOneWithItsMessage) {
  answer("link.get", MethodError{code::kNotFound, "no link 42; see ttlinkctl links"});
  test::CtlRun run = ctl({"link", "show", "42"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("no link 42; see ttlinkctl links"), std::string::npos) << run.err;
  EXPECT_EQ(params_of("link.get"), (json::object{{"id", "42"}}));
}

TEST_F(CtlTest, UsageErrorsExitTwo) {
  EXPECT_EQ(ctl({}).exit_code, 2);
  EXPECT_EQ(ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(ctl({"link", "show"}).exit_code, 2);
  EXPECT_EQ(ctl({"link", "complete", "--code", "c"}).exit_code, 2);
  EXPECT_EQ(ctl({"link", "start", "--timeout", "soon"}).exit_code, 2);
  EXPECT_EQ(ctl({"--help"}).exit_code, 0);
}

TEST_F(CtlTest, AnUnreachableDaemonExitsThree) {
  test::CtlRun run = ctl({"--socket", dir.file("absent.sock"), "status"}, {}, false);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("absent.sock"), std::string::npos) << run.err;
}

TEST_F(CtlTest, TheSocketComesFromTtlinkSocketWhenNotGiven) {
  answer("status", json::parse(R"({"links_by_state":{},"needs_attention":[],"alerts_firing":0,
      "version":"0.1.0"})"));
  EXPECT_EQ(ctl({"status"}, {{"TTLINK_SOCKET", dir.file("ttlinkd.sock")}}, false).exit_code, 0);
  EXPECT_EQ(ctl({"status"}, {{"TTLINK_SOCKET", dir.file("absent.sock")}}, false).exit_code, 3);
}

TEST_F(CtlTest, ShowAndCheckOfALinkNeedingAttentionExitFour) {
  json::value link = link_json("7001", "REAUTH_REQUIRED");
  link.as_object()["reason"] = json::parse(R"({"code":40105,"message":"Access token is invalid"})");
  answer("link.get",
         json::object{{"link", link}, {"history", json::array{}}, {"pending", nullptr}});
  answer("link.check", json::object{{"link", link}});
  test::CtlRun show = ctl({"link", "show", "7001"});
  EXPECT_EQ(show.exit_code, 4);
  EXPECT_NE(show.out.find("40105 Access token is invalid"), std::string::npos) << show.out;
  EXPECT_EQ(ctl({"check", "7001"}).exit_code, 4);
  answer("link.check", json::object{{"link", link_json("7001", "ACTIVE")}});
  EXPECT_EQ(ctl({"check", "7001"}).exit_code, 0);
}

// Display columns of `text`: enough for ASCII and CJK (three-byte, two columns).
std::size_t columns(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    width += len == 3 ? 2 : 1;
    i += len;
  }
  return width;
}

TEST_F(CtlTest, LinksTableAlignsColumnsByDisplayWidth) {
  json::value wide = link_json("7002", "NOT_BUSINESS");
  wide.as_object()["advertiser_name"] = "品牌广告";
  wide.as_object()["next_refresh_at"] = nullptr;
  answer("links.list", json::object{{"links", json::array{link_json("7001", "ACTIVE"), wide}}});
  test::CtlRun run = ctl({"links"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = run.out.find('\n', start)) != std::string::npos;
       start = end + 1)
    lines.push_back(run.out.substr(start, end - start));
  ASSERT_EQ(lines.size(), 3u) << run.out;
  EXPECT_EQ(lines[0].rfind("ID", 0), 0u);
  auto state_column = [](const std::string& line, std::string_view word) {
    return columns(std::string_view(line).substr(0, line.find(word)));
  };
  EXPECT_EQ(state_column(lines[0], "STATE"), state_column(lines[1], "ACTIVE")) << run.out;
  EXPECT_EQ(state_column(lines[0], "STATE"), state_column(lines[2], "NOT_BUSINESS")) << run.out;
  EXPECT_NE(lines[2].find("@brand"), std::string::npos);
  EXPECT_EQ(lines[2].substr(lines[2].size() - 1), "-");  // null next refresh
}

TEST_F(CtlTest, ControlCharactersFromTheDaemonAreNeutralised) {
  json::value evil = link_json("7001", "REAUTH_REQUIRED");
  evil.as_object()["advertiser_name"] = "Evil\x1b[31mRed\x07";
  evil.as_object()["reason"] = json::object{{"code", 40105},
                                            {"message",
                                             "bad\x1b]0;owned\x07 \xc2\x9b"
                                             "2J \u202egnp.exe"}};
  answer("links.list", json::object{{"links", json::array{evil}}});
  answer("link.get", MethodError{code::kNotFound, "no link \x1b[2J"});
  test::CtlRun run = ctl({"links"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (std::string_view bad : {"\x1b", "\x07", "\xc2\x9b", "\u202e"})
    EXPECT_EQ(run.out.find(bad), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Evil\\x1b[31mRed\\x07"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\\u202e"), std::string::npos) << run.out;
  test::CtlRun error = ctl({"link", "show", "7001"});
  EXPECT_EQ(error.exit_code, 1);
  EXPECT_EQ(error.err.find('\x1b'), std::string::npos) << error.err;
}

const char* const kStartResult = R"({"link_id":"7001","state":"PENDING",
    "advertiser_auth_url":"https://business-api.tiktok.com/portal/auth?app_id=1&state=s1",
    "account_auth_url":"https://www.tiktok.com/v2/auth/authorize/?client_key=1&state=s2",
    "expires_at":"2026-11-24T11:00:00Z"})";

TEST_F(CtlTest, LinkStartNoWaitPrintsBothUrlsWithWhatToDo) {
  answer("link.start", json::parse(kStartResult));
  test::CtlRun run = ctl({"link", "start", "--advertiser", "7000000000000000001", "--no-wait"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Open this URL as an Ads Manager admin:"), std::string::npos);
  EXPECT_NE(run.out.find("portal/auth?app_id=1&state=s1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Open this URL logged in as the TikTok Business Account:"),
            std::string::npos);
  EXPECT_NE(run.out.find("v2/auth/authorize/?client_key=1&state=s2"), std::string::npos);
  EXPECT_EQ(params_of("link.start"), (json::object{{"advertiser_id", "7000000000000000001"}}));
  test::CtlRun json_run = ctl({"--json", "link", "start", "--no-wait"});
  EXPECT_EQ(json::parse(json_run.out), json::parse(kStartResult));
  EXPECT_TRUE(params_of("link.start").empty());
}

TEST_F(CtlTest, LinkStartWaitsForTheFinalStateAndExitsByIt) {
  answer("link.start", json::parse(kStartResult));
  json::value done = json::object{
      {"link", link_json("7001", "ACTIVE")}, {"history", json::array{}}, {"pending", nullptr}};
  answer("link.get", done);
  test::CtlRun run = ctl({"link", "start"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ACTIVE"), std::string::npos) << run.out;
  EXPECT_EQ(params_of("link.get"), (json::object{{"id", "7001"}}));
  test::CtlRun json_run = ctl({"--json", "link", "start"});
  EXPECT_EQ(json::parse(json_run.out), done);

  answer("link.get", json::object{{"link", link_json("7001", "NOT_BUSINESS")}});
  answer("link.reauth", json::parse(kStartResult));
  EXPECT_EQ(ctl({"reauth", "7001"}).exit_code, 4);
  EXPECT_EQ(params_of("link.reauth"), (json::object{{"id", "7001"}}));
}

TEST_F(CtlTest, AWaitThatTimesOutExitsOne) {
  answer("link.start", json::parse(kStartResult));
  answer("link.get", json::object{{"link", link_json("7001", "PENDING")}});
  auto began = test::Clock::now();
  test::CtlRun run = ctl({"link", "start", "--timeout", "1s"});
  EXPECT_GE(test::Clock::now() - began, 900ms);  // it kept polling until the deadline
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("still PENDING"), std::string::npos) << run.err;
}

TEST_F(CtlTest, LinkCompletePassesCodeAndState) {
  answer("link.complete",
         json::object{{"link", link_json("7001", "ACTIVE")}, {"completed", "advertiser"}});
  test::CtlRun run = ctl({"link", "complete", "--code", "abc", "--state", "s1"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(params_of("link.complete"), (json::object{{"code", "abc"}, {"state", "s1"}}));
}

TEST_F(CtlTest, VersionPrintsBothVersionsAndMethodsListsTheRegistry) {
  answer("daemon.version", json::object{{"version", "0.1.0"}, {"schema_version", 3}});
  test::CtlRun run = ctl({"version"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ttlinkctl "), std::string::npos);
  EXPECT_NE(run.out.find("ttlinkd 0.1.0 (store schema 3)"), std::string::npos) << run.out;
  test::CtlRun methods = ctl({"methods"});
  EXPECT_EQ(methods.exit_code, 0);
  EXPECT_NE(methods.out.find("daemon.methods"), std::string::npos) << methods.out;
  EXPECT_NE(methods.out.find("link.complete"), std::string::npos);
}

class CtlWithDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox = test::SandboxProcess::start();
    daemon = test::DaemonProcess::start(*sandbox);
  }

  // ttlinkctl with `input` as its stdin, as `echo CODE | ttlinkctl ...` runs it.
  test::CtlRun ctl_with_stdin(std::vector<std::string> args, std::string input) {
    std::vector<std::string> argv{test::ctl_binary(), "--socket", daemon->socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = test::ChildProcess::spawn(argv, {}, std::move(input));
    if (!child) throw std::runtime_error(child.error().message);
    test::CtlRun run;
    run.exit_code = (*child)->wait(test::deadline_in(20s)).value_or(-1);
    run.out = (*child)->stdout_text();
    run.err = (*child)->stderr_text();
    return run;
  }
  test::CtlRun complete_from_stdin(const std::string& state, std::string input) {
    return ctl_with_stdin({"--json", "link", "complete", "--code", "-", "--state", state},
                          std::move(input));
  }
  std::pair<std::string, std::string> code_and_state(const json::object& started,
                                                     std::string_view url_key) {
    return daemon->code_and_state(std::string(started.at(url_key).as_string()));
  }

  std::unique_ptr<test::SandboxProcess> sandbox;
  std::unique_ptr<test::DaemonProcess> daemon;
};

TEST_F(CtlWithDaemon, LinkCompleteWithCodeDashReadsTheCodeFromStdin) {
  auto started = daemon->must("link.start", {{"advertiser_id", "7000000000000000001"}});
  const std::string link_id(started.at("link_id").as_string());
  const char* const halves[][2] = {{"advertiser_auth_url", "advertiser"},
                                   {"account_auth_url", "account"}};
  for (const auto& [url_key, half] : halves) {
    auto [code, state] = code_and_state(started, url_key);
    ASSERT_FALSE(code.empty());
    test::CtlRun run = complete_from_stdin(state, code + "\n");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(json::parse(run.out).at("completed"), json::value(half)) << run.out;
    EXPECT_EQ(run.out.find(code), std::string::npos) << "the code is not echoed";
    EXPECT_EQ(run.err.find(code), std::string::npos) << run.err;
  }
  EXPECT_EQ(daemon->state_of(link_id), "ACTIVE");
}

TEST_F(CtlWithDaemon, NoCodeOnStdinIsAUsageErrorThatConsumesNothing) {
  auto started = daemon->must("link.start", {{"advertiser_id", "7000000000000000001"}});
  auto [code, state] = code_and_state(started, "account_auth_url");
  for (const char* empty : {"", "\n", "\r\n"}) {
    test::CtlRun run = complete_from_stdin(state, empty);
    EXPECT_EQ(run.exit_code, 2) << "input: " << json::value(empty);
    EXPECT_NE(run.err.find("no code on stdin"), std::string::npos) << run.err;
  }
  // The state was not spent: the same code still completes the half.
  test::CtlRun run = complete_from_stdin(state, code + "\r\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(json::parse(run.out).at("completed"), "account") << run.out;
}

TEST_F(CtlTest, LinkCompleteHelpShowsCodeDash) {
  test::CtlRun run = ctl({"link", "complete", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("ttlinkctl link complete --code - --state STATE"), std::string::npos)
      << run.out;
}

// A mistyped command is named, with the closest one (issue 29): before,
// `ttlinkctl lnks`, `link add` and `--version` all answered "A subcommand
// is required".
TEST(CtlUsage, AnUnknownCommandIsNamedWithTheClosestOne) {
  auto typo = test::run_ctl("/nonexistent.sock", {"lnks"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown command 'lnks'; did you mean 'links'?"), std::string::npos)
      << typo.err;
  auto nested = test::run_ctl("/nonexistent.sock", {"alert", "tset"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("unknown command 'alert tset'; did you mean 'alert test'?"),
            std::string::npos)
      << nested.err;
  auto far = test::run_ctl("/nonexistent.sock", {"link", "add"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown command 'link add'"), std::string::npos) << far.err;
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

TEST(CtlUsage, VersionFlagPrintsTheVersionWithoutADaemon) {
  auto v = test::run_ctl("/nonexistent.sock", {"--version"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("ttlinkctl 0."), std::string::npos) << v.out;
}

}  // namespace
}  // namespace ttlink::rpc
