#include "router.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "utf8.hpp"

namespace sandbox {
namespace {

std::string request_id(Ids& ids, std::int64_t now) {
  // TikTok's request ids: a timestamp then digits.
  return tiktok_time(now).substr(0, 4) + ids.digits(18);
}

HttpReply envelope(Ids& ids, std::int64_t now, long code, const std::string& message,
                   json::value data) {
  json::object body{{"code", code},
                    {"message", message},
                    {"request_id", request_id(ids, now)},
                    {"data", std::move(data)}};
  return json_reply(200, body);
}

long code_of(const HttpReply& reply) {
  boost::system::error_code ec;
  auto v = json::parse(reply.body, ec);
  if (ec || !v.is_object()) return 0;
  auto* code = v.get_object().if_contains("code");
  return code && code->is_int64() ? static_cast<long>(code->get_int64()) : 0;
}

HttpReply fault_reply(SandboxState& s, const Fault& f) {
  HttpReply r;
  switch (f.kind) {
    case FaultKind::kHttpStatus:
      r.status = f.http_status;
      r.content_type = "text/plain";
      r.body = f.message.empty() ? "Service Unavailable" : f.message;
      return r;
    case FaultKind::kCode:
      return envelope(s.ids, s.world.now(), f.code,
                      f.message.empty() ? "Injected error" : f.message, json::object{});
    case FaultKind::kReset:
      r.delivery = Delivery::kReset;
      return r;
    case FaultKind::kTruncate:
      r = envelope(s.ids, s.world.now(), 0, "OK", json::object{{"list", json::array{}}});
      r.delivery = Delivery::kTruncate;
      return r;
    case FaultKind::kMalformed:
      r.body = "<html><body>502 Bad Gateway</body></html>{\"code\":0,";
      return r;
    case FaultKind::kLatency:
      break;
  }
  return r;
}

}  // namespace

HttpReply json_reply(int status, const json::value& body) {
  HttpReply r;
  r.status = status;
  r.body = with_valid_utf8(json::serialize(body));  // it may echo any request bytes
  return r;
}

HttpReply control_error(const std::string& message) {
  return json_reply(400, json::object{{"error", message}});
}

Router::Router(SandboxState& state) : state_(state) {
  add_oauth_routes(routes_);
  add_marketing_routes(routes_);
  add_comment_routes(routes_);
  add_account_routes(routes_);
  add_post_routes(routes_);
  add_campaign_routes(routes_);
  add_report_routes(routes_);
}

boost::asio::awaitable<HttpReply> Router::handle(HttpRequest req) {
  const std::string prefix = std::string(kApiPrefix) + "/";
  if (req.path.rfind("/_sandbox/", 0) == 0) co_return handle_control(state_, req);
  if (req.path == "/portal/auth" || req.path == "/v2/auth/authorize/" ||
      req.path == "/v2/auth/authorize") {
    auto reply = handle_auth_page(state_, req);
    state_.log.add(req, state_.world.now(), reply.status, 0, "");
    co_return reply;
  }
  if (req.path.rfind(prefix, 0) == 0)
    co_return co_await api(req, req.path.substr(std::string(kApiPrefix).size()));
  co_return json_reply(404, json::object{{"error", "no such path: " + req.path}});
}

boost::asio::awaitable<HttpReply> Router::api(const HttpRequest& req, const std::string& api_path) {
  auto route = routes_.find(api_path);
  if (route == routes_.end()) {
    state_.log.add(req, state_.world.now(), 404, 0, "");
    co_return json_reply(404, json::object{{"code", 40400}, {"message", "Not Found"}});
  }
  if (route->second.method != req.method) {
    state_.log.add(req, state_.world.now(), 405, 0, "");
    auto reply = json_reply(405, json::object{{"code", 40500}, {"message", "Method Not Allowed"}});
    reply.headers["Allow"] = route->second.method;
    co_return reply;
  }
  if (!state_.qps.admit(api_path, std::chrono::steady_clock::now())) {
    auto reply = envelope(state_.ids, state_.world.now(), 40100,
                          "Too many requests. Please retry in some time.", json::object{});
    state_.log.add(req, state_.world.now(), 200, 40100, "qps");
    co_return reply;
  }
  std::string call;
  for (const auto& [k, v] : req.query) call += k + "=" + v + "&";
  call += req.body;
  auto fault = state_.faults.take(api_path, call, state_.ids);
  if (fault && fault->kind == FaultKind::kLatency) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(fault->latency_ms));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  } else if (fault) {
    auto reply = fault_reply(state_, *fault);
    state_.log.add(req, state_.world.now(), reply.status, code_of(reply), to_string(fault->kind));
    co_return reply;
  }
  auto reply = run_endpoint(route->second, req);
  state_.log.add(req, state_.world.now(), reply.status, code_of(reply),
                 fault ? to_string(fault->kind) : "");
  co_return reply;
}

HttpReply Router::run_endpoint(const Endpoint& endpoint, const HttpRequest& req) {
  ApiContext ctx{state_.world, state_.ids};
  auto now = state_.world.now();
  try {
    ApiCall call(req);
    auto data = endpoint.handler(ctx, call);
    return envelope(state_.ids, now, 0, "OK", std::move(data));
  } catch (const ApiError& e) {
    return envelope(state_.ids, now, e.code, e.message, json::object{});
  }
}

}  // namespace sandbox
