// core/util/subprocess through the exec sink, with real child processes: the
// child holds only 0, 1 and 2, sees only the environment built for it, and a
// timeout kills its whole process group (a background grandchild included).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/alerts/exec_sink.hpp"
#include "core/util/subprocess.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::TempDir;

Result<void> deliver(alerts::ExecSink& sink, asio::io_context& io, alerts::Outgoing event) {
  auto f = asio::co_spawn(io, sink.deliver(event), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

config::AlertSinkConfig exec_config(std::vector<std::string> command,
                                    std::vector<std::string> env = {},
                                    Seconds timeout = Seconds{5}) {
  config::AlertSinkConfig c;
  c.type = "exec";
  c.command = std::move(command);
  c.env = std::move(env);
  c.timeout = timeout;
  return c;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Descriptors the daemon typically holds, opened without close-on-exec on
// purpose: closing them must not depend on every open() in the daemon
// remembering O_CLOEXEC.
struct DaemonLikeDescriptors {
  explicit DaemonLikeDescriptors(const std::string& unix_path) {
    tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(tcp, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 || ::listen(tcp, 4) != 0)
      throw std::runtime_error("tcp listen failed");
    unix_listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strncpy(un.sun_path, unix_path.c_str(), sizeof un.sun_path - 1);
    if (::bind(unix_listener, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0 ||
        ::listen(unix_listener, 4) != 0)
      throw std::runtime_error("unix listen failed");
  }
  ~DaemonLikeDescriptors() {
    ::close(tcp);
    ::close(unix_listener);
  }
  int tcp = -1;
  int unix_listener = -1;
};

// `ls -l /proc/self/fd` as the child saw it: its descriptor numbers, less
// the one ls itself opened to read that directory.
std::set<int> descriptors_listed(const std::string& listing) {
  std::set<int> fds;
  std::regex line(R"((\d+) -> (.*))");
  std::istringstream in(listing);
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    if (!std::regex_search(text, m, line)) continue;
    if (std::regex_match(m[2].str(), std::regex(R"(/proc/\d+/fd)"))) continue;
    fds.insert(std::stoi(m[1].str()));
  }
  return fds;
}

// An event for the sink; `text` makes the payload as large as needed.
alerts::Outgoing event(std::string key, std::string text = "") {
  alerts::Alert a;
  a.id = "01KEY";
  a.kind = AlertKind::kTest;
  a.subject = a.id;
  a.reason.message = std::move(text);
  return {std::move(a), std::move(key)};
}

TEST(ExecSinkChild, HoldsNoDescriptorButStdinStdoutAndStderr) {
  TempDir dir;
  DaemonLikeDescriptors held(dir.file("ctl.sock"));
  ASSERT_GE(held.tcp, 3);
  ASSERT_GE(held.unix_listener, 3);
  asio::io_context io;
  const std::string out = dir.file("fds");
  alerts::ExecSink sink("exec#1",
                        exec_config({"/bin/sh", "-c", "ls -l /proc/self/fd > \"$0\"", out}),
                        io.get_executor());
  auto r = deliver(sink, io, event("01KEY"));
  ASSERT_TRUE(r) << r.error().message;
  const std::string listing = read_file(out);
  EXPECT_EQ(descriptors_listed(listing), (std::set<int>{0, 1, 2})) << listing;
}

TEST(ExecSinkChild, ReadsThePayloadOnStdin) {
  TempDir dir;
  asio::io_context io;
  const std::string out = dir.file("got");
  alerts::ExecSink sink("exec#1", exec_config({"/bin/sh", "-c", "cat > \"$0\"", out}),
                        io.get_executor());
  const auto e = event("01KEY", std::string(200'000, 'x'));  // more than a pipe holds
  auto r = deliver(sink, io, e);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(read_file(out), alerts::to_json_text(e.alert));
}

// The environment as the kernel handed it to the child at exec.
std::set<std::string> environment_listed(const std::string& environ_bytes) {
  std::set<std::string> vars;
  std::istringstream in(environ_bytes);
  for (std::string var; std::getline(in, var, '\0');) vars.insert(var);
  return vars;
}

TEST(ExecSinkChild, GetsExactlyTheEnvironmentBuiltForIt) {
  TempDir dir;
  ::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/ttlinkd.service", 1);
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("TTLINK_TEST_PASSED_ON", "yes it is", 1);
  ::unsetenv("TTLINK_TEST_NOT_SET");
  asio::io_context io;
  const std::string out = dir.file("env");
  alerts::ExecSink sink("exec#1",
                        exec_config({"/bin/sh", "-c", "cat /proc/$$/environ > \"$0\"", out},
                                    {"TTLINK_TEST_PASSED_ON", "TTLINK_TEST_NOT_SET", "PATH"}),
                        io.get_executor());
  auto r = deliver(sink, io, event("01KEY.resolved"));
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("TTLINK_TEST_PASSED_ON");
  ASSERT_TRUE(r) << r.error().message;
  const char* path = std::getenv("PATH");
  const char* lang = std::getenv("LANG");
  std::set<std::string> expected = {
      std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"),
      std::string("LANG=") + (lang ? lang : "C.UTF-8"), "TTLINK_ALERT_ID=01KEY.resolved",
      "TTLINK_TEST_PASSED_ON=yes it is"};
  EXPECT_EQ(environment_listed(read_file(out)), expected);
}

// A child that starts a background grandchild and hangs: at the timeout
// both die. The test process is a subreaper, so the orphaned grandchild is
// ours to reap, and "gone" can be checked without a zombie in the way.
TEST(ExecSinkChild, ATimeoutKillsTheWholeProcessGroup) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  TempDir dir;
  asio::io_context io;
  const std::string pid_file = dir.file("grandchild.pid");
  alerts::ExecSink sink(
      "exec#1",
      exec_config({"/bin/sh", "-c", "sleep 600 & echo $! > \"$0\"; sleep 600", pid_file}, {},
                  Seconds{1}),
      io.get_executor());
  const auto began = std::chrono::steady_clock::now();
  auto r = deliver(sink, io, event("01KEY"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTransient);
  EXPECT_NE(r.error().message.find("timed out after 1s"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("killed"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - began, 10s);

  const pid_t grandchild = std::atoi(read_file(pid_file).c_str());
  ASSERT_GT(grandchild, 0);
  // Gone: reaped here (this process is its subreaper), or already by the
  // sink's reaping of the group, which may see it reparented first.
  int status = 0;
  bool reaped_here = false;
  EXPECT_TRUE(test::wait_until(
      [&] {
        if (::waitpid(grandchild, &status, WNOHANG) == grandchild) reaped_here = true;
        return ::kill(grandchild, 0) == -1 && errno == ESRCH;
      },
      test::deadline_in(5s)));
  if (reaped_here) EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST(ExecSinkChild, ExitCodeAndSignalAreReportedClearly) {
  asio::io_context io;
  alerts::ExecSink exits("exec#1", exec_config({"/bin/sh", "-c", "exit 3"}), io.get_executor());
  auto r = deliver(exits, io, event("k"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "command exited with 3");
  alerts::ExecSink killed("exec#1", exec_config({"/bin/sh", "-c", "kill -TERM $$"}),
                          io.get_executor());
  r = deliver(killed, io, event("k"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "command killed by signal 15");
}

TEST(Subprocess, AMissingProgramIsAnErrorNamingIt) {
  auto child = Subprocess::spawn({{"/nonexistent/notify"}, {}, -1});
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message.find("/nonexistent/notify"), std::string::npos);
  EXPECT_NE(child.error().message.find("No such file"), std::string::npos);
}

TEST(Subprocess, RunsInItsOwnProcessGroup) {
  auto child = Subprocess::spawn({{"/bin/sleep", "600"}, {}, -1});
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_EQ(::getpgid(child->pid()), child->pid());
  EXPECT_NE(::getpgid(child->pid()), ::getpgrp());
  auto status = child->kill_group();
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_EQ(child->pid(), -1);
}

TEST(Subprocess, DroppedWhileRunningItIsKilledAndReaped) {
  pid_t pid = -1;
  {
    auto child = Subprocess::spawn({{"/bin/sleep", "600"}, {}, -1});
    ASSERT_TRUE(child) << child.error().message;
    pid = child->pid();
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // reaped, not a zombie
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace ttlink
