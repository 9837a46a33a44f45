// core/http's client against its server (and, where a misbehaving peer is
// needed, a scripted raw TCP server), over real loopback sockets.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <set>
#include <string>

#include "core/http/client.hpp"
#include "core/http/server.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::http {
namespace {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

class HttpTest : public ::testing::Test {
 protected:
  // Runs `task` on the test's io_context until it finishes, or fails the
  // test after `deadline` (servers keep the context busy forever).
  template <class T>
  T run(asio::awaitable<T> task, std::chrono::milliseconds deadline = 20s) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    auto until = std::chrono::steady_clock::now() + deadline;
    while (future.wait_for(0s) != std::future_status::ready) {
      if (std::chrono::steady_clock::now() > until) {
        ADD_FAILURE() << "task did not finish in time";
        std::abort();  // the coroutine still references this frame
      }
      if (io_.stopped()) io_.restart();  // it stops whenever it runs out of work
      io_.run_one_for(50ms);
    }
    return future.get();
  }

  // Runs the io_context until `predicate` holds (true) or the deadline.
  bool run_until(const std::function<bool()>& predicate, std::chrono::milliseconds deadline = 5s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!predicate()) {
      if (std::chrono::steady_clock::now() > until) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(10ms);
    }
    return true;
  }

  Server& start_server(Handler handler, ServerOptions options = {}) {
    server_ = std::make_unique<Server>(io_.get_executor(), options, std::move(handler), log_);
    auto started = server_->start();
    EXPECT_TRUE(started) << started.error().message;
    return *server_;
  }

  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(server_->port()) + path;
  }

  Result<Response> send(Client& client, const std::string& to, Request req = {}) {
    return run(client.send(to, std::move(req)));
  }

  void TearDown() override {
    if (server_) server_->stop();
    io_.poll();
  }

  asio::io_context io_;
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<Server> server_;
};

Handler echo_handler() {
  return [](const Request& req) -> asio::awaitable<Response> {
    Response res;
    res.headers = {{"Content-Type", "text/plain"},
                   {"X-Echo-Method", req.method},
                   {"X-Echo-Target", req.target},
                   {"X-Echo-Test", req.header("x-test")}};
    res.body = req.body;
    co_return res;
  };
}

