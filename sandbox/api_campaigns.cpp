// Campaigns, ad groups and ads: /campaign/create/, /adgroup/create/,
// /ad/create/ (writes: ANALYST answers 40301; a repeated request_id answers
// the first call's data and creates nothing) and their /.../get/ listings.
// What the creates accept: campaign_rules.cpp.
#include "api.hpp"
#include "campaign_rules.hpp"
#include "delivery.hpp"
#include "posts.hpp"

namespace sandbox {
namespace {

void fail_if(const std::string& message, long code = 40002) {
  if (!message.empty()) throw ApiError{code, message};
}

void check_name(const std::string& field, const std::string& name) {
  auto chars = rules::utf8_chars(name);
  if (chars > rules::kMaxNameChars)
    throw ApiError{40002, field + ": Length must be between 1 and 512 characters."};
}

std::string one_of(const ApiCall& call, const std::string& field,
                   const std::vector<std::string>& allowed, const std::string& fallback = "") {
  auto value = fallback.empty() ? call.required(field) : call.optional(field, fallback);
  if (!rules::one_of(value, allowed)) throw ApiError{40002, rules::must_be_one_of(field, allowed)};
  return value;
}

// ---- request_id: the same id on the same create path answers the same data.
// tiktok-api.md documents it for /campaign/create/; the sandbox honours it on
// /adgroup/create/ and /ad/create/ too (assumed: the same field in their
// request bodies).

std::string read_request_id(const ApiCall& call) {
  auto id = call.optional("request_id");
  bool digits = !id.empty() && id.size() <= 19 &&
                std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!id.empty() && !digits)
    throw ApiError{40002, "request_id: Must be a 64-bit integer as a string."};
  return id;
}

const json::value* replay(const World& w, const std::string& advertiser_id, const char* path,
                          const std::string& request_id) {
  if (request_id.empty()) return nullptr;
  const auto* row = w.create_requests.find({advertiser_id, path, request_id});
  return row ? row->if_contains("data") : nullptr;
}

void remember(World& w, const std::string& advertiser_id, const char* path,
              const std::string& request_id, const json::value& data) {
  if (request_id.empty()) return;
  w.create_requests.upsert({{"advertiser_id", advertiser_id},
                            {"path", path},
                            {"request_id", request_id},
                            {"data", data}});
}

std::string new_id(ApiContext& ctx, const Table& table, const std::string& advertiser_id) {
  std::string id;
  do id = ctx.ids.digits(19);
  while (table.find({advertiser_id, id}) != nullptr);
  return id;
}

std::string status_of(const ApiCall& call) {
  return one_of(call, "operation_status", {"ENABLE", "DISABLE"}, "ENABLE");
}

// ---- /campaign/create/

void check_unique_name(const World& w, const std::string& advertiser_id, const std::string& name) {
  for (auto i : w.campaigns.group(advertiser_id))
    if (str_field(w.campaigns.rows()[i], "campaign_name") == name)
      throw ApiError{40911, "Campaign name already exists: " + name};
}

json::value campaign_create(ApiContext& ctx, const ApiCall& call) {
  static constexpr const char* kPath = "/campaign/create/";
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto currency = str_field(writable_advertiser(ctx, token, advertiser_id), "currency");
  auto request_id = read_request_id(call);
  if (const auto* earlier = replay(ctx.world, advertiser_id, kPath, request_id)) return *earlier;
  auto name = call.required("campaign_name");
  check_name("campaign_name", name);
  auto objective = one_of(call, "objective_type", rules::kObjectives);
  auto mode = call.required("budget_mode");
  auto budget = call.number("budget");
  fail_if(rules::check_campaign_budget(mode, budget, currency));
  auto status = status_of(call);
  check_unique_name(ctx.world, advertiser_id, name);
  auto now = tiktok_time(ctx.world.now());
  json::object row{{"advertiser_id", advertiser_id},
                   {"campaign_id", new_id(ctx, ctx.world.campaigns, advertiser_id)},
                   {"campaign_name", name},
                   {"objective_type", objective},
                   {"budget_mode", mode},
                   {"budget", mode == "BUDGET_MODE_INFINITE" ? 0.0 : budget.value_or(0)},
                   {"operation_status", status},
                   {"secondary_status",
                    status == "ENABLE" ? "CAMPAIGN_STATUS_ENABLE" : "CAMPAIGN_STATUS_DISABLE"},
                   {"create_time", now},
                   {"modify_time", now}};
  json::value data = ctx.world.campaigns.upsert(row, campaign_defaults());
  remember(ctx.world, advertiser_id, kPath, request_id, data);
  return data;
}

// ---- /adgroup/create/

struct AdgroupSchedule {
  std::string type;
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  std::int64_t days = 0;  // SCHEDULE_START_END only, rounded up
};

AdgroupSchedule read_schedule(ApiContext& ctx, const ApiCall& call) {
  AdgroupSchedule s;
  s.type = call.required("schedule_type");
  auto start = parse_tiktok_time(call.required("schedule_start_time"));
  auto end_text = call.optional("schedule_end_time");
  auto end = end_text.empty() ? std::nullopt : parse_tiktok_time(end_text);
  if (!end_text.empty() && !end)
    throw ApiError{40002, "schedule_end_time: Not a valid time (YYYY-MM-DD HH:MM:SS)."};
  fail_if(rules::check_schedule(s.type, start, end, ctx.world.now()));
  s.start = *start;
  if (s.type == "SCHEDULE_START_END") {
    s.end = end;
    s.days = (*end - *start + 86399) / 86400;
  }
  return s;
}

// PLACEMENT_TYPE_NORMAL names its placements; AUTOMATIC leaves them to TikTok.
json::array read_placements(const ApiCall& call) {
  auto type = one_of(call, "placement_type", {"PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL"});
  json::array out;
  if (type != "PLACEMENT_TYPE_NORMAL") return out;
  const std::vector<std::string> known = {"PLACEMENT_TIKTOK", "PLACEMENT_PANGLE",
                                          "PLACEMENT_GLOBAL_APP_BUNDLE"};
  for (const auto& p : call.string_list("placements", true)) {
    if (!rules::one_of(p, known)) throw ApiError{40002, rules::must_be_one_of("placements", known)};
    out.emplace_back(p);
  }
  return out;
}

void check_bid(const ApiCall& call) {
  auto bid_type = one_of(call, "bid_type", {"BID_TYPE_NO_BID", "BID_TYPE_CUSTOM"});
  auto price = call.number("bid_price");
  if (bid_type == "BID_TYPE_CUSTOM" && (!price || *price <= 0))
    throw ApiError{40002, "bid_price: Must be greater than 0 with BID_TYPE_CUSTOM."};
}

void check_frequency(const ApiCall& call) {
  auto frequency = call.integer("frequency", 0);
  auto schedule = call.integer("frequency_schedule", 0);
  if (frequency < 1) throw ApiError{40002, "frequency: Required for REACH, at least 1."};
  if (schedule < 1 || schedule > 30)
    throw ApiError{40002, "frequency_schedule: Required for REACH, between 1 and 30 days."};
}

json::value adgroup_create(ApiContext& ctx, const ApiCall& call) {
  static constexpr const char* kPath = "/adgroup/create/";
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto currency = str_field(writable_advertiser(ctx, token, advertiser_id), "currency");
  auto request_id = read_request_id(call);
  if (const auto* earlier = replay(ctx.world, advertiser_id, kPath, request_id)) return *earlier;
  auto campaign_id = call.required("campaign_id");
  const auto* campaign = ctx.world.campaigns.find({advertiser_id, campaign_id});
  if (campaign == nullptr)
    throw ApiError{40007, "campaign_id: The campaign " + campaign_id + " does not exist."};
  auto objective = str_field(*campaign, "objective_type");
  bool campaign_budget = str_field(*campaign, "budget_mode") != "BUDGET_MODE_INFINITE";
  if (!rules::one_of(objective, rules::kSimulatedObjectives))
    throw ApiError{40009, "objective_type " + objective +
                              ": ad groups of this objective are not simulated by ttlink-sandbox"};
  auto name = call.required("adgroup_name");
  check_name("adgroup_name", name);
  auto placements = read_placements(call);
  auto locations = call.string_list("location_ids", true);
  if (locations.empty()) throw ApiError{40002, "location_ids: At least one location is required."};
  auto schedule = read_schedule(ctx, call);
  auto mode = call.optional("budget_mode");
  auto budget = call.number("budget");
  fail_if(rules::check_adgroup_budget(mode, budget, schedule.days, campaign_budget, currency));
  auto goal = call.required("optimization_goal");
  auto billing = call.required("billing_event");
  auto promotion = call.optional("promotion_type");
  fail_if(rules::check_goal(objective, goal, billing, promotion));
  if (goal == "REACH") check_frequency(call);
  check_bid(call);
  auto pacing = one_of(call, "pacing", {"PACING_MODE_SMOOTH", "PACING_MODE_FAST"});
  auto status = status_of(call);
  json::array location_json;
  for (const auto& l : locations) location_json.emplace_back(l);
  auto now = tiktok_time(ctx.world.now());
  json::object row{{"advertiser_id", advertiser_id},
                   {"adgroup_id", new_id(ctx, ctx.world.adgroups, advertiser_id)},
                   {"adgroup_name", name},
                   {"campaign_id", campaign_id},
                   {"placement_type", call.required("placement_type")},
                   {"placements", std::move(placements)},
                   {"location_ids", std::move(location_json)},
                   {"budget_mode", mode.empty() ? "BUDGET_MODE_INFINITE" : mode},
                   {"budget", budget.value_or(0)},
                   {"schedule_type", schedule.type},
                   {"schedule_start_time", tiktok_time(schedule.start)},
                   {"schedule_end_time", schedule.end ? tiktok_time(*schedule.end) : ""},
                   {"optimization_goal", goal},
                   {"billing_event", billing},
                   {"bid_type", call.required("bid_type")},
                   {"bid_price", call.number("bid_price").value_or(0)},
                   {"pacing", pacing},
                   {"promotion_type", promotion},
                   {"operation_status", status},
                   {"secondary_status",
                    status == "ENABLE" ? "ADGROUP_STATUS_DELIVERY_OK" : "ADGROUP_STATUS_DISABLE"},
                   {"create_time", now},
                   {"modify_time", now}};
  if (goal == "REACH") {
    row["frequency"] = call.integer("frequency", 0);
    row["frequency_schedule"] = call.integer("frequency_schedule", 0);
  }
  json::value data = ctx.world.adgroups.upsert(row, adgroup_defaults());
  remember(ctx.world, advertiser_id, kPath, request_id, data);
  return data;
}

// ---- /ad/create/

std::string creative_str(const json::object& c, const std::string& field, const std::string& at,
                         bool required) {
  const auto* v = c.if_contains(field);
  if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) {
    if (required) throw ApiError{40002, at + field + ": Missing data for required field."};
    return "";
  }
  if (!v->is_string() && !v->is_number())
    throw ApiError{40002, at + field + ": Not a valid string."};
  return str_field(c, field);
}

