#include "core/alerts/http_post.hpp"

namespace ttlink::alerts {

http::ClientOptions sink_http_options(const config::AlertSinkConfig& c) {
  http::ClientOptions o;
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.timeout);
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  o.max_response_body = 1 << 20;
  return o;
}

boost::asio::awaitable<Result<void>> post_json(http::Client& client, std::string url,
                                               http::Headers headers, std::string body,
                                               std::string receiver) {
  http::Request req;
  req.method = "POST";
  req.headers = std::move(headers);
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  auto res = co_await client.send(url, std::move(req));
  if (!res) co_return res.error();
  if (res->status < 200 || res->status > 299) {
    // The start of the answer helps (Alertmanager says which label is wrong),
    // kept short and on one line for the log and `alert test`.
    std::string said = res->body.substr(0, 200);
    for (char& ch : said)
      if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    co_return Error::transient(receiver + " answered HTTP " + std::to_string(res->status) +
                               (said.empty() ? "" : ": " + said));
  }
  co_return Result<void>();
}

}  // namespace ttlink::alerts
