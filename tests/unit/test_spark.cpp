// core/spark and the Spark Ads tables: the store on a real sqlite file, the
// alert judgements as pure functions, keyword matching and text limits.
#include <gtest/gtest.h>

#include "core/spark/comment_sync.hpp"
#include "core/spark/comment_window.hpp"
#include "core/spark/spark_alerts.hpp"
#include "core/spark/spark_methods.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"
#include "core/tiktok/comments.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::spark {
namespace {

using store::CommentRecord;
using store::PostRecord;

const TimePoint kNow = from_unix(1'790'000'000);

CommentRecord comment(std::string id, std::string item, TimePoint at, std::string parent = "") {
  CommentRecord c;
  c.comment_id = std::move(id);
  c.link_id = "1";
  c.advertiser_id = "7000000000000000001";
  c.ad_id = "7500000000000000001";
  c.item_id = std::move(item);
  c.parent_id = std::move(parent);
  c.author = "fan";
  c.text = "hello";
  c.created_at = at;
  c.ingested_at = kNow;
  return c;
}

class SparkTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::open(dir_.file("db"), dir_.file("key"));
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  store::SparkTables& spark() { return store_->spark(); }

  test::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SparkTablesTest, CommentsAreStoredOnceByIdAndOwnRepliesAnswerTheirParent) {
  auto first = comment("1001", "74001", kNow - Seconds{600});
  auto second = comment("1002", "74001", kNow - Seconds{300});
  EXPECT_EQ(spark().insert_comments({first, second}).value(), 2);
  EXPECT_EQ(spark().insert_comments({first, second}).value(), 0);  // again: nothing new
  auto reply = comment("1003", "74001", kNow, "1001");
  reply.own = true;
  EXPECT_EQ(spark().insert_comments({reply}).value(), 1);
  EXPECT_EQ(spark().get_comment("1001").value()->replied_by, "account");
  EXPECT_EQ(spark().get_comment("1002").value()->replied_by, "");
  auto totals = spark().totals("1").value();
  EXPECT_EQ(totals.total, 3);
  EXPECT_EQ(totals.unanswered, 1);  // 1002: 1001 is answered, 1003 is ours
}

TEST_F(SparkTablesTest, ListingFiltersByStatusSinceAndSearchNewestFirst) {
  auto a = comment("1", "74001", kNow - Seconds{3600});
  a.text = "Where can I BUY this?";
  auto b = comment("2", "74001", kNow - Seconds{60});
  b.author = "buyer_jo";
  auto c = comment("3", "74002", kNow - Seconds{30});
  c.hidden = true;
  ASSERT_TRUE(spark().insert_comments({a, b, c}));
  ASSERT_TRUE(spark().set_replied("2", "ttlink"));
  auto ids = [&](store::CommentQuery q) {
    std::vector<std::string> out;
    for (const auto& r : spark().list_comments(q).value()) out.push_back(r.comment_id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(ids({.status = "new"}), (std::vector<std::string>{"1"}));
  EXPECT_EQ(ids({.status = "replied"}), (std::vector<std::string>{"2"}));
  EXPECT_EQ(ids({.status = "hidden"}), (std::vector<std::string>{"3"}));
  EXPECT_EQ(ids({.since = kNow - Seconds{120}}), (std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(ids({.search = "buy"}), (std::vector<std::string>{"2", "1"}));  // text or author
  EXPECT_EQ(ids({.link_id = "2"}), std::vector<std::string>{});
  EXPECT_EQ(ids({.limit = 1}), (std::vector<std::string>{"3"}));
}

TEST_F(SparkTablesTest, PostsOfAnAdvertiserAreReplacedWhole) {
  PostRecord p{"7000000000000000001", "74001", "IN_USE", "73001", "TT_USER", "brand", "", kNow,
               kNow + Seconds{86400}, kNow};
  auto q = p;
  q.item_id = "74002";
  ASSERT_TRUE(spark().replace_posts(p.advertiser_id, {p, q}));
  ASSERT_TRUE(spark().replace_posts(p.advertiser_id, {q}));  // 74001 was unbound upstream
  auto posts = spark().list_posts(p.advertiser_id).value();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].item_id, "74002");
  EXPECT_EQ(posts[0].auth_end_time, kNow + Seconds{86400});
}

TEST_F(SparkTablesTest, CursorsSurviveReopeningTheStore) {
  ASSERT_TRUE(spark().put_cursor({"1", "76001", "2026-10-27", 42}));
  store_.reset();
  SetUp();
  auto c = spark().cursor("1", "76001").value();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->start_date, "2026-10-27");
  EXPECT_EQ(c->page, 42);
  EXPECT_FALSE(spark().cursor("1", "76002").value());
}

TEST_F(SparkTablesTest, WaitingCommentsAreGroupedPerPostWithTheOldest) {
  auto old1 = comment("1", "74001", kNow - Seconds{5 * 3600});
  auto old2 = comment("2", "74001", kNow - Seconds{4 * 3600});
  old2.keyword = "refund";
  auto fresh = comment("3", "74001", kNow - Seconds{60});
  auto other = comment("4", "74002", kNow - Seconds{5 * 3600});
  other.hit_blockedword = true;
  other.hidden = true;  // hidden: nobody needs to answer it
  ASSERT_TRUE(spark().insert_comments({old1, old2, fresh, other}));
  auto waiting = spark().unanswered(kNow - Seconds{3600}).value();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].item_id, "74001");
  EXPECT_EQ(waiting[0].count, 3);  // every waiting comment of a post whose oldest is due
  EXPECT_EQ(waiting[0].oldest, old1.created_at);
  auto flagged = spark().flagged().value();
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].count, 1);
  EXPECT_EQ(flagged[0].sample, "hello");
  EXPECT_TRUE(spark().unanswered(kNow - Seconds{6 * 3600}).value().empty());  // none that old
}

