#pragma once
// The timer behind the store's batches of routine writes (see
// connection.hpp): while it lives, batching is on, and a batch commits at most
// `delay` after it opened. A failed commit (a full disk) goes to `failed`: the
// routine writes of those checks are lost, nothing else (the links are
// checked again).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

#include "core/store/connection.hpp"

namespace ttlink::store {

class BatchCommits {
 public:
  static constexpr std::chrono::milliseconds kDelay{20};

  BatchCommits(boost::asio::any_io_executor ex, Connection& db,
               std::function<void(const Error&)> failed, std::chrono::milliseconds delay = kDelay);
  // Commits the open batch and turns batching off.
  ~BatchCommits();
  BatchCommits(const BatchCommits&) = delete;
  BatchCommits& operator=(const BatchCommits&) = delete;

 private:
  void opened();

  Connection& db_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds delay_;
};

}  // namespace ttlink::store
