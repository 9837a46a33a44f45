#include "ctl/commands.hpp"

#include <boost/json/serialize.hpp>

#include <iostream>
#include <optional>
#include <thread>

#include "core/rpc/client.hpp"
#include "core/util/time.hpp"
#include "ctl/alert_views.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/render.hpp"
#include "ctl/spark_views.hpp"
#include "ctl/views.hpp"

#ifndef TTLINK_VERSION
#define TTLINK_VERSION "unknown"
#endif

namespace ttlink::ctl {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Upstream checks run inside some calls (check, refresh): allow them time.
constexpr auto kCallTimeout = 60s;
constexpr auto kPollInterval = 1s;

// The connection to ttlinkd, opened on first use; reports failures itself.
class Daemon {
 public:
  explicit Daemon(std::string socket) : socket_(std::move(socket)) {}

  // The method's result, or nullopt after printing why; failure() is then the exit code.
  std::optional<json::value> call(std::string_view method, json::object params = {}) {
    if (!client_) {
      auto connected = rpc::Client::connect(socket_, kCallTimeout);
      if (!connected) return report(connected.error());
      client_.emplace(std::move(*connected));
    }
    auto result = client_->call(method, std::move(params));
    if (!result) return report(result.error());
    return std::move(*result);
  }
  int failure() const { return failure_; }

 private:
  std::nullopt_t report(const rpc::ClientError& e) {
    if (e.unreachable) {
      std::cerr << "ttlinkctl: cannot reach ttlinkd: " << sanitize(e.message) << "\n";
      failure_ = kExitUnreachable;
    } else {
      std::cerr << "ttlinkctl: " << sanitize(e.message) << " (error " << e.code << ")\n";
      failure_ = kExitDaemonError;
    }
    return std::nullopt;
  }

  std::string socket_;
  std::optional<rpc::Client> client_;
  int failure_ = kExitOk;
};

void print_json(const json::value& v) {
  std::cout << json::serialize(v) << "\n";
}

const json::value& link_of(const json::value& result) {
  static const json::value kNull;
  const json::object* obj = result.if_object();
  const json::value* link = obj ? obj->if_contains("link") : nullptr;
  return link ? *link : kNull;
}

std::string string_member(const json::value& v, std::string_view key) {
  const json::object* obj = v.if_object();
  const json::value* m = obj ? obj->if_contains(key) : nullptr;
  return m && m->is_string() ? std::string(m->get_string()) : "";
}

bool has_attention(const json::value& status) {
  const json::object* obj = status.if_object();
  const json::value* ids = obj ? obj->if_contains("needs_attention") : nullptr;
  return ids && ids->is_array() && !ids->as_array().empty();
}

// Prints a result (human view or JSON) and returns `exit_code`.
int show(const GlobalOptions& options, const json::value& result,
         std::string (*view)(const json::value&), int exit_code = kExitOk) {
  if (options.json)
    print_json(result);
  else
    std::cout << view(result);
  return exit_code;
}

int link_exit(const json::value& link) {
  return state_needs_attention(link) ? kExitUnhealthy : kExitOk;
}

std::string result_link_view(const json::value& result) {
  return link_view(link_of(result));
}

}  // namespace

struct Commands::Args {
  std::string id;
  std::string advertiser;
  std::string code;
  std::string state;
  bool no_wait = false;
  bool all = false;
  std::string timeout = "1h";
  bool expiring = false;
  std::string link;
  std::string since;
  std::string status;
  std::string search;
  int limit = 100;
  std::string text;
};

namespace {

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return parse_duration(text) ? "" : "not a duration (e.g. 90s, 15m, 1h): " + text;
      },
      "DURATION");
}

