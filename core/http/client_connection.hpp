#pragma once
// Internal to core/http: one client connection (plain TCP or TLS) and one
// request/response exchange on it, each step under a deadline. It includes
// Beast, so only client.cpp includes it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/http/message.hpp"
#include "core/util/result.hpp"

namespace ttlink::http::detail {

// Where connections go, and the key of the idle pool.
struct Origin {
  bool tls = false;
  std::string host;               // without IPv6 brackets
  std::string port;               // always set: 80 / 443 when the URL has none
  std::string key() const;        // "https://host:443"
  std::string authority() const;  // "host:443", "[::1]:443": for messages
};

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct ExchangeOutcome {
  Result<Response> response = Error::internal("exchange not run");
  // The connection failed before the server could have seen the request
  // (write failed, or closed with no byte of a response): safe to resend.
  bool stale = false;
  // The response was read fully and says keep-alive: the connection may
  // serve another request.
  bool reusable = false;
};

class Connection {
 public:
  // Resolves, connects and (for TLS) handshakes with certificate and host
  // name verification, all within `timeout`.
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> open(
      boost::asio::any_io_executor ex, const Origin& origin, boost::asio::ssl::context& tls,
      std::chrono::milliseconds timeout);

  boost::asio::awaitable<ExchangeOutcome> exchange(const BeastRequest& req,
                                                   std::chrono::milliseconds timeout,
                                                   std::size_t max_body);

  // False when the peer has closed the idle connection (or sent something
  // unsolicited): checked before reuse without blocking, unless its last
  // answer came less than `trust_recent_use` ago.
  bool looks_alive(std::chrono::milliseconds trust_recent_use);

  Connection(boost::asio::any_io_executor ex, Origin origin);

 private:
  template <class Stream>
  boost::asio::awaitable<ExchangeOutcome> exchange_on(Stream& stream, const BeastRequest& req,
                                                      std::chrono::milliseconds timeout,
                                                      std::size_t max_body);
  boost::asio::awaitable<Result<void>> handshake(std::chrono::milliseconds timeout);
  boost::beast::tcp_stream& tcp();

  Origin origin_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point last_answer_{};
};

}  // namespace ttlink::http::detail
