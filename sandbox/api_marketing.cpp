// Marketing API reads about the advertiser: its info, Business Centers and
// their assets, identities. All need an advertiser token that grants the
// advertiser asked for (40001 otherwise). Posts: api_posts.cpp; campaigns, ad
// groups and ads: api_campaigns.cpp; reports: api_reports.cpp.
#include <set>

#include "api.hpp"

namespace sandbox {
namespace {

json::value advertiser_info(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto ids = call.string_list("advertiser_ids", true);
  auto fields = call.string_list("fields", false);
  json::array list;
  for (const auto& id : ids) {
    auto row = granted_advertiser(ctx, token, id);
    row.erase("bc_id");    // sandbox-only fields: Business Center membership and
    row.erase("bc_name");  // the user's role are answered by /bc/ calls
    row.erase("user_role");
    list.push_back(pick_fields(row, fields, "advertiser_id"));
  }
  return json::object{{"list", std::move(list)}};
}

// The Business Centers that hold at least one advertiser this token grants.
std::vector<json::object> business_centers(ApiContext& ctx, const Token& token) {
  std::vector<json::object> out;
  std::set<std::string> seen;
  for (const auto& id : token.subject) {
    const auto* adv = ctx.world.advertisers.find({id});
    if (adv == nullptr) continue;
    auto bc_id = str_field(*adv, "bc_id");
    if (bc_id.empty() || !seen.insert(bc_id).second) continue;
    auto user_role = str_field(*adv, "user_role") == "ADMIN" ? "ADMIN" : "STANDARD";
    out.push_back({{"bc_info",
                    {{"bc_id", bc_id},
                     {"name", str_field(*adv, "bc_name")},
                     {"company", str_field(*adv, "company")},
                     {"status", "ENABLE"},
                     {"type", "NORMAL"},
                     {"currency", str_field(*adv, "currency")},
                     {"timezone", str_field(*adv, "timezone")}}},
                   {"user_role", user_role},
                   {"ext_user_info", {{"finance_role", nullptr}}}});
  }
  return out;
}

json::value bc_get(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto page = read_page(call, 50);
  return paged(business_centers(ctx, token), page, "list");
}

json::value bc_asset_get(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto bc_id = call.required("bc_id");
  auto asset_type = call.required("asset_type");
  auto page = read_page(call, 50);
  if (asset_type != "ADVERTISER") throw ApiError{40002, "asset_type: only ADVERTISER is simulated"};
  bool known = false;
  std::vector<json::object> assets;
  for (const auto& id : token.subject) {
    const auto* adv = ctx.world.advertisers.find({id});
    if (adv == nullptr || str_field(*adv, "bc_id") != bc_id) continue;
    known = true;
    assets.push_back({{"asset_id", id},
                      {"asset_name", str_field(*adv, "name")},
                      {"asset_type", "ADVERTISER"},
                      {"advertiser_status", str_field(*adv, "status")},
                      {"advertiser_role", str_field(*adv, "user_role")},
                      {"owner_bc_name", str_field(*adv, "bc_name")}});
  }
  if (!known) throw ApiError{40001, "No permission to access Business Center " + bc_id};
  return paged(assets, page, "list");
}

json::object identity_json(json::object row) {
  row.erase("advertiser_id");
  return row;
}

json::value identity_get(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto type = call.optional("identity_type");
  auto page = read_page(call, 100);
  granted_advertiser(ctx, token, advertiser_id);
  auto rows = rows_of(ctx.world.identities, advertiser_id, [&](const json::object& r) {
    return type.empty() || str_field(r, "identity_type") == type;
  });
  for (auto& r : rows) r = identity_json(std::move(r));
  auto data = paged(rows, page, "identity_list");
  return data;
}

}  // namespace

void add_marketing_routes(ApiRoutes& r) {
  r["/advertiser/info/"] = {"GET", advertiser_info};
  r["/bc/get/"] = {"GET", bc_get};
  r["/bc/asset/get/"] = {"GET", bc_asset_get};
  r["/identity/get/"] = {"GET", identity_get};
}

}  // namespace sandbox
