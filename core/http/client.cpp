// The client's policy: which connection serves a request (an idle one of
// the same origin, else a fresh one), when a failed request may be sent again
// (only when a reused idle connection proved stale), and which connections
// go back to the pool. The mechanics of one exchange are in client_connection.
// Not thread-safe: use a Client from one thread or strand, and destroy it
// only when no send() is running.
#include "core/http/client.hpp"

#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <map>
#include <optional>
#include <vector>

#include "core/http/client_connection.hpp"

namespace ttlink::http {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using detail::BeastRequest;
using detail::Connection;
using detail::Origin;

namespace {

struct Target {
  Origin origin;
  std::string host_header;  // as in the URL: "[::1]:8080"
  std::string path_and_query;
};

// Messages never repeat the URL: its query may carry the app secret.
Result<Target> parse_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Error::invalid("invalid URL: " + parsed.error().message());
  const auto& u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.origin.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return Error::invalid("unsupported URL scheme \"" + std::string(u.scheme()) +
                          "\" (expected http or https)");
  }
  if (u.has_userinfo()) return Error::invalid("URL with user info is not supported");
  t.origin.host = u.host_address();
  if (t.origin.host.empty()) return Error::invalid("URL without a host");
  t.origin.port = u.has_port() ? std::string(u.port()) : (t.origin.tls ? "443" : "80");
  t.host_header = u.encoded_host_and_port();
  t.path_and_query = u.encoded_target();
  if (t.path_and_query.empty() || t.path_and_query.front() != '/') {
    t.path_and_query.insert(0, "/");
  }
  return t;
}

Result<BeastRequest> to_beast(Request&& req, const Target& target) {
  auto verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown) return Error::invalid("unknown HTTP method " + req.method);
  BeastRequest out{verb, target.path_and_query, 11};
  out.set(bhttp::field::host, target.host_header);
  out.set(bhttp::field::user_agent, "ttlink/0.1");
  for (auto& [name, value] : req.headers) out.insert(name, value);
  out.body() = std::move(req.body);
  out.prepare_payload();
  out.keep_alive(true);
  return out;
}

}  // namespace

struct Client::Impl {
  asio::any_io_executor ex;
  ClientOptions options;
  ssl::context tls{ssl::context::tls_client};
  std::optional<Error> setup_error;  // a bad CA file: reported by every send()
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;

  Impl(asio::any_io_executor e, ClientOptions o) : ex(std::move(e)), options(std::move(o)) {
    setup_tls();
  }

  void setup_tls() {
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    tls.set_default_verify_paths(ec);  // an empty system store is not an error
    if (options.ca_file.empty()) return;
    tls.load_verify_file(options.ca_file, ec);
    if (ec)
      setup_error = Error::invalid("cannot load CA file " + options.ca_file + ": " + ec.message());
  }

  std::unique_ptr<Connection> take_idle(const Origin& origin) {
    auto it = idle.find(origin.key());
    if (it == idle.end()) return nullptr;
    auto& pool = it->second;
    while (!pool.empty()) {
      auto conn = std::move(pool.back());  // the most recently used: least likely timed out
      pool.pop_back();
      if (conn->looks_alive(options.trust_recent_use)) return conn;
    }
    return nullptr;
  }

  void give_back(const Origin& origin, std::unique_ptr<Connection> conn) {
    auto& pool = idle[origin.key()];
    if (pool.size() < options.max_idle_per_origin) pool.push_back(std::move(conn));
  }

  asio::awaitable<detail::ExchangeOutcome> exchange(Connection& conn, const BeastRequest& req) {
    return conn.exchange(req, options.request_timeout, options.max_response_body);
  }

  asio::awaitable<Result<Response>> finish(const Origin& origin, std::unique_ptr<Connection> conn,
                                           detail::ExchangeOutcome outcome) {
    if (outcome.reusable) give_back(origin, std::move(conn));
    co_return std::move(outcome.response);
  }

  asio::awaitable<Result<Response>> send(std::string_view url, Request req) {
    auto target = parse_url(url);
    if (!target) co_return target.error();
    if (setup_error) co_return *setup_error;
    auto beast_req = to_beast(std::move(req), *target);
    if (!beast_req) co_return beast_req.error();
    const Origin& origin = target->origin;

    if (auto reused = take_idle(origin)) {
      auto outcome = co_await exchange(*reused, *beast_req);
      // Only a stale idle connection is retried: anything else may have
      // reached the server, and replaying a POST could, e.g., spend a
      // rotated refresh token twice.
      if (!outcome.stale) co_return co_await finish(origin, std::move(reused), std::move(outcome));
    }
    auto fresh = co_await Connection::open(ex, origin, tls, options.connect_timeout);
    if (!fresh) co_return fresh.error();
    auto outcome = co_await exchange(**fresh, *beast_req);
    co_return co_await finish(origin, std::move(*fresh), std::move(outcome));
  }
};

Client::Client(asio::any_io_executor ex, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(ex), std::move(options))) {}

Client::~Client() = default;

asio::awaitable<Result<Response>> Client::send(std::string_view url, Request req) {
  // The URL is copied: the caller's view need not outlive the first suspension.
  std::string owned(url);
  co_return co_await impl_->send(owned, std::move(req));
}

}  // namespace ttlink::http
