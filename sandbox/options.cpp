#include "options.hpp"

#include <charconv>

namespace sandbox {
namespace {

bool parse_listen(const std::string& text, Options& o) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto port_text = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535 || host.empty())
    return false;
  o.listen_host = host;
  o.listen_port = static_cast<unsigned short>(port);
  return true;
}

}  // namespace

std::string usage() {
  return "usage: ttlink-sandbox [--listen ADDR:PORT] [--seed N] [--state FILE] "
         "[--tls CERT KEY] [--empty]\n";
}

ParsedOptions parse_options(const std::vector<std::string>& args) {
  Options o;
  auto fail = [](std::string m) { return ParsedOptions{std::nullopt, m + "\n" + usage(), false}; };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto need = [&](std::size_t n) { return i + n < args.size(); };
    if (a == "--help" || a == "-h") return ParsedOptions{std::nullopt, usage(), true};
    if (a == "--empty") {
      o.empty = true;
    } else if (a == "--listen") {
      if (!need(1) || !parse_listen(args[++i], o)) return fail("--listen needs ADDR:PORT");
    } else if (a == "--seed") {
      if (!need(1)) return fail("--seed needs a number");
      const auto& t = args[++i];
      std::uint64_t seed = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), seed);
      if (ec != std::errc() || p != t.data() + t.size()) return fail("--seed needs a number");
      o.seed = seed;
    } else if (a == "--state") {
      if (!need(1)) return fail("--state needs a FILE");
      o.state_file = args[++i];
    } else if (a == "--tls") {
      if (!need(2)) return fail("--tls needs CERT and KEY files");
      o.tls = std::make_pair(args[i + 1], args[i + 2]);
      i += 2;
    } else {
      return fail("unknown argument: " + a);
    }
  }
  return ParsedOptions{o, "", false};
}

}  // namespace sandbox
