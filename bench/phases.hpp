#pragma once
// bench/: the phases ttlink-bench runs on one daemon with N linked links,
// each measured with the real binaries: memory, checking every link once,
// idle CPU, one /metrics scrape, restart to READY, and the rate budget under
// a backlog. Each returns the JSON object ttlink-bench prints.
#include <boost/json/object.hpp>

#include <chrono>

#include "bench_support.hpp"

namespace ttlink::bench {

// Past one status_interval (1 d) plus its 10 % jitter, and past the access
// tokens' 24 h: every link's check and refresh are due.
constexpr long long kAllDueSeconds = 27 * 3600;

struct World {
  test::SandboxProcess& sandbox;
  test::DaemonProcess& daemon;
  Metrics& metrics;
  // How far the daemon's debug clock has been moved: a restarted daemon
  // starts at the real time again and is moved as far before going on.
  long long& daemon_clock_offset;
};

// Moves both clocks and records it in the world.
void advance(World w, long long seconds);

// RSS, /proc/PID/smaps_rollup, and (with `heap`) the heap probe.
boost::json::object memory_snapshot(test::DaemonProcess& daemon, bool heap);

// Moves both clocks past every interval and waits until `links` checks are
// counted and the comment round the move started has synced every link.
boost::json::object check_all(World w, std::size_t links, std::chrono::seconds timeout);

// Daemon CPU over `seconds` with nothing due, as a percentage of one core.
boost::json::object idle(World w, double seconds);

// `n` GETs of /metrics: wall time of each, median.
boost::json::object scrape_metrics(World w, int n);

// SIGTERM, wait for the exit, start again on the same store: time to READY
// (the daemon's event=daemon.ready line), to the first control answer, and
// to the end of the comment round a start begins (`links` syncs). Then the
// daemon's clock is moved as far as the old one was, and the second comment
// round that starts awaited.
boost::json::object restart(World w, std::size_t links, std::chrono::seconds timeout);

struct BudgetOptions {
  double qps = 20;
  double warmup_seconds = 5;
  double seconds = 30;
};
// Sets max_qps (config + daemon.reload), makes every link due, and counts the
// upstream requests of a window inside the backlog: requests/s ÷ qps.
boost::json::object budget(World w, std::size_t links, const BudgetOptions& options);

}  // namespace ttlink::bench
