// core/store: batches of routine writes (Connection::routine, BatchCommits)
// on a real sqlite file, watched through a second connection to the same
// file: what another process (a backup, `sqlite3`) or a crash would see.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <vector>

#include "core/store/batch_commits.hpp"
#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

using test::TempDir;

class StoreBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::open(dir_.file("ttlink.db"), dir_.file("key"));
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    for (int i = 0; i < 3; ++i)
      links_.push_back(store_->links().create("7000000000000000001", Actor{"test"}).value());
  }
  void batching_on() {
    store_->connection().set_batching(
        {[this] { ++opened_; }, [this](const Error& e) { failures_.push_back(e.message); }});
  }
  // What another connection to the file sees.
  sqlite::Database other() { return sqlite::Database::open(dir_.file("ttlink.db")).value(); }
  std::string committed_state(const LinkRecord& link) {
    return other().query_text("SELECT state FROM links WHERE id = " + link.id).value();
  }
  std::int64_t committed_count(const std::string& from_where) {
    return other().query_int("SELECT count(*) FROM " + from_where).value();
  }
  // The link's next check (0: none).
  std::int64_t committed_next_check(const LinkRecord& link) {
    return other()
        .query_int("SELECT ifnull(next_check_at, 0) FROM links WHERE id = " + link.id)
        .value();
  }
  // A scheduled check's routine write: the link's next check at `at`.
  Result<void> routine_schedule(LinkRecord& link, std::int64_t at) {
    return store_->routine([&] {
      link.next_check_at = from_unix(at);
      return store_->links().update_schedule(link);
    });
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<LinkRecord> links_;
  int opened_ = 0;
  std::vector<std::string> failures_;
};

TEST_F(StoreBatch, WithoutBatchingARoutineWriteCommitsAtOnce) {
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_FALSE(store_->connection().batch_open());
}

TEST_F(StoreBatch, RoutineWritesWaitForTheCommitAndThisConnectionReadsThem) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(routine_schedule(links_[1], 2000));
  EXPECT_EQ(opened_, 1);  // one batch for both
  EXPECT_EQ(committed_next_check(links_[0]), 0);
  EXPECT_EQ(to_unix(*store_->links().get(links_[1].id)->next_check_at), 2000);
  ASSERT_TRUE(store_->connection().commit_batch());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_next_check(links_[1]), 2000);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(StoreBatch, AnyOtherTransactionJoinsTheBatchAndCommitsIt) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->in_transaction([&] {
    return store_->links().transition(links_[1].id, LinkState::kActive, {}, Actor{"test"});
  }));
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_state(links_[1]), "ACTIVE");
}

// A write outside any transaction (before batches, committed when it ran)
// never waits: the batch commits first, then it commits on its own.
TEST_F(StoreBatch, ALoneWriteCommitsTheBatchBeforeItRuns) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  AuditEntry note;
  note.at = from_unix(5);
  note.link_id = links_[1].id;
  note.actor = "test";
  note.action = "note";
  ASSERT_TRUE(store_->links().append_audit(note));
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_count("audit WHERE action = 'note'"), 1);
}

TEST_F(StoreBatch, ReadsDoNotCommitTheBatch) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->links().due(from_unix(5000), 10));
  ASSERT_TRUE(store_->links().count_by_state());
  EXPECT_TRUE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 0);
}

// A check that changes the link's state: the change and its alert must not
// wait (an alert lost in a crash would never be sent).
TEST_F(StoreBatch, AStateChangeInsideARoutineBodyCommitsWhenTheBodyEnds) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->routine([&]() -> Result<void> {
    if (auto r = store_->links().update_schedule(links_[1]); !r) return r;
    return store_->in_transaction([&] {
      return store_->links().transition(links_[1].id, LinkState::kDegraded, {}, Actor{"test"});
    });
  }));
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_state(links_[1]), "DEGRADED");
}

TEST_F(StoreBatch, AFailedBodyRollsBackAloneAndTheBatchGoesOn) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  auto failed = store_->routine([&]() -> Result<void> {
    links_[1].next_check_at = from_unix(2000);
    if (auto r = store_->links().update_schedule(links_[1]); !r) return r;
    return Error::storage("the body's own failure");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "the body's own failure");
  ASSERT_TRUE(routine_schedule(links_[2], 3000));
  ASSERT_TRUE(store_->connection().commit_batch());
  EXPECT_EQ(opened_, 1);
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_next_check(links_[1]), 0);
  EXPECT_EQ(committed_next_check(links_[2]), 3000);
}

