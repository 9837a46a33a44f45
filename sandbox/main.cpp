// ttlink-sandbox: a local TikTok API for Business. main wires the pieces:
// options, world (demo, empty or --state), router, server, signals.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <iostream>
#include <random>

#include "options.hpp"
#include "router.hpp"
#include "server.hpp"

namespace {

std::uint64_t seed_of(const sandbox::Options& o) {
  if (o.seed) return *o.seed;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

// The starting world: --state when its file exists, else demo or empty.
bool initial_world(sandbox::SandboxState& state, const sandbox::Options& o) {
  sandbox::new_app(state.world, state.ids);
  if (!o.state_file.empty()) {
    bool loaded = false;
    if (auto e = sandbox::load_state(state.world, o.state_file, &loaded); !e.empty()) {
      std::cerr << "ttlink-sandbox: " << e << "\n";
      return false;
    }
    if (loaded) return true;
  }
  if (!o.empty) sandbox::load_demo_world(state.world, state.ids);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = sandbox::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    std::cerr << parsed.error;
    return parsed.help ? 0 : 2;
  }
  const auto& options = *parsed.options;
  sandbox::SandboxState state(seed_of(options));
  state.state_file = options.state_file;
  if (!initial_world(state, options)) return 1;
  sandbox::Router router(state);

  boost::asio::io_context io;
  sandbox::ServerOptions server_options;
  server_options.listen_host = options.listen_host;
  server_options.listen_port = options.listen_port;
  server_options.tls = options.tls;
  sandbox::Server server(io, server_options, [&router](sandbox::HttpRequest req) {
    return router.handle(std::move(req));
  });
  // Signals first: a SIGTERM sent right after the listening line must exit 0.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  if (auto err = server.start(); !err.empty()) {
    std::cerr << "ttlink-sandbox: " << err << "\n";
    return 1;
  }
  std::printf("listening on %s\n", server.url().c_str());
  std::fflush(stdout);
  io.run();
  if (!state.state_file.empty()) {
    if (auto e = sandbox::save_state(state.world, state.state_file); !e.empty()) {
      std::cerr << "ttlink-sandbox: " << e << "\n";
      return 1;
    }
  }
  return 0;
}
