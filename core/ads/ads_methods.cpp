#include "core/ads/ads_methods.hpp"

#include "core/ads/identities.hpp"

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

}  // namespace

void register_ads_methods(rpc::Registry& r, AdsParts parts) {
  AdsContext& ctx = parts.ctx;
  r.add("identities.list",
        "the Ad Identities of a link's advertiser, the linked account marked (params: link_id)",
        [&ctx](const json::object& p, const Peer&) { return list_identities(ctx, p); });
}

}  // namespace ttlink::ads
