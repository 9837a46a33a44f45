// The alert commands: alerts, alert ack, alert test.
#include "ctl/alert_views.hpp"
#include "ctl/command_families.hpp"
#include "ctl/exit_codes.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

struct AlertArgs {
  std::string id;
  bool all = false;
};

int alert_test_exit(const json::value& result) {
  return alert_test_failed(result) ? kExitUnhealthy : kExitOk;
}

}  // namespace

void add_alert_commands(CLI::App& app, Commands& commands) {
  AlertArgs& a = commands.make_args<AlertArgs>();
  CLI::App* list = app.add_subcommand("alerts", "firing alerts, with their age and action");
  list->add_flag("--all", a.all, "resolved ones too");
  commands.add_call(
      list, "alerts.list",
      [&a] {
        return json::object{{"all", a.all}};
      },
      alerts_view);

  CLI::App* alert = app.add_subcommand("alert", "one alert: ack, or a test through every sink");
  alert->require_subcommand(1);
  CLI::App* ack = alert->add_subcommand("ack", "silence repeats until resolved or a new reason");
  ack->add_option("ID", a.id, "alert id")->required();
  commands.add_call(ack, "alert.ack", id_param(a.id), alert_acked_view);
  commands.add_call(
      alert->add_subcommand("test", "send a test alert to every sink, report each outcome"),
      "alert.test", no_params(), alert_test_view, alert_test_exit);
}

}  // namespace ttlink::ctl
