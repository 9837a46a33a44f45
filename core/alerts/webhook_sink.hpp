#pragma once
// The `webhook` sink: POST the JSON with an Idempotency-Key and, when a
// secret_file is configured, X-Ttlink-Signature: t=UNIX,v1=HEX(HMAC-SHA256(
// secret, t + "." + body)). Any 2xx is delivered; anything else is retried.
#include "core/alerts/sink.hpp"
#include "core/http/client.hpp"
#include "core/util/secret.hpp"

namespace ttlink::alerts {

class WebhookSink final : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> create(std::string name, const config::AlertSinkConfig& c,
                                              boost::asio::any_io_executor ex, Clock clock);
  WebhookSink(std::string name, const config::AlertSinkConfig& c, Secret secret,
              boost::asio::any_io_executor ex, Clock clock);
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) override;

 private:
  std::string name_;
  std::string url_;
  http::Headers extra_headers_;
  Secret secret_;
  Clock clock_;
  http::Client http_;
};

// The signature header's value for `body` at unix time `t`.
std::string webhook_signature(const Secret& secret, std::int64_t t, std::string_view body);

}  // namespace ttlink::alerts