// The identity a Spark creative names: one the advertiser has, of that type,
// usable (TT_USER and BC_AUTH_TT: AVAILABLE).
void check_identity(const World& w, const std::string& advertiser_id, const std::string& type,
                    const std::string& identity_id, const std::string& at) {
  const auto* identity = w.identities.find({advertiser_id, identity_id});
  if (identity == nullptr || str_field(*identity, "identity_type") != type)
    throw ApiError{40002, at + "identity_id: The advertiser has no " + type + " identity " +
                              identity_id + "."};
  auto available = str_field(*identity, "available_status");
  if (type != "AUTH_CODE" && available != "AVAILABLE")
    throw ApiError{40002, at + "identity_id: The identity " + identity_id + " is not available (" +
                              available + ")."};
}

// The post a Spark creative promotes: the identity's own post or one bound to
// it by code, with its authorization live.
void check_post(const World& w, const std::string& advertiser_id, const std::string& type,
                const std::string& identity_id, const std::string& item_id, const std::string& at) {
  const auto* post = w.posts.find({advertiser_id, item_id});
  if (post == nullptr || str_field(*post, "identity_id") != identity_id ||
      str_field(*post, "identity_type") != type)
    throw ApiError{40002, at + "tiktok_item_id: The post " + item_id +
                              " cannot be used by identity " + identity_id +
                              " (neither its own post nor one authorized to it by code)."};
  auto status = auth_status(*post, w.now());
  if (status != "IN_USE")
    throw ApiError{40002, at + "tiktok_item_id: The post's authorization is " + status + "."};
}

