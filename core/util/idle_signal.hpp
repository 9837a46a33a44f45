#pragma once
// Wakes coroutines that wait for a component to become idle (a drain on
// shutdown): the component calls notify() whenever a piece of its work
// ends; waiters re-check their condition. For one strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>

namespace ttlink {

class IdleSignal {
 public:
  explicit IdleSignal(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {
    timer_.expires_at(boost::asio::steady_timer::time_point::max());
  }
  void notify() { timer_.cancel(); }
  // Returns once `idle()` holds (checked after every notify()).
  boost::asio::awaitable<void> until(std::function<bool()> idle);

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace ttlink
