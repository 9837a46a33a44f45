// ttlinkd --check-config beyond the text (core/config/check): the files and
// directories a config names, checked for real in a temporary directory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config/check.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::config {
namespace {

namespace fs = std::filesystem;
constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;

class ConfigCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    config.tiktok.app_secret_file = secret("app_secret", "s3cr3t-value\n");
    config.store.path = dir.file("ttlink.db");
    config.store.key_file = dir.file("store_key");
    config.control.socket = dir.file("ttlinkd.sock");
    config.control.group = "";
  }

  std::string secret(const std::string& name, const std::string& text, fs::perms mode = kPrivate) {
    std::ofstream(dir.file(name)) << text;
    fs::permissions(dir.file(name), mode);
    return dir.file(name);
  }

  const Finding& finding(const CheckReport& report, const std::string& key) {
    for (const auto& f : report.findings)
      if (f.key == key) return f;
    static const Finding kNone{"(none)", "", Verdict::kError, "no finding"};
    ADD_FAILURE() << "no finding for " << key;
    return kNone;
  }

  test::TempDir dir;
  Config config;
};

TEST_F(ConfigCheck, ADeployableConfigIsValid) {
  auto report = check_deployment(config);
  EXPECT_TRUE(report.ok()) << render_report(report, "c.toml");
  EXPECT_EQ(finding(report, "store.key_file").detail,
            "missing: generated at the first start (32 random bytes, mode 0600)");
  std::string text = render_report(report, "c.toml");
  EXPECT_NE(text.find("ttlinkd: c.toml is valid\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
}

// The shipped config reads both secrets from systemd's credentials, which an
// admin's shell cannot read (or which do not exist while the service is stopped).
TEST_F(ConfigCheck, CredentialsThisProcessCannotReadAreCheckedAtStart) {
  const std::string creds =
      "/run/credentials/ttlink-test-" + std::to_string(::getpid()) + ".service/";
  config.tiktok.app_secret_file = creds + "app_secret";
  config.store.key_file = creds + "store_key";
  auto report = check_deployment(config);
  EXPECT_TRUE(report.ok()) << render_report(report, "c.toml");
  EXPECT_EQ(finding(report, "tiktok.app_secret_file").verdict, Verdict::kAtStart);
  EXPECT_EQ(finding(report, "store.key_file").verdict, Verdict::kAtStart);
  EXPECT_NE(render_report(report, "c.toml")
                .find("at start  tiktok.app_secret_file: " + creds +
                      "app_secret: checked at start (a systemd credential, readable by the "
                      "service only)\n"),
            std::string::npos)
      << render_report(report, "c.toml");
}

TEST_F(ConfigCheck, AMissingSecretElsewhereIsAnError) {
  config.tiktok.app_secret_file = dir.file("absent");
  auto report = check_deployment(config);
  EXPECT_FALSE(report.ok());
  const Finding& f = finding(report, "tiktok.app_secret_file");
  EXPECT_EQ(f.verdict, Verdict::kError);
  EXPECT_EQ(f.detail,
            dir.file("absent") + ": cannot read app secret file: No such file or directory");
  EXPECT_NE(render_report(report, "c.toml").find("ttlinkd: c.toml: 1 problem\n"),
            std::string::npos);
}

TEST_F(ConfigCheck, AReadableByOthersSecretIsAnErrorWithPathAndMode) {
  AlertSinkConfig sink;
  sink.type = "webhook";
  sink.url = "https://hooks.example.com/x";
  sink.secret_file = secret("webhook_secret", "hook-key\n",
                            kPrivate | fs::perms::group_read | fs::perms::others_read);
  config.alerts.sinks.push_back(sink);
  auto report = check_deployment(config);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(
      finding(report, "alerts.sink[0].secret_file").detail,
      sink.secret_file + ": mode 0644 lets group/others read it; chmod 600 " + sink.secret_file);
  std::string text = render_report(report, "c.toml");
  EXPECT_NE(text.find("ERROR     alerts.sink[0].secret_file: " + sink.secret_file + ": mode 0644"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("hook-key"), std::string::npos);
}

TEST_F(ConfigCheck, AStoreKeyMustBePrivateAndHold32Bytes) {
  secret("store_key", std::string(31, 'k'));
  EXPECT_EQ(finding(check_deployment(config), "store.key_file").detail,
            "holds 31 bytes, a store key holds 32");
  secret("store_key", std::string(32, 'k'), kPrivate | fs::perms::others_read);
  EXPECT_EQ(finding(check_deployment(config), "store.key_file").detail,
            config.store.key_file + ": mode 0604 lets group/others read it; chmod 600 " +
                config.store.key_file);
  secret("store_key", std::string(32, 'k'));
  EXPECT_EQ(finding(check_deployment(config), "store.key_file").verdict, Verdict::kOk);
}

TEST_F(ConfigCheck, ADirectoryThatIsAFileIsAnError) {
  std::ofstream(dir.file("plain")) << "x";
  config.store.path = dir.file("plain") + "/lib/ttlink.db";
  auto report = check_deployment(config);
  EXPECT_FALSE(report.ok());
  const Finding& f = finding(report, "store.path");
  EXPECT_EQ(f.verdict, Verdict::kError);
  EXPECT_EQ(f.detail, dir.file("plain") + " is not a directory, so " + dir.file("plain") +
                          "/lib cannot be created");
}

TEST_F(ConfigCheck, DirectoriesThatCanBeCreatedAreNotErrors) {
  config.control.socket = dir.file("run/ttlink") + "/ttlinkd.sock";
  auto report = check_deployment(config);
  EXPECT_TRUE(report.ok()) << render_report(report, "c.toml");
  const Finding& f = finding(report, "control.socket");
  EXPECT_EQ(f.verdict, Verdict::kAtStart);
  EXPECT_EQ(f.detail.rfind(dir.file("run/ttlink") + " does not exist yet and can be created", 0),
            0u)
      << f.detail;
}

TEST_F(ConfigCheck, ASocketPathThatIsNotASocketOrTooLongIsAnError) {
  std::ofstream(dir.file("ttlinkd.sock")) << "x";
  EXPECT_EQ(finding(check_deployment(config), "control.socket").detail,
            "exists and is not a socket");
  config.control.socket = dir.file(std::string(120, 's'));
  EXPECT_EQ(finding(check_deployment(config), "control.socket").detail, "longer than 107 bytes");
}

TEST_F(ConfigCheck, TheSocketGroupMustExist) {
  config.control.group = "ttlink-no-such-group";
  auto report = check_deployment(config);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(finding(report, "control.group")
                .detail.rfind("group \"ttlink-no-such-group\" does not exist", 0),
            0u);
  config.control.group = "root";
  EXPECT_TRUE(check_deployment(config).ok());
}

TEST_F(ConfigCheck, AnExecSinkProgramMustBeExecutable) {
  AlertSinkConfig sink;
  sink.type = "exec";
  sink.command = {dir.file("notify"), "--stdin"};
  config.alerts.sinks.push_back(sink);
  EXPECT_EQ(finding(check_deployment(config), "alerts.sink[0].command").verdict, Verdict::kError);
  std::ofstream(dir.file("notify")) << "#!/bin/sh\ncat >/dev/null\n";
  EXPECT_EQ(finding(check_deployment(config), "alerts.sink[0].command").verdict, Verdict::kError);
  fs::permissions(dir.file("notify"), fs::perms::owner_all);
  EXPECT_EQ(finding(check_deployment(config), "alerts.sink[0].command").verdict, Verdict::kOk);
  config.alerts.sinks[0].command = {"sh"};  // found through $PATH, as execvp does
  EXPECT_EQ(finding(check_deployment(config), "alerts.sink[0].command").verdict, Verdict::kOk);
}

}  // namespace
}  // namespace ttlink::config
