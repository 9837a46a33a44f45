#pragma once
// The sandbox's request router: /_sandbox/ (control API), the two
// authorization pages, and /open_api/v1.3/ (the TikTok API, through QPS
// limits, faults and the request log). Unknown paths: 404; wrong method: 405.
#include <boost/asio/awaitable.hpp>

#include "sandbox_state.hpp"

namespace sandbox {

class Router {
 public:
  explicit Router(SandboxState& state);
  boost::asio::awaitable<HttpReply> handle(HttpRequest req);

 private:
  boost::asio::awaitable<HttpReply> api(const HttpRequest& req, const std::string& api_path);
  HttpReply run_endpoint(const Endpoint& endpoint, const HttpRequest& req);

  SandboxState& state_;
  ApiRoutes routes_;
};

inline constexpr const char* kApiPrefix = "/open_api/v1.3";

}  // namespace sandbox
