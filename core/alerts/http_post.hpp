#pragma once
// What the HTTP sinks (webhook, alertmanager, slack) share: client options
// from the sink's config, and one POST whose only success is a 2xx.
#include <boost/asio/awaitable.hpp>

#include <string>

#include "core/config/config.hpp"
#include "core/http/client.hpp"
#include "core/util/result.hpp"

namespace ttlink::alerts {

http::ClientOptions sink_http_options(const config::AlertSinkConfig& c);

// POSTs `body` as JSON to `url`. Any non-2xx answer is a transient error
// naming `receiver` and the status, so that the outbox retries it.
boost::asio::awaitable<Result<void>> post_json(http::Client& client, std::string url,
                                               http::Headers headers, std::string body,
                                               std::string receiver);

}  // namespace ttlink::alerts
