#include "daemon_fixture.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "wait.hpp"

namespace ttlink::test {
namespace json = boost::json;
using namespace std::chrono_literals;

std::string daemon_binary() {
  return std::string(TTLINK_BIN_DIR) + "/daemon/ttlinkd";
}
std::string ctl_binary() {
  return std::string(TTLINK_BIN_DIR) + "/ctl/ttlinkctl";
}

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

std::string toml_string(const std::string& s) {
  return json::serialize(json::value(s));
}

}  // namespace

DaemonProcess::DaemonProcess(SandboxProcess& sandbox, DaemonOptions options)
    : sandbox_(sandbox), options_(std::move(options)) {}

std::string DaemonProcess::callback_url() const {
  return "http://127.0.0.1:" + std::to_string(callback_port_) + "/callback";
}

std::unique_ptr<DaemonProcess> DaemonProcess::start(SandboxProcess& sandbox,
                                                    DaemonOptions options) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess(sandbox, std::move(options)));
  auto app = sandbox.world().at("app").as_object();
  write_file(d->dir_.file("app_secret"), std::string(app.at("secret").as_string()) + "\n");
  d->callback_port_ = free_loopback_port();
  const std::string base = sandbox.base_url();
  std::string toml =
      "[tiktok]\n"
      "api_base = " +
      toml_string(sandbox.api_base()) + "\n" +
      "app_id = " + toml_string(std::string(app.at("app_id").as_string())) + "\n" +
      "app_secret_file = " + toml_string(d->dir_.file("app_secret")) + "\n" +
      "advertiser_auth_url = " + toml_string(base + "/portal/auth") + "\n" +
      "account_auth_url = " + toml_string(base + "/v2/auth/authorize/") + "\n" +
      (d->options_.ca_file.empty() ? "" : "ca_file = " + toml_string(d->options_.ca_file) + "\n") +
      d->options_.tiktok_toml + "\n" +
      "[callback]\n"
      "listen = " +
      toml_string("127.0.0.1:" + std::to_string(d->callback_port_)) + "\n" +
      "public_url = " + toml_string(d->callback_url()) + "\n" +
      "[store]\n"
      "path = " +
      toml_string(d->db_path()) + "\n" + "key_file = " + toml_string(d->dir_.file("store_key")) +
      "\n" +
      "[control]\n"
      "socket = " +
      toml_string(d->socket_path()) + "\n" +
      "group = \"\"\n"
      "[metrics]\n"
      "listen = " +
      toml_string(d->options_.metrics_port ? "127.0.0.1:" + std::to_string(d->options_.metrics_port)
                                           : std::string()) +
      "\n" + d->options_.extra_toml;
  write_file(d->config_path(), toml);
  d->spawn();
  return d;
}

void DaemonProcess::spawn() {
  client_.reset();
  // TTLINK_DAEMON_WRAPPER (e.g. "valgrind --error-exitcode=99") runs the
  // daemon under a tool, for hunting memory errors with the real flows.
  std::vector<std::string> argv;
  if (const char* wrapper = std::getenv("TTLINK_DAEMON_WRAPPER")) {
    std::istringstream words(wrapper);
    for (std::string w; words >> w;) argv.push_back(w);
  }
  argv.insert(argv.end(), {daemon_binary(), "--config", config_path()});
  auto child = ChildProcess::spawn(argv);
  if (!child) throw std::runtime_error("cannot spawn ttlinkd: " + child.error().message);
  child_ = std::move(*child);
  auto ready = child_->wait_for_output("event=daemon.ready", deadline_in(20s));
  if (!ready) {
    ADD_FAILURE() << "ttlinkd did not become ready; its output:\n" << log_text();
    throw std::runtime_error("ttlinkd did not start");
  }
  auto c = rpc::Client::connect(socket_path());
  if (!c) throw std::runtime_error("cannot connect to ttlinkd: " + c.error().message);
  client_.emplace(std::move(*c));
  last_call_ = std::chrono::steady_clock::now();
}

void DaemonProcess::restart() {
  child_->signal(SIGTERM);
  if (!child_->wait(deadline_in(20s))) child_->kill9();
  spawn();
}

boost::system::result<json::value, rpc::ClientError> DaemonProcess::call(const std::string& method,
                                                                         json::object params) {
  // ttlinkd closes a control connection idle for 10 s (rpc::UnixServerOptions):
  // after a long wait the fixture opens a fresh one, as every ttlinkctl run does.
  if (std::chrono::steady_clock::now() - last_call_ > 5s) {
    if (auto c = rpc::Client::connect(socket_path())) client_.emplace(std::move(*c));
  }
  auto result = client_->call(method, std::move(params));
  last_call_ = std::chrono::steady_clock::now();
  return result;
}

json::object DaemonProcess::must(const std::string& method, json::object params) {
  auto r = call(method, std::move(params));
  if (!r) {
    ADD_FAILURE() << method << " failed: " << r.error().code << " " << r.error().message;
    throw std::runtime_error(method + " failed");
  }
  return r->as_object();
}

HttpResult DaemonProcess::authorize(const std::string& url) {
  auto chain = sandbox_.http().follow_redirects(url, 3);
  if (!chain) throw std::runtime_error("authorization failed: " + chain.error().message);
  return chain->final_response;
}

std::pair<std::string, std::string> DaemonProcess::code_and_state(const std::string& url) {
  auto page = sandbox_.http().get(url);
  if (!page || page->status != 302) throw std::runtime_error("authorization page did not redirect");
  auto location = boost::urls::parse_uri(page->header("Location"));
  if (!location) throw std::runtime_error("bad Location");
  std::string code, state;
  for (auto p : location->params()) {
    if (p.key == "code" || p.key == "auth_code") code = p.value;
    if (p.key == "state") state = p.value;
  }
  return {code, state};
}

std::string DaemonProcess::link(const std::string& advertiser_id) {
  auto started = must("link.start", {{"advertiser_id", advertiser_id}});
  if (started.at("advertiser_auth_url").is_string())
    authorize(std::string(started.at("advertiser_auth_url").as_string()));
  authorize(std::string(started.at("account_auth_url").as_string()));
  return std::string(started.at("link_id").as_string());
}

std::string DaemonProcess::state_of(const std::string& link_id) {
  auto got = must("link.get", {{"id", link_id}});
  return std::string(got.at("link").as_object().at("state").as_string());
}

CtlRun run_ctl(const std::string& socket, std::vector<std::string> args,
               std::map<std::string, std::string> env) {
  std::vector<std::string> argv{ctl_binary()};
  if (!socket.empty()) argv.insert(argv.end(), {"--socket", socket});
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::spawn(argv, std::move(env));
  if (!child) throw std::runtime_error(child.error().message);
  CtlRun run;
  run.exit_code = (*child)->wait(deadline_in(std::chrono::seconds(20))).value_or(-1);
  run.out = (*child)->stdout_text();  // wait() returns once the pipes are drained
  run.err = (*child)->stderr_text();
  return run;
}

}  // namespace ttlink::test
