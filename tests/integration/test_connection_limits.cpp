// Connection limits under abuse, over real sockets: the control socket's cap
// per uid and the callback listener's cap per address close the idle
// connection of the same peer that waited longest (so a person's
// `ttlinkctl` and a browser's callback still get in), refuse a newcomer when
// every connection of its peer is busy, and drop requests whose headers do
// not arrive in time. The flood test drives the real ttlinkd.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <future>
#include <thread>

#include "core/http/server.hpp"
#include "core/rpc/client.hpp"
#include "core/rpc/unix_server.hpp"
#include "support/daemon_fixture.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink {
namespace {
namespace json = boost::json;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int connect_tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& text) {
  return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// Connections the test holds open without sending anything: what an idle
// (or malicious) client does.
class IdleClients {
 public:
  ~IdleClients() {
    for (int fd : fds_) ::close(fd);
  }
  void add(int fd) {
    if (fd < 0) return;
    fds_.push_back(fd);
    closed_.push_back(false);
    received_.emplace_back();
  }
  std::size_t size() const { return fds_.size(); }
  // How many of them the server has closed (EOF or reset).
  std::size_t closed_by_server() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      if (closed_[i]) {
        ++n;
        continue;
      }
      pollfd p{fds_[i], POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) continue;
      char chunk[512];
      ssize_t got;
      while ((got = ::recv(fds_[i], chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
        received_[i].append(chunk, static_cast<std::size_t>(got));
      if (got == 0 || (got < 0 && errno != EAGAIN)) closed_[i] = true;
      n += closed_[i];
    }
    return n;
  }
  // What the server wrote to the first connection it closed.
  std::string first_farewell() const {
    for (std::size_t i = 0; i < fds_.size(); ++i)
      if (closed_[i]) return received_[i];
    return {};
  }

 private:
  std::vector<int> fds_;
  std::vector<bool> closed_;
  std::vector<std::string> received_;
};

// The whole daemon under a flood from the same uid and the same address as
// the person and the browser: both still get through within seconds.
TEST(ConnectionFlood, CtlStatusAndARealCallbackSucceedPast200SocketAnd300CallbackClients) {
  auto sandbox = test::SandboxProcess::start();
  auto daemon = test::DaemonProcess::start(*sandbox);
  auto started = daemon->must("link.start", {{"advertiser_id", "7000000000000000001"}});
  const std::string link_id(started.at("link_id").as_string());
  const int callback_port = std::stoi(daemon->callback_url().substr(17, 5));

  IdleClients socket_clients;
  IdleClients callback_clients;
  for (int i = 0; i < 200; ++i) socket_clients.add(connect_unix(daemon->socket_path()));
  for (int i = 0; i < 300; ++i) callback_clients.add(connect_tcp(callback_port));
  ASSERT_EQ(socket_clients.size(), 200u);
  ASSERT_EQ(callback_clients.size(), 300u);
  // Well before any idle or header timeout (10 s, 5 s): only the caps
  // (32 per uid, 16 per address) can have closed these.
  EXPECT_TRUE(test::wait_until([&] { return socket_clients.closed_by_server() >= 200 - 32; },
                               test::deadline_in(3s)))
      << socket_clients.closed_by_server();
  EXPECT_TRUE(test::wait_until([&] { return callback_clients.closed_by_server() >= 300 - 16; },
                               test::deadline_in(3s)))
      << callback_clients.closed_by_server();
  EXPECT_NE(socket_clients.first_farewell().find("closed to make room"), std::string::npos)
      << socket_clients.first_farewell();

  auto began = Clock::now();
  auto status = test::run_ctl(daemon->socket_path(), {"--json", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("links_by_state"), std::string::npos) << status.out;
  EXPECT_LT(Clock::now() - began, 3s);

  began = Clock::now();
  auto advertiser = daemon->authorize(std::string(started.at("advertiser_auth_url").as_string()));
  EXPECT_EQ(advertiser.status, 200) << advertiser.body;
  auto account = daemon->authorize(std::string(started.at("account_auth_url").as_string()));
  EXPECT_EQ(account.status, 200) << account.body;
  EXPECT_LT(Clock::now() - began, 5s);

  auto shown = test::run_ctl(daemon->socket_path(), {"--json", "link", "show", link_id});
  ASSERT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  EXPECT_EQ(json::parse(shown.out).at("link").at("state"), "ACTIVE") << shown.out;
  // Still capped: the flood's survivors are at most the per-peer caps.
  EXPECT_GE(socket_clients.closed_by_server(), 200u - 32u);
  EXPECT_GE(callback_clients.closed_by_server(), 300u - 16u);
}

// An in-test control socket whose "hold" method answers only when the test
// lets it: connections busy with a request.
class ControlCaps : public ::testing::Test {
 protected:
  ControlCaps() {
    registry.add(
        "hold", "answers when the test releases it",
        [this](const json::object&, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
          ++holding;
          boost::system::error_code ignored;
          co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
          co_return json::object{{"released", true}};
        });
    registry.add("echo", "returns its params",
                 [](const json::object& params,
                    const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> { co_return params; });
    gate.expires_at(asio::steady_timer::time_point::max());
    options.path = dir.file("ttlinkd.sock");
  }
  ~ControlCaps() override {
    std::promise<void> stopped;
    asio::post(ioc, [&] {
      gate.cancel();
      if (server) server->stop();
      stopped.set_value();
    });
    if (io_thread.joinable()) {
      stopped.get_future().wait();
      work.reset();
      io_thread.join();
    }
  }
  void start() {
    server = std::make_unique<rpc::UnixServer>(ioc.get_executor(), registry, log, options);
    auto started = server->start();
    ASSERT_TRUE(started) << started.error().message;
    io_thread = std::thread([this] { ioc.run(); });
  }
  // A raw connection with a "hold" request in flight.
  int busy_connection() {
    int fd = connect_unix(options.path);
    const int before = holding;
    send_all(fd, R"({"jsonrpc":"2.0","id":1,"method":"hold"})"
                 "\n");
    test::wait_until([&] { return holding > before; }, test::deadline_in(5s));
    return fd;
  }

  test::TempDir dir;
  rpc::Registry registry;
  Logger log{stderr, LogLevel::kError};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  asio::steady_timer gate{ioc};
  std::atomic<int> holding{0};
  rpc::UnixServerOptions options;
  std::unique_ptr<rpc::UnixServer> server;
  std::thread io_thread;
};

TEST_F(ControlCaps, OverTheUidCapTheConnectionIdleLongestMakesRoom) {
  options.max_connections_per_uid = 2;
  start();
  int oldest = connect_unix(options.path);
  auto middle = rpc::Client::connect(options.path, 5s);
  ASSERT_TRUE(middle);
  ASSERT_TRUE(middle->call("echo"));  // idle since now: younger than `oldest`
  auto newcomer = rpc::Client::connect(options.path, 5s);
  ASSERT_TRUE(newcomer);
  auto answered = newcomer->call("echo", {{"hello", 1}});
  ASSERT_TRUE(answered) << answered.error().message;
  char buf[512];
  ssize_t n = ::recv(oldest, buf, sizeof buf, 0);  // blocks until the farewell and EOF
  ASSERT_GT(n, 0);
  auto farewell = json::parse(std::string(buf, static_cast<std::size_t>(n)));
  EXPECT_EQ(farewell.at("error").at("code"), rpc::code::kUnavailable);
  EXPECT_TRUE(middle->call("echo"));
  ::close(oldest);
}

TEST_F(ControlCaps, WhenEveryConnectionOfTheUidIsBusyANewcomerIsToldAndClosed) {
  options.max_connections_per_uid = 2;
  start();
  int first = busy_connection();
  int second = busy_connection();
  auto third = rpc::Client::connect(options.path, 5s);
  ASSERT_TRUE(third);
  auto refused = third->read_line();
  ASSERT_TRUE(refused) << refused.error().message;
  auto error = json::parse(*refused).at("error");
  EXPECT_EQ(error.at("code"), rpc::code::kUnavailable);
  EXPECT_NE(std::string(error.at("message").as_string()).find("uid " + std::to_string(::getuid())),
            std::string::npos)
      << *refused;
  EXPECT_FALSE(third->read_line());  // closed
  ::close(first);
  ::close(second);
}

TEST_F(ControlCaps, AnIdleConnectionIsClosedAfterTheIdleTimeoutButNotBefore) {
  options.idle_timeout = 300ms;
  start();
  int idle = connect_unix(options.path);
  const auto began = Clock::now();
  char byte;
  EXPECT_EQ(::recv(idle, &byte, 1, 0), 0);  // blocks until the server closes it
  EXPECT_GE(Clock::now() - began, 250ms);
  EXPECT_LT(Clock::now() - began, 5s);
  ::close(idle);
}

TEST(ControlDefaults, AreShortAndThePerUidCapIsBelowTheTotal) {
  rpc::UnixServerOptions options;
  EXPECT_EQ(options.idle_timeout, 10s);
  EXPECT_EQ(options.max_connections_per_uid, 32u);
  EXPECT_GT(options.max_connections, options.max_connections_per_uid);
  http::ServerOptions http;
  EXPECT_EQ(http.header_timeout, 5s);
  EXPECT_EQ(http.max_connections_per_address, 16u);
  EXPECT_GT(http.max_connections, http.max_connections_per_address);
}

// The callback listener's server with a handler that answers when released.
class HttpCaps : public ::testing::Test {
 protected:
  HttpCaps() { gate.expires_at(asio::steady_timer::time_point::max()); }
  ~HttpCaps() override {
    std::promise<void> stopped;
    asio::post(ioc, [&] {
      gate.cancel();
      if (server) server->stop();
      stopped.set_value();
    });
    if (io_thread.joinable()) {
      stopped.get_future().wait();
      work.reset();
      io_thread.join();
    }
  }
  void start() {
    auto handler = [this](const http::Request& req) -> asio::awaitable<http::Response> {
      if (req.target == "/hold") {
        ++holding;
        boost::system::error_code ignored;
        co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
      co_return http::Response{200, {{"Content-Type", "text/plain"}}, "ok\n"};
    };
    server = std::make_unique<http::Server>(ioc.get_executor(), options, handler, log);
    auto started = server->start();
    ASSERT_TRUE(started) << started.error().message;
    io_thread = std::thread([this] { ioc.run(); });
  }
  // One request on a fresh connection; the status line and the rest.
  std::string get(const std::string& target) {
    int fd = connect_tcp(server->port());
    send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string answer;
    char chunk[1024];
    for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;)
      answer.append(chunk, static_cast<std::size_t>(n));
    ::close(fd);
    return answer;
  }
  int busy_connection() {
    int fd = connect_tcp(server->port());
    const int before = holding;
    send_all(fd, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    test::wait_until([&] { return holding > before; }, test::deadline_in(5s));
    return fd;
  }

  Logger log{stderr, LogLevel::kError};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  asio::steady_timer gate{ioc};
  std::atomic<int> holding{0};
  http::ServerOptions options;
  std::unique_ptr<http::Server> server;
  std::thread io_thread;
};

TEST_F(HttpCaps, OverTheAddressCapAnIdleConnectionMakesRoom) {
  options.max_connections_per_address = 3;
  start();
  IdleClients idle;
  for (int i = 0; i < 3; ++i) idle.add(connect_tcp(server->port()));
  ASSERT_TRUE(
      test::wait_until([&] { return server->connections_open() == 3; }, test::deadline_in(5s)));
  EXPECT_EQ(get("/").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(
      test::wait_until([&] { return idle.closed_by_server() == 1; }, test::deadline_in(5s)));
}

TEST_F(HttpCaps, WhenEveryConnectionOfTheAddressIsBusyANewcomerGets503) {
  options.max_connections_per_address = 2;
  start();
  int first = busy_connection();
  int second = busy_connection();
  const std::string refused = get("/");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("too many connections from 127.0.0.1"), std::string::npos) << refused;
  ::close(first);
  ::close(second);
}

TEST_F(HttpCaps, HeadersNotCompleteWithinTheHeaderTimeoutCloseTheConnection) {
  options.header_timeout = 300ms;
  options.idle_timeout = 30s;
  start();
  int fd = connect_tcp(server->port());
  // A first request in full, then a second that never finishes its headers.
  ASSERT_TRUE(send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  char chunk[1024];
  ASSERT_GT(::recv(fd, chunk, sizeof chunk, 0), 0);
  const auto began = Clock::now();
  ASSERT_TRUE(send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n"));
  ssize_t n;
  while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0) {
  }
  EXPECT_EQ(n, 0);
  EXPECT_GE(Clock::now() - began, 250ms);
  EXPECT_LT(Clock::now() - began, 10s);  // not the 30 s idle timeout
  ::close(fd);
}

}  // namespace
}  // namespace ttlink
