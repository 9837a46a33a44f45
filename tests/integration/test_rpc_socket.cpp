// UnixServer and Client over a real Unix socket in a temp dir: framing,
// ordering, limits, timeouts, peer credentials and the socket file's life.
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <cstring>
#include <fstream>
#include <future>
#include <thread>

#include "core/rpc/client.hpp"
#include "core/rpc/unix_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace ttlink::rpc {
namespace {
namespace json = boost::json;
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// A raw connected socket, for clients that misbehave on purpose.
int connect_raw(const std::string& path) {
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

// True once the server has closed `fd` (EOF or reset), within the deadline.
bool closed_by_server(int fd, std::chrono::steady_clock::time_point deadline) {
  char byte;
  return test::wait_until(
      [&] {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        return ::recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
      },
      deadline);
}

class RpcSocketTest : public ::testing::Test {
 protected:
  RpcSocketTest() {
    registry.add("echo", "returns its params",
                 [](const json::object& params, const Peer&) -> awaitable<MethodResult> {
                   co_return params;
                 });
    registry.add("whoami", "returns the peer",
                 [](const json::object&, const Peer& peer) -> awaitable<MethodResult> {
                   co_return json::object{{"uid", peer.uid}, {"gid", peer.gid}, {"pid", peer.pid}};
                 });
    // Answers after `ms` milliseconds: a later, faster request must still wait its turn.
    registry.add("delay", "answers after params.ms",
                 [](const json::object& params, const Peer&) -> awaitable<MethodResult> {
                   asio::steady_timer timer(co_await asio::this_coro::executor);
                   timer.expires_after(std::chrono::milliseconds(params.at("ms").as_int64()));
                   co_await timer.async_wait(asio::use_awaitable);
                   co_return params.at("tag");
                 });
    options.path = dir.file("ttlinkd.sock");
  }

  ~RpcSocketTest() override { stop_server(); }

  UnixServerOptions options;

  Result<void> start_server() {
    server = std::make_unique<UnixServer>(ioc.get_executor(), registry, log, options);
    auto started = server->start();
    if (started) io_thread = std::thread([this] { ioc.run(); });
    return started;
  }

  void stop_server() {
    if (io_thread.joinable()) {
      std::promise<void> stopped;
      asio::post(ioc, [&] {
        server->stop();
        stopped.set_value();
      });
      stopped.get_future().wait();
      work.reset();
      io_thread.join();
    }
    server.reset();
  }

  Client connect() {
    auto client = Client::connect(options.path, 5s);
    if (!client) throw std::runtime_error(client.error().message);
    return std::move(*client);
  }

  test::TempDir dir;
  Registry registry;
  Logger log{stderr, LogLevel::kError};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread io_thread;
  std::unique_ptr<UnixServer> server;
};

TEST_F(RpcSocketTest, AnswersSeveralRequestsOnOneConnectionInOrder) {
  ASSERT_TRUE(start_server());
  Client client = connect();
  auto first =
      client.raw(R"({"jsonrpc":"2.0","id":1,"method":"delay","params":{"ms":150,"tag":"slow"}})"
                 "\n"
                 R"({"jsonrpc":"2.0","id":2,"method":"delay","params":{"ms":0,"tag":"fast"}})"
                 "\n"
                 R"({"jsonrpc":"2.0","id":3,"method":"echo","params":{"n":3}})");
  ASSERT_TRUE(first) << first.error().message;
  auto second = client.read_line();
  auto third = client.read_line();
  ASSERT_TRUE(second && third);
  EXPECT_EQ(json::parse(*first), json::parse(R"({"jsonrpc":"2.0","id":1,"result":"slow"})"));
  EXPECT_EQ(json::parse(*second), json::parse(R"({"jsonrpc":"2.0","id":2,"result":"fast"})"));
  EXPECT_EQ(json::parse(*third).at("id"), 3);
}

TEST_F(RpcSocketTest, ClientCallsReturnResultsAndDaemonErrors) {
  ASSERT_TRUE(start_server());
  Client client = connect();
  for (int i = 0; i < 3; ++i) {  // ids increment: call() checks each answer's id
    auto r = client.call("echo", {{"i", i}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, (json::object{{"i", i}}));
  }
  auto unknown = client.call("no.such");
  ASSERT_FALSE(unknown);
  EXPECT_FALSE(unknown.error().unreachable);
  EXPECT_EQ(unknown.error().code, code::kMethodNotFound);
  EXPECT_TRUE(client.call("echo"));  // an error answer leaves the connection usable
}

TEST_F(RpcSocketTest, ALineOfExactlyOneMebibyteIsAccepted) {
  ASSERT_TRUE(start_server());
  std::string head = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"pad":")";
  std::string tail = R"("}})";
  std::string line = head + std::string(options.max_line - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(line.size(), options.max_line);
  Client client = connect();
  auto response = client.raw(line);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(json::parse(*response).at("result").at("pad").as_string().size(),
            options.max_line - head.size() - tail.size());
}

TEST_F(RpcSocketTest, AnOversizedLineClosesOnlyItsConnection) {
  ASSERT_TRUE(start_server());
  Client bystander = connect();
  ASSERT_TRUE(bystander.call("echo"));
  Client offender = connect();
  auto response = offender.raw(std::string(options.max_line + 1, ' ') + "{}");
  ASSERT_TRUE(response) << response.error().message;
  json::value error = json::parse(*response).at("error");
  EXPECT_EQ(error.at("code"), code::kInvalidRequest);
  EXPECT_EQ(error.at("message"), "request exceeds 1 MiB");
  auto after = offender.read_line();
  ASSERT_FALSE(after);
  EXPECT_TRUE(after.error().unreachable);
  auto still = bystander.call("echo", {{"ok", true}});
  ASSERT_TRUE(still) << still.error().message;
}

TEST_F(RpcSocketTest, ASlowRequestIsDroppedAfterTheReadTimeout) {
  options.read_timeout = 200ms;
  ASSERT_TRUE(start_server());
  Client bystander = connect();
  int slow = connect_raw(options.path);
  ASSERT_GE(slow, 0);
  auto began = std::chrono::steady_clock::now();
  ASSERT_EQ(::send(slow, R"({"jsonrpc":)", 11, MSG_NOSIGNAL), 11);
  EXPECT_TRUE(closed_by_server(slow, test::deadline_in(5s)));
  EXPECT_GE(std::chrono::steady_clock::now() - began, 150ms);
  ::close(slow);
  EXPECT_TRUE(bystander.call("echo"));
}

TEST_F(RpcSocketTest, AnIdleConnectionIsDroppedAfterTheIdleTimeout) {
  options.idle_timeout = 200ms;
  ASSERT_TRUE(start_server());
  int idle = connect_raw(options.path);
  ASSERT_GE(idle, 0);
  EXPECT_TRUE(closed_by_server(idle, test::deadline_in(5s)));
  ::close(idle);
}

TEST_F(RpcSocketTest, AParseErrorIsAnsweredThenTheConnectionCloses) {
  ASSERT_TRUE(start_server());
  Client client = connect();
  auto response = client.raw("this is not json");
  ASSERT_TRUE(response);
  EXPECT_EQ(json::parse(*response).at("error").at("code"), code::kParseError);
  EXPECT_FALSE(client.read_line());
  EXPECT_TRUE(connect().call("echo"));
}

TEST_F(RpcSocketTest, PeerCredentialsAreThoseOfTheConnectingProcess) {
  ASSERT_TRUE(start_server());
  auto peer = connect().call("whoami");
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->at("uid"), static_cast<int>(::getuid()));
  EXPECT_EQ(peer->at("gid"), static_cast<int>(::getgid()));
  EXPECT_EQ(peer->at("pid"), static_cast<int>(::getpid()));
}

