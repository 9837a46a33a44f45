#include "ctl/alert_views.hpp"

#include <boost/json/object.hpp>

#include "core/util/time.hpp"
#include "ctl/render.hpp"

namespace ttlink::ctl {
namespace json = boost::json;
namespace {

// "3h" since `since`, or "-" when it does not parse.
std::string age(const json::value& alert) {
  const json::value& since = member(alert, "since");
  if (!since.is_string()) return "-";
  auto t = parse_rfc3339(std::string(since.get_string()));
  if (!t) return "-";
  auto d = now_utc() - *t;
  return d.count() <= 0 ? "0s" : format_duration(d);
}

std::string status_of(const json::value& alert) {
  std::string status = field(alert, "status");
  const json::value& acked = member(alert, "acked");
  if (acked.is_bool() && acked.get_bool() && status == "firing") status += " (acked)";
  return status;
}

}  // namespace

std::string alerts_view(const json::value& result) {
  const json::array* alerts = member(result, "alerts").if_array();
  if (!alerts || alerts->empty()) return "No alerts.\n";
  Table table({"ID", "KIND", "SEVERITY", "STATUS", "AGE", "LINK"});
  for (const auto& a : *alerts)
    table.add_row({field(a, "id"), field(a, "kind"), field(a, "severity"), status_of(a), age(a),
                   field(member(a, "link"), "id")});
  std::string out = table.render();
  for (const auto& a : *alerts) {
    if (field(a, "status") != "firing") continue;
    const json::value& action = member(a, "action");
    out += "\n" + field(a, "id") + ": " + field(action, "text") + "\n";
    if (const std::string why = field(member(a, "reason"), "message"); why != "-")
      out += "  why:  " + why + "\n";
    if (member(action, "url").is_string()) out += "  open: " + field(action, "url") + "\n";
    out += "  run:  " + field(a, "ctl") + "\n";
  }
  return out;
}

std::string alert_acked_view(const json::value& result) {
  return "Acknowledged " + field(result, "id") + " (" + field(result, "kind") +
         "): no repeats until it resolves or its reason changes.\n";
}

std::string alert_test_view(const json::value& result) {
  const json::array* sinks = member(result, "sinks").if_array();
  if (!sinks || sinks->empty()) return "No alert sinks are configured ([[alerts.sink]]).\n";
  Table table({"SINK", "RESULT"});
  for (const auto& s : *sinks) {
    const json::value& ok = member(s, "ok");
    table.add_row({field(s, "sink"), ok.is_bool() && ok.get_bool() ? "ok" : field(s, "error")});
  }
  return table.render();
}

bool alert_test_failed(const json::value& result) {
  if (const json::array* sinks = member(result, "sinks").if_array())
    for (const auto& s : *sinks)
      if (const json::value& ok = member(s, "ok"); !ok.is_bool() || !ok.get_bool()) return true;
  return false;
}

}  // namespace ttlink::ctl
