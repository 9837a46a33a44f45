#include "http_client.hpp"

#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>

namespace ttlink::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string HttpResult::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string path_and_query;
};

Result<Target> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error::invalid("bad URL: " + url);
  Target t;
  t.tls = parsed->scheme() == "https";
  if (!t.tls && parsed->scheme() != "http") return Error::invalid("unsupported scheme: " + url);
  t.host = std::string(parsed->host());
  t.port = parsed->has_port() ? std::string(parsed->port()) : (t.tls ? "443" : "80");
  t.path_and_query = std::string(parsed->encoded_path());
  if (t.path_and_query.empty()) t.path_and_query = "/";
  if (parsed->has_query()) t.path_and_query += "?" + std::string(parsed->encoded_query());
  return t;
}

http::request<http::string_body> build_request(const std::string& method, const Target& t,
                                               const std::string& body, const Headers& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(t.path_and_query);
  req.version(11);
  req.set(http::field::host, t.host + ":" + t.port);
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = body;
    req.prepare_payload();
  }
  return req;
}

template <class Stream>
asio::awaitable<Result<HttpResult>> exchange(Stream& stream, http::request<http::string_body> req) {
  auto [wec, wn] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  if (wec) co_return Error::transient("write: " + wec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 << 20);
  auto [rec, rn] =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (rec) co_return Error::transient("read: " + rec.message());
  auto& res = parser.get();
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers[std::string(field.name_string())] = field.value();
  out.body = std::move(res.body());
  co_return out;
}

asio::awaitable<Result<HttpResult>> plain_request(Target target,
                                                  http::request<http::string_body> req,
                                                  std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  auto [ec, endpoints] = co_await resolver.async_resolve(target.host, target.port,
                                                         asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Error::transient("resolve: " + ec.message());
  beast::tcp_stream stream(ex);
  stream.expires_after(timeout);
  auto [cec, ep] = co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return Error::transient("connect: " + cec.message());
  co_return co_await exchange(stream, std::move(req));
}

asio::awaitable<Result<HttpResult>> tls_request(Target target, http::request<http::string_body> req,
                                                std::chrono::milliseconds timeout,
                                                asio::ssl::context& ctx) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  auto [ec, endpoints] = co_await resolver.async_resolve(target.host, target.port,
                                                         asio::as_tuple(asio::use_awaitable));
  if (ec) co_return Error::transient("resolve: " + ec.message());
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(
      endpoints, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return Error::transient("connect: " + cec.message());
  SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client,
                                               asio::as_tuple(asio::use_awaitable));
  if (hec) co_return Error::transient("TLS handshake: " + hec.message());
  co_return co_await exchange(stream, std::move(req));
}

}  // namespace

Result<HttpResult> HttpClient::request(const std::string& method, const std::string& url,
                                       const std::string& body, const Headers& headers) {
  auto target = parse_target(url);
  if (!target) return target.error();
  auto req = build_request(method, *target, body, headers);
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  if (target->tls) {
    beast::error_code ec;
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (!options_.ca_file.empty())
      ctx.load_verify_file(options_.ca_file, ec);
    else
      ctx.set_default_verify_paths(ec);
    if (ec) return Error::invalid("CA file: " + ec.message());
  }
  std::optional<Result<HttpResult>> outcome;
  auto flow = target->tls ? tls_request(*target, std::move(req), options_.timeout, ctx)
                          : plain_request(*target, std::move(req), options_.timeout);
  asio::co_spawn(io, std::move(flow), [&](std::exception_ptr e, Result<HttpResult> r) {
    if (e)
      outcome = Result<HttpResult>(Error::internal("request threw"));
    else
      outcome = std::move(r);
  });
  io.run();
  return std::move(*outcome);
}

Result<HttpResult> HttpClient::get(const std::string& url, const Headers& headers) {
  return request("GET", url, "", headers);
}

Result<HttpResult> HttpClient::post_json(const std::string& url, const std::string& json_body,
                                         const Headers& headers) {
  Headers with_type = headers;
  if (with_type.find("Content-Type") == with_type.end())
    with_type["Content-Type"] = "application/json";
  return request("POST", url, json_body, with_type);
}

Result<RedirectChain> HttpClient::follow_redirects(const std::string& url, int max_hops) {
  RedirectChain chain;
  std::string next = url;
  for (int hop = 0; hop <= max_hops; ++hop) {
    chain.visited.push_back(next);
    auto res = get(next);
    if (!res) return res.error();
    auto location = res->header("Location");
    bool redirect = res->status >= 300 && res->status < 400 && !location.empty();
    if (!redirect) {
      chain.final_response = std::move(*res);
      return chain;
    }
    auto base = boost::urls::parse_uri(next);
    auto ref = boost::urls::parse_uri_reference(location);
    if (!base || !ref) return Error::invalid("bad Location: " + location);
    boost::urls::url resolved;
    auto r = boost::urls::resolve(*base, *ref, resolved);
    if (!r) return Error::invalid("cannot resolve Location: " + location);
    next = std::string(resolved.buffer());
  }
  return Error::conflict("too many redirects from " + url);
}

}  // namespace ttlink::test