// Polls link.get until the link leaves PENDING; exit 0 when ACTIVE, 4 for
// another state, 1 when the wait times out.
int wait_for_link(Daemon& daemon, const GlobalOptions& options, const std::string& link_id,
                  Seconds timeout) {
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
int authorize(Daemon& daemon, const GlobalOptions& options, std::string_view method,
              json::object params, bool no_wait, const std::string& timeout) {
  auto result = daemon.call(method, std::move(params));
  if (!result) return daemon.failure();
  if (no_wait) return show(options, *result, authorization_view);
  if (!options.json) std::cout << authorization_view(*result);
  return wait_for_link(daemon, options, string_member(*result, "link_id"),
                       parse_duration(timeout).value_or(Seconds(3600)));
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--socket", options.socket, "control socket of ttlinkd")
      ->envname("TTLINK_SOCKET")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print the method's JSON result, for scripts");
}

Commands::Commands(CLI::App& app, const GlobalOptions& options)
    : args_(std::make_unique<Args>()), options_(options) {
  Args& a = *args_;
  auto simple = [&](CLI::App* sub, std::string method, auto view, bool attention_matters) {
    commands_.emplace_back(sub, [this, method, view, attention_matters, &a] {
      Daemon daemon(options_.socket);
      json::object params;
      if (!a.id.empty()) params["id"] = a.id;
      auto result = daemon.call(method, std::move(params));
      if (!result) return daemon.failure();
      return show(options_, *result, view,
                  attention_matters ? link_exit(link_of(*result)) : kExitOk);
    });
  };

  commands_.emplace_back(
      app.add_subcommand("status", "link counts per state, and what needs attention"), [this] {
        Daemon daemon(options_.socket);
        auto result = daemon.call("status");
        if (!result) return daemon.failure();
        return show(options_, *result, status_view,
                    has_attention(*result) ? kExitUnhealthy : kExitOk);
      });
  simple(app.add_subcommand("links", "list the links"), "links.list", links_view, false);

  CLI::App* link = app.add_subcommand("link", "one link: show, start, complete");
  link->require_subcommand(1);
  CLI::App* show_cmd =
      link->add_subcommand("show", "a link, its pending authorization and history");
  show_cmd->add_option("ID", a.id, "link id")->required();
  simple(show_cmd, "link.get", link_details_view, true);

  CLI::App* start = link->add_subcommand("start", "start linking: prints the authorization URLs");
  start->add_option("--advertiser", a.advertiser, "advertiser (Ads Manager account) id");
  start->add_flag("--no-wait", a.no_wait, "return once the URLs are printed");
  start->add_option("--timeout", a.timeout, "how long to wait")
      ->check(duration_validator())
      ->capture_default_str();
  commands_.emplace_back(start, [this, &a] {
    Daemon daemon(options_.socket);
    json::object params;
    if (!a.advertiser.empty()) params["advertiser_id"] = a.advertiser;
    return authorize(daemon, options_, "link.start", std::move(params), a.no_wait, a.timeout);
  });

  CLI::App* complete =
      link->add_subcommand("complete", "finish an authorization with a pasted code");
  complete->add_option("--code", a.code, "the code (or auth_code) from the redirect")->required();
  complete->add_option("--state", a.state, "the state from the redirect")->required();
  commands_.emplace_back(complete, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("link.complete", {{"code", a.code}, {"state", a.state}});
    if (!result) return daemon.failure();
    return show(options_, *result, result_link_view, link_exit(link_of(*result)));
  });

  CLI::App* reauth = app.add_subcommand("reauth", "reauthorize a link: prints the URLs");
  reauth->add_option("ID", a.id, "link id")->required();
  reauth->add_flag("--no-wait", a.no_wait, "return once the URLs are printed");
  reauth->add_option("--timeout", a.timeout, "how long to wait")
      ->check(duration_validator())
      ->capture_default_str();
  commands_.emplace_back(reauth, [this, &a] {
    Daemon daemon(options_.socket);
    return authorize(daemon, options_, "link.reauth", {{"id", a.id}}, a.no_wait, a.timeout);
  });

  for (auto [name, method, summary] :
       {std::tuple{"unlink", "link.unlink", "remove a link; revokes its tokens"},
        std::tuple{"refresh", "link.refresh", "refresh a link's tokens now"}}) {
    CLI::App* sub = app.add_subcommand(name, summary);
    sub->add_option("ID", a.id, "link id")->required();
    simple(sub, method, result_link_view, false);
  }
  CLI::App* check = app.add_subcommand("check", "run every check of a link now");
  check->add_option("ID", a.id, "link id")->required();
  simple(check, "link.check", result_link_view, true);

  add_alert_commands(app);
  add_spark_commands(app);

  commands_.emplace_back(app.add_subcommand("version", "versions of ttlinkctl and ttlinkd"),
                         [this] {
                           if (!options_.json) std::cout << "ttlinkctl " << TTLINK_VERSION << "\n";
                           Daemon daemon(options_.socket);
                           auto result = daemon.call("daemon.version");
                           if (!result) return daemon.failure();
                           if (options_.json) return show(options_, *result, nullptr);
                           std::cout << "ttlinkd " << field(*result, "version") << " (store schema "
                                     << field(*result, "schema_version") << ")\n";
                           return static_cast<int>(kExitOk);
                         });
  simple(app.add_subcommand("methods", "the control methods ttlinkd serves"), "daemon.methods",
         methods_view, false);
  simple(app.add_subcommand("reload", "re-read ttlinkd's config (as SIGHUP does)"), "daemon.reload",
         reload_view, false);
}