TEST_F(StoreBatch, SixtyFourBodiesCommitWithoutWaitingForTheTimer) {
  batching_on();
  for (int i = 1; i <= 64; ++i) ASSERT_TRUE(routine_schedule(links_[0], i));
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 64);
  ASSERT_TRUE(routine_schedule(links_[0], 65));
  EXPECT_EQ(opened_, 2);
  EXPECT_EQ(committed_next_check(links_[0]), 64);
}

TEST_F(StoreBatch, ADurableWriteCommitsTheBatchFirst) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  AccountTokens t{Secret("access-a"), Secret("refresh-a"), from_unix(1'800'000'000),
                  from_unix(1'830'000'000), "user.info.basic"};
  ASSERT_TRUE(store_->tokens().put_account("open-1", t));
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_EQ(committed_count("tokens"), 2);
}

TEST_F(StoreBatch, ABackupHoldsWhatTheBatchHeld) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->backup_to(dir_.file("copy.db")));
  auto copy = sqlite::Database::open(dir_.file("copy.db"));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->query_int("SELECT next_check_at FROM links WHERE id = " + links_[0].id).value(),
            1000);
}

// A commit sqlite refuses (here a foreign key checked at COMMIT; on a host, a
// full disk): the batch's routine writes are lost and said so, the
// connection is usable, the next batch commits.
TEST_F(StoreBatch, ACommitThatFailsIsReportedAndTheNextBatchCommits) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->routine([&]() -> Result<void> {
    if (auto r = store_->connection().database().exec("PRAGMA defer_foreign_keys = ON"); !r)
      return r;
    return store_->auth().add_action_link({"hash", "999", from_unix(5), std::nullopt});
  }));
  auto committed = store_->connection().commit_batch();
  ASSERT_FALSE(committed);
  EXPECT_NE(committed.error().message.find("a batch of 2 routine writes could not be committed"),
            std::string::npos)
      << committed.error().message;
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], committed.error().message);
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 0);
  ASSERT_TRUE(routine_schedule(links_[1], 2000));
  ASSERT_TRUE(store_->connection().commit_batch());
  EXPECT_EQ(committed_next_check(links_[1]), 2000);
  EXPECT_EQ(failures_.size(), 1u);
  // One write is said as one.
  ASSERT_TRUE(store_->routine([&]() -> Result<void> {
    if (auto r = store_->connection().database().exec("PRAGMA defer_foreign_keys = ON"); !r)
      return r;
    return store_->auth().add_action_link({"hash", "999", from_unix(5), std::nullopt});
  }));
  auto single = store_->connection().commit_batch();
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().message.rfind("a batch of 1 routine write could not be committed", 0),
            0u)
      << single.error().message;
}

// The timer: a batch commits by itself within the delay (io.run() returns
// once the timer has fired and nothing else is pending).
TEST_F(StoreBatch, TheTimerCommitsAnOpenBatch) {
  boost::asio::io_context io;
  std::vector<std::string> failed;
  BatchCommits commits(io.get_executor(), store_->connection(),
                       [&](const Error& e) { failed.push_back(e.message); });
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  EXPECT_EQ(committed_next_check(links_[0]), 0);
  io.run();
  EXPECT_FALSE(store_->connection().batch_open());
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  // And a batch opened after that is timed again.
  ASSERT_TRUE(routine_schedule(links_[1], 2000));
  io.restart();
  io.run();
  EXPECT_EQ(committed_next_check(links_[1]), 2000);
  EXPECT_TRUE(failed.empty());
}

// Batching ends with its owner: what was open commits, and routine writes
// commit at once again.
TEST_F(StoreBatch, TheOwnerGoingAwayCommitsAndTurnsBatchingOff) {
  {
    boost::asio::io_context io;
    BatchCommits commits(io.get_executor(), store_->connection(), [](const Error&) {});
    ASSERT_TRUE(routine_schedule(links_[0], 1000));
    EXPECT_EQ(committed_next_check(links_[0]), 0);
  }
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  ASSERT_TRUE(routine_schedule(links_[1], 2000));
  EXPECT_EQ(committed_next_check(links_[1]), 2000);
}

// The store closing (the daemon's last step) commits what was open.
TEST_F(StoreBatch, ClosingTheStoreCommitsTheOpenBatch) {
  batching_on();
  ASSERT_TRUE(routine_schedule(links_[0], 1000));
  ASSERT_TRUE(store_->connection().batch_open());
  store_.reset();
  EXPECT_EQ(committed_next_check(links_[0]), 1000);
  EXPECT_TRUE(failures_.empty());
}

}  // namespace
}  // namespace ttlink::store
