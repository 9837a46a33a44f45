#pragma once
// Group commit for the store's WAL: a commit made with synchronous=NORMAL is
// in the WAL (safe from a crash of the daemon, not yet from a power cut)
// until the WAL file is fdatasync'd. sync() returns once that has happened
// for every commit made before the call. The fdatasync runs on a worker
// thread, so the state thread goes on with other links meanwhile, and one
// fdatasync serves every commit made before it started (with 32 links in
// flight, several token refreshes share each). The worker touches nothing
// but the file: it opens the WAL by name, syncs it and closes it (an fsync
// flushes the file's data whichever descriptor asks).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "core/util/result.hpp"

namespace ttlink::store {

class WalSync {
 public:
  WalSync(boost::asio::any_io_executor ex, std::string wal_path);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Every commit made on this thread before the call is on disk when this
  // returns success; an error (naming the file) when the fdatasync failed.
  boost::asio::awaitable<Result<void>> sync();
  // fdatasync calls made so far (each served one or more sync() calls).
  std::uint64_t syncs() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ttlink::store
