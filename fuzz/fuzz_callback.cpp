// The OAuth callback handler end to end: any request target (and GET or
// POST) through query parsing, state validation and, with a real pending
// state ("@A"/"@C" in the input), the code exchange against an unreachable
// upstream. Checked: a page with a known status comes back, and a code
// never appears in it.
#include <cstddef>
#include <cstdint>

#include "core/links/callback_handler.hpp"
#include "daemon_parts.hpp"

using namespace ttlink;

namespace {

std::string code_in(const std::string& target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return {};
  std::string code;
  for (auto p : url->params())
    if (p.key == "code" || p.key == "auth_code") code = p.value;
  return code;
}

bool plain_word(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isalnum(c)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::DaemonParts parts;
  static http::Handler handler = links::make_callback_handler(*parts.service, parts.log);
  std::string input(reinterpret_cast<const char*>(data), size);
  http::Request req;
  req.method = !input.empty() && input[0] == '!' ? "POST" : "GET";
  req.target = parts.with_states(req.method == "POST" ? input.substr(1) : input);
  req.peer = "127.0.0.1:40000";
  http::Response res = fuzz::run(parts.io, handler(req));
  if (res.status != 200 && res.status != 400 && res.status != 404 && res.status != 405)
    __builtin_trap();
  const std::string code = code_in(req.target);
  if (code.size() >= 12 && plain_word(code) && res.body.find(code) != std::string::npos)
    __builtin_trap();  // a one-time code echoed into the page
  return 0;
}
