#include "core/ads/ads_methods.hpp"

#include "core/ads/identities.hpp"
#include "core/ads/launcher.hpp"
#include "core/ads/post_codes.hpp"

namespace ttlink::ads {

namespace json = boost::json;
using boost::asio::awaitable;
using rpc::invalid_params;
using rpc::MethodResult;
using rpc::Peer;

namespace {

// link_id: a decimal string (ids are never parsed as numbers).
Result<std::string> link_id_param(const json::object& params) {
  auto id = rpc::require_string(params, "link_id");
  if (!id) return id.error();
  if (id->empty() || id->size() > 19 || id->find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("link_id must be a link id (digits), got \"" + id->substr(0, 40) + "\"");
  return id;
}

json::object identity_json(const ListedIdentity& l) {
  const tiktok::Identity& i = l.identity;
  return {{"identity_id", i.identity_id},
          {"identity_type", i.identity_type},
          {"display_name", i.display_name},
          {"user_name", i.user_name},
          {"available_status", i.available_status},
          {"can_pull_video", i.can_pull_video},
          {"linked", l.linked}};
}

awaitable<MethodResult> list_identities(AdsContext& ctx, const json::object& params) {
  auto link_id = link_id_param(params);
  if (!link_id) co_return invalid_params(link_id.error().message);
  auto listed = co_await link_identities(ctx, *link_id);
  if (!listed) co_return rpc::to_method_error(listed.error());
  json::array out;
  for (const auto& l : *listed) out.push_back(identity_json(l));
  co_return json::value(json::object{{"link_id", *link_id}, {"identities", std::move(out)}});
}

json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object post_json(const tiktok::PostAuthorization& p) {
  return {{"item_id", p.item_id},
          {"text", p.text},
          {"creator", p.tiktok_name},
          {"identity_id", p.identity_id},
          {"identity_type", p.identity_type},
          {"auth_code_status", p.auth_code_status},
          {"auth_start_time", time_or_null(p.auth_start_time)},
          {"auth_end_time", time_or_null(p.auth_end_time)}};
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

awaitable<MethodResult> authorize(AdsContext& ctx, const json::object& params, const Peer& peer) {
  auto link_id = link_id_param(params);
  if (!link_id) co_return invalid_params(link_id.error().message);
  auto code = auth_code_param(params);
  if (!code) co_return invalid_params(code.error().message);
  const store::Actor actor{peer.describe()};  // named: see spark_methods.cpp on GCC 12
  auto bound = co_await authorize_code(ctx, *link_id, std::move(*code), actor);
  if (!bound) co_return rpc::to_method_error(bound.error());
  co_return json::value(json::object{{"link_id", *link_id},
                                     {"already_bound", bound->already_bound},
                                     {"post", post_json(bound->post)}});
}

awaitable<MethodResult> unbind(AdsContext& ctx, const json::object& params, const Peer& peer) {
  auto link_id = link_id_param(params);
  if (!link_id) co_return invalid_params(link_id.error().message);
  auto item = item_id_param(params);
  if (!item) co_return invalid_params(item.error().message);
  const store::Actor actor{peer.describe()};
  auto done = co_await unbind_item(ctx, *link_id, *item, actor);
  if (!done) co_return rpc::to_method_error(done.error());
  co_return json::value(json::object{{"link_id", *link_id}, {"item_id", *item}, {"unbound", true}});
}

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

std::string launch_status(const LaunchOutcome& o) {
  if (o.created.empty()) return "existing";
  return o.created.size() == 3 ? "created" : "resumed";
}

json::value launch_json(const std::string& link_id, const LaunchOutcome& o) {
  if (o.dry_run) {
    json::array requests;
    for (const auto& [path, body] : o.requests)
      requests.push_back(json::object{{"path", path}, {"body", body}});
    return json::object{{"link_id", link_id}, {"dry_run", true}, {"requests", std::move(requests)}};
  }
  const store::LaunchRecord& r = o.record;
  json::array created;
  for (const auto& step : o.created) created.emplace_back(step);
  return json::object{{"link_id", link_id},
                      {"dry_run", false},
                      {"name", r.name},
                      {"status", launch_status(o)},
                      {"created", std::move(created)},
                      {"campaign_id", r.campaign_id},
                      {"adgroup_id", r.adgroup_id},
                      {"ad_id", r.ad_id},
                      {"item_id", r.item_id},
                      {"identity_type", r.identity_type},
                      {"identity_id", r.identity_id}};
}

awaitable<MethodResult> create_campaign(Launcher& launcher, const json::object& params,
                                        const Peer& peer) {
  auto spec = launch_spec(params);
  if (!spec) co_return invalid_params(spec.error().message);
  const auto* dry = params.if_contains("dry_run");
  const bool dry_run = dry && dry->is_bool() && dry->get_bool();
  const store::Actor actor{peer.describe()};
  const std::string link_id = spec->link_id;
  auto done = co_await launcher.launch(std::move(*spec), dry_run, actor);
  if (!done) co_return rpc::to_method_error(done.error());
  co_return launch_json(link_id, *done);
}

}  // namespace

void register_ads_methods(rpc::Registry& r, AdsParts parts) {
  AdsContext& ctx = parts.ctx;
  Launcher& launcher = parts.launcher;
  r.add("identities.list",
        "the Ad Identities of a link's advertiser, the linked account marked (params: link_id)",
        [&ctx](const json::object& p, const Peer&) { return list_identities(ctx, p); });
  r.add("spark.authorize",
        "bind a creator's post authorization code to a link's advertiser (params: link_id, "
        "auth_code)",
        [&ctx](const json::object& p, const Peer& peer) { return authorize(ctx, p, peer); });
  r.add("spark.unbind", "unbind a post from a link's advertiser (params: link_id, item_id)",
        [&ctx](const json::object& p, const Peer& peer) { return unbind(ctx, p, peer); });
  r.add("campaign.create",
        "campaign -> ad group -> Spark Ad from a link's identity, once (params: link_id, name, "
        "objective, post, daily_budget | total_budget + end, start?, locations?, landing_url?, "
        "cta?, dry_run?)",
        [&launcher](const json::object& p, const Peer& peer) {
          return create_campaign(launcher, p, peer);
        });
}

}  // namespace ttlink::ads
