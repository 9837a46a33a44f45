#pragma once
// The `log` sink: one journal line per alert event.
#include "core/alerts/sink.hpp"

namespace ttlink::alerts {

class LogSink final : public Sink {
 public:
  LogSink(std::string name, Logger& log) : name_(std::move(name)), log_(log) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Result<void>> deliver(const Outgoing& event) override;

 private:
  std::string name_;
  Logger& log_;
};

}  // namespace ttlink::alerts
