// ttlink-sandbox: a local TikTok API for Business. main wires the pieces:
// options, world, router, server, signals.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <iostream>

#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  auto parsed = sandbox::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    std::cerr << parsed.error;
    return parsed.help ? 0 : 2;
  }
  auto& options = *parsed.options;
  boost::asio::io_context io;
  sandbox::ServerOptions server_options;
  server_options.listen_host = options.listen_host;
  server_options.listen_port = options.listen_port;
  server_options.tls = options.tls;
  sandbox::Server server(io, server_options,
                         [](sandbox::HttpRequest) -> boost::asio::awaitable<sandbox::HttpReply> {
                           sandbox::HttpReply r;
                           r.status = 404;
                           r.body = R"({"error":"not found"})";
                           co_return r;
                         });
  if (auto err = server.start(); !err.empty()) {
    std::cerr << "ttlink-sandbox: " << err << "\n";
    return 1;
  }
  std::printf("listening on %s\n", server.url().c_str());
  std::fflush(stdout);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  io.run();
  return 0;
}
