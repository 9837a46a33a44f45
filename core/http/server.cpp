// The server: an accept loop and one coroutine per connection (read a
// request, call the handler, write the response, loop while keep-alive),
// every step under a deadline. All of it runs on one strand, which owns the
// set of open connections that stop() closes.
#include "core/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <exception>
#include <set>

namespace ttlink::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using BeastResponse = bhttp::response<bhttp::string_body>;
using Strand = asio::strand<asio::any_io_executor>;

BeastResponse plain_response(bhttp::status status, std::string text) {
  BeastResponse res{status, 11};
  res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(text);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

BeastResponse to_beast(Response&& response, bool keep_alive) {
  BeastResponse res{static_cast<bhttp::status>(response.status), 11};
  for (auto& [name, value] : response.headers) res.insert(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Request to_request(bhttp::request<bhttp::string_body>&& req, const std::string& peer) {
  Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.peer = peer;
  return out;
}

std::string peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  auto address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

struct ReadRequest {
  Request request;
  bool keep_alive = false;  // what the client asked for (HTTP/1.0 or 1.1 rules)
};

// What ended the reading of a request, and what the client gets for it.
std::optional<BeastResponse> error_response(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return plain_response(bhttp::status::payload_too_large, "request body too large\n");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return plain_response(bhttp::status::bad_request, "malformed request\n");
  }
  return std::nullopt;  // closed, reset or timed out: nobody to answer
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Strand strand;
  ServerOptions options;
  Handler handler;
  Logger& log;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  std::set<tcp::socket*> open_sockets;  // sessions register theirs, for stop()
  // Atomic: read from other threads by connections_accepted()/_open().
  std::atomic<std::size_t> sessions = 0;
  std::atomic<std::size_t> accepted = 0;
  unsigned short bound_port = 0;
  bool stopped = false;

  Impl(asio::any_io_executor ex, ServerOptions o, Handler h, Logger& l)
      : strand(asio::make_strand(ex)),
        options(std::move(o)),
        handler(std::move(h)),
        log(l),
        acceptor(strand) {}

  Result<void> load_tls();
  Result<void> listen();
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> reject(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, std::string peer);
  template <class Stream>
  asio::awaitable<std::optional<ReadRequest>> read_request(Stream& stream,
                                                           beast::flat_buffer& buffer, bool first,
                                                           const std::string& peer);
  asio::awaitable<Response> call_handler(const Request& req);
  asio::awaitable<void> session(tcp::socket socket);
  void close_all();
};

Result<void> Server::Impl::load_tls() {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return {};
  tls.emplace(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  tls->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec)
    return Error::invalid("cannot load TLS certificate " + options.tls_cert_file + ": " +
                          ec.message());
  tls->use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
  if (ec)
    return Error::invalid("cannot load TLS key " + options.tls_key_file + ": " + ec.message());
  return {};
}

Result<void> Server::Impl::listen() {
  const std::string where = options.host + ":" + std::to_string(options.port);
  boost::system::error_code ec;
  tcp::resolver resolver(strand);
  // Startup only: a blocking resolve of "localhost" is acceptable here.
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return Error::invalid("cannot resolve listen address " + where);
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::invalid("listen on " + where + " failed: " + ec.message());
  bound_port = acceptor.local_endpoint().port();
  return {};
}

asio::awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  while (!stopped) {
    auto [ec, socket] = co_await acceptor.async_accept(kAwait);
    if (ec == asio::error::operation_aborted || stopped) break;
    if (ec) {
      // EMFILE and the like: keep serving the connections we have.
      log.warn("http_accept_failed", {{"error", ec.message()}});
      continue;
    }
    ++accepted;
    if (sessions >= options.max_connections) {
      asio::co_spawn(strand, reject(std::move(socket)), asio::detached);
      continue;
    }
    ++sessions;  // counted here, not in session(), so that a burst cannot overshoot
    asio::co_spawn(strand, session(std::move(socket)), asio::detached);
  }
}

// Beyond max_connections: a short 503 instead of a silent close, so that
// the client knows to come back later.
asio::awaitable<void> Server::Impl::reject(tcp::socket socket) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(options.read_timeout);
  auto res = plain_response(bhttp::status::service_unavailable, "too many connections\n");
  res.set(bhttp::field::retry_after, "1");
  co_await bhttp::async_write(stream, res, kAwait);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Server::Impl::session(tcp::socket socket) {
  auto self = shared_from_this();
  std::string peer = peer_of(socket);
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    auto& tcp_layer = beast::get_lowest_layer(stream);
    open_sockets.insert(&tcp_layer.socket());
    tcp_layer.expires_after(options.read_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
    if (!ec && !stopped) co_await serve(stream, peer);
    open_sockets.erase(&tcp_layer.socket());
  } else {
    beast::tcp_stream stream(std::move(socket));
    open_sockets.insert(&stream.socket());
    if (!stopped) co_await serve(stream, peer);
    open_sockets.erase(&stream.socket());
  }
  --sessions;
}

template <class Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream, std::string peer) {
  beast::flat_buffer buffer;
  for (bool first = true; !stopped; first = false) {
    auto read = co_await read_request(stream, buffer, first, peer);
    if (!read) break;
    auto response = co_await call_handler(read->request);
    bool keep_alive = read->keep_alive && !stopped;
    auto res = to_beast(std::move(response), keep_alive);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kAwait);
    if (ec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// The first request of a connection must arrive within read_timeout; later
// ones may wait idle_timeout for their first byte, then read_timeout.
template <class Stream>
asio::awaitable<std::optional<ReadRequest>> Server::Impl::read_request(Stream& stream,
                                                                       beast::flat_buffer& buffer,
                                                                       bool first,
                                                                       const std::string& peer) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body);
  boost::system::error_code ec;
  if (buffer.size() == 0) {
    tcp_layer.expires_after(first ? options.read_timeout : options.idle_timeout);
    std::tie(ec, std::ignore) = co_await bhttp::async_read_some(stream, buffer, parser, kAwait);
  }
  if (!ec && !parser.is_done()) {
    tcp_layer.expires_after(options.read_timeout);
    std::tie(ec, std::ignore) = co_await bhttp::async_read(stream, buffer, parser, kAwait);
  }
  if (!ec) {
    bool keep_alive = parser.get().keep_alive();
    co_return ReadRequest{to_request(parser.release(), peer), keep_alive};
  }
  if (auto res = error_response(ec)) {
    log.info("http_bad_request", {{"peer", peer}, {"error", ec.message()}});
    tcp_layer.expires_after(options.read_timeout);
    co_await bhttp::async_write(stream, *res, kAwait);
  }
  co_return std::nullopt;
}

