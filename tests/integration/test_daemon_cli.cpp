// ttlinkd's command line: --check-config, --version, startup failures that
// name their cause, SIGTERM exiting 0.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/child_process.hpp"
#include "support/daemon_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
using namespace std::chrono_literals;

struct Run {
  int status;
  std::string output;
};

Run run_daemon(std::vector<std::string> args) {
  args.insert(args.begin(), daemon_binary());
  auto child = ChildProcess::spawn(args);
  if (!child) throw std::runtime_error(child.error().message);
  auto status = (*child)->wait(deadline_in(20s));
  if (!status) throw std::runtime_error("ttlinkd did not exit");
  return {*status, (*child)->stdout_text() + (*child)->stderr_text()};
}

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
  return dir.file(name);
}

// Secret files are private (0600), as ttlinkd requires.
std::string write_secret(const TempDir& dir, const std::string& name, const std::string& text) {
  auto path = write(dir, name, text);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

std::string valid_config(const TempDir& dir) {
  write_secret(dir, "secret", "s3cret-value\n");
  return "[tiktok]\napp_id = \"7100000000000000001\"\napp_secret_file = \"" + dir.file("secret") +
         "\"\n[store]\npath = \"" + dir.file("db") + "\"\nkey_file = \"" + dir.file("key") +
         "\"\n[control]\nsocket = \"" + dir.file("sock") + "\"\ngroup = \"\"\n";
}

TEST(DaemonCli, CheckConfigAcceptsAValidFile) {
  TempDir dir;
  auto path = write(dir, "ok.toml", valid_config(dir));
  auto r = run_daemon({"--check-config", "--config", path});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("s3cret"), std::string::npos);
}

TEST(DaemonCli, CheckConfigNamesFileLineAndKeyOfAnError) {
  TempDir dir;
  auto path = write(dir, "bad.toml", valid_config(dir) + "[poll]\nstatus_interval = \"soon\"\n");
  auto r = run_daemon({"--check-config", "--config", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find(path + ":11"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("poll.status_interval"), std::string::npos) << r.output;
}

TEST(DaemonCli, MissingSecretFileIsNamed) {
  TempDir dir;
  auto text = valid_config(dir);
  std::filesystem::remove(dir.file("secret"));
  auto path = write(dir, "c.toml", text);
  auto r = run_daemon({"--check-config", "--config", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find(dir.file("secret")), std::string::npos) << r.output;
}

TEST(DaemonCli, CheckConfigRefusesASecretOthersCanReadNamingPathAndMode) {
  TempDir dir;
  auto path = write(dir, "c.toml", valid_config(dir));
  std::filesystem::permissions(
      dir.file("secret"), std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      std::filesystem::perm_options::add);
  auto r = run_daemon({"--check-config", "--config", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find(dir.file("secret") + ": mode 0644 lets group/others read it; chmod 600"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("s3cret"), std::string::npos);
  // Starting refuses it the same way, before anything is opened.
  r = run_daemon({"--config", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find(dir.file("secret") + ": mode 0644"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("db")));
}

// The shipped config reads its secrets from systemd's credentials: outside
// the service they cannot be read, and that is not an error.
TEST(DaemonCli, CheckConfigOfTheShippedConfigLeavesCredentialsToTheStart) {
  TempDir dir;
  std::ifstream in(std::string(TTLINK_SOURCE_DIR) + "/config/ttlinkd.toml");
  std::string text(std::istreambuf_iterator<char>(in), {});
  // This machine need not have the package's group ttlink.
  auto group = text.find("group = \"ttlink\"");
  ASSERT_NE(group, std::string::npos);
  text.replace(group, 16, "group = \"\"");
  auto path = write(dir, "ttlinkd.toml", text);
  auto r = run_daemon({"--check-config", "--config", path});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("tiktok.app_secret_file: /run/credentials/ttlinkd.service/app_secret: "
                          "checked at start"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("store.key_file: /run/credentials/ttlinkd.service/store_key: checked "
                          "at start"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(path + " is valid"), std::string::npos) << r.output;
}

TEST(DaemonCli, UnknownOptionIsAUsageError) {
  EXPECT_EQ(run_daemon({"--no-such-option"}).status, 2);
}

TEST(DaemonCli, VersionPrintsTheVersion) {
  auto r = run_daemon({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("ttlinkd 0."), std::string::npos) << r.output;
}

TEST(DaemonCli, SigtermExitsZeroAndRemovesTheSocket) {
  auto sandbox = SandboxProcess::start();
  auto daemon = DaemonProcess::start(*sandbox);
  ASSERT_TRUE(std::filesystem::exists(daemon->socket_path()));
  daemon->process().signal(SIGTERM);
  auto status = daemon->process().wait(deadline_in(15s));
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 0) << daemon->log_text();
  EXPECT_FALSE(std::filesystem::exists(daemon->socket_path()));
}

}  // namespace
}  // namespace ttlink::test
