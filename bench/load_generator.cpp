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

namespace ttlink::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

http::request<http::string_body> to_beast(const LoadRequest& r, const std::string& host) {
  http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
  req.set(http::field::host, host);
  req.keep_alive(true);
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (!r.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = r.body;
  }
  req.prepare_payload();
  return req;
}

// The sandbox answers every API call with HTTP 200; success is code 0. A
// substring test is enough here and keeps JSON parsing out of the
// generator's cost.
bool is_success(const http::response<http::string_body>& res) {
  return res.result() == http::status::ok && res.body().find("\"code\":0") != std::string::npos;
}

asio::awaitable<void> connection(tcp::endpoint endpoint,
                                 const std::vector<http::request<http::string_body>>& mix,
                                 std::size_t offset, SteadyClock::time_point end,
                                 LoadReport& report) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t next = offset;
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
      const auto& req = mix[next++ % mix.size()];
      stream.expires_after(std::chrono::seconds(10));
      auto [wec, w] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
      http::response<http::string_body> res;
      auto [rec, r] =
          co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
      if (wec || rec) {
        ++report.transport_errors;
        break;  // reconnect
      }
      ++(is_success(res) ? report.requests : report.api_errors);
      if (!res.keep_alive()) break;
    }
  }
}

}  // namespace

LoadReport run_load(const LoadOptions& options, const std::vector<LoadRequest>& mix) {
  LoadReport report;
  if (mix.empty()) return report;
  std::vector<http::request<http::string_body>> requests;
  for (const auto& r : mix) requests.push_back(to_beast(r, options.host));
  // One thread, like the daemon's io_context: the generator must not take
  // more of the 2 cores than the daemon would.
  asio::io_context io{1};
  tcp::endpoint endpoint(asio::ip::make_address(options.host),
                         static_cast<unsigned short>(options.port));
  const auto start = SteadyClock::now();
  const auto end = start + options.duration;
  for (int c = 0; c < options.connections; ++c)
    asio::co_spawn(io, connection(endpoint, requests, static_cast<std::size_t>(c), end, report),
                   asio::detached);
  io.run();
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return report;
}

}  // namespace ttlink::bench
