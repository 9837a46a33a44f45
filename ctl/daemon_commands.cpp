// The commands about ttlinkd itself: version, methods, reload, backup.
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

std::string backup_view(const json::value& result) {
  return "Backed up the store to " + field(result, "path") + " (" + field(result, "bytes") +
         " bytes, " + field(result, "pages") + " pages)\n";
}

void add_backup(CLI::App& app, Commands& commands) {
  auto& path = commands.make_args<std::string>();
  CLI::App* backup =
      app.add_subcommand("backup", "copy the store, while ttlinkd runs, to a new file");
  backup
      ->add_option("FILE", path,
                   "absolute path of a file that does not exist yet, where ttlinkd may write")
      ->required();
  backup->footer(
      "ttlinkd writes FILE (mode 0600, owned by its user) and never overwrites one.\n"
      "Keep the store key file backed up apart: the copy's tokens need it.");
  commands.add_call(
      backup, "store.backup",
      [&path] {
        return json::object{{"path", path}};
      },
      backup_view);
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
  add_backup(app, commands);
}

}  // namespace ttlink::ctl