TEST_F(SparkTablesTest, PerPostCountsFollowEveryChange) {
  auto a = comment("1", "74001", kNow - Seconds{60});
  a.keyword = "scam";
  auto b = comment("2", "74001", kNow - Seconds{30});
  ASSERT_TRUE(spark().insert_comments({a, b, a}));
  auto totals = [&] { return spark().totals("1").value(); };
  EXPECT_EQ(totals().total, 2);
  EXPECT_EQ(totals().unanswered, 2);
  ASSERT_TRUE(spark().set_hidden("1", true));
  EXPECT_EQ(totals().unanswered, 1);
  EXPECT_EQ(totals().hidden, 1);
  EXPECT_TRUE(spark().flagged().value().empty());  // hidden: no longer flagged
  ASSERT_TRUE(spark().set_hidden("1", false));
  EXPECT_EQ(spark().flagged().value().size(), 1u);
  ASSERT_TRUE(spark().set_hidden("1", false));  // twice: counted once
  EXPECT_EQ(totals().unanswered, 2);
  auto reply = comment("3", "74001", kNow, "1");
  reply.own = true;
  ASSERT_TRUE(spark().insert_comments({reply}));
  EXPECT_EQ(totals().total, 3);
  EXPECT_EQ(totals().unanswered, 1);
  ASSERT_TRUE(spark().set_replied("2", "ttlink"));
  EXPECT_EQ(totals().unanswered, 0);
  EXPECT_TRUE(spark().unanswered(kNow).value().empty());
  EXPECT_TRUE(spark().flagged().value().empty());
  // The counts are what a scan of the comments says.
  auto db = store::sqlite::Database::open(dir_.file("db")).value();
  EXPECT_EQ(db.query_int("SELECT count(*) FROM comments WHERE parent_id = '' AND own = 0 AND "
                         "hidden = 0 AND replied_by = ''")
                .value(),
            totals().unanswered);
}

PostOwner post(std::string status, std::optional<TimePoint> end) {
  PostOwner o;
  o.link_id = "1";
  o.post.advertiser_id = "7000000000000000001";
  o.post.item_id = "74001";
  o.post.auth_code_status = std::move(status);
  o.post.auth_end_time = end;
  return o;
}

TEST(SparkAlerts, APostEndingWithinTheWindowIsExpiringThenExpired) {
  const Seconds warn{3 * 86400};
  auto ending = post("IN_USE", kNow + Seconds{2 * 86400});
  auto later = post("IN_USE", kNow + Seconds{4 * 86400});
  auto ended = post("IN_USE", kNow - Seconds{1});
  auto expired = post("EXPIRED", kNow + Seconds{86400});
  auto unused = post("NOT_USED", kNow - Seconds{86400});
  auto expiring = post_expiring_conditions({ending, later, ended, expired, unused}, kNow, warn);
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].subject, "1/74001");
  EXPECT_EQ(expiring[0].severity, Severity::kWarning);
  EXPECT_EQ(expiring[0].kind, AlertKind::kPostAuthExpiring);
  EXPECT_EQ(post_expired_conditions({ending, later, ended, expired, unused}, kNow).size(), 2u);
  EXPECT_EQ(post_state(ending.post, kNow, warn), "EXPIRING");
  EXPECT_EQ(post_state(later.post, kNow, warn), "ACTIVE");
  EXPECT_EQ(post_state(ended.post, kNow, warn), "EXPIRED");
  EXPECT_EQ(post_state(unused.post, kNow, warn), "NOT_USED");
}

