#pragma once
// One holder per key at a time, for coroutines on one thread: e.g. two
// refreshes of one account must never overlap (the second would present a
// refresh token the first just rotated away, and be told 40107).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace ttlink {

class KeyedMutex {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(KeyedMutex* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    Guard(Guard&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    Guard& operator=(Guard&&) = delete;
    ~Guard() {
      if (owner_) owner_->release(key_);
    }

   private:
    KeyedMutex* owner_ = nullptr;
    std::string key_;
  };

  boost::asio::awaitable<Guard> lock(std::string key);
  bool locked(const std::string& key) const { return held_.count(key) != 0; }

 private:
  void release(const std::string& key);
  // Takes a cancelled waiter's timer off the key's queue; false when
  // release() already took it (the key is then ours).
  bool abandon(const std::string& key, const std::shared_ptr<boost::asio::steady_timer>& t);
  // key -> waiters in arrival order; presence of the key means "held".
  std::map<std::string, std::deque<std::shared_ptr<boost::asio::steady_timer>>> held_;
};

}  // namespace ttlink
