// TaskGroup: the owner that cancels long-lived coroutines and waits for
// their frames to end; KeyedMutex when a waiter is cancelled.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/util/keyed_mutex.hpp"
#include "core/util/task_group.hpp"
#include "support/run_awaitable.hpp"

namespace ttlink {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

// Waits an hour unless cancelled; counts frames alive and finished.
struct Probe {
  int alive = 0;
  int finished = 0;
};

asio::awaitable<void> sleeper(Probe& probe) {
  ++probe.alive;
  struct Leave {
    Probe& p;
    ~Leave() {
      --p.alive;
      ++p.finished;
    }
  } leave{probe};
  asio::steady_timer t(co_await asio::this_coro::executor, 1h);
  co_await t.async_wait(asio::use_awaitable);
}

TEST(TaskGroup, CancelEndsEveryFrameAndWaitReturnsOnceTheyHaveEnded) {
  asio::io_context io;
  std::vector<std::string> failures;
  TaskGroup group(io.get_executor(), [&](const std::string& e) { failures.push_back(e); });
  Probe probe;
  for (int i = 0; i < 3; ++i) group.spawn(sleeper(probe));
  io.poll();
  ASSERT_EQ(probe.alive, 3);
  EXPECT_EQ(group.running(), 3u);
  group.cancel();
  test::run(io, group.wait());
  EXPECT_EQ(probe.alive, 0);
  EXPECT_EQ(probe.finished, 3);
  EXPECT_EQ(group.running(), 0u);
  EXPECT_TRUE(failures.empty()) << failures.front();  // cancellation is not a failure
}

TEST(TaskGroup, ATaskSpawnedAfterCancelEndsAtItsFirstSuspension) {
  asio::io_context io;
  TaskGroup group(io.get_executor());
  group.cancel();
  Probe probe;
  group.spawn(sleeper(probe));
  test::run(io, group.wait());
  EXPECT_EQ(probe.finished, 1);
}

TEST(TaskGroup, AnExceptionOtherThanCancellationIsReported) {
  asio::io_context io;
  std::vector<std::string> failures;
  TaskGroup group(io.get_executor(), [&](const std::string& e) { failures.push_back(e); });
  group.spawn([]() -> asio::awaitable<void> {
    throw std::runtime_error("a bug");
    co_return;
  }());
  test::run(io, group.wait());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], "a bug");
}

TEST(TaskGroup, FinishedTasksAreForgottenSoTheGroupDoesNotGrow) {
  asio::io_context io;
  TaskGroup group(io.get_executor());
  for (int i = 0; i < 1000; ++i) {
    group.spawn([]() -> asio::awaitable<void> { co_return; }());
    io.restart();
    io.poll();
    ASSERT_EQ(group.running(), 0u);
  }
  EXPECT_LE(group.held(), 1u);
}

// Coroutines with their state as parameters, not lambdas capturing by
// reference: a lambda coroutine's captures live in the lambda object, gone
// after the spawning statement (ASan: stack-use-after-scope).
asio::awaitable<void> hold_key(KeyedMutex& mutex, asio::steady_timer& hold) {
  auto guard = co_await mutex.lock("open-id");
  co_await hold.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> wait_for_key(KeyedMutex& mutex, bool& got, bool& threw) {
  try {
    auto guard = co_await mutex.lock("open-id");
    got = true;
  } catch (const boost::system::system_error&) {
    threw = true;
  }
}

// A cancelled waiter must not come away holding the key: before, the lock's
// wait ended with operation_aborted and returned a guard as if handed over,
// so two coroutines held one account's lock and the first holder's release
// then gave the key to a waiter that no longer existed.
TEST(KeyedMutexTest, ACancelledWaiterLeavesTheQueueWithoutTheKey) {
  asio::io_context io;
  KeyedMutex mutex;
  TaskGroup holders(io.get_executor());
  TaskGroup waiters(io.get_executor());
  asio::steady_timer hold(io, asio::steady_timer::time_point::max());
  bool waiter_got_it = false;
  bool waiter_threw = false;
  holders.spawn(hold_key(mutex, hold));
  io.poll();
  waiters.spawn(wait_for_key(mutex, waiter_got_it, waiter_threw));
  io.poll();
  waiters.cancel();
  test::run(io, waiters.wait());
  EXPECT_FALSE(waiter_got_it);
  EXPECT_TRUE(waiter_threw);
  EXPECT_TRUE(mutex.locked("open-id"));  // still the holder's
  hold.cancel();
  test::run(io, holders.wait());
  EXPECT_FALSE(mutex.locked("open-id"));  // released, not handed to the gone waiter
}

}  // namespace
}  // namespace ttlink
