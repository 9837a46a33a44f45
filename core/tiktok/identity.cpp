#include "core/tiktok/identity.hpp"

#include "core/tiktok/fields.hpp"
#include "core/tiktok/paging.hpp"

namespace ttlink::tiktok {
using boost::asio::awaitable;

Result<std::vector<Identity>> decode_identities(const boost::json::array& list) {
  static constexpr std::string_view kPath = "/identity/get/";
  std::vector<Identity> out;
  for (auto& v : list) {
    if (!v.is_object()) return missing_field(kPath, "identity_list[]");
    auto& o = v.get_object();
    auto id = id_field(o, "identity_id", kPath);
    if (!id) return id.error();
    const auto* pull = o.if_contains("can_pull_video");
    out.push_back({*id, string_or(o, "identity_type"), string_or(o, "display_name"),
                   string_or(o, "user_name"), string_or(o, "available_status"),
                   pull && pull->is_bool() && pull->get_bool()});
  }
  return out;
}

awaitable<Result<std::vector<Identity>>> identities(ApiClient& api, const Secret& token,
                                                    const std::string& advertiser_id,
                                                    const std::string& identity_type) {
  QueryParams query;
  query.emplace_back("advertiser_id", advertiser_id);
  query.emplace_back("identity_type", identity_type);
  auto list =
      co_await get_all_pages(api, "/identity/get/", std::move(query), "identity_list", &token, 100);
  if (!list) co_return list.error();
  co_return decode_identities(*list);
}

std::optional<Identity> match_identity(const std::vector<Identity>& list,
                                       const std::string& username) {
  for (const auto& identity : list)
    if (!username.empty() && identity.user_name == username) return identity;
  return std::nullopt;
}

}  // namespace ttlink::tiktok
