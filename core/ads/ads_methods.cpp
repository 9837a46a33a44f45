#include "core/ads/ads_methods.hpp"

#include "core/ads/identities.hpp"
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

}  // namespace

void register_ads_methods(rpc::Registry& r, AdsParts parts) {
  AdsContext& ctx = parts.ctx;
  r.add("identities.list",
        "the Ad Identities of a link's advertiser, the linked account marked (params: link_id)",
        [&ctx](const json::object& p, const Peer&) { return list_identities(ctx, p); });
  r.add("spark.authorize",
        "bind a creator's post authorization code to a link's advertiser (params: link_id, "
        "auth_code)",
        [&ctx](const json::object& p, const Peer& peer) { return authorize(ctx, p, peer); });
  r.add("spark.unbind", "unbind a post from a link's advertiser (params: link_id, item_id)",
        [&ctx](const json::object& p, const Peer& peer) { return unbind(ctx, p, peer); });
}

}  // namespace ttlink::ads
