#include "core/spark/comment_sync.hpp"

#include "core/spark/comment_window.hpp"

#include <algorithm>

namespace ttlink::spark {

using boost::asio::awaitable;

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
  });
  return out;
}

}  // namespace

std::string matching_keyword(std::string_view text, const std::vector<std::string>& keywords) {
  if (keywords.empty()) return {};
  const std::string haystack = lower_ascii(text);
  for (const auto& k : keywords)
    if (!k.empty() && haystack.find(lower_ascii(k)) != std::string::npos) return k;
  return {};
}

CommentSync::CommentSync(store::Store& store, tiktok::ApiClient& api, CommentSyncOptions options,
                         std::function<TimePoint()> clock)
    : store_(store), api_(api), options_(std::move(options)), clock_(std::move(clock)) {}

store::CommentRecord comment_record(const store::LinkRecord& link, const std::string& adgroup_id,
                                    const tiktok::UpstreamComment& c,
                                    const std::vector<std::string>& keywords, TimePoint now) {
  store::CommentRecord r;
  r.comment_id = c.comment_id;
  r.link_id = link.id;
  r.advertiser_id = link.advertiser_id;
  r.ad_id = c.ad_id;
  r.adgroup_id = c.adgroup_id.empty() ? adgroup_id : c.adgroup_id;
  r.item_id = c.item_id;
  r.parent_id = c.parent_id;
  r.author = c.author;
  r.text = c.text;
  r.created_at = c.created_at;
  r.hidden = c.hidden;
  r.own = c.own;
  r.hit_blockedword = c.hit_blockedword;
  if (!c.own) r.keyword = matching_keyword(c.text, keywords);
  r.ingested_at = now;
  return r;
}

Result<int> CommentSync::store_page(const std::vector<store::CommentRecord>& records,
                                    const store::CommentCursor& cursor) {
  int added = 0;
  auto stored = store_.in_transaction([&]() -> Result<void> {
    auto n = store_.spark().insert_comments(records);
    if (!n) return n.error();
    added = *n;
    return store_.spark().put_cursor(cursor);
  });
  if (!stored) return stored.error();
  return added;
}

Result<void> CommentSync::skip_backfill(const store::LinkRecord& link,
                                        const std::string& adgroup_id) {
  auto saved = store_.spark().cursor(link.id, adgroup_id);
  if (!saved) return saved.error();
  if (saved->has_value()) return {};
  return store_.spark().put_cursor({link.id, adgroup_id, date_of(clock_()), 1});
}

awaitable<Result<SyncReport>> CommentSync::sync_adgroup(store::LinkRecord link, Secret token,
                                                        std::string adgroup_id) {
  auto& spark = store_.spark();
  auto saved = spark.cursor(link.id, adgroup_id);
  if (!saved) co_return saved.error();
  store::CommentCursor cursor = saved->value_or(
      store::CommentCursor{link.id, adgroup_id, date_of(clock_() - options_.backfill), 1});
  SyncReport report;
  bool checked_alignment = cursor.page == 1;
  for (;;) {
    const CommentWindow window = comment_window(cursor.start_date, clock_());
    tiktok::CommentPageRequest request{link.advertiser_id, adgroup_id,  window.start,
                                       window.end,         cursor.page, options_.page_size};
    auto page = co_await tiktok::comment_page(api_, token, std::move(request));
    ++report.requests;
    if (!page) co_return page.error();
    if (!checked_alignment) {
      checked_alignment = true;
      if (!page->comments.empty()) {
        auto known = spark.comment_known(page->comments.front().comment_id);
        if (!known) co_return known.error();
        if (!*known) {  // something before the cursor vanished: read the page before too
          --cursor.page;
          continue;
        }
      }
    }
    std::vector<store::CommentRecord> records;
    records.reserve(page->comments.size());
    for (const auto& c : page->comments) records.push_back(to_record(link, adgroup_id, c));
    const bool full = static_cast<int>(page->comments.size()) >= options_.page_size;
    if (full) ++cursor.page;
    auto added = store_page(records, cursor);
    if (!added) co_return added.error();
    report.new_comments += *added;
    if (!full && !window.capped) co_return report;
    if (!full) {  // read in full, and it cannot reach tomorrow: the next window
      cursor = {link.id, adgroup_id, next_window_start(window), 1};
      checked_alignment = true;
      if (auto r = spark.put_cursor(cursor); !r) co_return r.error();
    }
    if (report.requests >= options_.max_pages) {
      // Resume on this page, which is known, not on the next one, which is
      // not: a fresh page would look like a shift and cost a page more.
      if (full) {
        --cursor.page;
        if (auto r = spark.put_cursor(cursor); !r) co_return r.error();
      }
      report.more = true;
      co_return report;
    }
  }
}

// Pages of 30 are stored about 100 comments at a time (one transaction, the
// cursor with them): a commit's fixed cost (the cursor and per-post count
// pages, the WAL frame headers) is paid per ~100 comments, as for the
// Marketing API's pages. A crash loses no comment, only the re-read of at
// most three pages.
awaitable<Result<SyncReport>> CommentSync::sync_video(store::LinkRecord link, Secret access_token,
                                                      std::string video_id) {
  auto& spark = store_.spark();
  const std::string key = "video:" + video_id;
  auto saved = spark.cursor(link.id, key);
  if (!saved) co_return saved.error();
  store::CommentCursor cursor = saved->value_or(store::CommentCursor{link.id, key, "", 0});
  SyncReport report;
  std::vector<store::CommentRecord> pending;
  auto flush = [&]() -> Result<void> {
    auto added = store_page(pending, cursor);
    if (!added) return added.error();
    report.new_comments += *added;
    pending.clear();
    return {};
  };
  for (;;) {
    auto page = co_await tiktok::business_comment_page(api_, access_token, link.open_id, video_id,
                                                       cursor.page);
    ++report.requests;
    if (!page) {
      if (auto r = flush(); !r) co_return r.error();  // keep what was read
      co_return page.error();
    }
    const auto before = std::ssize(pending);
    for (const auto& c : page->comments) pending.push_back(to_record(link, "", c));
    const auto read = std::ssize(pending) - before;
    // Never backwards: a cursor that shrank would re-read, one that jumped
    // past what was returned would skip.
    const auto next =
        std::max<long long>(cursor.page, std::min<long long>(page->cursor, cursor.page + read));
    cursor.page = static_cast<int>(next);
    const bool last = !page->has_more || read == 0;
    const bool stop = !last && report.requests >= options_.max_pages;
    if (last || stop || std::ssize(pending) >= options_.page_size)
      if (auto r = flush(); !r) co_return r.error();
    if (last) co_return report;
    if (stop) {
      report.more = true;
      co_return report;
    }
  }
}

}  // namespace ttlink::spark
