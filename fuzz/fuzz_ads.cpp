// /ad/get/ answers: the Spark Ads among an advertiser's ads.
#include "core/tiktok/paging.hpp"
#include "core/tiktok/posts.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/ad/get/");
  if (!d) return 0;
  auto page = tiktok::decode_list_page(*d, "list", "/ad/get/");
  if (!page) return fuzz::check_error(page.error()), 0;
  auto ads = tiktok::decode_spark_ads(page->items);
  fuzz::check(ads);
  if (ads)
    for (const auto& ad : *ads)
      if (ad.ad_id.empty() || ad.tiktok_item_id.empty()) __builtin_trap();
  return 0;
}
