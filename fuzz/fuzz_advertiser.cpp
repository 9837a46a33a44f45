// /advertiser/info/, /bc/get/, /bc/asset/get/ and /identity/get/ answers:
// every decoder of the advertiser family on every input.
#include "core/tiktok/advertiser.hpp"
#include "core/tiktok/identity.hpp"
#include "core/tiktok/paging.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/advertiser/info/");
  if (!d) return 0;
  fuzz::check(tiktok::decode_advertiser_info(*d));
  if (auto page = tiktok::decode_list_page(*d, "list", "/bc/get/"); page) {
    fuzz::check(tiktok::decode_business_centers(page->items));
    fuzz::check(tiktok::decode_bc_advertisers(page->items));
  } else {
    fuzz::check_error(page.error());
  }
  if (auto page = tiktok::decode_list_page(*d, "identity_list", "/identity/get/"); page) {
    auto list = tiktok::decode_identities(page->items);
    fuzz::check(list);
    if (list && !list->empty()) (void)tiktok::match_identity(*list, list->front().user_name);
  } else {
    fuzz::check_error(page.error());
  }
  return 0;
}
