// core/store: WAL checkpoints on a worker thread (WalCheckpoints), on a real
// sqlite file in WAL mode: the WAL stays bounded without the committing
// connection checkpointing, and a worker that cannot checkpoint is reported
// and replaced by the committing connection.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/sqlite.hpp"
#include "core/store/store.hpp"
#include "core/store/wal_checkpoints.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

using namespace std::chrono_literals;

constexpr int kPages = 50;  // a small threshold: a few hundred commits cross it often
constexpr std::uintmax_t kFrameBytes = 4096 + 24;

class WalCheckpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = sqlite::Database::open(path());
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(*db));
    ASSERT_EQ(db_->query_text("PRAGMA journal_mode = WAL").value(), "wal");
    ASSERT_TRUE(db_->exec("CREATE TABLE t (x BLOB)"));
  }
  std::string path() const { return dir_.file("t.db"); }
  std::uintmax_t wal_bytes() const { return std::filesystem::file_size(path() + "-wal"); }

  // One commit of 4 WAL pages (a 6 KiB row spills into overflow pages) into
  // table t of `db` (the fixture's own unless given).
  static constexpr std::string_view kCommit = "INSERT INTO t VALUES (zeroblob(6000))";
  void commit_one() { ASSERT_TRUE(db_->exec(kCommit)); }
  // The commit, then the end of whatever checkpoint it started: the next
  // commit never races a running one (no fallback by timing).
  bool commit_settled(const WalCheckpoints& checkpoints, sqlite::Database* db = nullptr) {
    return (db ? *db : *db_).exec(kCommit) && run_until([&] { return !checkpoints.running(); });
  }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_one_for(10ms);
    }
    return true;
  }

  test::TempDir dir_;
  std::optional<sqlite::Database> db_;
  boost::asio::io_context io_;
  std::vector<std::string> failures_;
};

TEST_F(WalCheckpointsTest, TheWorkerCheckpointsAndTheWalStaysBounded) {
  WalCheckpoints checkpoints(
      io_.get_executor(), *db_, [this](const Error& e) { failures_.push_back(e.message); }, kPages);
  std::uintmax_t largest = 0;
  for (int i = 0; i < 400; ++i) {              // 1,600 WAL pages in all: 32 thresholds
    ASSERT_TRUE(commit_settled(checkpoints));  // so none falls back
    largest = std::max(largest, wal_bytes());
  }
  EXPECT_GE(checkpoints.checkpoints(), 10u);
  EXPECT_EQ(checkpoints.fallbacks(), 0u);  // the committing connection never checkpointed
  EXPECT_LT(largest, 2 * kPages * kFrameBytes) << "the WAL grew to " << largest << " bytes";
  EXPECT_TRUE(failures_.empty());
  // Every row is there, through a connection of its own.
  EXPECT_EQ(sqlite::Database::open(path()).value().query_int("SELECT count(*) FROM t").value(),
            400);
}

// While the WAL cannot start over (here a reader holds an old snapshot;
// in the daemon, commits that keep coming), a checkpoint runs per `pages`
// new pages, not after every commit past the threshold.
TEST_F(WalCheckpointsTest, AGrowingWalIsCheckpointedOncePerThresholdOfNewPages) {
  auto reader = sqlite::Database::open(path()).value();
  ASSERT_TRUE(reader.exec("BEGIN"));
  ASSERT_EQ(reader.query_int("SELECT count(*) FROM t").value(), 0);
  WalCheckpoints checkpoints(
      io_.get_executor(), *db_, [this](const Error& e) { failures_.push_back(e.message); }, kPages);
  for (int i = 0; i < 45; ++i) {  // 4 pages each: 180, under the 4 x 50 of a fallback
    ASSERT_TRUE(commit_settled(checkpoints));
  }
  EXPECT_GE(checkpoints.checkpoints(), 2u);
  EXPECT_LE(checkpoints.checkpoints(), 4u);  // at ~50, ~100, ~150 pages
  EXPECT_EQ(checkpoints.fallbacks(), 0u);
  EXPECT_TRUE(failures_.empty());
  ASSERT_TRUE(reader.exec("COMMIT"));
}

