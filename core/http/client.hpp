#pragma once
// An HTTP(S) client with keep-alive connection reuse, certificate
// verification always on (system store, plus an optional CA file such as the
// sandbox's), and a timeout on every step.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/message.hpp"
#include "core/util/result.hpp"

namespace ttlink::http {

struct ClientOptions {
  std::string ca_file;  // "" = system trust store only
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};  // write + read of one exchange
  std::size_t max_response_body = 16 << 20;
  std::size_t max_idle_per_origin = 16;
  // An idle connection used more recently than this is reused without the
  // liveness peek (a syscall per request): servers close idle connections
  // after seconds, and one closed in the meantime fails stale and the
  // request is resent on a fresh connection.
  std::chrono::milliseconds trust_recent_use{1'000};
};

class Client {
 public:
  Client(boost::asio::any_io_executor ex, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `req` to the absolute `url` (http:// or https://; query included)
  // and returns the response whatever its status. Errors: kInvalidInput for a
  // bad URL or CA file; kTransient for resolve/connect/TLS/timeout/reset or
  // a malformed or oversized response. A request is retried once on a fresh
  // connection only when a reused idle connection turns out to be closed
  // before any byte of the request was accepted.
  boost::asio::awaitable<Result<Response>> send(std::string_view url, Request req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttlink::http
