#include "core/util/idle_signal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ttlink {

boost::asio::awaitable<void> IdleSignal::until(std::function<bool()> idle) {
  while (!idle()) {
    timer_.expires_at(boost::asio::steady_timer::time_point::max());
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace ttlink