TEST_F(WalCheckpointsTest, WithoutCheckpointsTheWalWouldGrow) {
  // The bound above means something: with the automatic checkpoint off and
  // nothing in its place, the same commits leave a WAL of every page.
  ASSERT_TRUE(db_->exec("PRAGMA wal_autocheckpoint = 0"));
  for (int i = 0; i < 400; ++i) commit_one();
  EXPECT_GT(wal_bytes(), 10 * kPages * kFrameBytes);
}

TEST_F(WalCheckpointsTest, AWorkerThatCannotCheckpointIsReportedOnceAndCommitsCheckpointInstead) {
  const std::string nowhere = dir_.file("no-such-dir/t.db");
  WalCheckpoints checkpoints(
      io_.get_executor(), *db_, [this](const Error& e) { failures_.push_back(e.message); }, kPages,
      nowhere);
  std::uintmax_t largest = 0;
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(commit_settled(checkpoints));
    largest = std::max(largest, wal_bytes());
  }
  EXPECT_EQ(checkpoints.checkpoints(), 0u);
  EXPECT_GE(checkpoints.fallbacks(), 2u);
  EXPECT_LT(largest, 5 * kPages * kFrameBytes) << "the WAL grew to " << largest << " bytes";
  ASSERT_EQ(failures_.size(), 1u);  // once, not per attempt
  EXPECT_NE(failures_[0].find("cannot open " + nowhere), std::string::npos) << failures_[0];
}

// A connection that has not read the file checkpoints nothing and says OK;
// a file not in WAL mode answers the same. Neither passes for a checkpoint.
TEST_F(WalCheckpointsTest, AFileNotInWalModeIsAFailureNotASilentNoOp) {
  const std::string rollback = dir_.file("rollback.db");
  ASSERT_TRUE(sqlite::Database::open(rollback).value().exec("CREATE TABLE r (x)"));
  WalCheckpoints checkpoints(
      io_.get_executor(), *db_, [this](const Error& e) { failures_.push_back(e.message); }, kPages,
      rollback);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(commit_settled(checkpoints));
  }
  EXPECT_EQ(checkpoints.checkpoints(), 0u);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], "cannot checkpoint " + rollback + ": it is not in WAL mode");
}

// The store cuts its WAL file back to 4 MiB when the WAL starts over: a
// backlog that grew it past that (here a reader pins it) does not leave the
// file that size for good.
TEST_F(WalCheckpointsTest, TheStoresWalFileIsCutBackWhenTheWalStartsOver) {
  const std::string file = dir_.file("store.db");
  auto store = Store::open(file, dir_.file("key"));
  ASSERT_TRUE(store) << store.error().message;
  sqlite::Database& db = (*store)->connection().database();
  ASSERT_TRUE(db.exec("CREATE TABLE t (x BLOB)"));
  WalCheckpoints checkpoints(io_.get_executor(), db, {}, kPages);
  auto wal = [&] { return std::filesystem::file_size(file + "-wal"); };
  {
    auto reader = sqlite::Database::open(file).value();
    ASSERT_TRUE(reader.exec("BEGIN"));
    ASSERT_EQ(reader.query_int("SELECT count(*) FROM t").value(), 0);
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(commit_settled(checkpoints, &db));  // 4.9 MB
    ASSERT_GT(wal(), std::uintmax_t{4} << 20);
    ASSERT_TRUE(reader.exec("COMMIT"));
  }
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(commit_settled(checkpoints, &db));
  EXPECT_LE(wal(), std::uintmax_t{4} << 20);
}

TEST_F(WalCheckpointsTest, GoneItLeavesSqlitesOwnCheckpointsOn) {
  { WalCheckpoints checkpoints(io_.get_executor(), *db_, {}, kPages); }
  // sqlite's default threshold (1,000 pages): 1,600 pages of commits are
  // checkpointed and the WAL starts over.
  for (int i = 0; i < 400; ++i) commit_one();
  EXPECT_LT(wal_bytes(), (WalCheckpoints::kPages + 10) * kFrameBytes);
}

}  // namespace
}  // namespace ttlink::store
