// The OAuth callback handler end to end: any request target (and GET or
// POST) through query parsing, state validation and, with a real pending
// state ("@A"/"@C" in the input), the code exchange against an unreachable
// upstream; and the action links (/callback/reauth/TOKEN, "@A" makes a
// well-formed token). Checked: a page with a known status comes back, and a code
// never appears in it. Each input starts from the same store (daemon_parts.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>

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

// The pages the handler means to answer: the callback's 200/400, 404 and
// 405; an action link's redirect (302), 410 when it is unknown or closed,
// 502 when upstream fails, and 500 when its link needs no authorization.
bool known_answer(const http::Response& res) {
  switch (res.status) {
    case 200:
    case 302:
    case 400:
    case 404:
    case 405:
    case 410:
    case 502:
      return true;
    case 500:
      return res.body.find("Nothing to authorize") != std::string::npos;
    default:
      return false;
  }
}

// The handler over the current LinkService (a new one after an input
// changed the store: see daemon_parts.hpp).
http::Handler& callback_handler() {
  static http::Handler handler;
  return handler;
}

void build_handler(fuzz::DaemonParts& parts) {
  callback_handler() = links::make_callback_handler(*parts.service, parts.log);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  build_handler(fuzz::daemon_parts());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& parts = fuzz::daemon_parts();
  http::Handler& handler = callback_handler();
  std::string input(reinterpret_cast<const char*>(data), size);
  http::Request req;
  req.method = !input.empty() && input[0] == '!' ? "POST" : "GET";
  req.target = parts.with_states(req.method == "POST" ? input.substr(1) : input);
  req.peer = "127.0.0.1:40000";
  http::Response res = fuzz::run(parts.io, handler(req));
  if (!known_answer(res)) {
    std::fprintf(stderr, "fuzz_callback: unexpected HTTP %d: %s\n", res.status, res.body.c_str());
    __builtin_trap();
  }
  const std::string code = code_in(req.target);
  // A code that is also part of another parameter (e.g. upstream's `error`
  // text, which the page quotes, escaped) is the sender's own text: only a
  // code the page could have taken from `code=` alone counts.
  const auto first = req.target.find(code);
  const bool only_in_code =
      first != std::string::npos && req.target.find(code, first + 1) == std::string::npos;
  if (code.size() >= 12 && plain_word(code) && only_in_code &&
      res.body.find(code) != std::string::npos) {
    std::fprintf(stderr, "fuzz_callback: the code %s is in the page (HTTP %d): %s\n", code.c_str(),
                 res.status, res.body.c_str());
    __builtin_trap();  // a one-time code echoed into the page
  }
  if (parts.reset_if_changed()) build_handler(parts);
  return 0;
}
