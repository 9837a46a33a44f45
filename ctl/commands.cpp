#include "ctl/commands.hpp"

#include "ctl/command_families.hpp"
#include "ctl/daemon_call.hpp"
#include "ctl/exit_codes.hpp"

#include <algorithm>
#include <iostream>
#include <optional>

#include "core/version.hpp"

namespace ttlink::ctl {

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown command 'link add'; did you mean 'link start'?" when the word
// after the deepest command given names none of its commands (before, CLI11
// answered "A subcommand is required" to `ttlinkctl lnks`).
std::optional<std::string> unknown_command(const CLI::App& app) {
  const CLI::App* at = &app;
  std::string path;
  for (auto parsed = at->get_subcommands(); !parsed.empty(); parsed = at->get_subcommands()) {
    at = parsed.front();
    path += at->get_name() + " ";
  }
  // A word the parser left over lands with the command or with its parent.
  const auto rest = app.remaining(true);
  if (rest.empty() || rest.front().rfind('-', 0) == 0) return std::nullopt;
  const std::string word = rest.front();
  std::string message = "unknown command '" + path + word + "'";
  std::string best;
  std::size_t best_distance = 3;  // suggest only close names
  for (const CLI::App* sub : at->get_subcommands([](const CLI::App*) { return true; })) {
    const std::size_t d = edit_distance(word, sub->get_name());
    if (d < best_distance) best_distance = d, best = sub->get_name();
  }
  if (!best.empty()) message += "; did you mean '" + path + best + "'?";
  return message + " (ttlinkctl " + path + "--help lists the commands)";
}

}  // namespace

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

void add_version_flag(CLI::App& app) {
  app.set_version_flag("--version", std::string("ttlinkctl ") + kVersion,
                       "print ttlinkctl's version (`ttlinkctl version` asks the daemon too)");
}

int usage_exit(const CLI::App& app, const CLI::ParseError& error) {
  if (auto unknown = unknown_command(app)) {
    std::cerr << "ttlinkctl: " << *unknown << "\n";
    return kExitUsage;
  }
  int code = app.exit(error);
  return code == 0 ? kExitOk : kExitUsage;
}

}  // namespace ttlink::ctl