TEST_F(HttpTest, GetAndPostRoundTripWithHeaders) {
  start_server(echo_handler());
  Client client(io_.get_executor(), {});

  auto got = send(client, url("/open_api/v1.3/advertiser/info/?advertiser_ids=%5B%221%22%5D"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->header("x-echo-method"), "GET");
  EXPECT_EQ(got->header("X-ECHO-TARGET"),
            "/open_api/v1.3/advertiser/info/?advertiser_ids=%5B%221%22%5D");

  Request post;
  post.method = "POST";
  post.headers = {{"X-Test", "yes"}, {"Content-Type", "application/json"}};
  post.body = R"({"app_id":"1"})";
  auto posted = send(client, url("/oauth2/access_token/"), post);
  ASSERT_TRUE(posted) << posted.error().message;
  EXPECT_EQ(posted->header("X-Echo-Method"), "POST");
  EXPECT_EQ(posted->header("X-Echo-Test"), "yes");
  EXPECT_EQ(posted->body, R"({"app_id":"1"})");
  EXPECT_EQ(posted->header("Content-Type"), "text/plain");
}

TEST_F(HttpTest, NonSuccessStatusIsAResponseNotAnError) {
  start_server([](const Request&) -> asio::awaitable<Response> {
    co_return Response{404, {}, "no such path\n"};
  });
  Client client(io_.get_executor(), {});
  auto got = send(client, url("/missing"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 404);
  EXPECT_EQ(got->body, "no such path\n");
}

TEST_F(HttpTest, SequentialRequestsReuseOneConnection) {
  Server& server = start_server(echo_handler());
  Client client(io_.get_executor(), {});
  for (int i = 0; i < 10; ++i) {
    auto got = send(client, url("/n/" + std::to_string(i)));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->header("X-Echo-Target"), "/n/" + std::to_string(i));
  }
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(HttpTest, ZeroIdleConnectionsMeansNoReuse) {
  Server& server = start_server(echo_handler());
  ClientOptions options;
  options.max_idle_per_origin = 0;
  Client client(io_.get_executor(), options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(send(client, url("/")));
  EXPECT_EQ(server.connections_accepted(), 3u);
}

TEST_F(HttpTest, ConnectionClosedByServerWhileIdleIsReplacedTransparently) {
  ServerOptions options;
  options.idle_timeout = 100ms;
  Server& server = start_server(echo_handler(), options);
  Client client(io_.get_executor(), {});
  ASSERT_TRUE(send(client, url("/first")));
  ASSERT_TRUE(run_until([&] { return server.connections_open() == 0; }));

  auto second = send(client, url("/second"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->header("X-Echo-Target"), "/second");
  EXPECT_EQ(server.connections_accepted(), 2u);
}

// A server that reads each request and then does what the script says for
// it: the misbehaviours the real Server never shows.
enum class Action { kRespond, kCloseWithoutAnswer, kAnswerHalfThenClose, kRespondThenHalfClose };

class ScriptedServer {
 public:
  ScriptedServer(asio::io_context& io, std::function<Action(int request_number)> script)
      : state_(std::make_shared<State>(io, std::move(script))) {
    asio::co_spawn(io, accept_loop(state_), asio::detached);
  }
  ~ScriptedServer() { state_->acceptor.close(); }
  unsigned short port() const { return state_->acceptor.local_endpoint().port(); }
  int requests() const { return state_->requests; }
  int connections() const { return state_->connections; }
  int half_closed() const { return state_->half_closed; }

 private:
  // Shared with the coroutines, which may run on after the test's object.
  struct State {
    State(asio::io_context& io, std::function<Action(int)> s)
        : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          script(std::move(s)) {}
    tcp::acceptor acceptor;
    std::function<Action(int)> script;
    int requests = 0;
    int connections = 0;
    int half_closed = 0;
  };

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(kAwait);
      if (ec) co_return;
      ++state->connections;
      asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)),
                     asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      auto [ec, n] = co_await bhttp::async_read(socket, buffer, req, kAwait);
      if (ec) co_return;
      Action action = state->script(++state->requests);
      if (action == Action::kCloseWithoutAnswer) co_return;
      if (action == Action::kAnswerHalfThenClose) {
        std::string half = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        co_await asio::async_write(socket, asio::buffer(half), kAwait);
        co_return;
      }
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.body() = "answer " + std::to_string(state->requests);
      res.keep_alive(true);
      res.prepare_payload();
      auto [wec, w] = co_await bhttp::async_write(socket, res, kAwait);
      if (wec) co_return;
      // A FIN the client can see, while this side still reads what comes.
      if (action == Action::kRespondThenHalfClose) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        ++state->half_closed;
      }
    }
  }

  std::shared_ptr<State> state_;
};

TEST_F(HttpTest, StaleReusedConnectionIsRetriedOnceOnAFreshOne) {
  // Request 2 arrives on the kept-alive connection, which the server then
  // closes without a byte: the race of an idle timeout with a new request.
  ScriptedServer server(
      io_, [](int n) { return n == 2 ? Action::kCloseWithoutAnswer : Action::kRespond; });
  Client client(io_.get_executor(), {});
  std::string to = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  ASSERT_TRUE(send(client, to));

  Request post;
  post.method = "POST";
  post.body = "{}";
  auto second = send(client, to, post);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "answer 3");
  EXPECT_EQ(server.connections(), 2);
}

// The server answers request 1, then closes its sending side: a FIN while
// the connection idles, yet it still reads what the client writes.
Action half_close_after_first(int n) {
  return n == 1 ? Action::kRespondThenHalfClose : Action::kRespond;
}

