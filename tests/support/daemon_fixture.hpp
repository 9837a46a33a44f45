#pragma once
// A real ttlinkd child configured against a real sandbox, with its own temp
// directory (config, app secret, store, key, control socket), and the
// browser's part of linking (following the authorization URLs).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "child_process.hpp"
#include "core/rpc/client.hpp"
#include "sandbox_fixture.hpp"
#include "temp_dir.hpp"

namespace ttlink::test {

struct DaemonOptions {
  std::string extra_toml;   // appended to the generated config
  std::string tiktok_toml;  // extra keys inside [tiktok]
  std::string ca_file;      // tiktok.ca_file, for a TLS sandbox
  int metrics_port = 0;     // 0: metrics disabled
};

class DaemonProcess {
 public:
  // Writes the config for `sandbox` and starts ttlinkd; waits for readiness.
  static std::unique_ptr<DaemonProcess> start(SandboxProcess& sandbox, DaemonOptions options = {});
  // Starts again on the same directory (same store and key).
  void restart();

  const TempDir& dir() const { return dir_; }
  std::string config_path() const { return dir_.file("ttlinkd.toml"); }
  std::string socket_path() const { return dir_.file("ttlinkd.sock"); }
  std::string db_path() const { return dir_.file("ttlink.db"); }
  std::string callback_url() const;
  ChildProcess& process() { return *child_; }
  std::string log_text() const { return child_->stderr_text() + child_->stdout_text(); }

  // A JSON-RPC call: the result, or the daemon's error.
  boost::system::result<boost::json::value, rpc::ClientError> call(const std::string& method,
                                                                   boost::json::object params = {});
  // The result, failing the test on an error.
  boost::json::object must(const std::string& method, boost::json::object params = {});

  // As a browser would: opens `url` on the sandbox's authorization page,
  // follows its redirect to the daemon's callback, and returns the callback
  // page (status and body).
  HttpResult authorize(const std::string& url);
  // Opens the authorization page but stops before the callback: the
  // (code, state) a person would paste into `ttlinkctl link complete`.
  std::pair<std::string, std::string> code_and_state(const std::string& url);

  // link.start + both authorizations; returns the link id.
  std::string link(const std::string& advertiser_id);
  std::string state_of(const std::string& link_id);

 private:
  DaemonProcess(SandboxProcess& sandbox, DaemonOptions options);
  void spawn();

  SandboxProcess& sandbox_;
  DaemonOptions options_;
  TempDir dir_;
  int callback_port_ = 0;
  std::unique_ptr<ChildProcess> child_;
  std::optional<rpc::Client> client_;
  std::chrono::steady_clock::time_point last_call_{};
};

std::string daemon_binary();
std::string ctl_binary();

// A finished ttlinkctl run: its exit code and everything it wrote.
struct CtlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs ttlinkctl --socket SOCKET ARGS... and waits (20 s) for it to exit.
CtlRun run_ctl(const std::string& socket, std::vector<std::string> args,
               std::map<std::string, std::string> env = {});
int free_loopback_port();

}  // namespace ttlink::test
