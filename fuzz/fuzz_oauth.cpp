// OAuth answers: /oauth2/access_token/, /oauth2/advertiser/get/,
// /tt_user/oauth2/token/ (and refresh), /tt_user/token_info/get/. A grant
// comes out whole or not at all.
#include "core/tiktok/oauth_account.hpp"
#include "core/tiktok/oauth_advertiser.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/tt_user/oauth2/token/");
  if (!d) return 0;
  auto account = tiktok::decode_account_grant(*d, "/tt_user/oauth2/token/");
  fuzz::check(account);
  if (account && (account->access_token.empty() || account->refresh_token.empty() ||
                  account->open_id.empty() || account->expires_in.count() <= 0 ||
                  account->refresh_expires_in.count() <= 0))
    __builtin_trap();
  fuzz::check(tiktok::decode_token_info(*d));
  auto advertiser = tiktok::decode_advertiser_grant(*d);
  fuzz::check(advertiser);
  if (advertiser && advertiser->access_token.empty()) __builtin_trap();
  fuzz::check(tiktok::decode_authorized_advertisers(*d));
  return 0;
}