TEST(SparkAlerts, CommentAlertsAreOnePerPostQuietlyUpdated) {
  std::vector<store::WaitingComments> w{{"1", "74001", 3000, kNow, "so \x1b[31mviral"}};
  auto keyword = keyword_conditions(w);
  ASSERT_EQ(keyword.size(), 1u);
  EXPECT_TRUE(keyword[0].quiet_updates);
  EXPECT_EQ(keyword[0].subject, "1/74001");
  EXPECT_EQ(keyword[0].comments->count, 3000);
  EXPECT_EQ(keyword[0].kind, AlertKind::kCommentKeyword);
  EXPECT_EQ(keyword[0].reason.message.find('\x1b'), std::string::npos);
  auto unanswered = unanswered_conditions(w, Seconds{4 * 3600});
  EXPECT_NE(unanswered[0].reason.message.find("the oldest for over 4h"), std::string::npos)
      << unanswered[0].reason.message;
}

TEST(SparkText, ExcerptIsOneLineOfAtMost80Characters) {
  EXPECT_EQ(excerpt("a\nb"), "a b");
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += "😀";
  const std::string cut = excerpt(emoji);
  EXPECT_EQ(tiktok::utf8_length(cut), 83u);  // 80 emoji and "..."
}

TEST(SparkText, KeywordsMatchCaseInsensitivelyAnywhere) {
  const std::vector<std::string> words{"refund", "scam"};
  EXPECT_EQ(matching_keyword("Is this a SCAM?!", words), "scam");
  EXPECT_EQ(matching_keyword("I want my Refund", words), "refund");
  EXPECT_EQ(matching_keyword("love it", words), "");
  EXPECT_EQ(matching_keyword("anything", {}), "");
}

TEST(SparkText, ReplyLengthCountsCharactersNotBytes) {
  EXPECT_EQ(tiktok::utf8_length("abc"), 3u);
  EXPECT_EQ(tiktok::utf8_length("😀é"), 2u);
  EXPECT_EQ(tiktok::utf8_length(""), 0u);
}

}  // namespace
}  // namespace ttlink::spark

namespace ttlink::spark {
namespace {

TimePoint at(const char* text) {
  return parse_tiktok_time(text).value();
}

int dates_in(const CommentWindow& w) {
  return static_cast<int>((to_unix(parse_tiktok_time(w.end + " 00:00:00").value()) -
                           to_unix(parse_tiktok_time(w.start + " 00:00:00").value())) /
                          86400) +
         1;
}

TEST(CommentWindow, NeverSpansMoreThan30DatesAndReachesTomorrowWhenItCan) {
  const TimePoint now = at("2026-12-02 10:00:00");
  auto w = comment_window(date_of(now - Seconds{28 * 86400}), now);  // the default backfill
  EXPECT_EQ(w.start, "2026-11-04");
  EXPECT_EQ(w.end, "2026-12-03");  // tomorrow
  EXPECT_EQ(dates_in(w), 30);
  EXPECT_FALSE(w.capped);
  auto old = comment_window("2026-01-01", now);
  EXPECT_EQ(old.end, "2026-01-30");
  EXPECT_EQ(dates_in(old), 30);
  EXPECT_TRUE(old.capped);
}

TEST(CommentWindow, SuccessiveWindowsOverlapTwoDatesAndEndAtTomorrow) {
  const TimePoint now = at("2026-12-02 10:00:00");
  std::string start = "2025-06-01";
  int windows = 0;
  for (CommentWindow w = comment_window(start, now); w.capped; w = comment_window(start, now)) {
    const std::string next = next_window_start(w);
    EXPECT_LT(w.start, next);
    EXPECT_LE(next, w.end);  // overlaps: dates still being written are read again
    EXPECT_EQ(dates_in(comment_window(next, now)) <= 30, true);
    start = next;
    ASSERT_LT(++windows, 100);
  }
  EXPECT_EQ(comment_window(start, now).end, "2026-12-03");
  EXPECT_GE(windows, 18);  // 18 months in 27-date steps
}

}  // namespace
}  // namespace ttlink::spark
