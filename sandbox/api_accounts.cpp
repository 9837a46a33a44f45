// Accounts API: the TikTok Business Account's profile (/business/get/).
#include "api.hpp"

namespace sandbox {
namespace {

json::value business_get(ApiContext& ctx, const ApiCall& call) {
  auto business_id = call.required("business_id");
  // is_business_account needs user.account.type (tiktok-api.md); ttlink
  // always asks for it, so the sandbox treats its absence as 40130.
  const auto& token =
      account_token(ctx, call.access_token_header(), {"user.info.basic", "user.account.type"});
  const auto& account = granted_account(ctx, token, business_id);
  json::object data = account;
  data.erase("open_id");
  data.erase("is_private");
  if (!data.contains("metrics")) data["metrics"] = json::array{};
  return data;
}

}  // namespace

void add_account_routes(ApiRoutes& r) {
  r["/business/get/"] = {"GET", business_get};
}

}  // namespace sandbox
