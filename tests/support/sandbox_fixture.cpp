#include "sandbox_fixture.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace ttlink::test {
namespace {

constexpr std::string_view kListening = "listening on ";

int port_of(const std::string& url) {
  auto colon = url.rfind(':');
  return colon == std::string::npos ? 0 : std::stoi(url.substr(colon + 1));
}

[[noreturn]] void fail(const std::string& what) {
  ADD_FAILURE() << what;
  throw std::runtime_error(what);
}

}  // namespace

std::string sandbox_binary() {
  return TTLINK_BIN_DIR "/sandbox/ttlink-sandbox";
}

std::unique_ptr<SandboxProcess> SandboxProcess::start(std::vector<std::string> extra_args,
                                                      std::string ca_file) {
  std::vector<std::string> argv = {sandbox_binary(), "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto child = ChildProcess::spawn(argv);
  if (!child) fail("cannot start ttlink-sandbox: " + child.error().message);
  auto line =
      (*child)->wait_for_output([](std::string_view l) { return l.rfind(kListening, 0) == 0; },
                                Clock::now() + std::chrono::seconds(10));
  if (!line) fail("ttlink-sandbox did not report listening; stderr: " + (*child)->stderr_text());
  auto url = line->substr(kListening.size());
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) url.pop_back();
  return std::unique_ptr<SandboxProcess>(
      new SandboxProcess(std::move(*child), url, port_of(url), std::move(ca_file)));
}

SandboxProcess::SandboxProcess(std::unique_ptr<ChildProcess> child, std::string base_url, int port,
                               std::string ca_file)
    : child_(std::move(child)),
      base_url_(std::move(base_url)),
      port_(port),
      http_(HttpOptions{std::move(ca_file), std::chrono::milliseconds(30'000)}) {}

boost::json::value SandboxProcess::control(const std::string& method, const std::string& path,
                                           const std::string& json) {
  Headers headers;
  if (!json.empty()) headers["Content-Type"] = "application/json";
  auto res = http_.request(method, base_url_ + "/_sandbox" + path, json, headers);
  if (!res) fail("control " + method + " " + path + ": " + res.error().message);
  if (res->status < 200 || res->status > 299)
    fail("control " + method + " " + path + " -> HTTP " + std::to_string(res->status) + ": " +
         res->body);
  boost::system::error_code ec;
  auto value = boost::json::parse(res->body, ec);
  if (ec) fail("control " + method + " " + path + ": not JSON: " + res->body.substr(0, 200));
  return value;
}

boost::json::value SandboxProcess::control(const std::string& method, const std::string& path,
                                           const boost::json::value& json) {
  return control(method, path, boost::json::serialize(json));
}

std::optional<int> SandboxProcess::stop() {
  child_->signal(SIGTERM);
  return child_->wait(Clock::now() + std::chrono::seconds(10));
}

}  // namespace ttlink::test
