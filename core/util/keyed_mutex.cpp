#include "core/util/keyed_mutex.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace ttlink {
namespace asio = boost::asio;

asio::awaitable<KeyedMutex::Guard> KeyedMutex::lock(std::string key) {
  auto it = held_.find(key);
  if (it == held_.end()) {
    held_.emplace(key, std::deque<std::shared_ptr<asio::steady_timer>>{});
    co_return Guard(this, std::move(key));
  }
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                    asio::steady_timer::time_point::max());
  it->second.push_back(timer);
  // Woken by release(), which takes our timer off the queue and hands the
  // key over to us (it stays held). A timer still queued means the wait was
  // cancelled (shutdown): leave the queue, holding nothing.
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  if (abandon(key, timer))
    throw boost::system::system_error(asio::error::operation_aborted, "waiting for " + key);
  co_return Guard(this, std::move(key));
}

bool KeyedMutex::abandon(const std::string& key, const std::shared_ptr<asio::steady_timer>& t) {
  auto it = held_.find(key);
  if (it == held_.end()) return false;
  auto& waiters = it->second;
  auto mine = std::find(waiters.begin(), waiters.end(), t);
  if (mine == waiters.end()) return false;
  waiters.erase(mine);
  return true;
}

void KeyedMutex::release(const std::string& key) {
  auto it = held_.find(key);
  if (it == held_.end()) return;
  if (it->second.empty()) {
    held_.erase(it);
    return;
  }
  auto next = std::move(it->second.front());
  it->second.pop_front();
  next->cancel();
}

}  // namespace ttlink
