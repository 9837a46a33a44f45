#include "core/tiktok/api_client.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/http/client.hpp"
#include "core/tiktok/envelope.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

ApiClient::ApiClient(http::Client& http, ApiConfig config)
    : http_(http), config_(std::move(config)) {
  while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
}

awaitable<Result<json::object>> ApiClient::get(std::string_view path, QueryParams query,
                                               const Secret* access_token,
                                               std::vector<SecretParam> secret_query) {
  auto parsed = boost::urls::parse_uri(config_.api_base + std::string(path));
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
  auto response = co_await http_.send(url, std::move(req));
  if (!response) {
    Error e = response.error();
    e.message = std::string(path) + ": " + e.message;
    co_return e;
  }
  co_return decode_envelope(response->status, response->body, path);
}

}  // namespace ttlink::tiktok