TEST_F(HttpTest, IdleConnectionIsPeekedBeforeReuseAndAClosedOneIsNotWrittenTo) {
  ScriptedServer server(io_, half_close_after_first);
  ClientOptions options;
  options.trust_recent_use = 0ms;  // always check
  Client client(io_.get_executor(), options);
  std::string to = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  ASSERT_TRUE(send(client, to));
  ASSERT_TRUE(run_until([&] { return server.half_closed() == 1; }));

  auto second = send(client, to);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "answer 2");  // on a fresh connection, the closed one untouched
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpTest, RecentlyUsedConnectionIsReusedWithoutAPeekAndResentWhenFoundClosed) {
  ScriptedServer server(io_, half_close_after_first);
  Client client(io_.get_executor(), {});  // trusts a connection used < 1 s ago
  std::string to = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  ASSERT_TRUE(send(client, to));
  ASSERT_TRUE(run_until([&] { return server.half_closed() == 1; }));

  auto second = send(client, to);
  ASSERT_TRUE(second) << second.error().message;
  // Written to the half-closed connection (no peek), found stale by the
  // missing answer, resent on a fresh one.
  EXPECT_TRUE(run_until([&] { return server.requests() == 3; }));
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpTest, FailureOnAFreshConnectionIsNotRetried) {
  ScriptedServer server(io_, [](int) { return Action::kCloseWithoutAnswer; });
  Client client(io_.get_executor(), {});
  Request post;
  post.method = "POST";
  post.body = R"({"refresh_token":"rt.secret-value"})";
  auto got = send(client, "http://127.0.0.1:" + std::to_string(server.port()) + "/refresh", post);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(got.error().message.find("secret-value"), std::string::npos);
}

TEST_F(HttpTest, PartialResponseOnAReusedConnectionIsNotRetried) {
  ScriptedServer server(
      io_, [](int n) { return n == 2 ? Action::kAnswerHalfThenClose : Action::kRespond; });
  Client client(io_.get_executor(), {});
  std::string to = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  ASSERT_TRUE(send(client, to));
  auto second = send(client, to);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(server.requests(), 2);  // the server acted on it: no replay
}

TEST_F(HttpTest, RefusedConnectionIsTransientAndNamesTheAddress) {
  unsigned short closed_port;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  Client client(io_.get_executor(), {});
  auto got = send(client, "http://127.0.0.1:" + std::to_string(closed_port) + "/");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(got.error().message,
            "connect to 127.0.0.1:" + std::to_string(closed_port) + " failed: Connection refused");
}

TEST_F(HttpTest, SlowHandlerTimesOutWithinTheRequestTimeout) {
  start_server([this](const Request&) -> asio::awaitable<Response> {
    asio::steady_timer never(io_, 1h);
    co_await never.async_wait(kAwait);
    co_return Response{};
  });
  ClientOptions options;
  options.request_timeout = 300ms;
  Client client(io_.get_executor(), options);
  auto started = std::chrono::steady_clock::now();
  auto got = send(client, url("/slow"));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(got.error().message, "timeout after 300 ms reading response from 127.0.0.1:" +
                                     std::to_string(server_->port()));
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpTest, OversizedRequestBodyGets413) {
  ServerOptions options;
  options.max_body = 1024;
  start_server(echo_handler(), options);
  Client client(io_.get_executor(), {});
  Request post;
  post.method = "POST";
  post.body = std::string(2048, 'x');
  auto got = send(client, url("/"), post);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 413);
}

