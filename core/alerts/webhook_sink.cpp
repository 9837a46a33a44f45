#include "core/alerts/webhook_sink.hpp"

#include "core/alerts/http_post.hpp"
#include "core/config/secret_file.hpp"
#include "core/util/random.hpp"

namespace ttlink::alerts {

std::string webhook_signature(const Secret& secret, std::int64_t t, std::string_view body) {
  const std::string ts = std::to_string(t);
  std::string signed_text = ts + ".";
  signed_text.append(body);
  return "t=" + ts + ",v1=" + hmac_sha256_hex(secret.reveal(), signed_text);
}

Result<std::unique_ptr<Sink>> WebhookSink::create(std::string name,
                                                  const config::AlertSinkConfig& c,
                                                  boost::asio::any_io_executor ex, Clock clock) {
  Secret secret;
  if (!c.secret_file.empty()) {
    // The config's reader: private mode, read without stray copies of the
    // secret (the sink's own reader left the text in a freed string buffer).
    auto s = config::read_secret_file(c.secret_file, "alerts.sink secret_file");
    if (!s) return s.error();
    secret = std::move(*s);
  }
  return std::unique_ptr<Sink>(std::make_unique<WebhookSink>(std::move(name), c, std::move(secret),
                                                             std::move(ex), std::move(clock)));
}

WebhookSink::WebhookSink(std::string name, const config::AlertSinkConfig& c, Secret secret,
                         boost::asio::any_io_executor ex, Clock clock)
    : name_(std::move(name)),
      url_(c.url),
      extra_headers_(c.headers.begin(), c.headers.end()),
      secret_(std::move(secret)),
      clock_(std::move(clock)),
      http_(std::move(ex), sink_http_options(c)) {}

boost::asio::awaitable<Result<void>> WebhookSink::deliver(const Outgoing& event) {
  const std::string body = to_json_text(event.alert);
  http::Headers headers = extra_headers_;
  headers.emplace_back("Idempotency-Key", event.idempotency_key);
  if (!secret_.empty())
    headers.emplace_back("X-Ttlink-Signature", webhook_signature(secret_, to_unix(clock_()), body));
  co_return co_await post_json(http_, url_, std::move(headers), body, "webhook");
}

}  // namespace ttlink::alerts
