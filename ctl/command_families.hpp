#pragma once
// The families of ttlinkctl commands, each declared in its own file; the
// order of the calls is the order of `ttlinkctl --help`.
#include <CLI/CLI.hpp>

#include "ctl/commands.hpp"

namespace ttlink::ctl {

// status, links, link show|start|complete, reauth, unlink, refresh, check
// (link_commands.cpp).
void add_link_commands(CLI::App& app, Commands& commands);
// alerts, alert ack|test (alert_commands.cpp).
void add_alert_commands(CLI::App& app, Commands& commands);
// posts, comments, comment reply|hide|unhide, sync (spark_commands.cpp).
void add_spark_commands(CLI::App& app, Commands& commands);
// identities, spark authorize|unbind, campaign create, report (ads_commands.cpp).
void add_ads_commands(CLI::App& app, Commands& commands);
// version, methods, reload, backup (daemon_commands.cpp).
void add_daemon_commands(CLI::App& app, Commands& commands);

}  // namespace ttlink::ctl
