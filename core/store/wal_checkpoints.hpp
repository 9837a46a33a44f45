#pragma once
// Checkpoints of the store's write-ahead log, off the state thread. By
// default sqlite checkpoints on the committing connection once the WAL holds
// 1,000 pages: it copies them into the database file and fsyncs both, and the
// daemon's one state thread waited for the disk each time (every ~230 checks
// in a backlog). While a WalCheckpoints lives, the connection only reports
// the WAL's size after each commit (sqlite3_wal_hook, which replaces the
// automatic checkpoint) and a worker thread runs a PASSIVE checkpoint on a
// connection of its own each time the WAL has grown by `pages`: it never
// waits for the state thread's transactions and copies what they do not
// hold. The WAL starts over behind a checkpoint when the next write finds
// nothing left to copy: at a real API's pace, always; under a backlog of
// commits, seldom, and then the fallback below (4 x `pages`) does it, with
// the last `pages` to copy.
//
// Should the worker fail (it cannot open the file, sqlite answers an error),
// the error goes to `failed` (once until a checkpoint succeeds again) and the
// state thread checkpoints itself whenever the WAL passes 4 x `pages`, as
// sqlite would have: the WAL stays bounded either way.
#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/store/sqlite.hpp"
#include "core/util/result.hpp"

namespace ttlink::store {

class WalCheckpoints {
 public:
  static constexpr int kPages = 1000;  // sqlite's own threshold

  // `worker_path` is the file the worker opens: the database's own path
  // unless a test gives another.
  WalCheckpoints(boost::asio::any_io_executor ex, sqlite::Database& db,
                 std::function<void(const Error&)> failed, int pages = kPages,
                 std::string worker_path = {});
  // Waits for a running checkpoint and gives sqlite its own back.
  ~WalCheckpoints();
  WalCheckpoints(const WalCheckpoints&) = delete;
  WalCheckpoints& operator=(const WalCheckpoints&) = delete;

  bool running() const;
  std::uint64_t checkpoints() const;  // completed by the worker
  std::uint64_t fallbacks() const;    // run on the state thread instead

 private:
  static int committed(void* self, sqlite3* db, const char* name, int frames);

  struct State;
  std::shared_ptr<State> state_;
  sqlite::Database& db_;
  int pages_;
};

}  // namespace ttlink::store
