// core/store/wal_sync: group commit of the store's WAL on a worker thread,
// against real files.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <fstream>
#include <vector>

#include "core/store/wal_sync.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

namespace asio = boost::asio;
using test::TempDir;

struct Outcome {
  bool returned = false;
  bool ok = false;
  std::string error;
  std::uint64_t syncs_seen = 0;  // fdatasync calls finished when it returned
};

void spawn_sync(asio::io_context& io, WalSync& wal, Outcome& out) {
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto r = co_await wal.sync();
        out.returned = true;
        out.ok = static_cast<bool>(r);
        if (!r) out.error = r.error().message;
        out.syncs_seen = wal.syncs();
      },
      asio::detached);
}

// The first caller's fdatasync starts at once; the 49 that come while it
// runs are not released by it (their commits may be newer than what it
// flushed) but all share the next one: 2 fdatasync calls for 50 commits.
TEST(WalSync, CommitsMadeWhileASyncRunsShareTheNextOne) {
  TempDir dir;
  std::ofstream(dir.file("ttlink.db-wal")) << "frames";
  asio::io_context io;
  WalSync wal(io.get_executor(), dir.file("ttlink.db-wal"));
  std::vector<Outcome> outcomes(50);
  for (auto& o : outcomes) spawn_sync(io, wal, o);
  io.run();
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    ASSERT_TRUE(outcomes[i].returned) << i;
    EXPECT_TRUE(outcomes[i].ok) << i << ": " << outcomes[i].error;
    EXPECT_EQ(outcomes[i].syncs_seen, i == 0 ? 1u : 2u) << i;
  }
  EXPECT_EQ(wal.syncs(), 2u);
}

// A file that cannot be synced fails every commit waiting on it, naming the
// file (the caller keeps the tokens in memory and says so).
TEST(WalSync, AFailedSyncFailsItsCommitsAndNamesTheFile) {
  TempDir dir;
  asio::io_context io;
  const std::string missing = dir.file("gone/ttlink.db-wal");
  WalSync wal(io.get_executor(), missing);
  Outcome a, b;
  spawn_sync(io, wal, a);
  spawn_sync(io, wal, b);
  io.run();
  for (const Outcome* o : {&a, &b}) {
    ASSERT_TRUE(o->returned);
    EXPECT_FALSE(o->ok);
    EXPECT_NE(o->error.find(missing), std::string::npos) << o->error;
    EXPECT_NE(o->error.find("No such file"), std::string::npos) << o->error;
  }
}

}  // namespace
}  // namespace ttlink::store
