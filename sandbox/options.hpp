#pragma once
// The command line: ttlink-sandbox [--listen ADDR:PORT] [--seed N]
// [--state FILE] [--tls CERT KEY] [--empty].
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sandbox {

struct Options {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;
  std::optional<std::uint64_t> seed;
  std::string state_file;
  std::optional<std::pair<std::string, std::string>> tls;
  bool empty = false;
};

// The options, or an error message for the user (usage included).
struct ParsedOptions {
  std::optional<Options> options;
  std::string error;
  bool help = false;
};

ParsedOptions parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace sandbox
