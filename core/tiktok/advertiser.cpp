#include "core/tiktok/advertiser.hpp"

#include "core/tiktok/fields.hpp"
#include "core/tiktok/paging.hpp"

namespace ttlink::tiktok {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {
// Outside the coroutine: GCC 12 rejects braced string lists in coroutine bodies.
std::vector<std::string> info_fields() {
  return {"advertiser_id", "name", "status", "role", "currency", "timezone", "rejection_reason"};
}
}  // namespace

Result<std::vector<AdvertiserInfo>> decode_advertiser_info(const json::object& data) {
  static constexpr std::string_view kPath = "/advertiser/info/";
  auto list = array_field(data, "list", kPath);
  if (!list) return list.error();
  std::vector<AdvertiserInfo> out;
  for (auto& v : **list) {
    if (!v.is_object()) return missing_field(kPath, "list[]");
    auto& o = v.get_object();
    auto id = id_field(o, "advertiser_id", kPath);
    auto status = string_field(o, "status", kPath);
    if (!id) return id.error();
    if (!status) return status.error();
    out.push_back({*id, string_or(o, "name"), *status, string_or(o, "role"),
                   string_or(o, "currency"), string_or(o, "timezone"),
                   string_or(o, "rejection_reason")});
  }
  return out;
}

Result<std::vector<BusinessCenter>> decode_business_centers(const json::array& list) {
  static constexpr std::string_view kPath = "/bc/get/";
  std::vector<BusinessCenter> out;
  for (auto& v : list) {
    if (!v.is_object()) return missing_field(kPath, "list[]");
    auto& o = v.get_object();
    auto* info = o.if_contains("bc_info");
    if (!info || !info->is_object()) return missing_field(kPath, "bc_info");
    auto id = id_field(info->get_object(), "bc_id", kPath);
    if (!id) return id.error();
    out.push_back({*id, string_or(info->get_object(), "name"), string_or(o, "user_role")});
  }
  return out;
}

Result<std::vector<BcAdvertiserAsset>> decode_bc_advertisers(const json::array& list) {
  static constexpr std::string_view kPath = "/bc/asset/get/";
  std::vector<BcAdvertiserAsset> out;
  for (auto& v : list) {
    if (!v.is_object()) return missing_field(kPath, "list[]");
    auto& o = v.get_object();
    auto id = id_field(o, "asset_id", kPath);
    if (!id) return id.error();
    out.push_back({*id, string_or(o, "asset_name"), string_or(o, "advertiser_role")});
  }
  return out;
}

awaitable<Result<std::vector<AdvertiserInfo>>> advertiser_info(
    ApiClient& api, const Secret& token, const std::vector<std::string>& advertiser_ids) {
  QueryParams query;
  query.emplace_back("advertiser_ids", json_string_array(advertiser_ids));
  query.emplace_back("fields", json_string_array(info_fields()));
  auto data = co_await api.get("/advertiser/info/", std::move(query), &token);
  if (!data) co_return data.error();
  co_return decode_advertiser_info(*data);
}

awaitable<Result<std::vector<BusinessCenter>>> business_centers(ApiClient& api,
                                                                const Secret& token) {
  auto list = co_await get_all_pages(api, "/bc/get/", QueryParams{}, "list", &token, 50);
  if (!list) co_return list.error();
  co_return decode_business_centers(*list);
}

awaitable<Result<std::vector<BcAdvertiserAsset>>> bc_advertisers(ApiClient& api,
                                                                 const Secret& token,
                                                                 const std::string& bc_id) {
  QueryParams query;
  query.emplace_back("bc_id", bc_id);
  query.emplace_back("asset_type", "ADVERTISER");
  auto list = co_await get_all_pages(api, "/bc/asset/get/", std::move(query), "list", &token, 50);
  if (!list) co_return list.error();
  co_return decode_bc_advertisers(*list);
}

std::string describe_advertiser_status(const std::string& status) {
  if (status == "STATUS_ENABLE") return "operational";
  if (status == "STATUS_DISABLE") return "closed";
  if (status == "STATUS_LIMIT") return "limited (punished)";
  if (status == "STATUS_PENDING_VERIFIED" || status == "STATUS_PENDING_CONFIRM" ||
      status == "STATUS_PENDING_CONFIRM_MODIFY" || status == "STATUS_WAIT_FOR_BPM_AUDIT" ||
      status == "STATUS_WAIT_FOR_PUBLIC_AUTH" || status == "STATUS_SELF_SERVICE_UNAUDITED" ||
      status == "STATUS_CONTRACT_PENDING")
    return "awaiting review or billing verification";
  if (status == "STATUS_CONFIRM_FAIL" || status == "STATUS_CONFIRM_FAIL_END" ||
      status == "STATUS_CONFIRM_MODIFY_FAIL")
    return "review failed";
  return "not operational";
}

}  // namespace ttlink::tiktok
