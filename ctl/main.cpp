// ttlinkctl: the admin's tool for ttlinkd, over the control socket.
// main reads as a table of contents: options, commands, parse, run.
#include <CLI/CLI.hpp>

#include "ctl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ttlinkctl: link TikTok Business Accounts to Ads Manager and watch their health"};
  app.fallthrough();  // --json and --socket also after the command
  app.require_subcommand(1);

  ttlink::ctl::GlobalOptions options;
  ttlink::ctl::add_global_options(app, options);
  ttlink::ctl::add_version_flag(app);
  ttlink::ctl::Commands commands(app, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ttlink::ctl::usage_exit(app, e);
  }
  return commands.run();
}
