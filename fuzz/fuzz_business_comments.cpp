// /business/comment/list/ answers (Accounts API): one page of a video's
// comments and the cursor to the next.
#include "core/tiktok/comments.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks where the page was asked to start, up to the
  // largest cursor a previous page may have handed over.
  const long long cursors[] = {0, 30, 1'000'000, 9'223'372'036'854'775'800LL};
  const long long cursor = cursors[data[0] % 4];
  auto d = fuzz::envelope_data(data + 1, size - 1, "/business/comment/list/");
  if (!d) return 0;
  auto page = tiktok::decode_business_comment_page(*d, cursor);
  fuzz::check(page);
  if (page)
    for (const auto& c : page->comments)
      if (c.comment_id.empty()) __builtin_trap();
  return 0;
}
