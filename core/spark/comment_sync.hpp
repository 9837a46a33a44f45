#pragma once
// Incremental, cursor-safe ingestion of one ad group's comments.
//
// /comment/list/ is read oldest first (sort CREATE_TIME ASC) from a start
// date fixed at the first sync. New comments then land after everything
// already read, so "the first page not yet read in full" is a place to
// resume that stays valid across polls and restarts: each poll costs the
// pages that changed (one request when nothing did). The cursor advances in
// the same transaction as the comments of the page it passes, so a crash
// neither loses comments nor skips a page. If comments before the cursor
// vanished upstream, items shift to earlier pages; that shows as an unknown
// first comment on the cursor page, and the page before is read again.
// Comments are stored once (comment_id), so re-reading only costs requests.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "core/tiktok/api_client.hpp"
#include "core/tiktok/comments.hpp"

namespace ttlink::spark {

struct CommentSyncOptions {
  Seconds backfill{28 * 86400};  // how far back the first sync starts
  int page_size = 100;           // the API's largest
  int max_pages = 200;           // per ad group and sync: one backlog cannot hold the others up
  std::vector<std::string> keywords;
};

struct SyncReport {
  int requests = 0;
  int new_comments = 0;
  bool more = false;  // stopped at max_pages with pages left

  SyncReport& operator+=(const SyncReport& o) {
    requests += o.requests;
    new_comments += o.new_comments;
    more = more || o.more;
    return *this;
  }
};

// An upstream comment as the store keeps it for `link` (`adgroup_id` when
// upstream does not say; keywords are matched on comments from others).
store::CommentRecord comment_record(const store::LinkRecord& link, const std::string& adgroup_id,
                                    const tiktok::UpstreamComment& c,
                                    const std::vector<std::string>& keywords, TimePoint now);

class CommentSync {
 public:
  CommentSync(store::Store& store, tiktok::ApiClient& api, CommentSyncOptions options,
              std::function<TimePoint()> clock);

  boost::asio::awaitable<Result<SyncReport>> sync_adgroup(store::LinkRecord link, Secret token,
                                                          std::string adgroup_id);
  // The Accounts API's comments on one of the account's own posts (organic
  // ones included): its cursor is an offset that only grows, kept as the
  // cursor row ("video:ID", page = the offset).
  boost::asio::awaitable<Result<SyncReport>> sync_video(store::LinkRecord link, Secret access_token,
                                                        std::string video_id);
  // The first read of an ad group whose comments the Accounts API reads whole
  // (every ad of it on the account's own posts) starts today instead of
  // the configured backfill ago: its history is not read twice. No-op once the
  // ad group has a cursor.
  Result<void> skip_backfill(const store::LinkRecord& link, const std::string& adgroup_id);
  void set_keywords(std::vector<std::string> k) { options_.keywords = std::move(k); }
  void set_backfill(Seconds s) { options_.backfill = s; }

 private:
  // Stores a page's comments and the cursor past it in one transaction;
  // returns how many comments were new.
  Result<int> store_page(const std::vector<store::CommentRecord>& records,
                         const store::CommentCursor& cursor);
  store::CommentRecord to_record(const store::LinkRecord& link, const std::string& adgroup_id,
                                 const tiktok::UpstreamComment& c) const {
    return comment_record(link, adgroup_id, c, options_.keywords, clock_());
  }

  store::Store& store_;
  tiktok::ApiClient& api_;
  CommentSyncOptions options_;
  std::function<TimePoint()> clock_;
};

// The first of `keywords` that `text` contains (ASCII case-insensitive), or "".
std::string matching_keyword(std::string_view text, const std::vector<std::string>& keywords);

}  // namespace ttlink::spark
