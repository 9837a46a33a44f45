// The link commands: status, links, link show|start|complete, reauth,
// unlink, refresh, check. Start and reauth print the authorization URLs and
// then wait for the link to leave PENDING.
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "core/util/time.hpp"
#include "ctl/command_families.hpp"
#include "ctl/daemon_call.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/render.hpp"
#include "ctl/stdin_code.hpp"
#include "ctl/views.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);

struct LinkArgs {
  std::string id;
  std::string advertiser;
  std::string code;
  std::string state;
  bool no_wait = false;
  std::string timeout = "1h";
};

const json::value& link_of(const json::value& result) {
  return member(result, "link");
}

// 4 when a link needs a person, or TikTok forbids the app itself (40113:
// every link is affected though none has changed state).
int status_exit(const json::value& status) {
  const json::value& ids = member(status, "needs_attention");
  if (ids.is_array() && !ids.as_array().empty()) return kExitUnhealthy;
  if (const json::array* open = member(member(status, "retries"), "backoffs").if_array())
    for (const auto& b : *open)
      if (const json::value& code = member(b, "code"); code.is_int64() && code.as_int64() == 40113)
        return kExitUnhealthy;
  return kExitOk;
}

// 4 when the result's link needs a person to act on it.
int link_exit(const json::value& result) {
  return state_needs_attention(link_of(result)) ? kExitUnhealthy : kExitOk;
}

std::string result_link_view(const json::value& result) {
  return link_view(link_of(result));
}

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return parse_duration(text) ? "" : "not a duration (e.g. 90s, 15m, 1h): " + text;
      },
      "DURATION");
}

// Polls link.get until the link leaves PENDING; exit 0 when ACTIVE, 4 for
// another state, 1 when the wait times out.
int wait_for_link(DaemonConnection& daemon, const GlobalOptions& options,
                  const std::string& link_id, Seconds timeout) {
  if (!options.json)
    std::cout << "Waiting for the authorization (up to " << format_duration(timeout)
              << "; Ctrl-C stops waiting, not the link)...\n"
              << std::flush;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto result = daemon.call("link.get", {{"id", link_id}});
    if (!result) return daemon.failure();
    const json::value& link = link_of(*result);
    std::string state = state_of(link);
    if (state != "PENDING") {
      if (options.json)
        print_json(*result);
      else
        std::cout << link_view(link);
      return state == "ACTIVE" ? kExitOk : kExitUnhealthy;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
  }
  std::cerr << "ttlinkctl: link " << sanitize(link_id) << " is still PENDING after "
            << format_duration(timeout) << "; check it with: ttlinkctl link show "
            << sanitize(link_id) << "\n";
  return kExitDaemonError;
}

// link.start and link.reauth: print the URLs, then wait unless told not to.
int authorize(const GlobalOptions& options, std::string_view method, json::object params,
              const LinkArgs& a) {
  DaemonConnection daemon(options.socket);
  auto result = daemon.call(method, std::move(params));
  if (!result) return daemon.failure();
  if (a.no_wait) return show(options, *result, authorization_view);
  if (!options.json) std::cout << authorization_view(*result);
  const json::value& link_id = member(*result, "link_id");
  return wait_for_link(daemon, options,
                       link_id.is_string() ? std::string(link_id.get_string()) : "",
                       parse_duration(a.timeout).value_or(Seconds(3600)));
}

void add_wait_options(CLI::App* sub, LinkArgs& a) {
  sub->add_flag("--no-wait", a.no_wait, "return once the URLs are printed");
  sub->add_option("--timeout", a.timeout, "how long to wait")
      ->check(duration_validator())
      ->capture_default_str();
}

void add_start(CLI::App* link, Commands& commands, LinkArgs& a) {
  CLI::App* start = link->add_subcommand("start", "start linking: prints the authorization URLs");
  start->add_option("--advertiser", a.advertiser, "advertiser (Ads Manager account) id");
  add_wait_options(start, a);
  commands.add(start, [&options = commands.options(), &a] {
    json::object params;
    if (!a.advertiser.empty()) params["advertiser_id"] = a.advertiser;
    return authorize(options, "link.start", std::move(params), a);
  });
}

