#include "daemon/debug_clock.hpp"

namespace ttlink::daemon {

void register_debug_clock(rpc::Registry& registry, AdjustableClock& clock, Logger& log,
                          std::function<void()> moved) {
  log.warn("debug.clock_control", {{"note", "debug.clock.advance is enabled: not for production"}});
  registry.add(
      "debug.clock.advance", "move the daemon's clock forward (params: seconds)",
      [&clock, moved](const boost::json::object& p,
                      const rpc::Peer&) -> boost::asio::awaitable<rpc::MethodResult> {
        auto* s = p.if_contains("seconds");
        if (!s || !s->is_int64() || s->get_int64() < 0)
          co_return rpc::MethodError{rpc::code::kInvalidParams, "seconds must be an integer >= 0",
                                     nullptr};
        clock.advance(Seconds{s->get_int64()});
        moved();
        co_return boost::json::value(boost::json::object{{"now", format_rfc3339(clock.now())}});
      });
}

}  // namespace ttlink::daemon
