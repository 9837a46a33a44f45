#include "core/store/spark_tables.hpp"

#include <map>

namespace ttlink::store {

namespace {

constexpr Sql kDeletePosts{"spark.delete_posts", "DELETE FROM posts WHERE advertiser_id = ?1"};
constexpr Sql kDeletePost{"spark.delete_post",
                          "DELETE FROM posts WHERE advertiser_id = ?1 AND item_id = ?2"};
constexpr Sql kInsertPost{
    "spark.insert_post",
    "INSERT OR REPLACE INTO posts (advertiser_id, item_id, auth_code_status, identity_id, "
    "identity_type, tiktok_name, text, auth_start_time, auth_end_time, synced_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
#define TTLINK_POST_COLUMNS                                                                   \
  "advertiser_id, item_id, auth_code_status, identity_id, identity_type, tiktok_name, text, " \
  "auth_start_time, auth_end_time, synced_at"
constexpr Sql kAllPosts{
    "spark.all_posts", "SELECT " TTLINK_POST_COLUMNS " FROM posts ORDER BY auth_end_time, item_id"};
constexpr Sql kPostsOf{"spark.posts_of",
                       "SELECT " TTLINK_POST_COLUMNS
                       " FROM posts WHERE advertiser_id = ?1 ORDER BY auth_end_time, item_id"};

PostRecord read_post(const sqlite::Statement& s) {
  return {s.text(0),
          s.text(1),
          s.text(2),
          s.text(3),
          s.text(4),
          s.text(5),
          s.text(6),
          time_or_null(s.optional_int64(7)),
          time_or_null(s.optional_int64(8)),
          from_unix(s.int64(9))};
}

constexpr Sql kInsertComment{
    "spark.insert_comment",
    "INSERT OR IGNORE INTO comments (comment_id, link_id, advertiser_id, ad_id, adgroup_id, "
    "item_id, parent_id, author, text, created_at, hidden, own, replied_by, hit_blockedword, "
    "keyword, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16)"};
#define TTLINK_COMMENT_COLUMNS                                                                \
  "comment_id, link_id, advertiser_id, ad_id, adgroup_id, item_id, parent_id, author, text, " \
  "created_at, hidden, own, replied_by, hit_blockedword, keyword, ingested_at"
constexpr Sql kGetComment{"spark.get_comment",
                          "SELECT " TTLINK_COMMENT_COLUMNS " FROM comments WHERE comment_id = ?1"};
constexpr Sql kCommentKnown{"spark.comment_known", "SELECT 1 FROM comments WHERE comment_id = ?1"};
// Status: hidden wins over replied; "new" is neither (own replies are
// never "new": nobody needs to answer them).
constexpr Sql kListComments{
    "spark.list_comments",
    "SELECT " TTLINK_COMMENT_COLUMNS
    " FROM comments WHERE (?1 = '' OR link_id = ?1) AND created_at >= ?2 "
    "AND (?3 = '' OR (?3 = 'hidden' AND hidden = 1) "
    "     OR (?3 = 'replied' AND hidden = 0 AND replied_by <> '') "
    "     OR (?3 = 'new' AND hidden = 0 AND replied_by = '' AND own = 0)) "
    "AND (?4 = '' OR instr(lower(text), lower(?4)) > 0 OR instr(lower(author), lower(?4)) > 0) "
    "ORDER BY created_at DESC, comment_id DESC LIMIT ?5"};
constexpr Sql kUpdateComment{"spark.update_comment",
                             "UPDATE comments SET replied_by = ?2, hidden = ?3 "
                             "WHERE comment_id = ?1"};
constexpr Sql kGetCursor{"spark.get_cursor",
                         "SELECT start_date, page FROM comment_cursors "
                         "WHERE link_id = ?1 AND adgroup_id = ?2"};
constexpr Sql kPutCursor{"spark.put_cursor",
                         "INSERT OR REPLACE INTO comment_cursors (link_id, adgroup_id, start_date, "
                         "page) VALUES (?1, ?2, ?3, ?4)"};
// Comments that wait for a person: top-level, from others, public, without
// a reply. The partial indexes of schema v4 cover exactly these terms, so
// the grouping reads the index, and the samples are one seek per post.
#define TTLINK_WAITING "parent_id = '' AND own = 0 AND hidden = 0 AND replied_by = ''"
#define TTLINK_FLAGGED TTLINK_WAITING " AND (keyword <> '' OR hit_blockedword = 1)"
constexpr Sql kBump{"spark.bump",
                    "INSERT INTO post_comment_counts (link_id, item_id, total, hidden, waiting, "
                    "flagged) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (link_id, item_id) DO "
                    "UPDATE SET total = total + excluded.total, hidden = hidden + excluded.hidden, "
                    "waiting = waiting + excluded.waiting, flagged = flagged + excluded.flagged"};
constexpr Sql kWaitingPosts{"spark.waiting_posts",
                            "SELECT link_id, item_id, waiting FROM post_comment_counts "
                            "WHERE waiting > 0 ORDER BY link_id, item_id"};
constexpr Sql kFlaggedPosts{"spark.flagged_posts",
                            "SELECT link_id, item_id, flagged FROM post_comment_counts "
                            "WHERE flagged > 0 ORDER BY link_id, item_id"};
// One seek each in the partial indexes of schema v4.
constexpr Sql kOldestWaiting{"spark.oldest_waiting",
                             "SELECT min(created_at) FROM comments WHERE link_id = ?1 AND "
                             "item_id = ?2 AND " TTLINK_WAITING};
constexpr Sql kNewestWaiting{
    "spark.newest_waiting",
    "SELECT text FROM comments WHERE link_id = ?1 AND item_id = ?2 AND " TTLINK_WAITING
    " ORDER BY created_at DESC LIMIT 1"};
constexpr Sql kOldestFlagged{"spark.oldest_flagged",
                             "SELECT min(created_at) FROM comments WHERE link_id = ?1 AND "
                             "item_id = ?2 AND " TTLINK_FLAGGED};
constexpr Sql kNewestFlagged{
    "spark.newest_flagged",
    "SELECT text FROM comments WHERE link_id = ?1 AND item_id = ?2 AND " TTLINK_FLAGGED
    " ORDER BY created_at DESC LIMIT 1"};
constexpr Sql kTotals{"spark.totals",
                      "SELECT coalesce(sum(total), 0), coalesce(sum(waiting), 0), "
                      "coalesce(sum(hidden), 0) FROM post_comment_counts "
                      "WHERE ?1 = '' OR link_id = ?1"};

// Every row of a bound statement, read by `read`.
template <class Read>
auto read_rows(sqlite::Statement& s, Read read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(read(s));
  }
}

CommentRecord read_comment(const sqlite::Statement& s) {
  CommentRecord c;
  c.comment_id = s.text(0);
  c.link_id = s.text(1);
  c.advertiser_id = s.text(2);
  c.ad_id = s.text(3);
  c.adgroup_id = s.text(4);
  c.item_id = s.text(5);
  c.parent_id = s.text(6);
  c.author = s.text(7);
  c.text = s.text(8);
  c.created_at = from_unix(s.int64(9));
  c.hidden = s.int64(10) != 0;
  c.own = s.int64(11) != 0;
  c.replied_by = s.text(12);
  c.hit_blockedword = s.int64(13) != 0;
  c.keyword = s.text(14);
  c.ingested_at = from_unix(s.int64(15));
  return c;
}

// What the per-post counts count; the SQL of TTLINK_WAITING and
// TTLINK_FLAGGED says the same for the indexes.
bool is_waiting(const CommentRecord& c) {
  return c.parent_id.empty() && !c.own && !c.hidden && c.replied_by.empty();
}

bool is_flagged(const CommentRecord& c) {
  return is_waiting(c) && (!c.keyword.empty() || c.hit_blockedword);
}

}  // namespace

namespace {
// Changes to one post's counts.
struct CountDelta {
  std::int64_t total = 0, hidden = 0, waiting = 0, flagged = 0;
  bool empty() const { return !total && !hidden && !waiting && !flagged; }
};

CountDelta delta_of(const CommentRecord* before, const CommentRecord& after) {
  auto as_int = [](bool b) { return std::int64_t{b ? 1 : 0}; };
  return {before ? 0 : 1, as_int(after.hidden) - as_int(before && before->hidden),
          as_int(is_waiting(after)) - as_int(before && is_waiting(*before)),
          as_int(is_flagged(after)) - as_int(before && is_flagged(*before))};
}

Result<void> apply_delta(Connection& db, const std::string& link_id, const std::string& item_id,
                         const CountDelta& d) {
  if (d.empty()) return {};
  auto s = db.statement(kBump);
  if (!s) return s.error();
  return (*s)
      ->bind(1, link_id)
      .bind(2, item_id)
      .bind(3, d.total)
      .bind(4, d.hidden)
      .bind(5, d.waiting)
      .bind(6, d.flagged)
      .run();
}
}  // namespace

Result<void> SparkTables::count_change(const CommentRecord* before, const CommentRecord& after) {
  return apply_delta(db_, after.link_id, after.item_id, delta_of(before, after));
}

// Applies `change` to the stored comment `id` (and to its post's counts), in
// one transaction. A comment not stored is left alone.
template <class Change>
Result<void> SparkTables::update(const std::string& id, const Sql& sql, Change change) {
  return db_.in_transaction([&]() -> Result<void> {
    auto before = get_comment(id);
    if (!before) return before.error();
    if (!before->has_value()) return {};
    CommentRecord after = **before;
    change(after);
    auto s = db_.statement(sql);
    if (!s) return s.error();
    (*s)->bind(1, id).bind(2, after.replied_by).bind(3, std::int64_t{after.hidden});
    if (auto r = (*s)->run(); !r) return r;
    return count_change(&**before, after);
  });
}

Result<void> SparkTables::replace_posts(const std::string& advertiser_id,
                                        const std::vector<PostRecord>& posts) {
  return db_.in_transaction([&]() -> Result<void> {
    auto del = db_.statement(kDeletePosts);
    if (!del) return del.error();
    if (auto r = (*del)->bind(1, advertiser_id).run(); !r) return r;
    for (const auto& p : posts)
      if (auto r = put_post(p); !r) return r;
    return {};
  });
}

Result<void> SparkTables::put_post(const PostRecord& p) {
  auto s = db_.statement(kInsertPost);
  if (!s) return s.error();
  (*s)->bind(1, p.advertiser_id)
      .bind(2, p.item_id)
      .bind(3, p.auth_code_status)
      .bind(4, p.identity_id)
      .bind(5, p.identity_type)
      .bind(6, p.tiktok_name)
      .bind(7, p.text)
      .bind(8, unix_or_null(p.auth_start_time))
      .bind(9, unix_or_null(p.auth_end_time))
      .bind(10, to_unix(p.synced_at));
  return (*s)->run();
}

Result<bool> SparkTables::delete_post(const std::string& advertiser_id,
                                      const std::string& item_id) {
  auto s = db_.statement(kDeletePost);
  if (!s) return s.error();
  if (auto r = (*s)->bind(1, advertiser_id).bind(2, item_id).run(); !r) return r.error();
  return db_.database().changes() > 0;
}

Result<std::vector<PostRecord>> SparkTables::list_posts(const std::string& advertiser_id) {
  const Sql& sql = advertiser_id.empty() ? kAllPosts : kPostsOf;
  auto s = db_.statement(sql);
  if (!s) return s.error();
  if (!advertiser_id.empty()) (*s)->bind(1, advertiser_id);
  return read_rows(**s, read_post);
}

Result<int> SparkTables::insert_comments(const std::vector<CommentRecord>& comments) {
  int added = 0;
  // A page's comments are mostly of one post: its counts move once a page.
  std::map<std::pair<std::string, std::string>, CountDelta> deltas;
  auto done = db_.in_transaction([&]() -> Result<void> {
    for (const auto& c : comments) {
      auto s = db_.statement(kInsertComment);
      if (!s) return s.error();
      (*s)->bind(1, c.comment_id)
          .bind(2, c.link_id)
          .bind(3, c.advertiser_id)
          .bind(4, c.ad_id)
          .bind(5, c.adgroup_id)
          .bind(6, c.item_id)
          .bind(7, c.parent_id)
          .bind(8, c.author)
          .bind(9, c.text)
          .bind(10, to_unix(c.created_at))
          .bind(11, std::int64_t{c.hidden})
          .bind(12, std::int64_t{c.own})
          .bind(13, c.replied_by)
          .bind(14, std::int64_t{c.hit_blockedword})
          .bind(15, c.keyword)
          .bind(16, to_unix(c.ingested_at));
      if (auto r = (*s)->run(); !r) return r;
      if (db_.database().changes() == 0) continue;  // stored before
      ++added;
      auto& d = deltas[{c.link_id, c.item_id}];
      const CountDelta one = delta_of(nullptr, c);
      d.total += one.total;
      d.hidden += one.hidden;
      d.waiting += one.waiting;
      d.flagged += one.flagged;
      if (!c.own || c.parent_id.empty()) continue;
      // The account answered: the parent no longer waits for anyone.
      auto answered = update(c.parent_id, kUpdateComment, [](CommentRecord& parent) {
        if (parent.replied_by.empty()) parent.replied_by = "account";
      });
      if (!answered) return answered;
    }
    for (const auto& [post, d] : deltas)
      if (auto r = apply_delta(db_, post.first, post.second, d); !r) return r;
    return {};
  });
  if (!done) return done.error();
  return added;
}

Result<std::optional<CommentRecord>> SparkTables::get_comment(const std::string& comment_id) {
  auto s = db_.statement(kGetComment);
  if (!s) return s.error();
  auto row = (*s)->bind(1, comment_id).step();
  if (!row) return row.error();
  if (!*row) return std::optional<CommentRecord>();
  return std::optional<CommentRecord>(read_comment(**s));
}

Result<bool> SparkTables::comment_known(const std::string& comment_id) {
  auto s = db_.statement(kCommentKnown);
  if (!s) return s.error();
  return (*s)->bind(1, comment_id).step();
}

Result<std::vector<CommentRecord>> SparkTables::list_comments(const CommentQuery& q) {
  auto s = db_.statement(kListComments);
  if (!s) return s.error();
  (*s)->bind(1, q.link_id)
      .bind(2, q.since ? to_unix(*q.since) : std::int64_t{0})
      .bind(3, q.status)
      .bind(4, q.search)
      .bind(5, std::int64_t{q.limit});
  return read_rows(**s, read_comment);
}

Result<void> SparkTables::set_hidden(const std::string& comment_id, bool hidden) {
  return update(comment_id, kUpdateComment, [hidden](CommentRecord& c) { c.hidden = hidden; });
}

Result<void> SparkTables::set_replied(const std::string& comment_id, const std::string& by) {
  return update(comment_id, kUpdateComment, [&by](CommentRecord& c) { c.replied_by = by; });
}

Result<std::optional<CommentCursor>> SparkTables::cursor(const std::string& link_id,
                                                         const std::string& adgroup_id) {
  auto s = db_.statement(kGetCursor);
  if (!s) return s.error();
  auto row = (*s)->bind(1, link_id).bind(2, adgroup_id).step();
  if (!row) return row.error();
  if (!*row) return std::optional<CommentCursor>();
  return std::optional<CommentCursor>(
      CommentCursor{link_id, adgroup_id, (*s)->text(0), static_cast<int>((*s)->int64(1))});
}

Result<void> SparkTables::put_cursor(const CommentCursor& c) {
  auto s = db_.statement(kPutCursor);
  if (!s) return s.error();
  return (*s)
      ->bind(1, c.link_id)
      .bind(2, c.adgroup_id)
      .bind(3, c.start_date)
      .bind(4, std::int64_t{c.page})
      .run();
}

namespace {

// Posts listed by `posts` (link, item, count), each with its oldest comment
// from `oldest` (kept when at or before `before`) and newest text from `newest`.
Result<std::vector<WaitingComments>> waiting(Connection& db, const Sql& posts, const Sql& oldest,
                                             const Sql& newest, std::optional<TimePoint> before) {
  auto s = db.statement(posts);
  if (!s) return s.error();
  auto rows = read_rows(**s, [](const sqlite::Statement& r) {
    return WaitingComments{r.text(0), r.text(1), static_cast<int>(r.int64(2)), {}, ""};
  });
  if (!rows) return rows.error();
  std::vector<WaitingComments> out;
  for (auto& w : *rows) {
    auto o = db.statement(oldest);
    if (!o) return o.error();
    auto row = (*o)->bind(1, w.link_id).bind(2, w.item_id).step();
    if (!row) return row.error();
    auto at = (*o)->optional_int64(0);
    if (!at || (before && from_unix(*at) > *before)) continue;
    w.oldest = from_unix(*at);
    auto n = db.statement(newest);
    if (!n) return n.error();
    auto text = (*n)->bind(1, w.link_id).bind(2, w.item_id).step();
    if (!text) return text.error();
    if (*text) w.sample = (*n)->text(0);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

Result<std::vector<WaitingComments>> SparkTables::unanswered(TimePoint before) {
  return waiting(db_, kWaitingPosts, kOldestWaiting, kNewestWaiting, before);
}

Result<std::vector<WaitingComments>> SparkTables::flagged() {
  return waiting(db_, kFlaggedPosts, kOldestFlagged, kNewestFlagged, std::nullopt);
}

Result<CommentTotals> SparkTables::totals(const std::string& link_id) {
  auto s = db_.statement(kTotals);
  if (!s) return s.error();
  auto row = (*s)->bind(1, link_id).step();
  if (!row) return row.error();
  return CommentTotals{(*s)->int64(0), (*s)->int64(1), (*s)->int64(2)};
}

}  // namespace ttlink::store
