// ttlink-bench: the issue-5 and issue-16 benchmark. A real ttlinkd with N
// links against a real ttlink-sandbox: linking throughput, RSS per link (and
// where it goes), time to check every link once with max_qps unlimited as a
// ratio of what the sandbox serves a plain load generator in the same run,
// idle CPU, one /metrics scrape, restart to READY, the rate budget used under
// a backlog, and requests per check when 100 accounts share an advertiser.
// Prints one JSON object (stdout) and a human summary (stderr). Not a test:
// nothing passes or fails on the figures.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "heap_probe.hpp"
#include "linker.hpp"
#include "load_generator.hpp"
#include "phases.hpp"
#include "proc_stats.hpp"
#include "shared_world.hpp"

namespace ttlink::bench {
namespace json = boost::json;

namespace {

constexpr std::string_view kApiPrefix = "/open_api/v1.3";

struct Args {
  int links = 10000;
  int link_workers = 8;
  int connections = 32;
  double load_seconds = 5;
  int check_timeout_s = 3600;
  int posts_per_advertiser = 0;
  double idle_seconds = 60;
  int metrics_scrapes = 5;
  BudgetOptions budget;
  SharedWorldOptions shared;
  std::set<std::string> skip;
  bool runs(const std::string& phase) const { return !skip.count(phase); }
};

const std::set<std::string> kPhases = {"reference", "heap",    "links-list", "check",  "idle",
                                       "metrics",   "restart", "budget",     "shared", "main"};

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The calls of a scheduled check when the access token is due as well (as
// in the check phase, where both clocks move a day): the refresh, then
// token scopes, profile, advertiser, identity and Business Center, with the
// tokens the generated world issued. Only the advertiser's token is fixed in
// the text; the account's come from its chain, which each refresh moves on.
std::vector<LoadRequest> reference_mix(const json::object& t, const json::object& app) {
  const std::string api(kApiPrefix);
  std::string adv(t.at("advertiser_id").as_string()), open_id(t.at("open_id").as_string());
  std::string adv_token(t.at("advertiser_token").as_string());
  const std::string access = "{access_token}";
  return {{"POST",
           api + "/tt_user/oauth2/refresh_token/",
           json::serialize(json::object{{"client_id", app.at("app_id")},
                                        {"client_secret", app.at("secret")},
                                        {"grant_type", "refresh_token"},
                                        {"refresh_token", "{refresh_token}"}}),
           {}},
          {"POST",
           api + "/tt_user/token_info/get/",
           json::serialize(json::object{{"app_id", app.at("app_id")}, {"access_token", access}}),
           {}},
          {"GET",
           api + "/business/get/?business_id=" + open_id +
               "&fields=%5B%22username%22%2C%22is_business_account%22%5D",
           "",
           {{"Access-Token", access}}},
          {"GET",
           api + "/advertiser/info/?advertiser_ids=%5B%22" + adv +
               "%22%5D&fields=%5B%22status%22%2C%22name%22%5D",
           "",
           {{"Access-Token", adv_token}}},
          {"GET",
           api + "/identity/get/?advertiser_id=" + adv + "&identity_type=TT_USER",
           "",
           {{"Access-Token", adv_token}}},
          {"GET", api + "/bc/get/", "", {{"Access-Token", adv_token}}}};
}

json::object reference_load(test::SandboxProcess& sandbox, const json::object& app,
                            const json::array& tokens, const Args& args) {
  std::vector<LoadAccount> accounts;
  for (std::size_t i = 0; i < tokens.size() && accounts.size() < 64; ++i) {
    const auto& t = tokens[i].as_object();
    accounts.push_back({reference_mix(t, app), std::string(t.at("access_token").as_string()),
                        std::string(t.at("refresh_token").as_string())});
  }
  if (accounts.empty()) return {{"error", "no generated tokens"}};
  std::cerr << "reference load: " << args.connections << " connections, " << args.load_seconds
            << " s\n";
  LoadOptions load{"127.0.0.1", sandbox.port(), args.connections,
                   std::chrono::milliseconds(static_cast<long>(args.load_seconds * 1000))};
  const double cpu_before = cpu_seconds(sandbox.process().pid()).value_or(0);
  const double own_before = own_cpu_seconds();
  auto r = run_load(load, accounts);
  const double cpu = cpu_seconds(sandbox.process().pid()).value_or(0) - cpu_before;
  const double own = own_cpu_seconds() - own_before;
  return {{"requests", r.requests},
          {"api_errors", r.api_errors},
          {"transport_errors", r.transport_errors},
          {"token_rotations", r.rotations},
          {"connections", r.connections},
          {"seconds", r.seconds},
          {"requests_per_second", r.requests_per_second()},
          {"sandbox_cpu_ms_per_request", r.requests ? 1000 * cpu / r.requests : 0},
          {"sandbox_busy", r.seconds > 0 ? cpu / r.seconds : 0},
          {"generator_cpu_ms_per_request", r.requests ? 1000 * own / r.requests : 0}};
}

json::object linking_json(const LinkingReport& r, const ProcessMeter& daemon,
                          const ProcessMeter& sandbox, double bench_cpu, std::uint64_t upstream) {
  const double n = static_cast<double>(std::max<std::size_t>(1, r.linked));
  const double rate = static_cast<double>(r.linked) / r.seconds;
  auto ms = [&](double total) { return 1000 * total / n; };
  return {{"linked", r.linked},
          {"failed", r.failed},
          {"first_error", r.first_error},
          {"seconds", r.seconds},
          {"links_per_second", rate},
          {"projected_seconds_for_100000", rate > 0 ? 100000 / rate : 0},
          {"daemon_cpu_ms_per_link", 1000 * daemon.cpu_seconds() / n},
          {"sandbox_cpu_ms_per_link", 1000 * sandbox.cpu_seconds() / n},
          {"bench_cpu_ms_per_link", 1000 * bench_cpu / n},
          {"daemon", daemon.used()},
          {"sandbox", sandbox.used()},
          {"upstream_requests", upstream},
          {"upstream_requests_per_link", static_cast<double>(upstream) / n},
          {"wall_ms_per_link_by_step",
           {{"link_start", ms(r.steps.start)},
            {"login_lock_wait", ms(r.steps.login_wait)},
            {"login_and_pages", ms(r.steps.approve)},
            {"advertiser_callback", ms(r.steps.advertiser_callback)},
            {"account_callback", ms(r.steps.account_callback)}}}};
}

json::object link_everything(World w, const json::array& tokens, const Args& args) {
  std::cerr << "linking " << tokens.size() << " links through the authorization flow\n";
  const auto seq_before = sandbox_request_count(w.sandbox);
  const ProcessMeter daemon(w.daemon.process().pid()), sandbox(w.sandbox.process().pid());
  const double bench_cpu = own_cpu_seconds();
  auto r = link_all(w.sandbox, w.daemon, generated_links(tokens), args.link_workers,
                    std::max<std::size_t>(1000, tokens.size() / 20));
  return linking_json(r, daemon, sandbox, own_cpu_seconds() - bench_cpu,
                      sandbox_request_count(w.sandbox) - seq_before);
}

// CPU the daemon spends answering one links.list (every link as JSON).
json::object links_list_cost(test::DaemonProcess& daemon) {
  const pid_t pid = daemon.process().pid();
  const double before = cpu_seconds(pid).value_or(0);
  const auto t = SteadyClock::now();
  boost::system::result<json::value, rpc::ClientError> r;
  try {
    r = daemon.call("links.list");
  } catch (const std::exception& e) {
    return {{"error", e.what()}};
  }
  if (!r) return {{"error", r.error().message}};
  return {{"daemon_cpu_ms", 1000 * (cpu_seconds(pid).value_or(0) - before)},
          {"wall_ms", 1000 * seconds_since(t)},
          {"links", r->at("links").as_array().size()}};
}

double number_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = nullptr;
  const json::object* at = &o;
  for (auto key : path) {
    v = at->if_contains(key);
    if (!v) return 0;
    if (v->is_object()) at = &v->as_object();
  }
  return v && v->is_number() ? v->to_number<double>() : 0;
}

// Per link: RSS, heap in use, sqlite's share, heap kept but free; and the
// same RSS after a restart on the same store.
void memory_per_link(json::object& memory, double links) {
  auto per = [&](std::initializer_list<std::string_view> a,
                 std::initializer_list<std::string_view> b, double scale) {
    return links > 0 ? (number_at(memory, a) - number_at(memory, b)) / scale / links : 0.0;
  };
  memory["rss_kib_per_link"] = per({"linked", "rss_kib"}, {"empty", "rss_kib"}, 1);
  memory["anonymous_kib_per_link"] =
      per({"linked", "smaps_kib", "Anonymous"}, {"empty", "smaps_kib", "Anonymous"}, 1);
  memory["heap_in_use_kib_per_link"] =
      per({"linked", "heap", "in_use_bytes"}, {"empty", "heap", "in_use_bytes"}, 1024);
  memory["heap_system_kib_per_link"] =
      per({"linked", "heap", "system_bytes"}, {"empty", "heap", "system_bytes"}, 1024);
  memory["sqlite_kib_per_link"] =
      per({"linked", "heap", "sqlite_bytes"}, {"empty", "heap", "sqlite_bytes"}, 1024);
  for (std::string_view when : {"after_checks", "after_idle", "restarted"}) {
    if (!memory.contains(when)) continue;
    memory[std::string(when) + "_rss_kib_per_link"] =
        per({when, "rss_kib"}, {"empty", "rss_kib"}, 1);
    memory[std::string(when) + "_heap_in_use_kib_per_link"] =
        per({when, "heap", "in_use_bytes"}, {"empty", "heap", "in_use_bytes"}, 1024);
    memory[std::string(when) + "_heap_system_kib_per_link"] =
        per({when, "heap", "system_bytes"}, {"empty", "heap", "system_bytes"}, 1024);
  }
}

// The RSS once malloc has returned its free pages (malloc_trim(0) run in
// the daemon): what a trim after each round would give back.
json::object trimmed(test::DaemonProcess& daemon) {
  if (auto error = trim_heap(daemon.process()); !error.empty()) return {{"error", error}};
  return memory_snapshot(daemon, false);
}

void main_world(test::SandboxProcess& sandbox, const Args& args, json::object& out) {
  // Before the world is generated: GET /_sandbox/world (the app, for the
  // daemon's config) of a linked world of 100,000 exceeds the test client's
  // body limit. Generating keeps the app.
  const json::object app = sandbox.world().at("app").as_object();
  const std::string app_id(app.at("app_id").as_string());
  test::DaemonOptions options;
  options.metrics_port = test::free_loopback_port();
  options.extra_toml =
      "[poll]\nstatus_interval = \"1d\"\ncomments_interval = \"1d\"\nmax_qps = 0\n"
      "[debug]\nclock_control = true\n";
  auto daemon = test::DaemonProcess::start(sandbox, options);
  Metrics metrics(options.metrics_port);
  long long clock_offset = 0;
  World w{sandbox, *daemon, metrics, clock_offset};

  std::cerr << "generating " << args.links << " links\n";
  auto t = SteadyClock::now();
  auto generated = sandbox.control("POST", "/generate",
                                   json::object{{"links", args.links},
                                                {"posts_per_advertiser", args.posts_per_advertiser},
                                                {"issue_tokens", true}});
  out["generate_seconds"] = seconds_since(t);
  const auto& tokens = generated.at("tokens").as_array();
  const bool heap = args.runs("heap");
  json::object memory{{"empty", memory_snapshot(*daemon, heap)}};

  out["linking"] = link_everything(w, tokens, args);
  const auto linked = out["linking"].at("linked").to_number<std::size_t>();
  memory["linked"] = memory_snapshot(*daemon, heap);
  out["active_after_linking"] = links_in_state(metrics.scrape(), "ACTIVE");
  // Just before the check phase (the daemon idle, nothing due), so that the
  // ratio compares two moments as close as the shared machine allows.
  if (args.runs("reference")) out["reference"] = reference_load(sandbox, app, tokens, args);
  const std::chrono::seconds timeout(args.check_timeout_s);
  if (args.runs("check")) {
    std::cerr << "advancing both clocks by " << kAllDueSeconds << " s; checking every link\n";
    out["check_all"] = check_all(w, linked, timeout);
    memory["after_checks"] = memory_snapshot(*daemon, heap);
  }
  if (args.runs("idle")) {
    std::cerr << "idle for " << args.idle_seconds << " s\n";
    out["idle"] = idle(w, args.idle_seconds);
    // A minute idle: the daemon gave the checks' freed heap back by itself
    // (HeapRelease, once a minute); then what a forced trim would still give.
    memory["after_idle"] = memory_snapshot(*daemon, heap);
  }
  if (heap && args.runs("check")) memory["after_idle_malloc_trim"] = trimmed(*daemon);
  if (args.runs("metrics")) out["metrics_scrape"] = scrape_metrics(w, args.metrics_scrapes);
  if (args.runs("restart")) {
    std::cerr << "restarting the daemon on the same store\n";
    out["restart"] = restart(w, linked, timeout);
    memory["restarted"] = memory_snapshot(*daemon, heap);
  }
  memory_per_link(memory, static_cast<double>(linked));
  out["memory"] = std::move(memory);
  if (args.runs("budget")) {
    std::cerr << "budget: max_qps = " << args.budget.qps << ", every link due\n";
    out["budget"] = budget(w, linked, args.budget);
  }
  // Last: its answer (every link as JSON) is the largest transient
  // allocation the daemon makes, and at 100,000 links it nears the control
  // client's 64 MiB bound.
  if (args.runs("links-list")) out["links_list"] = links_list_cost(*daemon);
}

// The figures, lifted to the top level (null when a phase did not
// run), and the targets it sets at 10,000 links.
void top_level(json::object& out) {
  auto at = [&](std::initializer_list<std::string_view> path) -> json::value {
    const json::value* v = nullptr;
    const json::object* o = &out;
    for (auto key : path) {
      if (!o || !(v = o->if_contains(key))) return nullptr;
      o = v->is_object() ? &v->as_object() : nullptr;
    }
    return v ? *v : json::value(nullptr);
  };
  out["rss_kib_per_link"] = at({"memory", "rss_kib_per_link"});
  out["ratio"] = at({"ratio_daemon_to_reference"});
  out["idle_cpu_percent"] = at({"idle", "cpu_percent"});
  out["ready_seconds"] = at({"restart", "ready_seconds"});
  out["metrics_scrape_ms"] = at({"metrics_scrape", "median_ms"});
  out["shared_advertiser_requests_per_check"] = at({"shared_advertiser", "requests_per_check"});
  out["budget_use"] = at({"budget", "use"});
  struct Target {
    const char* key;
    double limit;
    bool at_most;
  };
  const Target targets[] = {
      {"rss_kib_per_link", 2, true},   {"ratio", 0.9, false},
      {"idle_cpu_percent", 1, true},   {"ready_seconds", 1, true},
      {"metrics_scrape_ms", 50, true}, {"shared_advertiser_requests_per_check", 3, true},
      {"budget_use", 0.95, false}};
  json::object met;
  for (const auto& t : targets) {
    const auto& v = out.at(t.key);
    if (!v.is_number()) continue;
    const double x = v.to_number<double>();
    met[t.key] = {{"target", (t.at_most ? "<= " : ">= ") + std::to_string(t.limit)},
                  {"met", t.at_most ? x <= t.limit : x >= t.limit}};
  }
  out["targets_at_10000_links"] = std::move(met);
}

json::object run(const Args& args) {
  json::object out{{"links", args.links}, {"posts_per_advertiser", args.posts_per_advertiser}};
  std::cerr << "starting the sandbox\n";
  auto sandbox = test::SandboxProcess::start({"--seed", "5"});
  if (args.runs("main")) main_world(*sandbox, args, out);
  if (out.contains("check_all") && out.contains("reference")) {
    const double ref = out["reference"].at("requests_per_second").to_number<double>();
    const double daemon = out["check_all"].at("upstream_requests_per_second").to_number<double>();
    out["ratio_daemon_to_reference"] = ref > 0 ? daemon / ref : 0.0;
  }
  if (args.runs("shared")) out["shared_advertiser"] = shared_advertiser(*sandbox, args.shared);
  top_level(out);
  return out;
}

double num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : -1;
}

void print_summary(const json::object& r) {
  std::fprintf(stderr, "\n== ttlink-bench: %lld links ==\n",
               static_cast<long long>(num(r, "links")));
  if (const auto* lk = r.if_contains("linking")) {
    const auto& l = lk->as_object();
    std::fprintf(stderr,
                 "linking:            %.1f links/s (%lld failed), %.2f ms daemon CPU per link, "
                 "%.1f upstream requests per link\n",
                 num(l, "links_per_second"), static_cast<long long>(num(l, "failed")),
                 num(l, "daemon_cpu_ms_per_link"), num(l, "upstream_requests_per_link"));
  }
  if (const auto* ch = r.if_contains("check_all")) {
    const auto& c = ch->as_object();
    std::fprintf(stderr,
                 "check all once:     %.1f s, %.1f checks/s, %.2f ms CPU per check, "
                 "%.2f requests per check, %.0f req/s\n",
                 num(c, "seconds"), num(c, "checks_per_second"), num(c, "daemon_cpu_ms_per_check"),
                 num(c, "upstream_requests_per_check"), num(c, "upstream_requests_per_second"));
  }
  const char* keys[] = {"rss_kib_per_link",  "ratio",
                        "idle_cpu_percent",  "ready_seconds",
                        "metrics_scrape_ms", "shared_advertiser_requests_per_check",
                        "budget_use"};
  const auto& met = r.at("targets_at_10000_links").as_object();
  for (const char* k : keys) {
    const auto* t = met.if_contains(k);
    if (!t) {
      std::fprintf(stderr, "%-38s (not measured)\n", k);
      continue;
    }
    std::fprintf(stderr, "%-38s %10.3f  target %s: %s\n", k, num(r, k),
                 std::string(t->at("target").as_string()).c_str(),
                 t->at("met").as_bool() ? "met" : "NOT met");
  }
}

std::set<std::string> parse_skip(const std::vector<std::string>& items) {
  std::set<std::string> out;
  for (const auto& item : items) {
    std::istringstream parts(item);
    for (std::string p; std::getline(parts, p, ',');) {
      if (!kPhases.count(p)) throw CLI::ValidationError("--skip", "unknown phase " + p);
      out.insert(p);
    }
  }
  return out;
}

}  // namespace
}  // namespace ttlink::bench

