#pragma once
// Issuing, rotating and revoking tokens and auth codes in the world. The
// formats follow TikTok's: advertiser tokens 40 hex, account tokens "act." and
// "rft." + 40 hex.
#include <cstdint>
#include <string>
#include <vector>

#include "api.hpp"

namespace sandbox {

inline constexpr std::int64_t kAuthCodeLifetime = 3600;
inline constexpr std::int64_t kAccessTokenLifetime = 86400;
inline constexpr std::int64_t kRefreshTokenLifetime = 365 * 86400;

struct AccountGrant {
  std::string access_token;
  std::string refresh_token;
};

Token& issue_advertiser_code(ApiContext& ctx, std::vector<std::string> advertiser_ids);
Token& issue_account_code(ApiContext& ctx, const std::string& open_id, const std::string& scope,
                          const std::string& redirect_uri);
Token& issue_advertiser_token(ApiContext& ctx, std::vector<std::string> advertiser_ids);
AccountGrant issue_account_grant(ApiContext& ctx, const std::string& open_id,
                                 const std::string& scope, std::int64_t refresh_expires_at);
// New access and refresh tokens with the old refresh token's expiry; the old
// pair stops working (old refresh: 40107, old access: 40105).
AccountGrant rotate_account_grant(ApiContext& ctx, Token& old_refresh);
// Revokes an access token and its refresh token.
void revoke_account_grant(ApiContext& ctx, Token& access);

// Control API helpers: revoke every token of an advertiser / account, or one
// token; expire an account's access or refresh tokens now.
int revoke_matching(World& w, const std::string& advertiser_id, const std::string& open_id,
                    const std::string& token);
int expire_account_tokens(World& w, const std::string& open_id, TokenKind kind);

}  // namespace sandbox
