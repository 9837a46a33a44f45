#pragma once
// The `exec` sink: runs `command` (argv, no shell) with the JSON on stdin and
// the Idempotency-Key in TTLINK_ALERT_ID; exit 0 within the timeout is
// delivered, anything else (or a kill at the timeout) is retried. The child
// gets none of the daemon's descriptors and only the environment built for
// it: PATH, LANG, TTLINK_ALERT_ID and the variables named by `env`.
#include "core/alerts/sink.hpp"

namespace ttlink::alerts {

class ExecSink final : public Sink {
 public:
  ExecSink(std::string name, const config::AlertSinkConfig& c, boost::asio::any_io_executor ex)
      : name_(std::move(name)),
        command_(c.command),
        env_names_(c.env),
        timeout_(c.timeout),
        ex_(std::move(ex)) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) override;

 private:
  std::vector<std::string> environment(const std::string& alert_id) const;

  std::string name_;
  std::vector<std::string> command_;
  std::vector<std::string> env_names_;
  Seconds timeout_;
  boost::asio::any_io_executor ex_;
};

}  // namespace ttlink::alerts
