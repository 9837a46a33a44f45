#pragma once
// A small HTTP/1.1 server (keep-alive, per-connection timeouts, body limit,
// connection caps per address and in all) for the daemon's OAuth callback
// and metrics listeners.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/http/message.hpp"
#include "core/util/log.hpp"
#include "core/util/result.hpp"

namespace ttlink::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;  // 0 = any free port (see Server::port())
  std::size_t max_body = 64 << 10;
  // A request's headers must be complete this long after the connection
  // opened (first request) or after its first byte (later ones).
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds read_timeout{10'000};  // the body, and writing the answer
  std::chrono::milliseconds idle_timeout{10'000};  // keep-alive wait for the next request
  // Above the per-address cap, so that one address cannot fill it; beyond:
  // 503 and close.
  std::size_t max_connections = 256;
  // Per remote address. A newcomer over it closes that address's connection
  // waiting longest for a request; when none is waiting, it gets 503. Behind
  // a reverse proxy every connection has the proxy's address.
  std::size_t max_connections_per_address = 16;
  // Both set: serve HTTPS with this PEM certificate chain and key (the
  // sandbox's --tls, and tests of the client's verification).
  std::string tls_cert_file;
  std::string tls_key_file;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&)>;

class Server {
 public:
  Server(boost::asio::any_io_executor ex, ServerOptions options, Handler handler, Logger& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Result<void> start();         // binds and listens; error names the address
  unsigned short port() const;  // the bound port, after start()
  void stop();                  // closes the listener and every connection
  // stop(), and every handler under way is cancelled (shutdown).
  void cancel();
  // Returns once the accept loop and every session have ended.
  boost::asio::awaitable<void> finished();

  // Connections accepted since start() (rejected ones included), and those
  // open now: for metrics and tests.
  std::size_t connections_accepted() const;
  std::size_t connections_open() const;

 private:
  struct Impl;
  // Shared with the accept loop and the sessions, which may finish after the
  // Server is gone (stop() makes them finish promptly).
  std::shared_ptr<Impl> impl_;
};

}  // namespace ttlink::http
