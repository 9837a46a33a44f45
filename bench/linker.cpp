#include "linker.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ttlink::bench {
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

struct Redirects {
  std::string advertiser_callback;  // "" when the advertiser half was already authorized
  std::string account_callback;
};

std::string location_of(test::HttpClient& http, const std::string& page_url) {
  auto page = http.get(page_url);
  if (!page) throw std::runtime_error("authorization page: " + page.error().message);
  if (page->status != 302)
    throw std::runtime_error("authorization page answered " + std::to_string(page->status));
  return page->header("Location");
}

// The sandbox grants whatever its login says at the moment a page is opened:
// log in as this link's owner and open both pages under one lock.
Redirects approve(test::SandboxProcess& sandbox, test::HttpClient& http, std::mutex& login_mutex,
                  const GeneratedLink& link, const json::object& started, LinkingSteps& steps) {
  auto t = SteadyClock::now();
  std::lock_guard lock(login_mutex);
  steps.login_wait += seconds_since(t);
  t = SteadyClock::now();
  json::object login{{"advertiser_ids", json::array{json::value(link.advertiser_id)}},
                     {"open_id", link.open_id}};
  auto r = http.post_json(sandbox.base_url() + "/_sandbox/login", json::serialize(login));
  if (!r || r->status != 200) throw std::runtime_error("sandbox login failed");
  Redirects out;
  if (started.at("advertiser_auth_url").is_string())
    out.advertiser_callback =
        location_of(http, std::string(started.at("advertiser_auth_url").as_string()));
  out.account_callback = location_of(http, std::string(started.at("account_auth_url").as_string()));
  steps.approve += seconds_since(t);
  return out;
}

void deliver(test::HttpClient& http, const std::string& callback_url) {
  auto r = http.get(callback_url);
  if (!r) throw std::runtime_error("callback: " + r.error().message);
  if (r->status != 200)
    throw std::runtime_error("callback answered " + std::to_string(r->status) + ": " +
                             r->body.substr(0, 200));
}

void link_one(test::SandboxProcess& sandbox, rpc::Client& control, test::HttpClient& http,
              std::mutex& login_mutex, const GeneratedLink& link, LinkingSteps& steps) {
  auto t = SteadyClock::now();
  auto started = control.call("link.start", {{"advertiser_id", link.advertiser_id}});
  if (!started) throw std::runtime_error("link.start: " + started.error().message);
  steps.start += seconds_since(t);
  auto redirects = approve(sandbox, http, login_mutex, link, started->as_object(), steps);
  if (!redirects.advertiser_callback.empty()) {
    t = SteadyClock::now();
    deliver(http, redirects.advertiser_callback);
    steps.advertiser_callback += seconds_since(t);
    ++steps.advertiser_callbacks;
  }
  t = SteadyClock::now();
  deliver(http, redirects.account_callback);
  steps.account_callback += seconds_since(t);
}

void add(LinkingSteps& total, const LinkingSteps& s) {
  total.start += s.start;
  total.login_wait += s.login_wait;
  total.approve += s.approve;
  total.advertiser_callback += s.advertiser_callback;
  total.account_callback += s.account_callback;
  total.advertiser_callbacks += s.advertiser_callbacks;
}

}  // namespace

LinkingReport link_all(test::SandboxProcess& sandbox, test::DaemonProcess& daemon,
                       const std::vector<GeneratedLink>& links, int workers,
                       std::size_t progress_every) {
  LinkingReport report;
  std::atomic<std::size_t> next{0}, linked{0}, failed{0};
  std::mutex login_mutex, report_mutex;
  const auto start = SteadyClock::now();
  auto worker = [&] {
    auto control = rpc::Client::connect(daemon.socket_path());
    if (!control) throw std::runtime_error("control socket: " + control.error().message);
    test::HttpClient http(test::HttpOptions{"", std::chrono::milliseconds(60'000)});
    LinkingSteps steps;
    for (std::size_t i = next++; i < links.size(); i = next++) {
      try {
        link_one(sandbox, *control, http, login_mutex, links[i], steps);
        const auto done = ++linked;
        if (progress_every && done % progress_every == 0)
          std::fprintf(stderr, "  linked %zu in %.0f s\n", done, seconds_since(start));
      } catch (const std::exception& e) {
        ++failed;
        std::lock_guard lock(report_mutex);
        if (report.first_error.empty()) report.first_error = e.what();
      }
    }
    std::lock_guard lock(report_mutex);
    add(report.steps, steps);
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  report.seconds = seconds_since(start);
  report.linked = linked;
  report.failed = failed;
  return report;
}

}  // namespace ttlink::bench
