#include "core/ads/ads_params.hpp"

namespace ttlink::ads {
namespace json = boost::json;

namespace {

// --start / --end: RFC 3339, "YYYY-MM-DD HH:MM:SS" (UTC), or a date (UTC:
// its first second for a start, its last for an end).
Result<std::optional<TimePoint>> time_param(const json::object& params, std::string_view key,
                                            bool end_of_day) {
  auto text = rpc::optional_string(params, key);
  if (!text || text->empty()) return std::optional<TimePoint>();
  if (auto t = parse_rfc3339(*text)) return std::optional<TimePoint>(*t);
  if (auto t = parse_tiktok_time(*text)) return std::optional<TimePoint>(*t);
  if (text->size() == 10)
    if (auto t = parse_tiktok_time(*text + (end_of_day ? " 23:59:59" : " 00:00:00")))
      return std::optional<TimePoint>(*t);
  return Error::invalid(std::string(key) +
                        " must be a date (2026-12-31), a time (2026-12-31 18:00:00, UTC) or an "
                        "RFC 3339 time, got \"" +
                        text->substr(0, 40) + "\"");
}

Result<std::optional<double>> amount_param(const json::object& params, std::string_view key) {
  const auto* v = params.if_contains(key);
  if (!v || v->is_null()) return std::optional<double>();
  if (v->is_int64()) return std::optional<double>(static_cast<double>(v->get_int64()));
  if (v->is_double()) return std::optional<double>(v->get_double());
  return Error::invalid(std::string(key) + " must be a number");
}

Result<std::vector<std::string>> locations_param(const json::object& params) {
  std::vector<std::string> out;
  const auto* v = params.if_contains("locations");
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return Error::invalid("locations must be a list of location ids");
  for (const auto& l : v->get_array()) {
    if (!l.is_string()) return Error::invalid("locations must be a list of location ids");
    out.emplace_back(l.get_string());
  }
  return out;
}

}  // namespace

// link_id: a decimal string (ids are never parsed as numbers).
Result<std::string> link_id_param(const json::object& params) {
  auto id = rpc::require_string(params, "link_id");
  if (!id) return id.error();
  if (id->empty() || id->size() > 19 || id->find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("link_id must be a link id (digits), got \"" + id->substr(0, 40) + "\"");
  return id;
}

// An item id: digits (never parsed as a number).
Result<std::string> item_id_param(const json::object& params) {
  auto id = rpc::require_string(params, "item_id");
  if (!id) return id.error();
  if (id->empty() || id->size() > 32 || id->find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("item_id must be a post id (digits), got \"" + id->substr(0, 40) + "\"");
  return id;
}

// The code is a secret: never echoed, not even in a parameter error.
Result<Secret> auth_code_param(const json::object& params) {
  const auto* v = params.if_contains("auth_code");
  if (!v || !v->is_string() || v->get_string().empty())
    return Error::invalid("auth_code must be the creator's post authorization code");
  if (v->get_string().size() > 256)
    return Error::invalid("auth_code is too long to be a post authorization code");
  return Secret(std::string(v->get_string()));
}

Result<LaunchSpec> launch_spec(const json::object& params) {
  LaunchSpec s;
  auto link_id = link_id_param(params);
  if (!link_id) return link_id.error();
  s.link_id = *link_id;
  for (auto [key, field] : {std::pair{"name", &s.name}, std::pair{"objective", &s.objective},
                            std::pair{"post", &s.item_id}}) {
    auto value = rpc::require_string(params, key);
    if (!value) return value.error();
    *field = *value;
  }
  s.landing_url = rpc::optional_string(params, "landing_url").value_or("");
  s.call_to_action = rpc::optional_string(params, "cta").value_or("");
  auto daily = amount_param(params, "daily_budget");
  if (!daily) return daily.error();
  s.daily_budget = *daily;
  auto total = amount_param(params, "total_budget");
  if (!total) return total.error();
  s.total_budget = *total;
  auto start = time_param(params, "start", false);
  if (!start) return start.error();
  s.start = *start;
  auto end = time_param(params, "end", true);
  if (!end) return end.error();
  s.end = *end;
  auto locations = locations_param(params);
  if (!locations) return locations.error();
  s.location_ids = std::move(*locations);
  return s;
}

// report.get's `since`: a duration ("7d": the last 7 dates, today included),
// a date, or an RFC 3339 time (its date). The first date, YYYY-MM-DD (UTC).
Result<std::string> first_day_param(const json::object& params, TimePoint now) {
  const std::string text = rpc::optional_string(params, "since").value_or("7d");
  if (auto d = parse_duration(text); d && d->count() > 0) {
    const auto days = (d->count() + 86399) / 86400;
    return format_tiktok_time(now - Seconds((days - 1) * 86400)).substr(0, 10);
  }
  if (auto t = parse_rfc3339(text)) return format_tiktok_time(*t).substr(0, 10);
  if (text.size() == 10 && parse_tiktok_time(text + " 00:00:00")) return text;
  return Error::invalid(
      "since must be a duration (7d), a date (2026-11-01) or an RFC 3339 time, "
      "got \"" +
      text.substr(0, 40) + "\"");
}

}  // namespace ttlink::ads
