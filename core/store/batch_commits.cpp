#include "core/store/batch_commits.hpp"

namespace ttlink::store {

BatchCommits::BatchCommits(boost::asio::any_io_executor ex, Connection& db,
                           std::function<void(const Error&)> failed,
                           std::chrono::milliseconds delay)
    : db_(db), timer_(ex), delay_(delay) {
  db_.set_batching({[this] { opened(); }, std::move(failed)});
}

BatchCommits::~BatchCommits() {
  db_.set_batching({});
}

// A batch that commits earlier (64 bodies, another write) leaves the timer
// armed: it then finds nothing or a newer batch open, committed a little
// early. Never later than `delay` after a batch opened.
void BatchCommits::opened() {
  if (timer_.expiry() > boost::asio::steady_timer::clock_type::now()) return;  // still armed
  timer_.expires_after(delay_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;                         // cancelled: `this` may be gone
    static_cast<void>(db_.commit_batch());  // a failure went to `failed`
  });
}

}  // namespace ttlink::store