TEST_F(RpcSocketTest, SocketFileGetsMode0660AndTheGroup) {
  group* own = ::getgrgid(::getgid());
  ASSERT_NE(own, nullptr);
  options.group = own->gr_name;
  ASSERT_TRUE(start_server());
  struct stat st {};
  ASSERT_EQ(::stat(options.path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, ::getgid());
}

TEST_F(RpcSocketTest, AMissingGroupIsAnErrorNamingIt) {
  options.group = "ttlink-no-such-group-42";
  auto started = start_server();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("ttlink-no-such-group-42"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.path));
}

TEST_F(RpcSocketTest, AStaleSocketFileIsReplaced) {
  int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, options.path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(stale);  // the file stays, nobody listens: what a crashed daemon leaves
  ASSERT_TRUE(std::filesystem::exists(options.path));
  auto started = start_server();
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_TRUE(connect().call("echo"));
}

TEST_F(RpcSocketTest, ALiveSocketIsRefusedAndKeepsWorking) {
  ASSERT_TRUE(start_server());
  asio::io_context other_ioc;
  UnixServer second(other_ioc.get_executor(), registry, log, options);
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("already listening"), std::string::npos);
  second.stop();
  EXPECT_TRUE(std::filesystem::exists(options.path));
  EXPECT_TRUE(connect().call("echo"));
}

TEST_F(RpcSocketTest, APathThatIsNotASocketIsLeftAlone) {
  std::ofstream(options.path) << "precious";
  auto started = start_server();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("not a socket"), std::string::npos);
  std::ifstream in(options.path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(RpcSocketTest, ConnectionsOverTheBoundAreToldAndClosed) {
  options.max_connections = 1;
  ASSERT_TRUE(start_server());
  Client first = connect();
  ASSERT_TRUE(first.call("echo"));  // its session is registered by now
  Client second = connect();
  auto refused = second.read_line();
  ASSERT_TRUE(refused);
  EXPECT_EQ(json::parse(*refused).at("error").at("code"), code::kUnavailable);
  EXPECT_TRUE(first.call("echo"));
}

TEST_F(RpcSocketTest, StopClosesConnectionsAndRemovesTheSocketFile) {
  ASSERT_TRUE(start_server());
  Client client = connect();
  ASSERT_TRUE(client.call("echo"));
  stop_server();
  EXPECT_FALSE(std::filesystem::exists(options.path));
  auto after = client.call("echo");
  ASSERT_FALSE(after);
  EXPECT_TRUE(after.error().unreachable);
  auto fresh = Client::connect(options.path, 1s);
  ASSERT_FALSE(fresh);
  EXPECT_TRUE(fresh.error().unreachable);
}

TEST(RpcClient, AMissingSocketIsUnreachable) {
  test::TempDir dir;
  auto client = Client::connect(dir.file("absent.sock"), 1s);
  ASSERT_FALSE(client);
  EXPECT_TRUE(client.error().unreachable);
  EXPECT_NE(client.error().message.find("absent.sock"), std::string::npos);
}

}  // namespace
}  // namespace ttlink::rpc