asio::awaitable<Response> Server::Impl::call_handler(const Request& req) {
  try {
    co_return co_await handler(req);
  } catch (const std::exception& e) {
    log.error("http_handler_failed", {{"peer", req.peer}, {"error", e.what()}});
  } catch (...) {
    log.error("http_handler_failed", {{"peer", req.peer}, {"error", "unknown exception"}});
  }
  co_return Response{500, {{"Content-Type", "text/plain; charset=utf-8"}}, "internal error\n"};
}

void Server::Impl::close_all() {
  stopped = true;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  for (tcp::socket* socket : open_sockets) {
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
  }
}

Server::Server(asio::any_io_executor ex, ServerOptions options, Handler handler, Logger& log)
    : impl_(std::make_shared<Impl>(std::move(ex), std::move(options), std::move(handler), log)) {}

Server::~Server() {
  stop();
}

Result<void> Server::start() {
  if (auto tls = impl_->load_tls(); !tls) return tls;
  if (auto bound = impl_->listen(); !bound) return bound;
  asio::co_spawn(impl_->strand, impl_->accept_loop(), asio::detached);
  return {};
}

unsigned short Server::port() const {
  return impl_->bound_port;
}

std::size_t Server::connections_accepted() const {
  return impl_->accepted;
}
std::size_t Server::connections_open() const {
  return impl_->sessions;
}

void Server::stop() {
  // Sessions and the accept loop hold the Impl alive until they end, which
  // closing their sockets makes them do promptly.
  asio::dispatch(impl_->strand, [impl = impl_] { impl->close_all(); });
}

}  // namespace ttlink::http
