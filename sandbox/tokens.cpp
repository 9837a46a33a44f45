#include "tokens.hpp"

#include <algorithm>

namespace sandbox {
namespace {

Token& add(ApiContext& ctx, TokenKind kind, std::string text, std::vector<std::string> subject,
           std::int64_t lifetime) {
  Token t;
  t.token = std::move(text);
  t.kind = kind;
  t.subject = std::move(subject);
  t.issued_at = ctx.world.now();
  t.expires_at = lifetime == 0 ? 0 : t.issued_at + lifetime;
  return ctx.world.add_token(std::move(t));
}

}  // namespace

Token& issue_advertiser_code(ApiContext& ctx, std::vector<std::string> advertiser_ids) {
  return add(ctx, TokenKind::kAdvertiserAuthCode, ctx.ids.hex(32), std::move(advertiser_ids),
             kAuthCodeLifetime);
}

Token& issue_account_code(ApiContext& ctx, const std::string& open_id, const std::string& scope,
                          const std::string& redirect_uri) {
  auto& t = add(ctx, TokenKind::kAccountAuthCode, ctx.ids.hex(48), {open_id}, kAuthCodeLifetime);
  t.scope = scope;
  t.redirect_uri = redirect_uri;
  return t;
}

Token& issue_advertiser_token(ApiContext& ctx, std::vector<std::string> advertiser_ids) {
  return add(ctx, TokenKind::kAdvertiserAccess, ctx.ids.hex(40), std::move(advertiser_ids), 0);
}

AccountGrant issue_account_grant(ApiContext& ctx, const std::string& open_id,
                                 const std::string& scope, std::int64_t refresh_expires_at) {
  auto& access = add(ctx, TokenKind::kAccountAccess, "act." + ctx.ids.hex(40), {open_id},
                     kAccessTokenLifetime);
  access.scope = scope;
  auto access_text = access.token;
  auto& refresh = add(ctx, TokenKind::kAccountRefresh, "rft." + ctx.ids.hex(40), {open_id}, 0);
  refresh.scope = scope;
  refresh.expires_at = refresh_expires_at;
  refresh.sibling = access_text;
  auto refresh_text = refresh.token;
  ctx.world.tokens.at(access_text).sibling = refresh_text;
  return {access_text, refresh_text};
}

AccountGrant rotate_account_grant(ApiContext& ctx, Token& old_refresh) {
  old_refresh.used = true;
  auto open_id = old_refresh.subject.at(0);
  auto scope = old_refresh.scope;
  auto expires_at = old_refresh.expires_at;
  auto old_access = old_refresh.sibling;
  if (auto it = ctx.world.tokens.find(old_access); it != ctx.world.tokens.end())
    it->second.revoked = true;
  return issue_account_grant(ctx, open_id, scope, expires_at);
}

void revoke_account_grant(ApiContext& ctx, Token& access) {
  access.revoked = true;
  if (auto it = ctx.world.tokens.find(access.sibling); it != ctx.world.tokens.end())
    it->second.revoked = true;
}

int revoke_matching(World& w, const std::string& advertiser_id, const std::string& open_id,
                    const std::string& token) {
  int n = 0;
  for (auto& [text, t] : w.tokens) {
    bool match = (!token.empty() && text == token) ||
                 (!open_id.empty() && !t.subject.empty() && t.subject[0] == open_id &&
                  (t.kind == TokenKind::kAccountAccess || t.kind == TokenKind::kAccountRefresh)) ||
                 (!advertiser_id.empty() && t.kind == TokenKind::kAdvertiserAccess &&
                  std::find(t.subject.begin(), t.subject.end(), advertiser_id) != t.subject.end());
    if (match && !t.revoked) {
      t.revoked = true;
      ++n;
    }
  }
  return n;
}

int expire_account_tokens(World& w, const std::string& open_id, TokenKind kind) {
  int n = 0;
  auto now = w.now();
  for (auto& [text, t] : w.tokens) {
    if (t.kind != kind || t.subject.empty() || t.subject[0] != open_id) continue;
    if (t.expires_at == 0 || t.expires_at > now) {
      t.expires_at = now;
      ++n;
    }
  }
  return n;
}

}  // namespace sandbox
