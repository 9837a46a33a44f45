#pragma once
// bench/: what ttlink-bench's phases share: wall time, the sandbox's request
// counter, the generated world's links, moving both clocks, and the daemon's
// /metrics read as counters.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linker.hpp"
#include "support/daemon_fixture.hpp"

namespace ttlink::bench {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point t);

// The sandbox's next request-log sequence number: API calls served so far
// (exact even when the log's ring has dropped old entries).
std::uint64_t sandbox_request_count(test::SandboxProcess& sandbox);

std::vector<GeneratedLink> generated_links(const boost::json::array& tokens);

// Both clocks by the same amount: the sandbox's first (tokens it issued
// expire on its clock), then the daemon's (which pokes its scheduler and its
// comment poller).
void advance_clocks(test::SandboxProcess& sandbox, test::DaemonProcess& daemon, long long seconds);

// What a process used from construction to used(): CPU of all its threads,
// and its main thread's time on a CPU and runnable but waiting for one (the
// machine is shared: that wait is what other work took).
class ProcessMeter {
 public:
  explicit ProcessMeter(pid_t pid);
  double cpu_seconds() const;
  boost::json::object used() const;

 private:
  pid_t pid_;
  double cpu_;
  double on_cpu_;
  double waiting_;
};

// The daemon's /metrics on a loopback port.
class Metrics {
 public:
  explicit Metrics(int port);
  int port() const { return port_; }
  std::string scrape();  // throws when the daemon does not answer 200
  double sum(std::string_view name) { return sum_in(scrape(), name); }
  static double sum_in(const std::string& text, std::string_view name);
  // Polls `name` once a second (each scrape costs the daemon a little)
  // until its sum reaches `target`; false at the timeout. `polls` counts
  // the scrapes.
  bool wait_for(std::string_view name, double target, std::chrono::seconds timeout,
                int* polls = nullptr);

 private:
  int port_;
  test::HttpClient http_;
};

// Upstream requests per endpoint between two scrapes of /metrics (the
// daemon's ttlink_upstream_requests_total; the sandbox's counter gives the
// total), only the endpoints that moved.
boost::json::object requests_by_endpoint(const std::string& before, const std::string& after);
// Of those, the requests comment polling made (post and ad listings, comment
// pages): the comment poller runs whenever the debug clock moves.
double comment_polling_requests(const std::string& before, const std::string& after);

// Links in `state` according to a /metrics text (the ttlink_links gauge).
double links_in_state(const std::string& metrics_text, const std::string& state);

// Rewrites `max_qps = ...` in the daemon's config and applies it
// (daemon.reload, as SIGHUP does).
void set_max_qps(test::DaemonProcess& daemon, double qps);

}  // namespace ttlink::bench
