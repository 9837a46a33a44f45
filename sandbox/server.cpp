#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace sandbox {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using tuple_awaitable_t = asio::as_tuple_t<asio::use_awaitable_t<>>;
constexpr tuple_awaitable_t kTuple{};

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

HttpRequest to_request(const http::request<http::string_body>& in) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& f : in) out.headers[lowercase(std::string(f.name_string()))] = f.value();
  out.body = in.body();
  parse_target(out);
  return out;
}

http::response<http::string_body> to_response(const HttpReply& reply, unsigned version,
                                              bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "ttlink-sandbox");
  res.set(http::field::content_type, reply.content_type);
  for (const auto& [k, v] : reply.headers) res.set(k, v);
  res.body() = reply.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

HttpReply error_reply(int status, std::string message) {
  HttpReply r;
  r.status = status;
  r.body = R"({"code":40002,"message":")" + std::move(message) + R"(","request_id":"","data":{}})";
  return r;
}

// Status line and headers of `res`, then half its body: a truncated answer.
std::string truncated_bytes(const http::response<http::string_body>& res) {
  std::string head =
      "HTTP/1.1 " + std::to_string(res.result_int()) + " " + std::string(res.reason()) + "\r\n";
  for (const auto& f : res)
    head += std::string(f.name_string()) + ": " + std::string(f.value()) + "\r\n";
  head += "\r\n";
  return head + res.body().substr(0, res.body().size() / 2);
}

void reset_connection(tcp::socket& socket) {
  beast::error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);  // RST, not FIN
  socket.close(ec);
}

template <class Stream>
tcp::socket& socket_of(Stream& stream) {
  return beast::get_lowest_layer(stream).socket();
}

// Read, handle, write, loop: one coroutine per connection.
template <class Stream>
asio::awaitable<void> serve(Stream& stream, const ServerOptions& options, const Handler& handler) {
  beast::flat_buffer buffer;
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    parser.header_limit(64 * 1024);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      co_return;
    HttpReply reply;
    bool keep_alive = false;
    unsigned version = 11;
    if (ec == http::error::body_limit) {
      reply = error_reply(413, "request body too large");
    } else if (ec) {
      reply = error_reply(400, "malformed HTTP request");
    } else {
      auto& req = parser.get();
      keep_alive = req.keep_alive();
      version = req.version();
      try {
        reply = co_await handler(to_request(req));
      } catch (const std::exception& e) {
        reply = error_reply(500, "internal sandbox error");
      }
    }
    if (reply.delivery == Delivery::kReset) {
      reset_connection(socket_of(stream));
      co_return;
    }
    auto res = to_response(reply, version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    if (reply.delivery == Delivery::kTruncate) {
      co_await asio::async_write(stream, asio::buffer(truncated_bytes(res)), kTuple);
      reset_connection(socket_of(stream));
      co_return;
    }
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !keep_alive) break;
  }
  beast::error_code ignored;
  socket_of(stream).shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

void parse_target(HttpRequest& req) {
  auto parsed = boost::urls::parse_origin_form(req.target);
  if (!parsed) {
    req.path = req.target.substr(0, req.target.find('?'));
    return;
  }
  req.path = parsed->path();
  req.raw_query = std::string(parsed->encoded_query());
  for (auto param : parsed->params()) req.query[param.key] = param.value;
}

struct Server::Impl {
  asio::io_context& io;
  ServerOptions options;
  Handler handler;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;

  Impl(asio::io_context& io_, ServerOptions o, Handler h)
      : io(io_), options(std::move(o)), handler(std::move(h)), acceptor(io_) {}

  asio::awaitable<void> plain_session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream, options, handler);
  }

  asio::awaitable<void> tls_session(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    co_await serve(stream, options, handler);
  }

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto session = tls ? tls_session(std::move(socket)) : plain_session(std::move(socket));
      asio::co_spawn(io, std::move(session), asio::detached);
    }
  }
};

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(io, std::move(options), std::move(handler))) {}

Server::~Server() = default;

std::string Server::start() {
  auto& o = impl_->options;
  beast::error_code ec;
  if (o.tls) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(o.tls->first, ec);
    if (ec) return "cannot read TLS certificate " + o.tls->first + ": " + ec.message();
    impl_->tls->use_private_key_file(o.tls->second, asio::ssl::context::pem, ec);
    if (ec) return "cannot read TLS key " + o.tls->second + ": " + ec.message();
  }
  auto address = asio::ip::make_address(o.listen_host, ec);
  if (ec) return "bad listen address " + o.listen_host;
  tcp::endpoint endpoint(address, o.listen_port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + o.listen_host + ":" + std::to_string(o.listen_port) + ": " +
           ec.message();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return "";
}

std::string Server::url() const {
  auto ep = impl_->acceptor.local_endpoint();
  auto host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return std::string(impl_->options.tls ? "https://" : "http://") + host + ":" +
         std::to_string(ep.port());
}

void Server::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace sandbox
