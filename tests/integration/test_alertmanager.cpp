// The alertmanager sink against a real Prometheus Alertmanager (Debian's
// prometheus-alertmanager, installed by scripts/deps.sh) on a loopback port:
// a token revoked in the sandbox must show up in Alertmanager's own
// /api/v2/alerts within one check interval, with the labels and annotations
// ttlink maps, and leave it (resolved) once the account is reauthorized
// through the alert's URL.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>

#include "support/daemon_fixture.hpp"
#include "support/http_client.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
constexpr const char* kAdvertiser = "7000000000000000001";

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// One Alertmanager with a route to nowhere: the test reads its API only.
class AlertmanagerProcess {
 public:
  static std::unique_ptr<AlertmanagerProcess> start() {
    auto am = std::unique_ptr<AlertmanagerProcess>(new AlertmanagerProcess());
    {
      std::ofstream(am->dir_.file("alertmanager.yml")) << "route:\n  receiver: none\n"
                                                          "receivers:\n  - name: none\n";
    }
    std::filesystem::create_directory(am->dir_.file("data"));
    am->port_ = free_loopback_port();
    auto child =
        ChildProcess::spawn({kAlertmanager, "--config.file=" + am->dir_.file("alertmanager.yml"),
                             "--storage.path=" + am->dir_.file("data"),
                             "--web.listen-address=127.0.0.1:" + std::to_string(am->port_),
                             "--cluster.listen-address="});
    if (!child) throw std::runtime_error(child.error().message);
    am->child_ = std::move(*child);
    const bool ready = wait_until(
        [&] {
          auto r = am->http_.get(am->url() + "/-/ready");
          return r && r->status == 200;
        },
        deadline_in(30s));
    if (!ready) throw std::runtime_error("alertmanager not ready: " + am->child_->stderr_text());
    return am;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Active alerts, as Alertmanager reports them.
  json::array alerts() {
    auto r = http_.get(url() + "/api/v2/alerts");
    if (!r || r->status != 200) return {};
    return json::parse(r->body).as_array();
  }

  std::optional<json::object> alert_named(const std::string& alertname) {
    for (auto& a : alerts())
      if (str(a.at("labels").at("alertname")) == alertname) return a.as_object();
    return std::nullopt;
  }

 private:
  AlertmanagerProcess() = default;
  TempDir dir_;
  int port_ = 0;
  HttpClient http_;
  std::unique_ptr<ChildProcess> child_;
};

class Alertmanager : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kAlertmanager))
        << kAlertmanager << " is missing: scripts/deps.sh installs prometheus-alertmanager";
    alertmanager = AlertmanagerProcess::start();
    sandbox = SandboxProcess::start();
    DaemonOptions o;
    o.extra_toml =
        "[poll]\nstatus_interval = \"2s\"\njitter = \"0%\"\nmax_qps = 0\n"
        "[[alerts.sink]]\ntype = \"alertmanager\"\nurl = \"" +
        alertmanager->url() + "/\"\nresend_interval = \"10s\"\n";
    daemon = DaemonProcess::start(*sandbox, o);
  }

  std::unique_ptr<AlertmanagerProcess> alertmanager;
  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<DaemonProcess> daemon;
};

TEST_F(Alertmanager, RevokedTokenAppearsWithinACheckIntervalAndResolvesAfterReauthorizing) {
  auto id = daemon->link(kAdvertiser);
  ASSERT_TRUE(alertmanager->alerts().empty());

  const auto revoked = std::chrono::steady_clock::now();
  sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
  std::optional<json::object> alert;
  ASSERT_TRUE(
      wait_until([&] { return (alert = alertmanager->alert_named("reauth_required")).has_value(); },
                 deadline_in(20s)))
      << daemon->log_text();
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - revoked);
  RecordProperty("revocation_to_alertmanager_ms", static_cast<int>(delay.count()));
  std::printf("revocation to Alertmanager: %lld ms (status_interval 2s)\n",
              static_cast<long long>(delay.count()));
  EXPECT_LT(delay, 12s);  // one 2 s check interval, plus the first tick and delivery

  const auto& labels = alert->at("labels").as_object();
  EXPECT_EQ(str(labels.at("severity")), "critical");
  EXPECT_EQ(str(labels.at("link_id")), id);
  EXPECT_EQ(str(labels.at("advertiser_id")), kAdvertiser);
  EXPECT_EQ(str(labels.at("fingerprint")), "reauth_required/" + id);
  EXPECT_EQ(str(labels.at("service")), "ttlink");
  const auto& notes = alert->at("annotations").as_object();
  EXPECT_EQ(str(notes.at("ctl")), "ttlinkctl reauth " + id);
  EXPECT_NE(str(notes.at("summary")).find("@demobrand"), std::string::npos);
  EXPECT_NE(str(notes.at("description")).find("40105"), std::string::npos);
  EXPECT_EQ(str(alert->at("status").at("state")), "active");

  // The URL in Alertmanager is one a person can follow to fix it.
  auto page = daemon->authorize(str(notes.at("action_url")));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(daemon->state_of(id), "ACTIVE");
  EXPECT_TRUE(
      wait_until([&] { return !alertmanager->alert_named("reauth_required"); }, deadline_in(20s)))
      << daemon->log_text();
}

TEST_F(Alertmanager, AFiringAlertIsResentSoAlertmanagerKeepsItActive) {
  auto id = daemon->link(kAdvertiser);
  sandbox->control("POST", "/tokens/revoke", R"({"open_id":"demo-open-id-0001"})");
  std::optional<json::object> first;
  ASSERT_TRUE(
      wait_until([&] { return (first = alertmanager->alert_named("reauth_required")).has_value(); },
                 deadline_in(20s)));
  // Alertmanager moves updatedAt (and endsAt) forward only when the alert is
  // posted again: the resend every 10 s must do it while the alert fires.
  const std::string first_update = str(first->at("updatedAt"));
  std::optional<json::object> later;
  ASSERT_TRUE(wait_until(
      [&] {
        later = alertmanager->alert_named("reauth_required");
        return later && str(later->at("updatedAt")) != first_update;
      },
      deadline_in(30s)))
      << daemon->log_text();
  EXPECT_GT(str(later->at("endsAt")), str(first->at("endsAt")));
  EXPECT_EQ(daemon->must("status").at("alerts_firing").as_int64(), 1);
}

}  // namespace
}  // namespace ttlink::test
