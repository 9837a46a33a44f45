#pragma once
// core/tiktok: the TikTok API for Business client, one file per API family
// (oauth_advertiser, oauth_account, advertiser, business, identity). Owns:
// paths, parameters, the envelope, typed results, the meaning of error codes.
// Must not touch: the store or link states (core/links decides what a result
// means for a link).
//
// api_client.hpp: the transport every family uses. Secrets travel in
// headers, bodies or (for /oauth2/advertiser/get/, as the API demands) the
// query string; no URL, header or body is ever logged or put in an error.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/result.hpp"
#include "core/util/secret.hpp"

namespace ttlink::http {
class Client;
}
namespace ttlink::metrics {
class Registry;
}

namespace ttlink::tiktok {

struct ApiConfig {
  std::string api_base;  // e.g. https://business-api.tiktok.com/open_api/v1.3
  std::string app_id;
  Secret app_secret;
};

// Query parameters in order; values are sent percent-encoded. Array
// parameters are passed JSON-encoded (`["1","2"]`), as the API wants.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A query parameter whose value is a secret (kept apart so it is obvious).
struct SecretParam {
  std::string name;
  const Secret* value;
};

class RateLimiter;
class AppGate;

// Optional: pacing of requests, app-wide pauses and metrics.
struct Instruments {
  RateLimiter* limiter = nullptr;
  AppGate* gate = nullptr;               // 40113/61000: requests refused while it is closed
  metrics::Registry* metrics = nullptr;  // needs declare_api_metrics()
};

// Declares the upstream request metrics ApiClient records.
void declare_api_metrics(metrics::Registry& registry);

class ApiClient {
 public:
  ApiClient(http::Client& http, ApiConfig config, Instruments instruments = {});

  const ApiConfig& config() const { return config_; }
  // Requests sent upstream so far (refused ones are not sent).
  std::uint64_t sent() const { return sent_; }

  // GET api_base + path with the query; `access_token` (may be null) goes in
  // the Access-Token header. Returns the envelope's `data` when code is 0.
  boost::asio::awaitable<Result<boost::json::object>> get(
      std::string_view path, QueryParams query, const Secret* access_token,
      std::vector<SecretParam> secret_query = {});
  // POST api_base + path with a JSON body.
  boost::asio::awaitable<Result<boost::json::object>> post(std::string_view path,
                                                           const boost::json::object& body,
                                                           const Secret* access_token);

 private:
  boost::asio::awaitable<Result<boost::json::object>> send(std::string_view path, std::string url,
                                                           std::string method, std::string body,
                                                           const Secret* access_token);
  void record(std::string_view path, const Result<boost::json::object>& outcome, double seconds);

  http::Client& http_;
  ApiConfig config_;
  Instruments instruments_;
  std::uint64_t sent_ = 0;
};

}  // namespace ttlink::tiktok
