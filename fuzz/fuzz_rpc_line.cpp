// Control-socket lines through Registry::handle, with the real link methods
// registered over a real store (and an unreachable upstream): JSON-RPC
// parsing, envelope checks, and every link method's parameter checks. Each
// line of the input is one request; "@A"/"@C" name the pending link's states.
// Checked: a response is one line of valid JSON-RPC 2.0 with a result or an
// error, and the connection closes only after a parse error or an invalid
// request. Each input starts from the same store (daemon_parts.hpp).
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>

#include "core/links/link_methods.hpp"
#include "core/rpc/registry.hpp"
#include "daemon_parts.hpp"

using namespace ttlink;

namespace {

// The registry with the link methods of the current LinkService (a new one
// after an input changed the store: see daemon_parts.hpp).
std::unique_ptr<rpc::Registry>& registry() {
  static std::unique_ptr<rpc::Registry> r;
  return r;
}

void build_registry(fuzz::DaemonParts& parts) {
  registry() = std::make_unique<rpc::Registry>();
  links::register_link_methods(*registry(), *parts.service, [] { return Result<int>(0); });
}

void check_response(const std::string& response) {
  if (response.find('\n') != std::string::npos) __builtin_trap();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(response, ec);
  if (ec || !v.is_object()) __builtin_trap();
  const auto& o = v.as_object();
  const auto* version = o.if_contains("jsonrpc");
  if (!version || *version != "2.0") __builtin_trap();
  if (!o.contains("id") || (o.contains("result") == o.contains("error"))) __builtin_trap();
  if (const auto* error = o.if_contains("error")) {
    if (!error->is_object() || !error->as_object().contains("code")) __builtin_trap();
    const auto* message = error->as_object().if_contains("message");
    if (!message || !message->is_string() || message->as_string().empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  build_registry(fuzz::daemon_parts());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& parts = fuzz::daemon_parts();
  const rpc::Registry& r = *registry();
  std::istringstream lines(
      parts.with_states(std::string(reinterpret_cast<const char*>(data), size)));
  for (std::string line; std::getline(lines, line);) {
    rpc::LineOutcome outcome = fuzz::run(parts.io, r.handle(line, rpc::Peer{1000, 1000, 42}));
    if (outcome.response) check_response(*outcome.response);
    if (outcome.close_connection) break;
  }
  if (parts.reset_if_changed()) build_registry(parts);
  return 0;
}
