#include "ctl/commands.hpp"

#include "ctl/command_families.hpp"
#include "ctl/daemon_call.hpp"
#include "ctl/exit_codes.hpp"

namespace ttlink::ctl {

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--socket", options.socket, "control socket of ttlinkd")
      ->envname("TTLINK_SOCKET")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print the method's JSON result, for scripts");
}

Commands::Commands(CLI::App& app, const GlobalOptions& options) : options_(options) {
  add_link_commands(app, *this);
  add_alert_commands(app, *this);
  add_spark_commands(app, *this);
  add_ads_commands(app, *this);
  add_daemon_commands(app, *this);
}

Params no_params() {
  return [] { return boost::json::object{}; };
}

Params id_param(const std::string& id) {
  return [&id] { return boost::json::object{{"id", id}}; };
}

void Commands::add(CLI::App* sub, std::function<int()> action) {
  commands_.emplace_back(sub, std::move(action));
}

void Commands::add_call(CLI::App* sub, std::string method, Params params, View view,
                        ExitRule exit_rule) {
  add(sub, [this, method = std::move(method), params = std::move(params), view, exit_rule] {
    return call_and_show(options_, method, params(), view, exit_rule);
  });
}

int Commands::run() const {
  for (const auto& [sub, action] : commands_)
    if (sub->parsed()) return action();
  return kExitUsage;  // unreachable: the command line requires a command
}

int usage_exit(const CLI::App& app, const CLI::ParseError& error) {
  int code = app.exit(error);
  return code == 0 ? kExitOk : kExitUsage;
}

}  // namespace ttlink::ctl
