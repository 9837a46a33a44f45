// Launching Spark Ads from the linked identity, end to end: a real sandbox, a
// real ttlinkd and the real ttlinkctl. The advertiser's Ad Identities with
// the linked account marked; creators' post authorization codes bound,
// watched and unbound; campaign -> ad group -> Spark Ad created exactly once
// however often (or however interrupted) the command runs, refused before any
// request when it cannot work; and the paid figures next to the organic ones.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

}  // namespace
}  // namespace ttlink::test
