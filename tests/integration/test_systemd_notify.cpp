// ttlinkd's sd_notify protocol with a real daemon and a real notify socket in
// the test (as systemd's would be): READY=1 once listening, WATCHDOG=1 from
// the state thread every half of WATCHDOG_USEC while running, none once
// STOPPING=1 was sent, and none when systemd asked for no watchdog.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/child_process.hpp"
#include "support/daemon_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::test {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A datagram socket bound where NOTIFY_SOCKET points, as systemd's is.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot bind notify socket " + path_);
  }
  ~NotifySocket() { ::close(fd_); }
  const std::string& path() const { return path_; }

  struct Message {
    std::string text;
    Clock::time_point at;
  };
  // The next datagram, or nullopt at the deadline.
  std::optional<Message> next(Clock::time_point deadline) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() < 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) return Message{std::string(buf, static_cast<std::size_t>(n)), Clock::now()};
    }
  }
  // Skips datagrams until one that holds `text`.
  std::optional<Message> wait_for(std::string_view text, Clock::time_point deadline) {
    while (auto m = next(deadline))
      if (m->text.find(text) != std::string::npos) return m;
    return std::nullopt;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

class SystemdNotify : public ::testing::Test {
 protected:
  std::unique_ptr<ChildProcess> start(std::map<std::string, std::string> env) {
    std::ofstream(dir.file("secret")) << "s3cret-value\n";
    std::filesystem::permissions(dir.file("secret"), std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
    std::ofstream(dir.file("c.toml"))
        << "[tiktok]\napp_id = \"7100000000000000001\"\napp_secret_file = \"" << dir.file("secret")
        << "\"\n[callback]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"" << dir.file("db")
        << "\"\nkey_file = \"" << dir.file("key") << "\"\n[control]\nsocket = \""
        << dir.file("sock") << "\"\ngroup = \"\"\n[metrics]\nlisten = \"\"\n";
    env["NOTIFY_SOCKET"] = notify.path();
    auto child = ChildProcess::spawn({daemon_binary(), "--config", dir.file("c.toml")}, env);
    if (!child) throw std::runtime_error(child.error().message);
    return std::move(*child);
  }

  TempDir dir;
  NotifySocket notify{dir.file("notify")};
};

TEST_F(SystemdNotify, WatchdogPingsEveryHalfIntervalUntilStopping) {
  auto daemon = start({{"WATCHDOG_USEC", "400000"}});
  ASSERT_TRUE(notify.wait_for("READY=1", deadline_in(20s))) << daemon->stderr_text();
  std::vector<Clock::time_point> pings;
  while (pings.size() < 6) {
    auto m = notify.wait_for("WATCHDOG=1", deadline_in(5s));
    ASSERT_TRUE(m) << "only " << pings.size() << " pings; " << daemon->stderr_text();
    pings.push_back(m->at);
  }
  // 5 periods of 200 ms, give or take scheduling on a busy machine.
  auto five_periods = pings.back() - pings.front();
  EXPECT_GE(five_periods, 900ms);
  EXPECT_LE(five_periods, 2000ms);

  daemon->signal(SIGTERM);
  ASSERT_TRUE(notify.wait_for("STOPPING=1", deadline_in(10s)));
  // Nothing after STOPPING=1: the pings stop with the state thread's work.
  while (auto m = notify.next(deadline_in(1s)))
    EXPECT_EQ(m->text.find("WATCHDOG=1"), std::string::npos) << m->text;
  EXPECT_EQ(daemon->wait(deadline_in(20s)), std::optional<int>(0));
}

TEST_F(SystemdNotify, NoWatchdogUnlessSystemdAsksForOne) {
  auto daemon = start({});
  ASSERT_TRUE(notify.wait_for("READY=1", deadline_in(20s))) << daemon->stderr_text();
  // A watchdog would have pinged at once (start() sends the first ping).
  EXPECT_FALSE(notify.wait_for("WATCHDOG=1", deadline_in(1500ms)));
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(deadline_in(20s)), std::optional<int>(0));
}

}  // namespace
}  // namespace ttlink::test
