// The server: an accept loop and one coroutine per connection (read a
// request, call the handler, write the response, loop while keep-alive),
// every step under a deadline. All of it runs on one strand, which owns the
// set of open connections that stop() closes.
#include "core/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
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
#include <map>

#include "core/util/task_group.hpp"

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

// The address alone (no port): what the per-address cap counts.
std::string address_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? "?" : ep.address().to_string();
}

// One open connection, as the accept loop sees it when it needs room.
struct SessionInfo {
  tcp::socket* socket = nullptr;  // set once its coroutine runs
  std::string address;
  bool waiting = false;  // for a request (not handling one): may be closed to make room
  std::chrono::steady_clock::time_point waiting_since{};
  bool evicted = false;  // closed to make room, no longer counted
};

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
  // Every session from its accept to its end: for stop() and the caps.
  std::map<std::uint64_t, SessionInfo> open_sessions;
  std::uint64_t next_session = 0;
  // Atomic: read from other threads by connections_accepted()/_open().
  std::atomic<std::size_t> sessions = 0;
  std::atomic<std::size_t> accepted = 0;
  unsigned short bound_port = 0;
  bool stopped = false;
  TaskGroup tasks;  // the accept loop and every session, on the strand

  Impl(asio::any_io_executor ex, ServerOptions o, Handler h, Logger& l)
      : strand(asio::make_strand(ex)),
        options(std::move(o)),
        handler(std::move(h)),
        log(l),
        acceptor(strand),
        tasks(strand, [&l](const std::string& e) {
          l.error("http_session_failed", {{"error", e}});
        }) {}

  Result<void> load_tls();
  Result<void> listen();
  asio::awaitable<void> accept_loop();
  std::optional<std::string> admit(const std::string& address);
  std::size_t connections_of(const std::string* address) const;
  bool evict_longest_waiting(const std::string& address);
  void set_waiting(std::uint64_t id, bool waiting);
  asio::awaitable<void> reject(tcp::socket socket, std::string why);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, std::string peer, std::uint64_t id);
  template <class Stream>
  asio::awaitable<std::optional<ReadRequest>> read_request(Stream& stream,
                                                           beast::flat_buffer& buffer, bool first,
                                                           const std::string& peer);
  asio::awaitable<Response> call_handler(const Request& req);
  asio::awaitable<void> session(tcp::socket socket, std::uint64_t id);
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
    std::string address = address_of(socket);
    if (auto refused = admit(address)) {
      tasks.spawn(reject(std::move(socket), std::move(*refused)));
      continue;
    }
    // Counted here, not in session(), so that a burst cannot overshoot.
    const std::uint64_t id = next_session++;
    open_sessions.emplace(id, SessionInfo{nullptr, std::move(address)});
    ++sessions;
    tasks.spawn(session(std::move(socket), id));
  }
}

std::size_t Server::Impl::connections_of(const std::string* address) const {
  std::size_t n = 0;
  for (const auto& [id, info] : open_sessions)
    if (!info.evicted && (!address || info.address == *address)) ++n;
  return n;
}

// Over its address's cap, that address's connection waiting longest gives
// way (so that a real callback gets in past idle clients from the same
// proxy or host); over the total cap, the newcomer gets 503.
std::optional<std::string> Server::Impl::admit(const std::string& address) {
  if (connections_of(&address) >= options.max_connections_per_address) {
    if (evict_longest_waiting(address)) return std::nullopt;
    log.warn("http_connection_refused", {{"peer", address}, {"reason", "per-address cap"}});
    return "too many connections from " + address + "\n";
  }
  if (connections_of(nullptr) >= options.max_connections) {
    log.warn("http_connection_refused", {{"peer", address}, {"reason", "total cap"}});
    return "too many connections\n";
  }
  return std::nullopt;
}

