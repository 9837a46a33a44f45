#include "phases.hpp"

#include <csignal>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include "heap_probe.hpp"
#include "proc_stats.hpp"
#include "prometheus_text.hpp"
#include "support/wait.hpp"

namespace ttlink::bench {
namespace json = boost::json;

namespace {

constexpr std::string_view kChecks = "ttlink_checks_total";
constexpr std::string_view kSyncs = "ttlink_spark_syncs_total";
constexpr std::string_view kRefreshes = "ttlink_refresh_total";

double cpu_of(test::DaemonProcess& d) {
  return cpu_seconds(d.process().pid()).value_or(0);
}

double diff(const std::string& before, const std::string& after, std::string_view name) {
  return metric_sum(after, name) - metric_sum(before, name);
}

void sleep_for_seconds(double s) {
  // A measurement window, not a wait for a condition.
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

json::object heap_json(const HeapProbe& p) {
  if (!p.error.empty()) return {{"error", p.error}};
  return {{"system_bytes", p.heap_system_bytes},
          {"in_use_bytes", p.heap_in_use_bytes},
          {"arenas", p.arenas},
          {"sqlite_bytes", p.sqlite_bytes},
          {"sqlite_highwater_bytes", p.sqlite_highwater_bytes}};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

void advance(World w, long long seconds) {
  advance_clocks(w.sandbox, w.daemon, seconds);
  w.daemon_clock_offset += seconds;
}

json::object memory_snapshot(test::DaemonProcess& daemon, bool heap) {
  const pid_t pid = daemon.process().pid();
  auto smaps = smaps_rollup_kib(pid);
  json::object out{{"rss_kib", rss_kib(pid).value_or(0)},
                   {"smaps_kib",
                    {{"Rss", smaps["Rss"]},
                     {"Anonymous", smaps["Anonymous"]},
                     {"Pss_Anon", smaps["Pss_Anon"]},
                     {"Pss_File", smaps["Pss_File"]},
                     {"Pss_Shmem", smaps["Pss_Shmem"]}}}};
  if (heap) out["heap"] = heap_json(probe_heap(daemon.process()));
  return out;
}

json::object check_all(World w, std::size_t links, std::chrono::seconds timeout) {
  const std::string before = w.metrics.scrape();
  const auto seq_before = sandbox_request_count(w.sandbox);
  const ProcessMeter daemon(w.daemon.process().pid()), sandbox(w.sandbox.process().pid());
  const auto t = SteadyClock::now();
  advance(w, kAllDueSeconds);
  int polls = 0;
  const double target = metric_sum(before, kChecks) + static_cast<double>(links);
  const bool done = w.metrics.wait_for(kChecks, target, timeout, &polls);
  const double seconds = seconds_since(t);
  const double cpu = daemon.cpu_seconds();
  const auto daemon_used = daemon.used();
  const auto sandbox_used = sandbox.used();
  const auto seq_after = sandbox_request_count(w.sandbox);
  const std::string after = w.metrics.scrape();
  // The clock move also started a comment round over every link: wait for
  // its end, so that what follows starts with nothing running.
  const bool round_done =
      w.metrics.wait_for(kSyncs, metric_sum(before, kSyncs) + static_cast<double>(links), timeout);
  const double round_seconds = seconds_since(t);
  const std::string settled = w.metrics.scrape();
  const double checks = diff(before, after, kChecks);
  const double upstream = static_cast<double>(seq_after - seq_before);
  const double comment_requests = comment_polling_requests(before, after);
  return {{"completed", done},
          {"links_checked", checks},
          {"seconds", seconds},
          {"checks_per_second", checks / seconds},
          {"daemon_cpu_seconds", cpu},
          {"daemon_cpu_ms_per_check", checks ? 1000 * cpu / checks : 0},
          {"daemon", daemon_used},
          {"sandbox", sandbox_used},
          {"upstream_requests", upstream},
          {"upstream_requests_per_check", checks ? upstream / checks : 0},
          {"check_requests_per_check", checks ? (upstream - comment_requests) / checks : 0},
          {"comment_polling_requests", comment_requests},
          {"upstream_requests_per_second", upstream / seconds},
          {"refreshes", diff(before, after, kRefreshes)},
          {"upstream_errors", diff(before, after, "ttlink_upstream_errors_total")},
          {"metric_polls", polls},
          {"by_endpoint", requests_by_endpoint(before, after)},
          {"comment_round", {{"completed", round_done}, {"seconds", round_seconds}}},
          {"active_after", links_in_state(settled, "ACTIVE")},
          {"rss_kib_after", rss_kib(w.daemon.process().pid()).value_or(0)}};
}

json::object idle(World w, double seconds) {
  const auto seq_before = sandbox_request_count(w.sandbox);
  const double cpu_before = cpu_of(w.daemon);
  const auto t = SteadyClock::now();
  sleep_for_seconds(seconds);
  const double cpu = cpu_of(w.daemon) - cpu_before;
  const double elapsed = seconds_since(t);
  return {{"seconds", elapsed},
          {"daemon_cpu_seconds", cpu},
          {"cpu_percent", 100 * cpu / elapsed},
          {"upstream_requests", sandbox_request_count(w.sandbox) - seq_before},
          {"rss_kib", rss_kib(w.daemon.process().pid()).value_or(0)}};
}

json::object scrape_metrics(World w, int n) {
  std::vector<double> ms;
  std::size_t bytes = 0;
  const double cpu_before = cpu_of(w.daemon);
  for (int i = 0; i < n; ++i) {
    const auto t = SteadyClock::now();
    bytes = w.metrics.scrape().size();
    ms.push_back(1000 * seconds_since(t));
  }
  const double cpu = cpu_of(w.daemon) - cpu_before;
  return {{"scrapes", n},
          {"median_ms", median(ms)},
          {"max_ms", ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end())},
          {"daemon_cpu_ms_per_scrape", n ? 1000 * cpu / n : 0},
          {"bytes", bytes}};
}

std::uintmax_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

json::object store_files(test::DaemonProcess& daemon) {
  return {{"db_bytes", file_bytes(daemon.db_path())},
          {"wal_bytes", file_bytes(daemon.db_path() + "-wal")}};
}

json::object restart(World w, std::size_t links, std::chrono::seconds timeout) {
  const auto files_before = store_files(w.daemon);
  auto t = SteadyClock::now();
  w.daemon.process().signal(SIGTERM);
  const auto exit_code = w.daemon.process().wait(test::deadline_in(std::chrono::seconds(60)));
  const double stop_seconds = seconds_since(t);
  const auto files_after = store_files(w.daemon);
  const auto seq_before = sandbox_request_count(w.sandbox);
  const ProcessMeter sandbox(w.sandbox.process().pid());
  t = SteadyClock::now();
  w.daemon.restart();  // the old process has exited: this starts the new one
  const double ready = seconds_since(t);
  auto status = w.daemon.call("status");
  const double answered = seconds_since(t);
  // Counters start at zero in the new process.
  const bool round_done = w.metrics.wait_for(kSyncs, static_cast<double>(links), timeout);
  const double round_seconds = seconds_since(t);
  const auto round_requests = sandbox_request_count(w.sandbox) - seq_before;
  const double cpu = cpu_of(w.daemon);
  const auto sched = sched_times(w.daemon.process().pid()).value_or(SchedTimes{});
  const auto sandbox_used = sandbox.used();
  // The new process's clock is the real time again: move it as far as the
  // old one was (nothing becomes due), and let the round that starts end.
  w.daemon.must("debug.clock.advance", {{"seconds", w.daemon_clock_offset}});
  w.metrics.wait_for(kSyncs, 2 * static_cast<double>(links), timeout);
  return {{"stop_seconds", stop_seconds},
          {"exit_code", exit_code ? json::value(*exit_code) : json::value(nullptr)},
          {"ready_seconds", ready},
          {"first_status_seconds", status ? json::value(answered) : json::value(nullptr)},
          {"startup_comment_round",
           {{"completed", round_done},
            {"seconds", round_seconds},
            {"upstream_requests", round_requests},
            {"daemon_cpu_seconds", cpu},
            {"daemon_main_thread_waiting_for_cpu_seconds", sched.waiting_for_cpu},
            {"sandbox", sandbox_used}}},
          {"store_before_stop", files_before},
          {"store_after_stop", files_after}};
}

json::object budget(World w, std::size_t links, const BudgetOptions& options) {
  set_max_qps(w.daemon, options.qps);
  const std::string start = w.metrics.scrape();
  advance(w, kAllDueSeconds);
  sleep_for_seconds(options.warmup_seconds);
  const std::string before = w.metrics.scrape();
  const auto seq_before = sandbox_request_count(w.sandbox);
  const auto t = SteadyClock::now();
  sleep_for_seconds(options.seconds);
  const auto seq_after = sandbox_request_count(w.sandbox);
  const double elapsed = seconds_since(t);
  const std::string after = w.metrics.scrape();
  const double rate = static_cast<double>(seq_after - seq_before) / elapsed;
  json::object per_second;
  for (const auto& [endpoint, n] : requests_by_endpoint(before, after))
    per_second[endpoint] = n.to_number<double>() / elapsed;
  return {{"max_qps", options.qps},
          {"warmup_seconds", options.warmup_seconds},
          {"seconds", elapsed},
          {"upstream_requests", seq_after - seq_before},
          {"requests_per_second", rate},
          {"use", rate / options.qps},
          {"by_endpoint_per_second", std::move(per_second)},
          {"checks", diff(before, after, kChecks)},
          {"refreshes", diff(before, after, kRefreshes)},
          {"comment_syncs", diff(before, after, kSyncs)},
          {"rate_limit_waits", diff(before, after, "ttlink_rate_limit_waits_total")},
          {"backlog_left_at_end", diff(start, after, kChecks) < static_cast<double>(links)}};
}

}  // namespace ttlink::bench
