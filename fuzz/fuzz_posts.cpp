// /tt_video/list/ and /tt_video/info/ answers: post authorizations and their
// windows.
#include "core/tiktok/paging.hpp"
#include "core/tiktok/posts.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/tt_video/list/");
  if (!d) return 0;
  auto info = tiktok::decode_code_info(*d);
  fuzz::check(info);
  if (info && info->item_id.empty()) __builtin_trap();
  auto page = tiktok::decode_list_page(*d, "list", "/tt_video/list/");
  if (!page) return fuzz::check_error(page.error()), 0;
  auto posts = tiktok::decode_post_authorizations(page->items);
  fuzz::check(posts);
  if (posts)
    for (const auto& p : *posts)
      if (p.item_id.empty()) __builtin_trap();
  return 0;
}
