#include "daemon/observability.hpp"

namespace ttlink::daemon {

http::Handler make_metrics_handler(metrics::Registry& registry, std::function<bool()> healthy) {
  return [&registry, healthy](const http::Request& req) -> boost::asio::awaitable<http::Response> {
    http::Response r;
    std::string_view path = req.target;
    path = path.substr(0, path.find('?'));
    if (req.method != "GET") {
      r.status = 405;
      r.body = "use GET\n";
    } else if (path == "/metrics") {
      r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      r.body = registry.render();
    } else if (path == "/healthz") {
      bool ok = healthy();
      r.status = ok ? 200 : 503;
      r.body = ok ? "ok\n" : "stopping\n";
    } else {
      r.status = 404;
      r.body = "not found: try /metrics or /healthz\n";
    }
    co_return r;
  };
}

}  // namespace ttlink::daemon
