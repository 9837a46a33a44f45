#pragma once
// Runs `task` out of reach of its caller's cancellation: for work that must
// not be cut short once it has begun, above all a token refresh (upstream
// may already have rotated the refresh token: its answer must be read and
// stored, or the link is lost) and the exchange of an authorization code.
// The task still ends by its own timeouts; a cancelled caller waits for it,
// so its owner's wait on shutdown is bounded by those timeouts.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace ttlink {

namespace detail {
template <class T>
boost::asio::awaitable<void> run_into(std::optional<T>& out, boost::asio::awaitable<T> task) {
  out.emplace(co_await std::move(task));
}
}  // namespace detail

template <class T>
boost::asio::awaitable<T> shielded(boost::asio::awaitable<T> task) {
  namespace asio = boost::asio;
  std::optional<T> out;  // co_spawn would need T to be default-constructible
  auto ex = co_await asio::this_coro::executor;
  // No lambda temporary inside the co_await (GCC 12 destroys those twice).
  auto inner = detail::run_into(out, std::move(task));
  co_await asio::co_spawn(
      ex, std::move(inner),
      asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
  co_return std::move(*out);
}

}  // namespace ttlink
