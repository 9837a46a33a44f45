#pragma once
// The `slack` sink: a chat incoming webhook (Slack, and the Mattermost and
// Rocket.Chat hooks that accept the same JSON). The message is {"text": ...}
// in Slack's mrkdwn: one readable line saying what is wrong with which
// account, the reason, and the action as a link plus the ttlinkctl command.
#include <boost/json/object.hpp>

#include "core/alerts/sink.hpp"
#include "core/http/client.hpp"

namespace ttlink::alerts {

// The mrkdwn text for one payload. Text from upstream or config (account
// names, reasons) is escaped (&, <, >) so it cannot forge links or mentions.
std::string slack_text(const Alert& alert);

class SlackSink final : public Sink {
 public:
  SlackSink(std::string name, const config::AlertSinkConfig& c, boost::asio::any_io_executor ex);
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) override;

 private:
  std::string name_;
  std::string url_;
  http::Headers extra_headers_;
  http::Client http_;
};

}  // namespace ttlink::alerts