void Commands::add_alert_commands(CLI::App& app) {
  Args& a = *args_;
  CLI::App* list = app.add_subcommand("alerts", "firing alerts, with their age and action");
  list->add_flag("--all", a.all, "resolved ones too");
  commands_.emplace_back(list, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("alerts.list", {{"all", a.all}});
    if (!result) return daemon.failure();
    return show(options_, *result, alerts_view);
  });

  CLI::App* alert = app.add_subcommand("alert", "one alert: ack, or a test through every sink");
  alert->require_subcommand(1);
  CLI::App* ack = alert->add_subcommand("ack", "silence repeats until resolved or a new reason");
  ack->add_option("ID", a.id, "alert id")->required();
  commands_.emplace_back(ack, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("alert.ack", {{"id", a.id}});
    if (!result) return daemon.failure();
    return show(options_, *result, alert_acked_view);
  });
  commands_.emplace_back(
      alert->add_subcommand("test", "send a test alert to every sink, report each outcome"),
      [this] {
        Daemon daemon(options_.socket);
        auto result = daemon.call("alert.test");
        if (!result) return daemon.failure();
        return show(options_, *result, alert_test_view,
                    alert_test_failed(*result) ? kExitUnhealthy : kExitOk);
      });
}

void Commands::add_spark_commands(CLI::App& app) {
  Args& a = *args_;
  CLI::App* posts =
      app.add_subcommand("posts", "Spark Ads posts and when their authorization ends");
  posts->add_flag("--expiring", a.expiring, "only those expiring or expired");
  commands_.emplace_back(posts, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("posts.list", {{"expiring", a.expiring}});
    if (!result) return daemon.failure();
    return show(options_, *result, posts_view);
  });

  CLI::App* comments = app.add_subcommand("comments", "comments on promoted videos, newest first");
  comments->add_option("--link", a.link, "only this link's");
  comments->add_option("--since", a.since, "RFC 3339 time, or a duration ago (2h, 7d)");
  comments->add_option("--status", a.status, "new, replied or hidden")
      ->check(CLI::IsMember({"new", "replied", "hidden"}));
  comments->add_option("--search", a.search, "text or author contains this");
  comments->add_option("--limit", a.limit, "at most this many")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  commands_.emplace_back(comments, [this, &a] {
    Daemon daemon(options_.socket);
    json::object params{{"limit", a.limit}};
    if (!a.link.empty()) params["link_id"] = a.link;
    if (!a.since.empty()) params["since"] = a.since;
    if (!a.status.empty()) params["status"] = a.status;
    if (!a.search.empty()) params["search"] = a.search;
    auto result = daemon.call("comments.list", std::move(params));
    if (!result) return daemon.failure();
    return show(options_, *result, comments_view);
  });

  CLI::App* comment = app.add_subcommand("comment", "act on one comment: reply, hide, unhide");
  comment->require_subcommand(1);
  CLI::App* reply = comment->add_subcommand("reply", "reply as the link's identity");
  reply->add_option("ID", a.id, "comment id")->required();
  reply->add_option("TEXT", a.text, "the reply")->required();
  commands_.emplace_back(reply, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("comment.reply", {{"id", a.id}, {"text", a.text}});
    if (!result) return daemon.failure();
    return show(options_, *result, comment_action_view);
  });
  for (auto [name, method, summary] :
       {std::tuple{"hide", "comment.hide", "hide a comment"},
        std::tuple{"unhide", "comment.unhide", "make a hidden comment public again"}}) {
    CLI::App* sub = comment->add_subcommand(name, summary);
    sub->add_option("ID", a.id, "comment id")->required();
    commands_.emplace_back(sub, [this, &a, method = std::string(method)] {
      Daemon daemon(options_.socket);
      auto result = daemon.call(method, {{"id", a.id}});
      if (!result) return daemon.failure();
      return show(options_, *result, comment_action_view);
    });
  }
  CLI::App* sync = app.add_subcommand("sync", "sync a link's Spark Ads posts and comments now");
  sync->add_option("ID", a.id, "link id")->required();
  commands_.emplace_back(sync, [this, &a] {
    Daemon daemon(options_.socket);
    auto result = daemon.call("spark.sync", {{"id", a.id}});
    if (!result) return daemon.failure();
    return show(options_, *result, sync_view);
  });
}

Commands::~Commands() = default;

int Commands::run() {
  for (auto& [sub, action] : commands_)
    if (sub->parsed()) return action();
  return kExitUsage;  // unreachable: the command line requires a command
}

int usage_exit(const CLI::App& app, const CLI::ParseError& error) {
  int code = app.exit(error);
  return code == 0 ? kExitOk : kExitUsage;
}

}  // namespace ttlink::ctl