json::object creative_row(ApiContext& ctx, const json::value& value, std::size_t index,
                          const std::string& advertiser_id, const std::string& objective) {
  auto at = "creatives[" + std::to_string(index) + "].";
  if (!value.is_object()) throw ApiError{40002, at.substr(0, at.size() - 1) + ": Not an object."};
  const auto& c = value.get_object();
  auto name = creative_str(c, "ad_name", at, true);
  check_name(at + "ad_name", name);
  auto type = creative_str(c, "identity_type", at, true);
  if (type == "CUSTOMIZED_USER")
    throw ApiError{40009, at + "identity_type: non-Spark creatives (CUSTOMIZED_USER, uploaded "
                               "videos) are not simulated by ttlink-sandbox"};
  if (!rules::one_of(type, {"TT_USER", "BC_AUTH_TT", "AUTH_CODE"}))
    throw ApiError{
        40002, rules::must_be_one_of(at + "identity_type",
                                     {"TT_USER", "BC_AUTH_TT", "AUTH_CODE", "CUSTOMIZED_USER"})};
  auto identity_id = creative_str(c, "identity_id", at, true);
  auto format = creative_str(c, "ad_format", at, true);
  if (format != "SINGLE_VIDEO") throw ApiError{40002, at + "ad_format: Must be SINGLE_VIDEO."};
  auto item_id = creative_str(c, "tiktok_item_id", at, true);
  // A Spark Ad shows the post itself (tiktok-api.md: no video_id, no ad_text);
  // refusing them is assumed.
  for (const char* field : {"video_id", "ad_text"})
    if (!creative_str(c, field, at, false).empty())
      throw ApiError{40002, at + field + ": A Spark Ad uses the post's own video and text."};
  auto cta = creative_str(c, "call_to_action", at, false);
  if (!cta.empty() && !rules::one_of(cta, rules::kCallsToAction))
    throw ApiError{40002, rules::must_be_one_of(at + "call_to_action", rules::kCallsToAction)};
  auto landing = creative_str(c, "landing_page_url", at, false);
  fail_if(rules::check_landing_page(at + "landing_page_url", landing, objective == "TRAFFIC"));
  check_identity(ctx.world, advertiser_id, type, identity_id, at);
  check_post(ctx.world, advertiser_id, type, identity_id, item_id, at);
  return {{"ad_name", name},
          {"identity_type", type},
          {"identity_id", identity_id},
          {"ad_format", format},
          {"tiktok_item_id", item_id},
          {"call_to_action", cta},
          {"landing_page_url", landing}};
}

