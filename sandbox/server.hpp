#pragma once
// The HTTP/1.1 transport: a Beast server on one io_context, one coroutine per
// connection, keep-alive, bounded bodies, read timeouts for slow clients,
// optional TLS. It knows nothing of TikTok: every request goes to a Handler.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_types.hpp"

namespace sandbox {

using Handler = std::function<boost::asio::awaitable<HttpReply>(HttpRequest)>;

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;
  std::optional<std::pair<std::string, std::string>> tls;  // cert file, key file
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::seconds read_timeout{15};
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~Server();

  // Binds and starts accepting. Returns "" or the error text.
  std::string start();
  // "http://127.0.0.1:PORT" (https with TLS), valid after start().
  std::string url() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sandbox
