#include "core/util/keyed_mutex.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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
  // Woken by release(), which hands the key over to us (it stays held).
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return Guard(this, std::move(key));
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
