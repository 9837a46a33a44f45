#include "core/tiktok/posts.hpp"

#include "core/tiktok/fields.hpp"
#include "core/tiktok/paging.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object object_or_empty(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : json::object();
}

Result<PostAuthorization> read_post(const json::value& v, std::string_view kPath,
                                    std::string_view where = "list[]") {
  if (!v.is_object()) return missing_field(kPath, where);
  const auto& o = v.get_object();
  const json::object item = object_or_empty(o, "item_info");
  const json::object auth = object_or_empty(o, "auth_info");
  const json::object user = object_or_empty(o, "user_info");
  auto item_id = id_field(item, "item_id", kPath);
  if (!item_id) return item_id.error();
  PostAuthorization p;
  p.item_id = *item_id;
  p.auth_code_status = string_or(auth, "ad_auth_status");
  p.identity_id = id_or_empty(user, "identity_id");
  p.identity_type = string_or(user, "identity_type");
  p.tiktok_name = string_or(user, "tiktok_name");
  p.text = string_or(item, "text");
  p.auth_start_time = parse_tiktok_time(string_or(auth, "auth_start_time"));
  p.auth_end_time = parse_tiktok_time(string_or(auth, "auth_end_time"));
  return p;
}

}  // namespace

Result<std::vector<PostAuthorization>> decode_post_authorizations(const json::array& list) {
  std::vector<PostAuthorization> out;
  for (const auto& v : list) {
    auto post = read_post(v, "/tt_video/list/");
    if (!post) return post.error();
    out.push_back(std::move(*post));
  }
  return out;
}

Result<std::vector<SparkAd>> decode_spark_ads(const json::array& list) {
  static constexpr std::string_view kPath = "/ad/get/";
  std::vector<SparkAd> out;
  for (const auto& v : list) {
    if (!v.is_object()) return missing_field(kPath, "list[]");
    const auto& o = v.get_object();
    auto ad_id = id_field(o, "ad_id", kPath);
    if (!ad_id) return ad_id.error();
    std::string item = id_or_empty(o, "tiktok_item_id");
    if (item.empty()) continue;  // not a Spark Ad
    out.push_back({*ad_id, id_or_empty(o, "adgroup_id"), id_or_empty(o, "identity_id"),
                   string_or(o, "identity_type"), std::move(item)});
  }
  return out;
}

Result<PostAuthorization> decode_code_info(const json::object& data) {
  static constexpr std::string_view kPath = "/tt_video/info/";
  // `data` is the one item itself, not a list: tiktok-api.md, and the
  // response model of the public Go SDK github.com/bububa/tiktok-business
  // (ttvideo.InfoResponse.Data is a *ttvideo.Item). ttlink once read
  // data.list[0] (the sandbox answered a list): that shape is still taken,
  // so that a change of TikTok's answer back to a list costs nothing.
  if (data.contains("item_info") || !data.contains("list")) return read_post(data, kPath, "data");
  auto list = array_field(data, "list", kPath);
  if (!list) return list.error();
  if ((*list)->empty()) return missing_field(kPath, "list[0]");
  return read_post((*list)->front(), kPath);
}

awaitable<Result<PostAuthorization>> post_of_code(ApiClient& api, const Secret& token,
                                                  const std::string& advertiser_id,
                                                  const Secret& auth_code) {
  QueryParams query;
  query.emplace_back("advertiser_id", advertiser_id);
  std::vector<SecretParam> secret;
  secret.push_back({"auth_code", &auth_code});
  auto data = co_await api.get("/tt_video/info/", std::move(query), &token, std::move(secret));
  if (!data) co_return data.error();
  co_return decode_code_info(*data);
}

awaitable<Result<void>> authorize_post(ApiClient& api, const Secret& token,
                                       const std::string& advertiser_id, const Secret& auth_code) {
  json::object body;
  body["advertiser_id"] = advertiser_id;
  body["auth_code"] = auth_code.reveal();
  auto data = co_await api.post("/tt_video/authorize/", body, &token);
  if (!data) co_return data.error();
  co_return Result<void>();
}

awaitable<Result<void>> unbind_post(ApiClient& api, const Secret& token,
                                    const std::string& advertiser_id, const std::string& item_id) {
  json::object body;
  body["advertiser_id"] = advertiser_id;
  body["item_id"] = item_id;
  auto data = co_await api.post("/tt_video/unbind/", body, &token);
  if (!data) co_return data.error();
  co_return Result<void>();
}

awaitable<Result<std::vector<PostAuthorization>>> post_authorizations(
    ApiClient& api, const Secret& token, const std::string& advertiser_id) {
  QueryParams query;
  query.emplace_back("advertiser_id", advertiser_id);
  auto list = co_await get_all_pages(api, "/tt_video/list/", std::move(query), "list", &token, 50);
  if (!list) co_return list.error();
  co_return decode_post_authorizations(*list);
}

awaitable<Result<std::vector<SparkAd>>> spark_ads(ApiClient& api, const Secret& token,
                                                  const std::string& advertiser_id) {
  static constexpr std::string_view kPath = "/ad/get/";
  QueryParams query;
  query.emplace_back("advertiser_id", advertiser_id);
  query.emplace_back("fields", json_string_array({"ad_id", "adgroup_id", "identity_id",
                                                  "identity_type", "tiktok_item_id"}));
  auto list = co_await get_all_pages(api, kPath, std::move(query), "list", &token, 1000);
  if (!list) co_return list.error();
  co_return decode_spark_ads(*list);
}

}  // namespace ttlink::tiktok
