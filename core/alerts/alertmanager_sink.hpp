#pragma once
// The `alertmanager` sink: Prometheus Alertmanager's v2 API (POST
// {url}/api/v2/alerts). Labels say which alert it is (stable for the alert's
// life, so that Alertmanager groups and deduplicates it); annotations carry
// what a person needs (summary, reason, action URL, ttlinkctl command).
//
// Like Prometheus, a firing alert is sent with endsAt = now + 4 × resend
// interval and re-posted every resend interval while it fires: Alertmanager
// resolves it by itself if ttlink stops saying so (e.g. the daemon is gone
// for good), never earlier. The resolve event sets endsAt to its time.
#include <boost/json/object.hpp>

#include "core/alerts/sink.hpp"
#include "core/http/client.hpp"

namespace ttlink::alerts {

// The Alertmanager alert for one ttlink alert, sent at `now`.
boost::json::object alertmanager_alert(const Alert& alert, TimePoint now, Seconds resend_interval);

class AlertmanagerSink final : public Sink {
 public:
  AlertmanagerSink(std::string name, const config::AlertSinkConfig& c,
                   boost::asio::any_io_executor ex, Clock clock);
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) override;
  std::optional<Seconds> resend_interval() const override { return resend_; }

 private:
  std::string name_;
  std::string alerts_url_;
  http::Headers extra_headers_;
  Seconds resend_;
  Clock clock_;
  http::Client http_;
};

}  // namespace ttlink::alerts