TEST_F(HttpTest, OversizedResponseBodyIsTransientError) {
  start_server([](const Request&) -> asio::awaitable<Response> {
    co_return Response{200, {}, std::string(1000, 'y')};
  });
  ClientOptions options;
  options.max_response_body = 100;
  Client client(io_.get_executor(), options);
  auto got = send(client, url("/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
  EXPECT_NE(got.error().message.find("larger than 100 bytes"), std::string::npos)
      << got.error().message;
}

// Sends raw bytes and returns everything the server sends until it closes.
asio::awaitable<std::string> raw_exchange(unsigned short port, std::string bytes) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
  std::string reply;
  // Ends with eof once the server has closed: the reply is what matters.
  co_await asio::async_read(socket, asio::dynamic_buffer(reply), kAwait);
  co_return reply;
}

TEST_F(HttpTest, MalformedRequestGets400AndClose) {
  Server& server = start_server(echo_handler());
  std::string reply = run(raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
}

TEST_F(HttpTest, HandlerExceptionBecomes500AndServerKeepsServing) {
  start_server([](const Request& req) -> asio::awaitable<Response> {
    if (req.target == "/boom") throw std::runtime_error("handler bug");
    co_return Response{200, {}, "fine"};
  });
  Client client(io_.get_executor(), {});
  auto boom = send(client, url("/boom"));
  ASSERT_TRUE(boom) << boom.error().message;
  EXPECT_EQ(boom->status, 500);
  auto fine = send(client, url("/fine"));
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->body, "fine");
}

TEST_F(HttpTest, ConnectionsBeyondTheLimitGet503) {
  ServerOptions options;
  options.max_connections = 1;
  Server& server = start_server(echo_handler(), options);
  tcp::socket holder(io_);
  holder.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  ASSERT_TRUE(run_until([&] { return server.connections_open() == 1; }));

  Client client(io_.get_executor(), {});
  auto got = send(client, url("/"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 503);
}

TEST_F(HttpTest, IdleFirstConnectionIsClosedAfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 100ms;
  Server& server = start_server(echo_handler(), options);
  tcp::socket silent(io_);
  silent.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  ASSERT_TRUE(run_until([&] { return server.connections_accepted() == 1; }));
  EXPECT_TRUE(run_until([&] { return server.connections_open() == 0; }, 3s));
}

TEST_F(HttpTest, StopClosesListenerAndOpenConnections) {
  Server& server = start_server(echo_handler());
  unsigned short port = server.port();
  Client client(io_.get_executor(), {});
  ASSERT_TRUE(send(client, url("/")));  // leaves an idle keep-alive connection
  ASSERT_EQ(server.connections_open(), 1u);

  server.stop();
  EXPECT_TRUE(run_until([&] { return server.connections_open() == 0; }));
  auto after = send(client, "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(after);
  EXPECT_NE(after.error().message.find("Connection refused"), std::string::npos)
      << after.error().message;
}

TEST_F(HttpTest, BadUrlIsInvalidInput) {
  Client client(io_.get_executor(), {});
  for (const char* bad : {"ftp://127.0.0.1/", "not a url", "http:///path"}) {
    auto got = send(client, bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().kind, ErrorKind::kInvalidInput) << bad;
  }
}

TEST_F(HttpTest, ListeningOnABusyPortNamesTheAddress) {
  Server& first = start_server(echo_handler());
  ServerOptions options;
  options.port = first.port();
  Server second(io_.get_executor(), options, echo_handler(), log_);
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message.rfind("listen on 127.0.0.1:" + std::to_string(first.port()), 0),
            0u)
      << started.error().message;
}

// A CA and a server certificate for "localhost" only, made with the openssl
// command line in a temporary directory.
class HttpsTest : public HttpTest {
 protected:
  void SetUp() override {
    std::string d = dir_.path().string();
    std::string script =
        "cd '" + d + "' && " +
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=ttlink-test-ca -addext basicConstraints=critical,CA:TRUE "
        "-addext keyUsage=critical,keyCertSign 2>/dev/null && "
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost 2>/dev/null && "
        "printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile ext.cnf 2>/dev/null";
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
    ServerOptions options;
    options.tls_cert_file = dir_.file("server.pem");
    options.tls_key_file = dir_.file("server.key");
    start_server(echo_handler(), options);
  }

  std::string https_url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(server_->port()) + "/secure";
  }

  test::TempDir dir_;
};

TEST_F(HttpsTest, ClientTrustingTheCaFileSucceedsAndReusesTheConnection) {
  ClientOptions options;
  options.ca_file = dir_.file("ca.pem");
  Client client(io_.get_executor(), options);
  for (int i = 0; i < 3; ++i) {
    auto got = send(client, https_url("localhost"));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->header("X-Echo-Target"), "/secure");
  }
  EXPECT_EQ(server_->connections_accepted(), 1u);
}

TEST_F(HttpsTest, ClientWithoutTheCaFailsVerification) {
  Client client(io_.get_executor(), {});
  auto got = send(client, https_url("localhost"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
  EXPECT_NE(got.error().message.find("certificate verify failed"), std::string::npos)
      << got.error().message;
}

TEST_F(HttpsTest, HostNameMismatchFailsVerification) {
  ClientOptions options;
  options.ca_file = dir_.file("ca.pem");
  Client client(io_.get_executor(), options);
  auto got = send(client, https_url("127.0.0.1"));  // the certificate names only localhost
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("certificate verify failed"), std::string::npos)
      << got.error().message;
}

TEST_F(HttpsTest, MissingCaFileIsInvalidInput) {
  ClientOptions options;
  options.ca_file = dir_.file("absent.pem");
  Client client(io_.get_executor(), options);
  auto got = send(client, https_url("localhost"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(got.error().message.find("absent.pem"), std::string::npos);
}

TEST_F(HttpsTest, PlainHttpToTheTlsServerFailsCleanly) {
  Client client(io_.get_executor(), {});
  auto got = send(client, url("/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::kTransient);
}

}  // namespace
}  // namespace ttlink::http
