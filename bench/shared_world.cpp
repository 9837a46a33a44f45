#include "shared_world.hpp"

#include <iostream>

#include "bench_support.hpp"
#include "prometheus_text.hpp"

namespace ttlink::bench {
namespace json = boost::json;

namespace {

// Checks every hour, no jitter: a 2 h move makes every check due once, and
// no refresh (access tokens last 24 h, refreshed 2 h before). Comments are
// not polled on a timer; the clock move still starts one round (two listing
// requests per advertiser, counted apart).
constexpr std::string_view kPoll =
    "[poll]\nstatus_interval = \"1h\"\njitter = \"0%\"\ncomments_interval = \"1d\"\nmax_qps = 0\n"
    "[debug]\nclock_control = true\n";
constexpr long long kAdvanceSeconds = 2 * 3600;

}  // namespace

json::object shared_advertiser(test::SandboxProcess& sandbox, const SharedWorldOptions& options) {
  std::cerr << "shared advertiser: " << options.links << " links, "
            << options.accounts_per_advertiser << " per advertiser\n";
  auto t = SteadyClock::now();
  auto generated =
      sandbox.control("POST", "/generate",
                      json::object{{"links", options.links},
                                   {"accounts_per_advertiser", options.accounts_per_advertiser},
                                   {"posts_per_advertiser", 0},
                                   {"issue_tokens", true}});
  const double generate_seconds = seconds_since(t);
  test::DaemonOptions daemon_options;
  daemon_options.metrics_port = test::free_loopback_port();
  daemon_options.extra_toml = std::string(kPoll);
  auto daemon = test::DaemonProcess::start(sandbox, daemon_options);
  Metrics metrics(daemon_options.metrics_port);
  const auto seq_linking = sandbox_request_count(sandbox);
  auto linking = link_all(sandbox, *daemon, generated_links(generated.at("tokens").as_array()),
                          options.link_workers);
  const double links = static_cast<double>(linking.linked);
  const auto linking_requests = static_cast<double>(sandbox_request_count(sandbox) - seq_linking);

  const std::string before = metrics.scrape();
  const auto seq_before = sandbox_request_count(sandbox);
  t = SteadyClock::now();
  advance_clocks(sandbox, *daemon, kAdvanceSeconds);
  const bool checked = metrics.wait_for(
      "ttlink_checks_total", metric_sum(before, "ttlink_checks_total") + links, options.timeout);
  const bool synced =
      metrics.wait_for("ttlink_spark_syncs_total",
                       metric_sum(before, "ttlink_spark_syncs_total") + links, options.timeout);
  const double seconds = seconds_since(t);
  const auto requests = static_cast<double>(sandbox_request_count(sandbox) - seq_before);
  const std::string after = metrics.scrape();
  const double checks =
      metric_sum(after, "ttlink_checks_total") - metric_sum(before, "ttlink_checks_total");
  const double comment_requests = comment_polling_requests(before, after);
  return {{"links", options.links},
          {"accounts_per_advertiser", options.accounts_per_advertiser},
          {"advertisers", generated.at("advertisers")},
          {"generate_seconds", generate_seconds},
          {"linked", linking.linked},
          {"link_failures", linking.failed},
          {"linking_seconds", linking.seconds},
          {"linking_upstream_requests_per_link", links ? linking_requests / links : 0},
          {"completed", checked && synced},
          {"checks", checks},
          {"seconds", seconds},
          {"upstream_requests", requests},
          {"requests_per_check", checks ? requests / checks : 0},
          {"comment_polling_requests", comment_requests},
          {"check_requests_per_check", checks ? (requests - comment_requests) / checks : 0},
          {"refreshes",
           metric_sum(after, "ttlink_refresh_total") - metric_sum(before, "ttlink_refresh_total")},
          {"upstream_errors", metric_sum(after, "ttlink_upstream_errors_total") -
                                  metric_sum(before, "ttlink_upstream_errors_total")},
          {"by_endpoint", requests_by_endpoint(before, after)}};
}

}  // namespace ttlink::bench
