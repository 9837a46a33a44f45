#pragma once
// ttlinkctl's commands: each maps to one control method and its params,
// prints the result (human view or --json) and picks the exit code. They are
// declared by family (command_families.hpp), each in its own file; most are
// one add_call(): method, params, view, exit rule.
#include <CLI/CLI.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ttlink::ctl {

inline constexpr const char* kDefaultSocket = "/run/ttlink/ttlinkd.sock";

struct GlobalOptions {
  std::string socket = kDefaultSocket;
  bool json = false;
};

// --socket (env TTLINK_SOCKET) and --json.
void add_global_options(CLI::App& app, GlobalOptions& options);

// The human view of a method's result.
using View = std::string (*)(const boost::json::value& result);
// The exit code a result calls for (4 when what was asked about needs attention).
using ExitRule = int (*)(const boost::json::value& result);
// A method's params, built once the command line is parsed.
using Params = std::function<boost::json::object()>;
// No params; {"id": id}, with `id` as parsed (it must outlive the commands:
// a member of make_args()).
Params no_params();
Params id_param(const std::string& id);

// Declares every command on `app`; run() executes the one that was parsed.
class Commands {
 public:
  Commands(CLI::App& app, const GlobalOptions& options);
  int run() const;

  const GlobalOptions& options() const { return options_; }
  // Where a family's options are parsed to; lives as long as the commands.
  template <class Args>
  Args& make_args() {
    auto args = std::make_shared<Args>();
    args_.push_back(args);
    return *args;
  }
  // `sub` runs `action`, which returns the exit code.
  void add(CLI::App* sub, std::function<int()> action);
  // `sub` calls `method` with `params()`, prints the result through `view`
  // (as JSON with --json) and exits by `exit_rule` (0 when none).
  void add_call(CLI::App* sub, std::string method, Params params, View view,
                ExitRule exit_rule = nullptr);

 private:
  const GlobalOptions& options_;
  std::vector<std::shared_ptr<void>> args_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

// The exit code for a command line CLI11 could not parse (0 for --help).
int usage_exit(const CLI::App& app, const CLI::ParseError& error);
// --version: ttlinkctl's own version, without a daemon.
void add_version_flag(CLI::App& app);

}  // namespace ttlink::ctl