int complete_link(const GlobalOptions& options, const LinkArgs& a) {
  std::string code = a.code;
  if (code == "-") {
    auto read = code_from_stdin();
    if (!read) {
      std::cerr << "ttlinkctl: --code -: no code on stdin (expected the code on one line)\n";
      return kExitUsage;
    }
    code = std::move(*read);
  }
  return call_and_show(options, "link.complete", {{"code", code}, {"state", a.state}},
                       result_link_view, link_exit);
}

void add_complete(CLI::App* link, Commands& commands, LinkArgs& a) {
  CLI::App* complete =
      link->add_subcommand("complete", "finish an authorization with a pasted code");
  complete
      ->add_option("--code", a.code,
                   "the code (or auth_code) from the redirect; - reads it from stdin")
      ->required();
  complete->add_option("--state", a.state, "the state from the redirect")->required();
  complete->footer(
      "Prefer --code - and paste (or pipe) the code on stdin: a code on the\n"
      "command line shows in ps and in the shell's history.\n"
      "  ttlinkctl link complete --code - --state STATE");
  commands.add(complete, [&options = commands.options(), &a] { return complete_link(options, a); });
}

// links.list a page at a time: one answer with 100,000 links would hold
// the daemon's only thread for seconds. A daemon that does not page answers
// every link at once, without `next`: the loop ends after it.
constexpr std::int64_t kLinksPage = 500;

int list_links(const GlobalOptions& options) {
  DaemonConnection daemon(options.socket);
  json::array links;
  json::object params{{"limit", kLinksPage}};
  for (;;) {
    auto page = daemon.call("links.list", params);
    if (!page) return daemon.failure();
    const json::array* listed = member(*page, "links").if_array();
    if (!listed) {
      std::cerr << "ttlinkctl: the daemon's links.list answer has no \"links\" list\n";
      return kExitDaemonError;
    }
    links.insert(links.end(), listed->begin(), listed->end());
    const json::value& next = member(*page, "next");
    if (!next.is_string() || listed->empty()) break;
    params["after"] = next;
  }
  return show(options, json::value(json::object{{"links", std::move(links)}}), links_view);
}

}  // namespace

void add_link_commands(CLI::App& app, Commands& commands) {
  LinkArgs& a = commands.make_args<LinkArgs>();

  commands.add_call(app.add_subcommand("status", "link counts per state, and what needs attention"),
                    "status", no_params(), status_view, status_exit);
  commands.add(app.add_subcommand("links", "list the links"),
               [&options = commands.options()] { return list_links(options); });

  CLI::App* link = app.add_subcommand("link", "one link: show, start, complete");
  link->require_subcommand(1);
  CLI::App* show_cmd =
      link->add_subcommand("show", "a link, its pending authorization and history");
  show_cmd->add_option("ID", a.id, "link id")->required();
  commands.add_call(show_cmd, "link.get", id_param(a.id), link_details_view, link_exit);
  add_start(link, commands, a);
  add_complete(link, commands, a);

  CLI::App* reauth = app.add_subcommand("reauth", "reauthorize a link: prints the URLs");
  reauth->add_option("ID", a.id, "link id")->required();
  add_wait_options(reauth, a);
  commands.add(reauth, [&options = commands.options(), &a] {
    return authorize(options, "link.reauth", {{"id", a.id}}, a);
  });

  for (auto [name, method, summary, exit_rule] :
       {std::tuple{"unlink", "link.unlink", "remove a link; revokes its tokens", ExitRule{}},
        std::tuple{"refresh", "link.refresh", "refresh a link's tokens now", ExitRule{}},
        std::tuple{"check", "link.check", "run every check of a link now", &link_exit}}) {
    CLI::App* sub = app.add_subcommand(name, summary);
    sub->add_option("ID", a.id, "link id")->required();
    commands.add_call(sub, method, id_param(a.id), result_link_view, exit_rule);
  }
}

}  // namespace ttlink::ctl
