#pragma once
// Talking to ttlinkd for a command: the connection (opened on first call,
// reporting failures itself) and the shape most commands share, one call
// whose result is printed and decides the exit code.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/rpc/client.hpp"
#include "ctl/commands.hpp"

namespace ttlink::ctl {

class DaemonConnection {
 public:
  explicit DaemonConnection(std::string socket) : socket_(std::move(socket)) {}

  // The method's result, or nullopt after printing why; failure() is then
  // the exit code (1 the daemon's error, 3 unreachable).
  std::optional<boost::json::value> call(std::string_view method, boost::json::object params = {});
  int failure() const { return failure_; }

 private:
  std::nullopt_t report(const rpc::ClientError& e);

  std::string socket_;
  std::optional<rpc::Client> client_;
  int failure_ = 0;
};

void print_json(const boost::json::value& v);

// Prints `result` (through `view`, or as JSON with --json) and returns
// `exit_rule(result)`, or 0 when there is no rule.
int show(const GlobalOptions& options, const boost::json::value& result, View view,
         ExitRule exit_rule = nullptr);

// One call on a new connection, shown: the exit code.
int call_and_show(const GlobalOptions& options, std::string_view method, boost::json::object params,
                  View view, ExitRule exit_rule = nullptr);

}  // namespace ttlink::ctl
