#pragma once
// A real ttlink-sandbox child on a free loopback port, and typed access to
// its control API (/_sandbox/...).
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"

namespace ttlink::test {

class SandboxProcess {
 public:
  // Starts `ttlink-sandbox --listen 127.0.0.1:0 EXTRA...` and waits (10 s)
  // for its "listening on URL" line. Throws (failing the test) when it does
  // not come up. With "--tls CERT KEY" in extra_args, pass `ca_file` so the
  // fixture's own client trusts it.
  static std::unique_ptr<SandboxProcess> start(std::vector<std::string> extra_args = {},
                                               std::string ca_file = "");

  const std::string& base_url() const { return base_url_; }  // http://127.0.0.1:PORT
  std::string api_base() const { return base_url_ + "/open_api/v1.3"; }
  std::string api(const std::string& path) const { return api_base() + path; }
  int port() const { return port_; }

  // Calls BASE/_sandbox/PATH (path starts with "/") with a JSON body (may be
  // empty) and returns the parsed JSON answer. Adds a test failure and throws
  // on a transport error, a non-2xx status, or a body that is not JSON.
  boost::json::value control(const std::string& method, const std::string& path,
                             const std::string& json = "");
  boost::json::value control(const std::string& method, const std::string& path,
                             const boost::json::value& json);
  // A string literal is JSON text (not a JSON string value).
  boost::json::value control(const std::string& method, const std::string& path, const char* json) {
    return control(method, path, std::string(json));
  }
  boost::json::value world() { return control("GET", "/world"); }

  HttpClient& http() { return http_; }
  ChildProcess& process() { return *child_; }
  // SIGTERM, then the exit status (or nullopt if it did not exit within 10 s).
  std::optional<int> stop();

 private:
  SandboxProcess(std::unique_ptr<ChildProcess> child, std::string base_url, int port,
                 std::string ca_file);

  std::unique_ptr<ChildProcess> child_;
  std::string base_url_;
  int port_;
  HttpClient http_;
};

std::string sandbox_binary();

}  // namespace ttlink::test
