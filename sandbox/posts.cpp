#include "posts.hpp"

namespace sandbox {

namespace {

std::string on_clock(const std::string& status, const json::object& row, std::int64_t now) {
  auto end = parse_tiktok_time(str_field(row, "auth_end_time"));
  if ((status == "IN_USE" || status == "NOT_USED") && end && *end <= now) return "EXPIRED";
  return status;
}

}  // namespace

std::string auth_status(const json::object& post, std::int64_t now) {
  return on_clock(str_field(post, "ad_auth_status"), post, now);
}

std::string code_status(const json::object& code, std::int64_t now) {
  return on_clock(str_field(code, "status"), code, now);
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

json::object code_preview_json(const json::object& code, std::int64_t now) {
  return {{"item_info",
           {{"item_id", str_field(code, "item_id")},
            {"auth_code", str_field(code, "auth_code")},
            {"item_type", "VIDEO"},
            {"text", str_field(code, "text")},
            {"status", "PUBLIC"}}},
          {"auth_info",
           {{"ad_auth_status", code_status(code, now)},
            {"auth_start_time", str_field(code, "auth_start_time")},
            {"auth_end_time", str_field(code, "auth_end_time")},
            {"invite_start_time", str_field(code, "invite_start_time")}}},
          {"user_info",
           {{"identity_id", str_field(code, "identity_id")},
            {"identity_type", "AUTH_CODE"},
            {"tiktok_name", str_field(code, "user_name")}}},
          {"video_info",
           {{"video_id", str_field(code, "video_id")}, {"poster_url", ""}, {"duration", 15.0}}}};
}

json::object create_spark_code(World& w, Ids& ids, std::int64_t days, const std::string& text) {
  auto now = w.now();
  auto number = ids.digits(8);
  auto open_id = "creator-open-" + ids.hex(24);
  auto user_name = "creator_" + number;
  auto item_id = "74" + ids.digits(17);
  w.accounts.upsert({{"open_id", open_id},
                     {"username", user_name},
                     {"display_name", "Creator " + number},
                     {"is_business_account", false},  // creators need no Business Account
                     {"videos_count", 1}},
                    account_defaults());
  std::string code;
  do code = "#" + ids.hex(40);
  while (w.spark_codes.find({code}) != nullptr);
  return w.spark_codes.upsert({{"auth_code", code},
                               {"item_id", item_id},
                               {"open_id", open_id},
                               {"identity_id", ids.digits(19)},
                               {"user_name", user_name},
                               {"display_name", "Creator " + number},
                               {"text", text.empty() ? "Post by @" + user_name : text},
                               {"video_id", item_id},
                               {"status", "NOT_USED"},
                               {"advertiser_id", ""},
                               {"auth_start_time", tiktok_time(now)},
                               {"auth_end_time", tiktok_time(now + days * 86400)},
                               {"invite_start_time", tiktok_time(now)}},
                              spark_code_defaults());
}

namespace {

json::object auth_code_identity(const json::object& code, const std::string& advertiser_id) {
  return {{"advertiser_id", advertiser_id},
          {"identity_id", str_field(code, "identity_id")},
          {"identity_type", "AUTH_CODE"},
          {"display_name", str_field(code, "display_name")},
          {"user_name", str_field(code, "user_name")}};
}

}  // namespace

void bind_spark_code(World& w, json::object& code, const std::string& advertiser_id) {
  code["status"] = "IN_USE";
  code["advertiser_id"] = advertiser_id;
  code["bound_at"] = tiktok_time(w.now());
  w.identities.upsert(auth_code_identity(code, advertiser_id), identity_defaults("AUTH_CODE"));
  w.posts.upsert({{"advertiser_id", advertiser_id},
                  {"item_id", str_field(code, "item_id")},
                  {"auth_code", str_field(code, "auth_code")},
                  {"identity_id", str_field(code, "identity_id")},
                  {"identity_type", "AUTH_CODE"},
                  {"text", str_field(code, "text")},
                  {"video_id", str_field(code, "video_id")},
                  {"ad_auth_status", "IN_USE"},
                  {"auth_start_time", str_field(code, "auth_start_time")},
                  {"auth_end_time", str_field(code, "auth_end_time")},
                  {"invite_start_time", str_field(code, "invite_start_time")}},
                 post_defaults(w.now()));
}

void unbind_post(World& w, const std::string& advertiser_id, const std::string& item_id) {
  const auto* post = w.posts.find({advertiser_id, item_id});
  if (post == nullptr) return;
  auto code_text = str_field(*post, "auth_code");
  auto identity_id = str_field(*post, "identity_id");
  bool by_code = str_field(*post, "identity_type") == "AUTH_CODE";
  auto now = tiktok_time(w.now());
  for (auto i : w.ads.group(advertiser_id)) {
    auto& ad = w.ads.rows()[i];
    if (str_field(ad, "tiktok_item_id") == item_id &&
        str_field(ad, "authorization_lost_at").empty())
      ad["authorization_lost_at"] = now;
  }
  w.posts.erase({advertiser_id, item_id});
  if (auto* code = w.spark_codes.find({code_text});
      code != nullptr && str_field(*code, "advertiser_id") == advertiser_id)
    (*code)["status"] = "DELETED";
  if (!by_code) return;
  for (auto i : w.posts.group(advertiser_id))
    if (str_field(w.posts.rows()[i], "identity_id") == identity_id) return;
  w.identities.erase({advertiser_id, identity_id});
}

bool ad_authorization_live(const World& w, const json::object& ad, std::int64_t now) {
  auto item_id = str_field(ad, "tiktok_item_id");
  if (item_id.empty()) return true;
  if (!str_field(ad, "authorization_lost_at").empty()) return false;
  const auto* post = w.posts.find({str_field(ad, "advertiser_id"), item_id});
  return post != nullptr && auth_status(*post, now) == "IN_USE";
}

}  // namespace sandbox
