#include "ctl/daemon_call.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/render.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {
// Upstream checks run inside some calls (check, refresh): allow them time.
constexpr auto kCallTimeout = std::chrono::seconds(60);
}  // namespace

std::optional<json::value> DaemonConnection::call(std::string_view method, json::object params) {
  if (!client_) {
    auto connected = rpc::Client::connect(socket_, kCallTimeout);
    if (!connected) return report(connected.error());
    client_.emplace(std::move(*connected));
  }
  auto result = client_->call(method, std::move(params));
  if (!result) return report(result.error());
  return std::move(*result);
}

std::nullopt_t DaemonConnection::report(const rpc::ClientError& e) {
  if (e.unreachable) {
    std::cerr << "ttlinkctl: cannot reach ttlinkd: " << sanitize(e.message) << "\n";
    failure_ = kExitUnreachable;
  } else {
    std::cerr << "ttlinkctl: " << sanitize(e.message) << " (error " << e.code << ")\n";
    failure_ = kExitDaemonError;
  }
  return std::nullopt;
}

void print_json(const json::value& v) {
  std::cout << json::serialize(v) << "\n";
}

int show(const GlobalOptions& options, const json::value& result, View view, ExitRule exit_rule) {
  if (options.json)
    print_json(result);
  else
    std::cout << view(result);
  return exit_rule ? exit_rule(result) : kExitOk;
}

int call_and_show(const GlobalOptions& options, std::string_view method, json::object params,
                  View view, ExitRule exit_rule) {
  DaemonConnection daemon(options.socket);
  auto result = daemon.call(method, std::move(params));
  if (!result) return daemon.failure();
  return show(options, *result, view, exit_rule);
}

}  // namespace ttlink::ctl
