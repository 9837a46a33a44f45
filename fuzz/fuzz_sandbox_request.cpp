// The sandbox's request handling: any request (method line, headers, body)
// through its target parsing, parameter parsing (query or JSON body) and the
// router, each time on the demo world as it was built (a copy). The control
// API (/_sandbox/) is left out: it is for tests and can build worlds of any size on purpose. In
// the input, "@I" becomes the app id and "@K" the app secret.
// Input: "METHOD TARGET\nname: value\n...\n\nBODY".
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "router.hpp"
#include "sandbox_state.hpp"

namespace {

void replace_all(std::string& text, const std::string& mark, const std::string& with) {
  for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at + with.size()))
    text.replace(at, mark.size(), with);
}

sandbox::HttpRequest request_from(const std::string& input) {
  sandbox::HttpRequest req;
  const auto head_end = input.find("\n\n");
  const std::string head = input.substr(0, head_end);
  if (head_end != std::string::npos) req.body = input.substr(head_end + 2);
  std::size_t line_end = head.find('\n');
  const std::string first = head.substr(0, line_end);
  const auto space = first.find(' ');
  req.method = first.substr(0, space);
  req.target = space == std::string::npos ? "/" : first.substr(space + 1);
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 1;
    line_end = head.find('\n', start);
    const std::string line = head.substr(start, line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    req.headers[name] = line.substr(std::min(line.size(), colon + 2));
  }
  sandbox::parse_target(req);
  return req;
}

[[noreturn]] void fail(const char* what, const sandbox::HttpReply& reply) {
  std::fprintf(stderr, "fuzz_sandbox_request: %s: HTTP %d, %s: %s\n", what, reply.status,
               reply.content_type.c_str(), reply.body.c_str());
  __builtin_trap();
}

// The demo world, built once: each input starts from a copy (building it costs
// more than most requests).
const sandbox::SandboxState& demo_state() {
  static const sandbox::SandboxState demo = [] {
    sandbox::SandboxState s(7);
    sandbox::new_app(s.world, s.ids);
    sandbox::load_demo_world(s.world, s.ids);
    return s;
  }();
  return demo;
}

// The sandbox as its main() holds it: one state, one router (its route table
// built once) and one io_context, for every input.
struct Sandbox {
  sandbox::SandboxState state = demo_state();
  sandbox::Router router{state};
  boost::asio::io_context io;
};

Sandbox& the_sandbox() {
  static Sandbox s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  the_sandbox();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  replace_all(input, "@I", demo_state().world.app_id);
  replace_all(input, "@K", demo_state().world.app_secret);
  sandbox::HttpRequest req = request_from(input);
  if (req.path.rfind("/_sandbox/", 0) == 0) return 0;
  Sandbox& sb = the_sandbox();
  sb.state = demo_state();  // what the last input changed is gone
  auto future =
      boost::asio::co_spawn(sb.io, sb.router.handle(std::move(req)), boost::asio::use_future);
  sb.io.restart();
  sb.io.run();
  sandbox::HttpReply reply = future.get();
  if (reply.status < 200 || reply.status > 599) fail("status out of range", reply);
  if (reply.content_type == "application/json") {
    boost::system::error_code ec;
    auto body = boost::json::parse(reply.body, ec);
    if (ec || !body.is_object()) fail("a JSON reply that is not a JSON object", reply);
  }
  return 0;
}