json::value ad_create(ApiContext& ctx, const ApiCall& call) {
  static constexpr const char* kPath = "/ad/create/";
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  writable_advertiser(ctx, token, advertiser_id);
  auto request_id = read_request_id(call);
  if (const auto* earlier = replay(ctx.world, advertiser_id, kPath, request_id)) return *earlier;
  auto adgroup_id = call.required("adgroup_id");
  const auto* adgroup = ctx.world.adgroups.find({advertiser_id, adgroup_id});
  if (adgroup == nullptr)
    throw ApiError{40007, "adgroup_id: The ad group " + adgroup_id + " does not exist."};
  auto campaign_id = str_field(*adgroup, "campaign_id");
  const auto* campaign = ctx.world.campaigns.find({advertiser_id, campaign_id});
  auto objective = campaign ? str_field(*campaign, "objective_type") : "";
  const auto* creatives = call.value("creatives");
  if (creatives == nullptr) throw ApiError{40002, "creatives: Missing data for required field."};
  if (!creatives->is_array() || creatives->get_array().empty() ||
      creatives->get_array().size() > rules::kMaxCreatives)
    throw ApiError{40002, "creatives: Must be a list of 1 to 20 creatives."};
  std::vector<json::object> rows;  // all checked before any is created
  for (std::size_t i = 0; i < creatives->get_array().size(); ++i)
    rows.push_back(creative_row(ctx, creatives->get_array()[i], i, advertiser_id, objective));
  auto now = tiktok_time(ctx.world.now());
  json::array ad_ids;
  for (auto& row : rows) {
    auto id = new_id(ctx, ctx.world.ads, advertiser_id);
    row["advertiser_id"] = advertiser_id;
    row["ad_id"] = id;
    row["adgroup_id"] = adgroup_id;
    row["campaign_id"] = campaign_id;
    row["operation_status"] = "ENABLE";
    row["secondary_status"] = "AD_STATUS_DELIVERY_OK";
    row["create_time"] = now;
    row["modify_time"] = now;
    ctx.world.ads.upsert(row, ad_defaults());
    ad_ids.emplace_back(id);
  }
  json::value data = json::object{{"ad_ids", std::move(ad_ids)}};
  remember(ctx.world, advertiser_id, kPath, request_id, data);
  return data;
}

// ---- listings

