// Marketing API reads: advertiser info, Business Centers and their assets,
// identities, Spark Ads posts, ads and ad groups. All need an advertiser
// token that grants the advertiser asked for (40001 otherwise).
#include <set>

#include "api.hpp"

namespace sandbox {
namespace {

json::value paged(const std::vector<json::object>& rows, const Page& page, const char* list_key) {
  json::array list;
  for (auto i = page.begin(rows.size()); i < page.end(rows.size()); ++i) list.push_back(rows[i]);
  return json::object{{list_key, std::move(list)}, {"page_info", page.info(rows.size())}};
}

json::object pick_fields(const json::object& row, const std::vector<std::string>& fields,
                         const char* id_field) {
  if (fields.empty()) return row;
  json::object out{{id_field, row.at(id_field)}};
  for (const auto& f : fields)
    if (auto* v = row.if_contains(f)) out[f] = *v;
  return out;
}

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

template <class Pred>
std::vector<json::object> rows_of(const Table& t, const std::string& advertiser_id, Pred keep) {
  std::vector<json::object> out;
  for (const auto& row : t.rows())
    if (str_field(row, "advertiser_id") == advertiser_id && keep(row)) out.push_back(row);
  return out;
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

// The post's authorization status on the sandbox clock: IN_USE turns EXPIRED
// once auth_end_time has passed.
std::string auth_status(const json::object& post, std::int64_t now) {
  auto status = str_field(post, "ad_auth_status");
  auto end = parse_tiktok_time(str_field(post, "auth_end_time"));
  if (status == "IN_USE" && end && *end <= now) return "EXPIRED";
  return status;
}

json::object post_json(const World& w, const json::object& p) {
  auto identity_id = str_field(p, "identity_id");
  const auto* identity = w.identities.find({str_field(p, "advertiser_id"), identity_id});
  return {{"item_info",
           {{"item_id", p.at("item_id")},
            {"auth_code", str_field(p, "auth_code")},
            {"item_type", str_field(p, "item_type")},
            {"text", str_field(p, "text")},
            {"status", str_field(p, "status")}}},
          {"auth_info",
           {{"ad_auth_status", auth_status(p, w.now())},
            {"auth_start_time", str_field(p, "auth_start_time")},
            {"auth_end_time", str_field(p, "auth_end_time")},
            {"invite_start_time", str_field(p, "invite_start_time")}}},
          {"user_info",
           {{"identity_id", identity_id},
            {"identity_type", str_field(p, "identity_type")},
            {"tiktok_name", identity ? str_field(*identity, "user_name") : ""}}},
          {"video_info",
           {{"video_id", str_field(p, "video_id")},
            {"poster_url", str_field(p, "poster_url")},
            {"duration", p.contains("duration") ? p.at("duration") : json::value(15.0)}}}};
}

json::value video_list(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto page = read_page(call, 50, 20);
  granted_advertiser(ctx, token, advertiser_id);
  auto rows = rows_of(ctx.world.posts, advertiser_id, [](const json::object&) { return true; });
  for (auto& r : rows) r = post_json(ctx.world, r);
  return paged(rows, page, "list");
}

json::value video_info(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto auth_code = call.required("auth_code");
  granted_advertiser(ctx, token, advertiser_id);
  auto rows = rows_of(ctx.world.posts, advertiser_id, [&](const json::object& r) {
    return str_field(r, "auth_code") == auth_code;
  });
  if (rows.empty()) throw ApiError{40007, "The auth_code does not exist"};
  json::array list;
  for (const auto& r : rows) list.push_back(post_json(ctx.world, r));
  return json::object{{"list", std::move(list)}};
}

json::value identity_video_info(ApiContext& ctx, const ApiCall& call) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  call.required("identity_type");
  auto identity_id = call.required("identity_id");
  auto item_id = call.required("item_id");
  granted_advertiser(ctx, token, advertiser_id);
  const auto* post = ctx.world.posts.find({advertiser_id, item_id});
  if (post == nullptr || str_field(*post, "identity_id") != identity_id)
    throw ApiError{40007, "The video does not exist"};
  return json::object{{"video_detail", post_json(ctx.world, *post)}};
}

// The `filtering` parameter's id list (a JSON object in the query), if any.
std::vector<std::string> filter_ids(const ApiCall& call, const char* key) {
  auto text = call.param("filtering");
  if (!text || text->empty()) return {};
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !v.is_object()) throw ApiError{40002, "filtering: Not a valid JSON object."};
  std::vector<std::string> out;
  if (auto* ids = v.get_object().if_contains(key); ids && ids->is_array())
    for (const auto& id : ids->get_array())
      out.push_back(id.is_string() ? std::string(id.get_string()) : json::serialize(id));
  return out;
}

json::value filtered_list(ApiContext& ctx, const ApiCall& call, const Table& table,
                          const char* filter_key, const char* id_field) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto page = read_page(call, 1000);
  granted_advertiser(ctx, token, advertiser_id);
  auto wanted = filter_ids(call, filter_key);
  auto rows = rows_of(table, advertiser_id, [&](const json::object& r) {
    return wanted.empty() ||
           std::find(wanted.begin(), wanted.end(), str_field(r, id_field)) != wanted.end();
  });
  return paged(rows, page, "list");
}

json::value ad_get(ApiContext& ctx, const ApiCall& call) {
  return filtered_list(ctx, call, ctx.world.ads, "adgroup_ids", "adgroup_id");
}

json::value adgroup_get(ApiContext& ctx, const ApiCall& call) {
  return filtered_list(ctx, call, ctx.world.adgroups, "adgroup_ids", "adgroup_id");
}

}  // namespace

void add_marketing_routes(ApiRoutes& r) {
  r["/advertiser/info/"] = {"GET", advertiser_info};
  r["/bc/get/"] = {"GET", bc_get};
  r["/bc/asset/get/"] = {"GET", bc_asset_get};
  r["/identity/get/"] = {"GET", identity_get};
  r["/identity/video/info/"] = {"GET", identity_video_info};
  r["/tt_video/list/"] = {"GET", video_list};
  r["/tt_video/info/"] = {"GET", video_info};
  r["/ad/get/"] = {"GET", ad_get};
  r["/adgroup/get/"] = {"GET", adgroup_get};
}

}  // namespace sandbox
