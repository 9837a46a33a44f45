#pragma once
// The Spark Ads tables of the store (schema v4): posts and their
// authorization windows, comments on promoted videos, and where comment
// polling resumes. Same connection and transactions as the other table
// families (wrap calls in Store::in_transaction to make several atomic).
#include <optional>
#include <string>
#include <vector>

#include "core/store/connection.hpp"
#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::store {

struct PostRecord {
  std::string advertiser_id;
  std::string item_id;
  std::string auth_code_status;  // NOT_USED | IN_USE | EXPIRED | DELETED
  std::string identity_id;
  std::string identity_type;
  std::string tiktok_name;
  std::string text;
  std::optional<TimePoint> auth_start_time;
  std::optional<TimePoint> auth_end_time;
  TimePoint synced_at{};
};

struct CommentRecord {
  std::string comment_id;
  std::string link_id;
  std::string advertiser_id;
  std::string ad_id;
  std::string adgroup_id;
  std::string item_id;
  std::string parent_id;  // "" for a top-level comment
  std::string author;
  std::string text;
  TimePoint created_at{};
  bool hidden = false;
  bool own = false;        // written by the account or the advertiser itself
  std::string replied_by;  // "" | "ttlink" | "account"
  bool hit_blockedword = false;
  std::string keyword;  // the configured keyword it contains, if any
  TimePoint ingested_at{};
};

// Filters of `comments`; empty fields do not filter.
struct CommentQuery {
  std::string link_id;
  std::optional<TimePoint> since;
  std::string status;  // new | replied | hidden
  std::string search;  // substring of the text or author
  int limit = 100;
};

struct CommentCursor {
  std::string link_id;
  std::string adgroup_id;
  std::string start_date;  // YYYY-MM-DD
  int page = 1;
};

// Comments of one post that wait for a person.
struct WaitingComments {
  std::string link_id;
  std::string item_id;
  int count = 0;
  TimePoint oldest{};
  std::string sample;  // the newest one's text
};

struct CommentTotals {
  std::int64_t total = 0;
  std::int64_t unanswered = 0;  // top-level, from others, not hidden, no reply
  std::int64_t hidden = 0;
};

class SparkTables {
 public:
  explicit SparkTables(Connection& db) : db_(db) {}

  // Replaces the advertiser's posts by `posts` (removed ones go).
  Result<void> replace_posts(const std::string& advertiser_id,
                             const std::vector<PostRecord>& posts);
  // Adds or replaces one post (a post bound by code, before the next sync).
  Result<void> put_post(const PostRecord& post);
  // Removes one post (unbound); false when it was not stored.
  Result<bool> delete_post(const std::string& advertiser_id, const std::string& item_id);
  // All posts, or one advertiser's; by auth_end_time.
  Result<std::vector<PostRecord>> list_posts(const std::string& advertiser_id = {});

  // Stores the comments not stored yet (by comment_id) and marks the parents
  // of own replies as answered by the account. Returns how many were new.
  Result<int> insert_comments(const std::vector<CommentRecord>& comments);
  Result<std::optional<CommentRecord>> get_comment(const std::string& comment_id);
  Result<bool> comment_known(const std::string& comment_id);
  // Newest first.
  Result<std::vector<CommentRecord>> list_comments(const CommentQuery& q);
  Result<void> set_hidden(const std::string& comment_id, bool hidden);
  Result<void> set_replied(const std::string& comment_id, const std::string& by);

  Result<std::optional<CommentCursor>> cursor(const std::string& link_id,
                                              const std::string& adgroup_id);
  Result<void> put_cursor(const CommentCursor& c);

  // Per post: top-level comments from others, not hidden, without a reply
  // (all of them), for the posts whose oldest such comment is at or before
  // `before`. Reads per-post counts and one index seek per post.
  Result<std::vector<WaitingComments>> unanswered(TimePoint before);
  // Per post: such comments that hit a keyword or a blocked word.
  Result<std::vector<WaitingComments>> flagged();
  Result<CommentTotals> totals(const std::string& link_id = {});

 private:
  // Adds a new comment (`before` null) or a change of one to its post's counts.
  Result<void> count_change(const CommentRecord* before, const CommentRecord& after);
  template <class Change>
  Result<void> update(const std::string& id, const Sql& sql, Change change);

  Connection& db_;
};

}  // namespace ttlink::store
