#pragma once
// Everything the sandbox holds while it runs, owned by the one io_context
// thread: the world, the id source, faults, QPS limits and the request log.
#include <string>

#include "api.hpp"
#include "faults.hpp"
#include "http_types.hpp"
#include "request_log.hpp"
#include "world.hpp"

namespace sandbox {

struct SandboxState {
  explicit SandboxState(std::uint64_t seed) : ids(seed) {}
  World world;
  Ids ids;
  Faults faults;
  QpsLimits qps;
  RequestLog log;
  std::string state_file;
};

// The families of handlers the router dispatches to.
HttpReply handle_control(SandboxState& state, const HttpRequest& req);
HttpReply handle_auth_page(SandboxState& state, const HttpRequest& req);

// Every JSON reply (API envelopes, errors, the control API) is made here, so
// it is valid UTF-8 whatever request bytes it echoes (utf8.hpp).
HttpReply json_reply(int status, const boost::json::value& body);
HttpReply control_error(const std::string& message);

// Worlds: the small demo world, and a big generated one for benchmarks.
void load_demo_world(World& w, Ids& ids);
void new_app(World& w, Ids& ids);
// Replaces the world; returns {"links","comments",...,"tokens"?} or an error
// message in `error`.
boost::json::object generate_world(SandboxState& state, const boost::json::object& spec,
                                   std::string* error);

// --state FILE: the world as JSON, written atomically (temp file + rename).
std::string save_state(const World& w, const std::string& path);
// "" when loaded or when the file does not exist yet (*loaded says which).
std::string load_state(World& w, const std::string& path, bool* loaded);

}  // namespace sandbox
