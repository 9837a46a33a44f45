#include "core/alerts/alert_methods.hpp"

namespace ttlink::alerts {

namespace asio = boost::asio;
namespace json = boost::json;

void register_alert_methods(rpc::Registry& registry, Engine& engine, Dispatcher& dispatcher) {
  registry.add(
      "alerts.list", "firing alerts (params: all = include resolved)",
      [&engine](const json::object& p, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
        const auto* all = p.if_contains("all");
        auto list = engine.list(all && all->is_bool() && all->get_bool());
        if (!list) co_return rpc::to_method_error(list.error());
        json::array alerts;
        for (auto& a : *list) alerts.emplace_back(std::move(a));
        co_return json::value(json::object{{"alerts", std::move(alerts)}});
      });
  registry.add(
      "alert.ack", "silence repeats of a firing alert (params: id)",
      [&engine](const json::object& p, const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
        auto id = rpc::require_string(p, "id");
        if (!id) co_return rpc::to_method_error(id.error());
        auto acked = engine.ack(*id);
        if (!acked) co_return rpc::to_method_error(acked.error());
        co_return json::value(std::move(*acked));
      });
  registry.add("alert.test", "send a test alert to every sink and report each outcome",
               [&engine, &dispatcher](const json::object&,
                                      const rpc::Peer&) -> asio::awaitable<rpc::MethodResult> {
                 auto outcomes = co_await dispatcher.test(engine.test_alert());
                 json::array sinks;
                 for (const auto& o : outcomes) {
                   json::object s{{"sink", o.sink}, {"ok", o.ok}};
                   s["error"] = o.ok ? json::value(nullptr) : json::value(o.error);
                   sinks.emplace_back(std::move(s));
                 }
                 co_return json::value(json::object{{"sinks", std::move(sinks)}});
               });
}

}  // namespace ttlink::alerts
