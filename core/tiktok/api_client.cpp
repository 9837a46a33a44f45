#include "core/tiktok/api_client.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <chrono>

#include "core/http/client.hpp"
#include "core/metrics/metrics.hpp"
#include "core/tiktok/app_gate.hpp"
#include "core/tiktok/envelope.hpp"
#include "core/tiktok/rate_limiter.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

void declare_api_metrics(metrics::Registry& r) {
  r.declare("ttlink_upstream_requests_total", metrics::Type::kCounter,
            "Requests to the TikTok API by endpoint and outcome (TikTok code, http_NNN, or "
            "transport)");
  r.declare("ttlink_upstream_errors_total", metrics::Type::kCounter,
            "Failed requests to the TikTok API by endpoint and code (TikTok code, http_error, "
            "or transport)");
  r.declare("ttlink_upstream_request_duration_seconds", metrics::Type::kHistogram,
            "Latency of TikTok API requests by endpoint",
            {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  r.declare("ttlink_rate_limit_backoffs_total", metrics::Type::kCounter,
            "Back-off windows opened by 40100/40132 (endpoint) or 61000 (whole app)");
}

ApiClient::ApiClient(http::Client& http, ApiConfig config, Instruments instruments)
    : http_(http), config_(std::move(config)), instruments_(instruments) {
  while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
}

awaitable<Result<json::object>> ApiClient::get(std::string_view path, QueryParams query,
                                               const Secret* access_token,
                                               std::vector<SecretParam> secret_query) {
  // parse_uri returns a view: the text must outlive it.
  const std::string text = config_.api_base + std::string(path);
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) co_return Error::invalid("tiktok.api_base is not a valid URL");
  boost::urls::url url = *parsed;
  for (auto& [k, v] : query) url.params().append({k, v});
  for (auto& p : secret_query) url.params().append({p.name, p.value->reveal()});
  co_return co_await send(path, std::string(url.buffer()), "GET", "", access_token);
}

awaitable<Result<json::object>> ApiClient::post(std::string_view path, const json::object& body,
                                                const Secret* access_token) {
  co_return co_await send(path, config_.api_base + std::string(path), "POST", json::serialize(body),
                          access_token);
}

awaitable<Result<json::object>> ApiClient::send(std::string_view path, std::string url,
                                                std::string method, std::string body,
                                                const Secret* access_token) {
  http::Request req;
  req.method = std::move(method);
  req.body = std::move(body);
  req.headers.emplace_back("Accept", "application/json");
  if (req.method == "POST") req.headers.emplace_back("Content-Type", "application/json");
  if (access_token) req.headers.emplace_back("Access-Token", access_token->reveal());
  if (instruments_.gate)
    if (auto refused = instruments_.gate->refuse()) co_return std::move(*refused);
  if (instruments_.limiter) {
    std::string refused = co_await instruments_.limiter->acquire(path);
    if (!refused.empty()) co_return Error::not_sent(std::move(refused));
  }
  ++sent_;
  auto started = std::chrono::steady_clock::now();
  auto response = co_await http_.send(url, std::move(req));
  Result<json::object> outcome = Error::internal("unset");
  if (!response) {
    Error e = response.error();
    e.message = std::string(path) + ": " + e.message;
    outcome = e;
  } else {
    outcome = decode_envelope(response->status, response->body, path);
  }
  record(path, outcome,
         std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  co_return outcome;
}

void ApiClient::record(std::string_view path, const Result<json::object>& outcome, double seconds) {
  std::string code = "0";
  if (!outcome) {
    const Error& e = outcome.error();
    code = e.kind == ErrorKind::kUpstream ? std::to_string(e.upstream_code) : "transport";
    if (e.message.find("HTTP ") != std::string::npos && e.upstream_code == 0) code = "http_error";
    if (e.kind == ErrorKind::kUpstream && instruments_.limiter &&
        (e.upstream_code == 40100 || e.upstream_code == 40132))
      instruments_.limiter->back_off(path, std::chrono::seconds(1));
  }
  if (instruments_.gate)
    instruments_.gate->answered(outcome ? Result<void>() : Result<void>(outcome.error()));
  if (!instruments_.metrics) return;
  metrics::Registry& m = *instruments_.metrics;
  m.inc("ttlink_upstream_requests_total", {{"endpoint", std::string(path)}, {"code", code}});
  if (!outcome)
    m.inc("ttlink_upstream_errors_total", {{"endpoint", std::string(path)}, {"code", code}});
  m.observe("ttlink_upstream_request_duration_seconds", {{"endpoint", std::string(path)}}, seconds);
  if (code == "40100" || code == "40132" || code == "61000")
    m.inc("ttlink_rate_limit_backoffs_total", {{"endpoint", std::string(path)}});
}

}  // namespace ttlink::tiktok
