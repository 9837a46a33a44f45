#include "bench_support.hpp"

#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <thread>

#include "proc_stats.hpp"
#include "prometheus_text.hpp"
#include "support/wait.hpp"

namespace ttlink::bench {
namespace json = boost::json;

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

std::uint64_t sandbox_request_count(test::SandboxProcess& sandbox) {
  auto r = sandbox.control("GET", "/requests?since=18446744073709551615");
  return r.at("next").to_number<std::uint64_t>();
}

std::vector<GeneratedLink> generated_links(const json::array& tokens) {
  std::vector<GeneratedLink> out;
  out.reserve(tokens.size());
  for (const auto& t : tokens)
    out.push_back(
        {std::string(t.at("advertiser_id").as_string()), std::string(t.at("open_id").as_string())});
  return out;
}

void advance_clocks(test::SandboxProcess& sandbox, test::DaemonProcess& daemon, long long seconds) {
  sandbox.control("POST", "/clock/advance", json::object{{"seconds", seconds}});
  daemon.must("debug.clock.advance", {{"seconds", seconds}});
}

ProcessMeter::ProcessMeter(pid_t pid)
    : pid_(pid),
      cpu_(bench::cpu_seconds(pid).value_or(0)),
      on_cpu_(sched_times(pid).value_or(SchedTimes{}).on_cpu),
      waiting_(sched_times(pid).value_or(SchedTimes{}).waiting_for_cpu) {}

double ProcessMeter::cpu_seconds() const {
  return bench::cpu_seconds(pid_).value_or(0) - cpu_;
}

json::object ProcessMeter::used() const {
  const auto now = sched_times(pid_).value_or(SchedTimes{});
  return {{"cpu_seconds", cpu_seconds()},
          {"main_thread_on_cpu_seconds", now.on_cpu - on_cpu_},
          {"main_thread_waiting_for_cpu_seconds", now.waiting_for_cpu - waiting_}};
}

Metrics::Metrics(int port) : port_(port), http_(test::HttpOptions{"", std::chrono::seconds(60)}) {}

std::string Metrics::scrape() {
  auto r = http_.get("http://127.0.0.1:" + std::to_string(port_) + "/metrics");
  if (!r || r->status != 200) throw std::runtime_error("cannot scrape the daemon's /metrics");
  return r->body;
}

double Metrics::sum_in(const std::string& text, std::string_view name) {
  return metric_sum(text, name);
}

bool Metrics::wait_for(std::string_view name, double target, std::chrono::seconds timeout,
                       int* polls) {
  const auto deadline = test::deadline_in(timeout);
  const auto start = SteadyClock::now();
  std::optional<double> first;
  while (SteadyClock::now() < deadline) {
    if (polls) ++*polls;
    const double value = sum(name);
    if (value >= target) return true;
    if (!first) first = value;
    // Once a second while the target is far: a scrape is work on the
    // daemon's only thread, and this runs inside timed phases. Within about
    // a second of it (at the rate so far), every 50 ms, so that a phase's
    // time is not rounded up to the next whole second (a third of a
    // 3-second phase).
    auto pause = std::chrono::milliseconds(1000);
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
    const double rate = elapsed > 0 ? (value - *first) / elapsed : 0;
    if (rate > 0 && (target - value) / rate < 1.2) pause = std::chrono::milliseconds(50);
    std::this_thread::sleep_for(pause);
  }
  return sum(name) >= target;
}

namespace {

constexpr std::string_view kUpstream = "ttlink_upstream_requests_total";

bool is_comment_polling(const std::string& endpoint) {
  return endpoint.find("/tt_video/list/") != std::string::npos ||
         endpoint.find("/ad/get/") != std::string::npos ||
         endpoint.find("comment/list/") != std::string::npos;
}

}  // namespace

json::object requests_by_endpoint(const std::string& before, const std::string& after) {
  auto b = metric_by_label(before, kUpstream, "endpoint");
  json::object out;
  for (const auto& [endpoint, n] : metric_by_label(after, kUpstream, "endpoint"))
    if (n - b[endpoint] > 0) out[endpoint] = n - b[endpoint];
  return out;
}

double comment_polling_requests(const std::string& before, const std::string& after) {
  auto b = metric_by_label(before, kUpstream, "endpoint");
  double n = 0;
  for (const auto& [endpoint, count] : metric_by_label(after, kUpstream, "endpoint"))
    if (is_comment_polling(endpoint)) n += count - b[endpoint];
  return n;
}

double links_in_state(const std::string& metrics_text, const std::string& state) {
  return metric_by_label(metrics_text, "ttlink_links", "state")[state];
}

void set_max_qps(test::DaemonProcess& daemon, double qps) {
  std::string text;
  {
    std::ifstream in(daemon.config_path());
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto at = text.find("\nmax_qps = ");
  if (at == std::string::npos) throw std::runtime_error("no max_qps line in the daemon's config");
  const auto eol = text.find('\n', at + 1);
  text.replace(at + 1, eol - at - 1, "max_qps = " + std::to_string(qps));
  std::ofstream(daemon.config_path(), std::ios::trunc) << text;
  daemon.must("daemon.reload");
}

}  // namespace ttlink::bench
