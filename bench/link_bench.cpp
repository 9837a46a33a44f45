// ttlink-bench: the issue-5 benchmark. A real ttlinkd with N links against a
// real ttlink-sandbox: RSS per link, CPU per check, time to check every link
// once with max_qps unlimited, and that throughput as a ratio of what the
// sandbox serves to a plain load generator in the same run. Prints a JSON
// object (stdout) and a human summary (stderr). Not a test: nothing passes or
// fails on the figures.
#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "linker.hpp"
#include "load_generator.hpp"
#include "proc_stats.hpp"
#include "support/daemon_fixture.hpp"
#include "support/wait.hpp"

namespace ttlink::bench {
namespace json = boost::json;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kApiPrefix = "/open_api/v1.3";
// Past one status_interval (1 d) plus its 10 % jitter, and past the access
// tokens' 24 h: every link's check and refresh are due.
constexpr long long kAdvanceSeconds = 27 * 3600;

struct Args {
  int links = 10000;
  int link_workers = 8;
  int connections = 32;
  double load_seconds = 5;
  int check_timeout_s = 3600;
};

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// The sandbox's next request-log sequence number: API calls served so far.
std::uint64_t sandbox_request_count(test::SandboxProcess& sandbox) {
  auto r = sandbox.control("GET", "/requests?since=18446744073709551615");
  return r.at("next").to_number<std::uint64_t>();
}

std::vector<GeneratedLink> generated_links(const json::array& tokens) {
  std::vector<GeneratedLink> out;
  for (const auto& t : tokens)
    out.push_back(
        {std::string(t.at("advertiser_id").as_string()), std::string(t.at("open_id").as_string())});
  return out;
}

// The calls a scheduled check makes (token scopes, profile, advertiser,
// identity, Business Center), with tokens the generated world issued.
std::vector<LoadRequest> reference_mix(const json::array& tokens, const std::string& app_id,
                                       std::size_t accounts) {
  std::vector<LoadRequest> mix;
  const std::string api(kApiPrefix);
  for (std::size_t i = 0; i < accounts && i < tokens.size(); ++i) {
    const auto& t = tokens[i].as_object();
    std::string adv(t.at("advertiser_id").as_string()), open_id(t.at("open_id").as_string());
    std::string access(t.at("access_token").as_string());
    std::string adv_token(t.at("advertiser_token").as_string());
    mix.push_back({"POST",
                   api + "/tt_user/token_info/get/",
                   json::serialize(json::object{{"app_id", app_id}, {"access_token", access}}),
                   {}});
    mix.push_back({"GET",
                   api + "/business/get/?business_id=" + open_id +
                       "&fields=%5B%22username%22%2C%22is_business_account%22%5D",
                   "",
                   {{"Access-Token", access}}});
    mix.push_back({"GET",
                   api + "/advertiser/info/?advertiser_ids=%5B%22" + adv +
                       "%22%5D&fields=%5B%22status%22%2C%22name%22%5D",
                   "",
                   {{"Access-Token", adv_token}}});
    mix.push_back({"GET",
                   api + "/identity/get/?advertiser_id=" + adv + "&identity_type=TT_USER",
                   "",
                   {{"Access-Token", adv_token}}});
    mix.push_back({"GET", api + "/bc/get/", "", {{"Access-Token", adv_token}}});
  }
  return mix;
}

json::array links_list(test::DaemonProcess& daemon) {
  return daemon.must("links.list").at("links").as_array();
}

std::map<std::string, std::string> last_checks(const json::array& links) {
  std::map<std::string, std::string> out;
  for (const auto& l : links) {
    const auto& o = l.as_object();
    const auto& at = o.at("last_check_at");
    out[std::string(o.at("id").as_string())] = at.is_string() ? std::string(at.as_string()) : "";
  }
  return out;
}

std::size_t count_in_state(const json::array& links, std::string_view state) {
  std::size_t n = 0;
  for (const auto& l : links) n += l.at("state").as_string() == state;
  return n;
}

// Sum of a counter's samples in a Prometheus text exposition.
double metric_sum(const std::string& text, std::string_view name) {
  double sum = 0;
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    const auto start = pos;
    auto eol = text.find('\n', pos);
    auto line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    const bool line_start = start == 0 || text[start - 1] == '\n';
    pos = eol == std::string::npos ? text.size() : eol;
    if (!line_start || line.size() <= name.size() ||
        (line[name.size()] != '{' && line[name.size()] != ' '))
      continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

std::string scrape(test::SandboxProcess& sandbox, int metrics_port) {
  auto r = sandbox.http().get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  if (!r || r->status != 200) throw std::runtime_error("cannot scrape the daemon's /metrics");
  return r->body;
}

// Requests per API path (and failures) among the sandbox's last `n` calls.
json::object request_breakdown(test::SandboxProcess& sandbox, std::uint64_t since) {
  auto log = sandbox.control("GET", "/requests?since=" + std::to_string(since));
  std::map<std::string, std::int64_t> by_path;
  std::int64_t failures = 0;
  for (const auto& r : log.at("requests").as_array()) {
    ++by_path[std::string(r.at("path").as_string())];
    const auto& code = r.at("code");
    if (r.at("http_status").to_number<int>() != 200 || (code.is_int64() && code.as_int64() != 0))
      ++failures;
  }
  json::object paths;
  for (const auto& [p, n] : by_path) paths[p] = n;
  return {{"logged", log.at("requests").as_array().size()},
          {"by_path", std::move(paths)},
          {"not_ok", failures}};
}

// CPU the daemon spends answering one links.list (the benchmark's own
// polling has this cost; it is subtracted from nothing, only reported).
double cpu_per_links_list(test::DaemonProcess& daemon) {
  const pid_t pid = daemon.process().pid();
  const double before = cpu_seconds(pid).value_or(0);
  constexpr int kCalls = 5;
  for (int i = 0; i < kCalls; ++i) links_list(daemon);
  return (cpu_seconds(pid).value_or(0) - before) / kCalls;
}

json::object run(const Args& args) {
  json::object out{{"links", args.links}};
  std::cerr << "starting the sandbox and generating " << args.links << " links\n";
  auto sandbox = test::SandboxProcess::start({"--seed", "5"});
  const std::string app_id(sandbox->world().at("app").at("app_id").as_string());
  auto t = SteadyClock::now();
  auto generated = sandbox->control(
      "POST", "/generate",
      json::object{{"links", args.links}, {"posts_per_advertiser", 2}, {"issue_tokens", true}});
  out["generate_seconds"] = seconds_since(t);
  const auto& tokens = generated.at("tokens").as_array();

  std::cerr << "reference load: " << args.connections << " connections, " << args.load_seconds
            << " s\n";
  LoadOptions load{"127.0.0.1", sandbox->port(), args.connections,
                   std::chrono::milliseconds(static_cast<long>(args.load_seconds * 1000))};
  const double sandbox_cpu_before = cpu_seconds(sandbox->process().pid()).value_or(0);
  auto reference = run_load(load, reference_mix(tokens, app_id, 64));
  const double sandbox_cpu = cpu_seconds(sandbox->process().pid()).value_or(0) - sandbox_cpu_before;
  out["reference"] = {{"requests", reference.requests},
                      {"api_errors", reference.api_errors},
                      {"transport_errors", reference.transport_errors},
                      {"seconds", reference.seconds},
                      {"requests_per_second", reference.requests_per_second()},
                      {"sandbox_cpu_ms_per_request",
                       reference.requests ? 1000 * sandbox_cpu / reference.requests : 0}};

  const int metrics_port = test::free_loopback_port();
  test::DaemonOptions options;
  options.metrics_port = metrics_port;
  options.extra_toml =
      "[poll]\nstatus_interval = \"1d\"\nmax_qps = 0\n[debug]\nclock_control = true\n";
  auto daemon = test::DaemonProcess::start(*sandbox, options);
  const pid_t pid = daemon->process().pid();
  const long rss_empty = rss_kib(pid).value_or(0);

  std::cerr << "linking " << args.links << " links through the authorization flow\n";
  auto requests_before_linking = sandbox_request_count(*sandbox);
  const double cpu_before_linking = cpu_seconds(pid).value_or(0);
  auto linking = link_all(*sandbox, *daemon, generated_links(tokens), args.link_workers);
  out["linking"] = {
      {"linked", linking.linked},
      {"failed", linking.failed},
      {"first_error", linking.first_error},
      {"seconds", linking.seconds},
      {"links_per_second", linking.linked / linking.seconds},
      {"daemon_cpu_ms_per_link", 1000 * (cpu_seconds(pid).value_or(0) - cpu_before_linking) /
                                     std::max<std::size_t>(1, linking.linked)},
      {"upstream_requests", sandbox_request_count(*sandbox) - requests_before_linking}};

  auto before = links_list(*daemon);
  const long rss_linked = rss_kib(pid).value_or(0);
  out["memory"] = {{"rss_kib_empty", rss_empty},
                   {"rss_kib_linked", rss_linked},
                   {"rss_kib_per_link", static_cast<double>(rss_linked - rss_empty) /
                                            std::max<std::size_t>(1, before.size())}};
  out["active_after_linking"] = count_in_state(before, "ACTIVE");
  out["daemon_cpu_ms_per_links_list"] = 1000 * cpu_per_links_list(*daemon);
  const auto checks_before = last_checks(before);

  std::cerr << "advancing both clocks by " << kAdvanceSeconds << " s; checking every link\n";
  const double checks_metric_before =
      metric_sum(scrape(*sandbox, metrics_port), "ttlink_checks_total");
  const auto seq_before = sandbox_request_count(*sandbox);
  const double cpu_before = cpu_seconds(pid).value_or(0);
  t = SteadyClock::now();
  sandbox->control("POST", "/clock/advance", json::object{{"seconds", kAdvanceSeconds}});
  daemon->must("debug.clock.advance", {{"seconds", kAdvanceSeconds}});
  // Poll the cheap counter; confirm with last_check_at once it says done.
  const double target = checks_metric_before + static_cast<double>(checks_before.size());
  int polls = 0;
  bool done = false;
  const auto deadline = test::deadline_in(std::chrono::seconds(args.check_timeout_s));
  while (!done && SteadyClock::now() < deadline) {
    // Each scrape makes the daemon list every link: once a second keeps that
    // cost under 1 % of the phase at 10,000 links.
    std::this_thread::sleep_for(1s);
    ++polls;
    done = metric_sum(scrape(*sandbox, metrics_port), "ttlink_checks_total") >= target;
  }
  const double check_seconds = seconds_since(t);
  const double check_cpu = cpu_seconds(pid).value_or(0) - cpu_before;
  const auto seq_after = sandbox_request_count(*sandbox);
  auto after = links_list(*daemon);
  std::size_t moved = 0;
  for (const auto& [id, at] : last_checks(after))
    if (checks_before.count(id) && checks_before.at(id) != at && !at.empty()) ++moved;
  const double checks = static_cast<double>(moved);
  const double upstream = static_cast<double>(seq_after - seq_before);
  out["check_all"] = {{"completed", done},
                      {"links_checked", moved},
                      {"seconds", check_seconds},
                      {"checks_per_second", checks / check_seconds},
                      {"daemon_cpu_seconds", check_cpu},
                      {"daemon_cpu_ms_per_check", checks ? 1000 * check_cpu / checks : 0},
                      {"upstream_requests", seq_after - seq_before},
                      {"upstream_requests_per_check", checks ? upstream / checks : 0},
                      {"upstream_requests_per_second", upstream / check_seconds},
                      {"metric_polls", polls},
                      {"active_after", count_in_state(after, "ACTIVE")},
                      {"rss_kib_after", rss_kib(pid).value_or(0)},
                      {"requests", request_breakdown(*sandbox, seq_before)}};
  out["ratio_daemon_to_reference"] =
      reference.requests_per_second() > 0
          ? upstream / check_seconds / reference.requests_per_second()
          : 0.0;
  return out;
}

void print_summary(const json::object& r) {
  auto num = [](const json::value& v) { return v.to_number<double>(); };
  const auto& ref = r.at("reference").as_object();
  const auto& mem = r.at("memory").as_object();
  const auto& lk = r.at("linking").as_object();
  const auto& ch = r.at("check_all").as_object();
  std::fprintf(stderr,
               "\n== ttlink-bench: %lld links ==\n"
               "sandbox reference:  %.0f req/s (%d connections)\n"
               "linking:            %.1f links/s (%lld failed), %.2f ms daemon CPU per link\n"
               "RSS:                %.0f KiB empty, %.0f KiB linked: %.2f KiB per link\n"
               "check all once:     %.1f s, %.1f checks/s, %.2f ms CPU per check\n"
               "upstream:           %.2f requests per check, %.0f req/s\n"
               "ratio daemon/ref:   %.3f\n",
               static_cast<long long>(num(r.at("links"))), num(ref.at("requests_per_second")), 32,
               num(lk.at("links_per_second")), static_cast<long long>(num(lk.at("failed"))),
               num(lk.at("daemon_cpu_ms_per_link")), num(mem.at("rss_kib_empty")),
               num(mem.at("rss_kib_linked")), num(mem.at("rss_kib_per_link")),
               num(ch.at("seconds")), num(ch.at("checks_per_second")),
               num(ch.at("daemon_cpu_ms_per_check")), num(ch.at("upstream_requests_per_check")),
               num(ch.at("upstream_requests_per_second")), num(r.at("ratio_daemon_to_reference")));
}

}  // namespace
}  // namespace ttlink::bench

int main(int argc, char** argv) {
  ttlink::bench::Args args;
  CLI::App app{"ttlink-bench: ttlinkd with N links against ttlink-sandbox"};
  app.add_option("--links", args.links, "links to create and check")->check(CLI::Range(1, 1000000));
  app.add_option("--link-workers", args.link_workers, "concurrent linking flows")
      ->check(CLI::Range(1, 64));
  app.add_option("--connections", args.connections, "reference load generator connections")
      ->check(CLI::Range(1, 1024));
  app.add_option("--load-seconds", args.load_seconds, "reference load duration");
  app.add_option("--check-timeout", args.check_timeout_s, "seconds to wait for all checks");
  CLI11_PARSE(app, argc, argv);
  try {
    auto result = ttlink::bench::run(args);
    std::cout << boost::json::serialize(result) << std::endl;
    ttlink::bench::print_summary(result);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ttlink-bench: " << e.what() << "\n";
    return 1;
  }
}
