#include "load_generator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <optional>
#include <string_view>

namespace ttlink::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kAccess = "{access_token}";
constexpr std::string_view kRefresh = "{refresh_token}";

std::string with_tokens(std::string text, const LoadAccount& a) {
  for (auto [name, value] : {std::pair{kAccess, &a.access_token}, {kRefresh, &a.refresh_token}})
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at))
      text.replace(at, name.size(), *value), at += value->size();
  return text;
}

http::request<http::string_body> to_beast(const LoadRequest& r, const LoadAccount& a,
                                          const std::string& host) {
  http::request<http::string_body> req{http::string_to_verb(r.method), with_tokens(r.target, a),
                                       11};
  req.set(http::field::host, host);
  req.keep_alive(true);
  for (const auto& [name, value] : r.headers) req.set(name, with_tokens(value, a));
  if (!r.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = with_tokens(r.body, a);
  }
  req.prepare_payload();
  return req;
}

// The sandbox answers every API call with HTTP 200; success is code 0.
// Substring tests are enough here and keep JSON parsing out of the
// generator's cost (the sandbox writes compact JSON).
bool is_success(const http::response<http::string_body>& res) {
  return res.result() == http::status::ok && res.body().find("\"code\":0") != std::string::npos;
}

std::optional<std::string> string_field(std::string_view body, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  auto at = body.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  at += key.size();
  auto end = body.find('"', at);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(body.substr(at, end - at));
}

// A refresh's answer carries the account's next pair.
bool rotate(LoadAccount& a, std::string_view body) {
  auto access = string_field(body, "access_token");
  auto refresh = string_field(body, "refresh_token");
  if (!access || !refresh) return false;
  a.access_token = std::move(*access);
  a.refresh_token = std::move(*refresh);
  return true;
}

struct Connection {
  tcp::endpoint endpoint;
  std::vector<LoadAccount> accounts;  // owned: no other connection rotates them
  const std::string& host;
  SteadyClock::time_point end;
  LoadReport& report;

  asio::awaitable<void> run() {
    auto ex = co_await asio::this_coro::executor;
    std::size_t account = 0, next = 0;
    while (SteadyClock::now() < end) {
      beast::tcp_stream stream(ex);
      stream.expires_after(std::chrono::seconds(10));
      auto [ec] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        ++report.transport_errors;
        continue;
      }
      beast::flat_buffer buffer;
      while (SteadyClock::now() < end) {
        auto& a = accounts[account];
        const auto& request = a.mix[next];
        if (++next == a.mix.size()) next = 0, account = (account + 1) % accounts.size();
        auto req = to_beast(request, a, host);
        stream.expires_after(std::chrono::seconds(10));
        auto [wec, w] =
            co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
        http::response<http::string_body> res;
        auto [rec, r] =
            co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
        if (wec || rec) {
          ++report.transport_errors;
          break;  // reconnect
        }
        const bool ok = is_success(res);
        ++(ok ? report.requests : report.api_errors);
        if (ok && request.body.find(kRefresh) != std::string::npos && rotate(a, res.body()))
          ++report.rotations;
        if (!res.keep_alive()) break;
      }
    }
  }
};

}  // namespace

LoadReport run_load(const LoadOptions& options, const std::vector<LoadAccount>& accounts) {
  LoadReport report;
  if (accounts.empty() || std::any_of(accounts.begin(), accounts.end(),
                                      [](const LoadAccount& a) { return a.mix.empty(); }))
    return report;
  report.connections = std::min<int>(options.connections, static_cast<int>(accounts.size()));
  // One thread, like the daemon's io_context: the generator must not take
  // more of the 2 cores than the daemon would.
  asio::io_context io{1};
  tcp::endpoint endpoint(asio::ip::make_address(options.host),
                         static_cast<unsigned short>(options.port));
  const auto start = SteadyClock::now();
  std::vector<Connection> connections;
  connections.reserve(static_cast<std::size_t>(report.connections));
  for (int c = 0; c < report.connections; ++c) {
    Connection conn{endpoint, {}, options.host, start + options.duration, report};
    for (auto a = static_cast<std::size_t>(c); a < accounts.size();
         a += static_cast<std::size_t>(report.connections))
      conn.accounts.push_back(accounts[a]);
    connections.push_back(std::move(conn));
  }
  for (auto& conn : connections) asio::co_spawn(io, conn.run(), asio::detached);
  io.run();
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return report;
}

}  // namespace ttlink::bench
