#pragma once
// ttlinkctl's commands: each maps to one control method and its params,
// prints the result (human view or --json) and picks the exit code.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ttlink::ctl {

inline constexpr const char* kDefaultSocket = "/run/ttlink/ttlinkd.sock";

struct GlobalOptions {
  std::string socket = kDefaultSocket;
  bool json = false;
};

// --socket (env TTLINK_SOCKET) and --json.
void add_global_options(CLI::App& app, GlobalOptions& options);

// Declares every command on `app`; run() executes the one that was parsed.
class Commands {
 public:
  Commands(CLI::App& app, const GlobalOptions& options);
  ~Commands();
  int run();

 private:
  void add_alert_commands(CLI::App& app);
  void add_spark_commands(CLI::App& app);

  struct Args;
  std::unique_ptr<Args> args_;
  const GlobalOptions& options_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

// The exit code for a command line CLI11 could not parse (0 for --help).
int usage_exit(const CLI::App& app, const CLI::ParseError& error);

}  // namespace ttlink::ctl
