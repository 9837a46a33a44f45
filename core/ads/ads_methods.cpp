#include "core/ads/ads_methods.hpp"

#include "core/ads/ads_params.hpp"
#include "core/ads/identities.hpp"
#include "core/ads/launcher.hpp"
#include "core/ads/post_codes.hpp"
#include "core/links/link_view.hpp"

namespace ttlink::ads {

namespace json = boost::json;
using boost::asio::awaitable;
using rpc::invalid_params;
using rpc::MethodResult;
using rpc::Peer;

namespace {

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

awaitable<MethodResult> paid_report(AdsContext& ctx, const json::object& params) {
  auto link_id = link_id_param(params);
  if (!link_id) co_return invalid_params(link_id.error().message);
  auto first = first_day_param(params, ctx.clock());
  if (!first) co_return invalid_params(first.error().message);
  auto link = ctx.store.links().get(*link_id);
  if (!link) co_return rpc::to_method_error(link.error());
  auto days = ctx.store.ads().paid_by_day(*link_id, *first);
  if (!days) co_return rpc::to_method_error(days.error());
  json::array rows;
  store::PaidFigures total;
  for (const auto& d : *days) {
    json::object row{{"date", d.day}};
    for (auto& [key, value] : links::paid_json(d.figures)) row[key] = value;
    rows.push_back(std::move(row));
    total += d.figures;
  }
  auto advertiser = ctx.store.links().get_advertiser(link->advertiser_id);
  const std::string currency = advertiser && advertiser->has_value() ? (*advertiser)->currency : "";
  co_return json::value(json::object{{"link_id", *link_id},
                                     {"currency", currency},
                                     {"since", *first},
                                     {"days", std::move(rows)},
                                     {"total", links::paid_json(total)}});
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
  r.add("report.get",
        "paid figures of a link's Spark Ads per day, as last read (params: link_id, since)",
        [&ctx](const json::object& p, const Peer&) { return paid_report(ctx, p); });
}

}  // namespace ttlink::ads
