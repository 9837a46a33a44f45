// contrib/: the Grafana dashboard and the Prometheus alert rules shipped for
// admins. Every metric they query is one a real ttlinkd serves on /metrics
// (after a real link through the sandbox), and Prometheus's own checker
// accepts the rules.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(TTLINK_SOURCE_DIR) + "/" + relative);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// ttlink_* names in `text`, histogram suffixes folded into their family.
std::set<std::string> metric_families(const std::string& text) {
  std::set<std::string> names;
  const std::regex name(R"(ttlink_[a-z_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0)
        n.resize(n.size() - s.size());
    }
    names.insert(n);
  }
  return names;
}

std::string promtool() {
  std::string local = std::string(TTLINK_SOURCE_DIR) + "/.cache/tools/promtool";
  return std::filesystem::exists(local) ? local : "/usr/bin/promtool";
}

TEST(Contrib, PrometheusRulesPassPromtool) {
  ASSERT_TRUE(std::filesystem::exists(promtool())) << "run scripts/deps.sh to fetch promtool";
  auto check = ChildProcess::spawn(
      {promtool(), "check", "rules",
       std::string(TTLINK_SOURCE_DIR) + "/contrib/prometheus/ttlink-rules.yml"});
  ASSERT_TRUE(check);
  EXPECT_EQ((*check)->wait(deadline_in(30s)), std::optional<int>(0))
      << (*check)->stdout_text() << (*check)->stderr_text();
  EXPECT_NE((*check)->stdout_text().find("SUCCESS"), std::string::npos);
}

TEST(Contrib, GrafanaDashboardIsJsonWithAQueryInEveryPanel) {
  auto dashboard = json::parse(source_file("contrib/grafana/ttlink.json")).as_object();
  EXPECT_EQ(dashboard.at("uid").as_string(), "ttlink");
  int queries = 0;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    const auto& p = panel.as_object();
    if (p.at("type").as_string() == "row") continue;
    const auto& targets = p.at("targets").as_array();
    EXPECT_FALSE(targets.empty()) << p.at("title").as_string();
    for (const auto& t : targets) {
      EXPECT_NE(t.at("expr").as_string().find("ttlink_"), json::string::npos);
      ++queries;
    }
  }
  EXPECT_GE(queries, 20);
}

TEST(Contrib, EveryMetricQueriedIsServedByTheDaemon) {
  auto sandbox = SandboxProcess::start();
  DaemonOptions options;
  options.metrics_port = free_loopback_port();
  auto daemon = DaemonProcess::start(*sandbox, options);
  daemon->link("7000000000000000001");
  auto page =
      sandbox->http().get("http://127.0.0.1:" + std::to_string(options.metrics_port) + "/metrics");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  std::set<std::string> served;
  std::istringstream lines(page->body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("# TYPE ", 0) == 0) served.insert(line.substr(7, line.find(' ', 7) - 7));

  for (const char* file : {"contrib/grafana/ttlink.json", "contrib/prometheus/ttlink-rules.yml"}) {
    auto used = metric_families(source_file(file));
    EXPECT_GE(used.size(), 8u) << file;
    for (const auto& name : used) EXPECT_TRUE(served.count(name)) << file << " queries " << name;
  }
}

}  // namespace
}  // namespace ttlink::test
