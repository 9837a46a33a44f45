// /comment/list/ answers (Marketing API): one page of an ad group's comments.
#include "core/tiktok/comments.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/comment/list/");
  if (!d) return 0;
  auto page = tiktok::decode_comment_page(*d);
  fuzz::check(page);
  if (page)
    for (const auto& c : page->comments) {
      if (c.comment_id.empty()) __builtin_trap();
      (void)tiktok::check_reply_text(c.text);
    }
  return 0;
}
