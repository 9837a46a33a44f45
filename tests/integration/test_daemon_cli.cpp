// ttlinkd's command line: --check-config, --version, startup failures that
// name their cause, SIGTERM exiting 0.
#include <gtest/gtest.h>

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

std::string valid_config(const TempDir& dir) {
  write(dir, "secret", "s3cret-value\n");
  return "[tiktok]\napp_id = \"7100000000000000001\"\napp_secret_file = \"" + dir.file("secret") +
         "\"\n[store]\npath = \"" + dir.file("db") + "\"\nkey_file = \"" + dir.file("key") + "\"\n";
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
  EXPECT_NE(r.output.find(path + ":8"), std::string::npos) << r.output;
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