int main(int argc, char** argv) {
  ttlink::bench::Args args;
  std::vector<std::string> skip;
  int shared_timeout = 3600;
  CLI::App app{"ttlink-bench: ttlinkd with N links against ttlink-sandbox"};
  app.add_option("--links", args.links, "links to create and check")->check(CLI::Range(1, 1000000));
  app.add_option("--link-workers", args.link_workers, "concurrent linking flows")
      ->check(CLI::Range(1, 64));
  app.add_option("--connections", args.connections, "reference load generator connections")
      ->check(CLI::Range(1, 1024));
  app.add_option("--load-seconds", args.load_seconds, "reference load duration");
  app.add_option("--check-timeout", args.check_timeout_s, "seconds to wait for all checks");
  app.add_option("--posts-per-advertiser", args.posts_per_advertiser,
                 "posts (and ads) per advertiser in the generated world")
      ->check(CLI::Range(0, 100));
  app.add_option("--idle-seconds", args.idle_seconds, "idle CPU window")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--metrics-scrapes", args.metrics_scrapes, "GETs of /metrics (median)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--budget-qps", args.budget.qps, "max_qps for the budget phase")
      ->check(CLI::Range(0.1, 100000.0));
  app.add_option("--budget-seconds", args.budget.seconds, "budget measurement window")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--budget-warmup", args.budget.warmup_seconds,
                 "seconds between making every link due and the budget window");
  app.add_option("--shared-links", args.shared.links, "links of the shared-advertiser world")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--shared-per-advertiser", args.shared.accounts_per_advertiser,
                 "accounts per advertiser in that world")
      ->check(CLI::Range(1, 100000));
  app.add_option("--shared-timeout", shared_timeout, "seconds to wait for its checks");
  app.add_option("--skip", skip,
                 "phases not to run, comma-separated: reference, heap (gdb probe), links-list, "
                 "check, idle, metrics, restart, budget, shared, main (the whole N-link world)");
  CLI11_PARSE(app, argc, argv);
  try {
    args.skip = ttlink::bench::parse_skip(skip);
    args.shared.link_workers = args.link_workers;
    args.shared.timeout = std::chrono::seconds(shared_timeout);
    auto result = ttlink::bench::run(args);
    std::cout << boost::json::serialize(result) << std::endl;
    ttlink::bench::print_summary(result);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ttlink-bench: " << e.what() << "\n";
    return 1;
  }
}