bool Server::Impl::evict_longest_waiting(const std::string& address) {
  SessionInfo* oldest = nullptr;
  for (auto& [id, info] : open_sessions)
    if (!info.evicted && info.waiting && info.socket && info.address == address &&
        (!oldest || info.waiting_since < oldest->waiting_since))
      oldest = &info;
  if (!oldest) return false;
  oldest->evicted = true;
  boost::system::error_code ignored;
  oldest->socket->shutdown(tcp::socket::shutdown_both, ignored);
  oldest->socket->close(ignored);
  return true;
}

void Server::Impl::set_waiting(std::uint64_t id, bool waiting) {
  SessionInfo& info = open_sessions.at(id);
  info.waiting = waiting;
  if (waiting) info.waiting_since = std::chrono::steady_clock::now();
}

// Beyond the caps: a short 503 instead of a silent close, so that the
// client knows to come back later.
asio::awaitable<void> Server::Impl::reject(tcp::socket socket, std::string why) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(options.read_timeout);
  auto res = plain_response(bhttp::status::service_unavailable, std::move(why));
  res.set(bhttp::field::retry_after, "1");
  co_await bhttp::async_write(stream, res, kAwait);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Server::Impl::session(tcp::socket socket, std::uint64_t id) {
  auto self = shared_from_this();
  std::string peer = peer_of(socket);
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    auto& tcp_layer = beast::get_lowest_layer(stream);
    open_sessions.at(id).socket = &tcp_layer.socket();
    set_waiting(id, true);  // a handshake is not a request yet
    tcp_layer.expires_after(options.header_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
    if (!ec && !stopped) co_await serve(stream, peer, id);
  } else {
    beast::tcp_stream stream(std::move(socket));
    open_sessions.at(id).socket = &stream.socket();
    if (!stopped) co_await serve(stream, peer, id);
  }
  open_sessions.erase(id);
  --sessions;
}

template <class Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream, std::string peer, std::uint64_t id) {
  beast::flat_buffer buffer;
  for (bool first = true; !stopped; first = false) {
    set_waiting(id, true);
    auto read = co_await read_request(stream, buffer, first, peer);
    set_waiting(id, false);
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

// The first request's headers must be complete header_timeout after the
// connection opened; a later request may wait idle_timeout for its first
// byte, then has header_timeout for its headers. The body has read_timeout.
template <class Stream>
asio::awaitable<std::optional<ReadRequest>> Server::Impl::read_request(Stream& stream,
                                                                       beast::flat_buffer& buffer,
                                                                       bool first,
                                                                       const std::string& peer) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body);
  boost::system::error_code ec;
  if (first) {
    tcp_layer.expires_after(options.header_timeout);
  } else if (buffer.size() == 0) {
    // Raw bytes, not the parser: it consumes nothing of an incomplete header,
    // and would keep reading under the idle timeout.
    tcp_layer.expires_after(options.idle_timeout);
    std::size_t n = 0;
    std::tie(ec, n) = co_await stream.async_read_some(buffer.prepare(4096), kAwait);
    buffer.commit(n);
    tcp_layer.expires_after(options.header_timeout);
  } else {
    tcp_layer.expires_after(options.header_timeout);
  }
  if (!ec && !parser.is_header_done())
    std::tie(ec, std::ignore) = co_await bhttp::async_read_header(stream, buffer, parser, kAwait);
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
  for (auto& [id, info] : open_sessions) {
    if (!info.socket) continue;  // not started: it sees `stopped` and ends
    info.socket->shutdown(tcp::socket::shutdown_both, ignored);
    info.socket->close(ignored);
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
  asio::dispatch(impl_->strand, [impl = impl_] { impl->tasks.spawn(impl->accept_loop()); });
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

void Server::cancel() {
  asio::dispatch(impl_->strand, [impl = impl_] {
    impl->close_all();
    impl->tasks.cancel();
  });
}

asio::awaitable<void> Server::finished() {
  auto impl = impl_;
  // No lambda temporary in the co_await: GCC 12 destroys such temporaries
  // twice (here: one shared_ptr release too many).
  auto ended = impl->tasks.wait();
  co_await asio::co_spawn(impl->strand, std::move(ended), asio::use_awaitable);
}

}  // namespace ttlink::http
