// /ad/get/ answers (the Spark Ads among an advertiser's ads), the creates'
// answers (/campaign/create/, /adgroup/create/, /ad/create/) and
// /report/integrated/get/ rows (metric strings parsed as numbers).
#include "core/tiktok/campaigns.hpp"
#include "core/tiktok/paging.hpp"
#include "core/tiktok/posts.hpp"
#include "core/tiktok/reports.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/ad/get/");
  if (!d) return 0;
  fuzz::check(tiktok::decode_created_id(*d, "campaign_id", "/campaign/create/"));
  fuzz::check(tiktok::decode_first_ad_id(*d));
  auto page = tiktok::decode_list_page(*d, "list", "/ad/get/");
  if (!page) return fuzz::check_error(page.error()), 0;
  auto ads = tiktok::decode_spark_ads(page->items);
  fuzz::check(ads);
  if (ads)
    for (const auto& ad : *ads)
      if (ad.ad_id.empty() || ad.tiktok_item_id.empty()) __builtin_trap();
  auto rows = tiktok::decode_ad_days(page->items);
  fuzz::check(rows);
  if (rows)
    for (const auto& r : *rows)
      if (r.ad_id.empty() || r.day.size() != 10 || r.figures.spend_micros < 0) __builtin_trap();
  return 0;
}
