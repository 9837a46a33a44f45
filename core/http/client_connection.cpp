#include "core/http/client_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cerrno>

namespace ttlink::http::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::string ms_text(milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

asio::awaitable<Result<tcp::resolver::results_type>> resolve(asio::any_io_executor ex,
                                                             const Origin& origin,
                                                             milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  tcp::resolver resolver(ex);
  asio::steady_timer timer(ex, timeout);
  auto first = co_await (resolver.async_resolve(origin.host, origin.port, kAwait) ||
                         timer.async_wait(kAwait));
  if (first.index() == 1) {
    co_return Error::transient("timeout after " + ms_text(timeout) + " resolving " + origin.host);
  }
  auto [ec, results] = std::get<0>(first);
  if (ec) co_return Error::transient("resolve " + origin.host + " failed: " + ec.message());
  co_return results;
}

// A stale keep-alive connection shows as a write error, or as the stream
// ending before any byte of a response: the server closed it while idle and
// cannot have acted on the request.
bool is_stale_read(const boost::system::error_code& ec, bool got_some) {
  if (got_some) return false;
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

Response to_response(bhttp::response<bhttp::string_body>&& res) {
  Response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

std::string Origin::key() const {
  return (tls ? "https://" : "http://") + authority();
}

std::string Origin::authority() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + port;
}

Connection::Connection(asio::any_io_executor ex, Origin origin) : origin_(std::move(origin)) {
  plain_.emplace(ex);
}

beast::tcp_stream& Connection::tcp() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> Connection::open(asio::any_io_executor ex,
                                                                      const Origin& origin,
                                                                      ssl::context& tls,
                                                                      milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto conn = std::make_unique<Connection>(ex, origin);
  if (origin.tls) {
    conn->plain_.reset();
    conn->tls_.emplace(ex, tls);
  }
  auto endpoints = co_await resolve(ex, origin, timeout);
  if (!endpoints) co_return endpoints.error();

  conn->tcp().expires_at(deadline);
  auto [ec, endpoint] = co_await conn->tcp().async_connect(*endpoints, kAwait);
  if (ec == beast::error::timeout) {
    co_return Error::transient("timeout after " + ms_text(timeout) + " connecting to " +
                               origin.authority());
  }
  if (ec)
    co_return Error::transient("connect to " + origin.authority() + " failed: " + ec.message());
  if (origin.tls) {
    auto shaken = co_await conn->handshake(timeout);
    if (!shaken) co_return shaken.error();
  }
  conn->tcp().expires_never();
  co_return conn;
}

asio::awaitable<Result<void>> Connection::handshake(milliseconds timeout) {
  SSL* native = tls_->native_handle();
  // SNI carries host names only (RFC 6066); verification covers IPs too.
  if (!is_ip_literal(origin_.host)) SSL_set_tlsext_host_name(native, origin_.host.c_str());
  tls_->set_verify_mode(ssl::verify_peer);
  tls_->set_verify_callback(ssl::host_name_verification(origin_.host));
  auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, kAwait);
  if (ec == beast::error::timeout) {
    co_return Error::transient("timeout after " + ms_text(timeout) + " in TLS handshake with " +
                               origin_.authority());
  }
  if (ec) {
    std::string message = "TLS handshake with " + origin_.authority() + " failed: " + ec.message();
    long verify = SSL_get_verify_result(native);
    if (verify != X509_V_OK)
      message += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    co_return Error::transient(std::move(message));
  }
  co_return Result<void>{};
}

bool Connection::looks_alive(milliseconds trust_recent_use) {
  if (buffer_.size() != 0) return false;  // unread bytes: out of step with the server
  if (std::chrono::steady_clock::now() - last_answer_ < trust_recent_use) return true;
  char byte;
  ssize_t n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<ExchangeOutcome> Connection::exchange(const BeastRequest& req, milliseconds timeout,
                                                      std::size_t max_body) {
  if (tls_) co_return co_await exchange_on(*tls_, req, timeout, max_body);
  co_return co_await exchange_on(*plain_, req, timeout, max_body);
}

template <class Stream>
asio::awaitable<ExchangeOutcome> Connection::exchange_on(Stream& stream, const BeastRequest& req,
                                                         milliseconds timeout,
                                                         std::size_t max_body) {
  ExchangeOutcome outcome;
  const std::string from = " from " + origin_.authority();
  tcp().expires_after(timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, req, kAwait);
  if (write_ec == beast::error::timeout) {
    outcome.response = Error::transient("timeout after " + ms_text(timeout) +
                                        " sending request to " + origin_.authority());
    co_return outcome;
  }
  if (write_ec) {
    outcome.stale = true;
    outcome.response = Error::transient("sending request to " + origin_.authority() +
                                        " failed: " + write_ec.message());
    co_return outcome;
  }

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body);
  if (req.method() == bhttp::verb::head) parser.skip(true);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer_, parser, kAwait);
  if (read_ec == beast::error::timeout) {
    outcome.response =
        Error::transient("timeout after " + ms_text(timeout) + " reading response" + from);
  } else if (read_ec == bhttp::error::body_limit) {
    outcome.response = Error::transient("response" + from + " is larger than " +
                                        std::to_string(max_body) + " bytes");
  } else if (read_ec) {
    outcome.stale = is_stale_read(read_ec, parser.got_some());
    outcome.response =
        Error::transient("reading response" + from + " failed: " + read_ec.message());
  } else {
    auto res = parser.release();
    outcome.reusable = res.keep_alive() && buffer_.size() == 0;
    last_answer_ = std::chrono::steady_clock::now();
    outcome.response = to_response(std::move(res));
    tcp().expires_never();
  }
  co_return outcome;
}

}  // namespace ttlink::http::detail
