// Both OAuth families: advertiser (Marketing API: /oauth2/...) and TikTok
// account (Accounts API: /tt_user/oauth2/..., /tt_user/token_info/get/).
// Lifetimes: codes 1 h and single-use; advertiser tokens until revoked;
// account access 24 h, refresh 1 year from the first grant (a refresh rotates
// both tokens and does not extend the year).
#include "api.hpp"
#include "tokens.hpp"

namespace sandbox {
namespace {

Token& usable_code(ApiContext& ctx, const std::string& code, TokenKind kind) {
  auto it = ctx.world.tokens.find(code);
  if (it == ctx.world.tokens.end() || it->second.kind != kind || it->second.used ||
      it->second.revoked || ctx.world.now() >= it->second.expires_at)
    throw ApiError{40110, "Auth code is invalid, used or expired"};
  return it->second;
}

json::value advertiser_access_token(ApiContext& ctx, const ApiCall& call) {
  auto app_id = call.required("app_id");
  auto secret = call.required("secret");
  auto code_text = call.required("auth_code");
  check_app(ctx, app_id, secret);
  auto& code = usable_code(ctx, code_text, TokenKind::kAdvertiserAuthCode);
  code.used = true;
  auto& token = issue_advertiser_token(ctx, code.subject);
  json::array ids;
  for (const auto& id : token.subject) ids.emplace_back(id);
  return json::object{{"access_token", token.token},
                      {"scope", json::array{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
                      {"advertiser_ids", std::move(ids)}};
}

json::value advertiser_get(ApiContext& ctx, const ApiCall& call) {
  check_app(ctx, call.required("app_id"), call.required("secret"));
  const auto& token = advertiser_token(ctx, call);
  json::array list;
  for (const auto& id : token.subject)
    if (const auto* adv = ctx.world.advertisers.find({id}))
      list.push_back({{"advertiser_id", id}, {"advertiser_name", (*adv).at("name")}});
  return json::object{{"list", std::move(list)}};
}

json::value advertiser_revoke(ApiContext& ctx, const ApiCall& call) {
  check_app(ctx, call.required("app_id"), call.required("secret"));
  auto text = call.required("access_token");
  auto it = ctx.world.tokens.find(text);
  if (it == ctx.world.tokens.end() || it->second.kind != TokenKind::kAdvertiserAccess ||
      it->second.revoked)
    throw ApiError{40105, "Access token is invalid or has been revoked"};
  it->second.revoked = true;
  return json::object{};
}

void check_client(ApiContext& ctx, const ApiCall& call) {
  auto client_id = call.required("client_id");
  auto client_secret = call.required("client_secret");
  if (client_id != ctx.world.app_id || client_secret != ctx.world.app_secret)
    throw ApiError{40001, "client_id or client_secret mismatch"};
}

json::value account_grant_data(ApiContext& ctx, const AccountGrant& grant) {
  const auto& access = ctx.world.tokens.at(grant.access_token);
  const auto& refresh = ctx.world.tokens.at(grant.refresh_token);
  return json::object{{"access_token", access.token},
                      {"expires_in", access.expires_at - ctx.world.now()},
                      {"refresh_token", refresh.token},
                      {"refresh_token_expires_in", refresh.expires_at - ctx.world.now()},
                      {"open_id", access.subject[0]},
                      {"scope", access.scope},
                      {"token_type", "Bearer"}};
}

json::value account_token_exchange(ApiContext& ctx, const ApiCall& call) {
  check_client(ctx, call);
  auto grant_type = call.required("grant_type");
  auto code_text = call.required("auth_code");
  auto redirect_uri = call.required("redirect_uri");
  if (grant_type != "authorization_code") throw ApiError{40108, "Invalid grant_type"};
  auto& code = usable_code(ctx, code_text, TokenKind::kAccountAuthCode);
  if (code.redirect_uri != redirect_uri)
    throw ApiError{40002, "redirect_uri: does not match the authorization request"};
  code.used = true;
  auto grant = issue_account_grant(ctx, code.subject[0], code.scope,
                                   ctx.world.now() + kRefreshTokenLifetime);
  return account_grant_data(ctx, grant);
}

json::value account_token_refresh(ApiContext& ctx, const ApiCall& call) {
  check_client(ctx, call);
  auto grant_type = call.required("grant_type");
  auto text = call.required("refresh_token");
  if (grant_type != "refresh_token") throw ApiError{40108, "Invalid grant_type"};
  auto it = ctx.world.tokens.find(text);
  if (it == ctx.world.tokens.end() || it->second.kind != TokenKind::kAccountRefresh ||
      it->second.used)
    throw ApiError{40107, "Refresh token is invalid"};
  auto& old_refresh = it->second;
  if (old_refresh.revoked) throw ApiError{40105, "Refresh token has been revoked"};
  if (ctx.world.now() >= old_refresh.expires_at) throw ApiError{40103, "Refresh token has expired"};
  auto grant = rotate_account_grant(ctx, old_refresh);
  return account_grant_data(ctx, grant);
}

json::value account_revoke(ApiContext& ctx, const ApiCall& call) {
  check_client(ctx, call);
  auto text = call.required("access_token");
  auto it = ctx.world.tokens.find(text);
  if (it == ctx.world.tokens.end() || it->second.kind != TokenKind::kAccountAccess ||
      it->second.revoked)
    throw ApiError{40105, "Access token is invalid or has been revoked"};
  revoke_account_grant(ctx, it->second);
  return json::object{};
}

json::value account_token_info(ApiContext& ctx, const ApiCall& call) {
  auto app_id = call.required("app_id");
  auto text = call.required("access_token");
  if (app_id != ctx.world.app_id) throw ApiError{40001, "app_id does not match the token's app"};
  const auto& token = account_token(ctx, text, {});
  return json::object{{"app_id", app_id}, {"scope", token.scope}, {"creator_id", token.subject[0]}};
}

}  // namespace

void add_oauth_routes(ApiRoutes& r) {
  r["/oauth2/access_token/"] = {"POST", advertiser_access_token};
  r["/oauth2/advertiser/get/"] = {"GET", advertiser_get};
  r["/oauth2/revoke_token/"] = {"POST", advertiser_revoke};
  r["/tt_user/oauth2/token/"] = {"POST", account_token_exchange};
  r["/tt_user/oauth2/refresh_token/"] = {"POST", account_token_refresh};
  r["/tt_user/oauth2/revoke/"] = {"POST", account_revoke};
  r["/tt_user/token_info/get/"] = {"POST", account_token_info};
}

}  // namespace sandbox
