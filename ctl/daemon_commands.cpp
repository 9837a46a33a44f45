// The commands about ttlinkd itself: version, methods, reload.
#include <iostream>

#include "ctl/command_families.hpp"
#include "ctl/daemon_call.hpp"
#include "ctl/render.hpp"
#include "ctl/views.hpp"

#ifndef TTLINK_VERSION
#define TTLINK_VERSION "unknown"
#endif

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

std::string daemon_version_view(const json::value& result) {
  return "ttlinkd " + field(result, "version") + " (store schema " +
         field(result, "schema_version") + ")\n";
}

}  // namespace

void add_daemon_commands(CLI::App& app, Commands& commands) {
  commands.add(app.add_subcommand("version", "versions of ttlinkctl and ttlinkd"),
               [&options = commands.options()] {
                 if (!options.json) std::cout << "ttlinkctl " << TTLINK_VERSION << "\n";
                 return call_and_show(options, "daemon.version", {}, daemon_version_view);
               });
  commands.add_call(app.add_subcommand("methods", "the control methods ttlinkd serves"),
                    "daemon.methods", no_params(), methods_view);
  commands.add_call(app.add_subcommand("reload", "re-read ttlinkd's config (as SIGHUP does)"),
                    "daemon.reload", no_params(), reload_view);
}

}  // namespace ttlink::ctl