// filtering.primary_status: the statuses the sandbox tells apart (assumed
// subset of TikTok's; absent means STATUS_NOT_DELETE, and nothing is deleted).
bool primary_status_matches(const std::string& wanted, bool enabled, bool delivering) {
  static const std::vector<std::string> kKnown = {"STATUS_ALL", "STATUS_NOT_DELETE",
                                                  "STATUS_DELIVERY_OK", "STATUS_NOT_DELIVERY",
                                                  "STATUS_DISABLE"};
  if (wanted.empty() || wanted == "STATUS_ALL" || wanted == "STATUS_NOT_DELETE") return true;
  if (wanted == "STATUS_DELIVERY_OK") return delivering;
  if (wanted == "STATUS_NOT_DELIVERY") return !delivering;
  if (wanted == "STATUS_DISABLE") return !enabled;
  throw ApiError{40002, rules::must_be_one_of("filtering.primary_status", kKnown)};
}

struct Listing {
  const Table& table;
  const char* id_field;
  std::vector<std::pair<const char*, const char*>> id_filters;  // filtering key -> row field
};

template <class Keep, class View>
json::value list_rows(ApiContext& ctx, const ApiCall& call, const Listing& listing, Keep keep,
                      View view) {
  const auto& token = advertiser_token(ctx, call);
  auto advertiser_id = call.required("advertiser_id");
  auto fields = call.string_list("fields", false);
  auto page = read_page(call, 1000);
  Filtering filtering(call);
  granted_advertiser(ctx, token, advertiser_id);
  std::vector<std::pair<std::vector<std::string>, const char*>> wanted;
  for (const auto& [key, field] : listing.id_filters)
    wanted.emplace_back(filtering.ids(key), field);
  auto status = filtering.text("primary_status");
  auto rows = rows_of(listing.table, advertiser_id, [&](const json::object& r) {
    for (const auto& [ids, field] : wanted)
      if (!ids.empty() && !contains(ids, str_field(r, field))) return false;
    return keep(r, filtering, status);
  });
  for (auto& r : rows) r = pick_fields(view(r), fields, listing.id_field);
  return paged(rows, page, "list");
}

bool row_enabled(const json::object& r) {
  return str_field(r, "operation_status") != "DISABLE";
}

json::value campaign_get(ApiContext& ctx, const ApiCall& call) {
  Listing listing{ctx.world.campaigns, "campaign_id", {{"campaign_ids", "campaign_id"}}};
  return list_rows(
      ctx, call, listing,
      [](const json::object& r, const Filtering& f, const std::string& status) {
        auto objective = f.text("objective_type");
        if (!objective.empty() && str_field(r, "objective_type") != objective) return false;
        return primary_status_matches(status, row_enabled(r), row_enabled(r));
      },
      [](const json::object& r) { return r; });
}

json::value adgroup_get(ApiContext& ctx, const ApiCall& call) {
  const auto& w = ctx.world;
  Listing listing{
      w.adgroups, "adgroup_id", {{"adgroup_ids", "adgroup_id"}, {"campaign_ids", "campaign_id"}}};
  return list_rows(
      ctx, call, listing,
      [&](const json::object& r, const Filtering&, const std::string& status) {
        const auto* campaign =
            w.campaigns.find({str_field(r, "advertiser_id"), str_field(r, "campaign_id")});
        bool on = row_enabled(r) && (campaign == nullptr || row_enabled(*campaign));
        return primary_status_matches(status, row_enabled(r), on);
      },
      [](const json::object& r) { return r; });
}

json::value ad_get(ApiContext& ctx, const ApiCall& call) {
  const auto& w = ctx.world;
  auto now = w.now();
  Listing listing{
      w.ads,
      "ad_id",
      {{"ad_ids", "ad_id"}, {"adgroup_ids", "adgroup_id"}, {"campaign_ids", "campaign_id"}}};
  return list_rows(
      ctx, call, listing,
      [&](const json::object& r, const Filtering&, const std::string& status) {
        return primary_status_matches(status, row_enabled(r), delivering(w, r, now));
      },
      [&](json::object r) {
        r["secondary_status"] = ad_secondary_status(w, r, now);
        r.erase("authorization_lost_at");  // the sandbox's own record of an unbind
        return r;
      });
}

}  // namespace

void add_campaign_routes(ApiRoutes& r) {
  r["/campaign/create/"] = {"POST", campaign_create};
  r["/adgroup/create/"] = {"POST", adgroup_create};
  r["/ad/create/"] = {"POST", ad_create};
  r["/campaign/get/"] = {"GET", campaign_get};
  r["/adgroup/get/"] = {"GET", adgroup_get};
  r["/ad/get/"] = {"GET", ad_get};
}

}  // namespace sandbox
