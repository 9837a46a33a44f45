#include "core/store/wal_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ttlink::store {
namespace asio = boost::asio;

namespace {

// On the worker thread.
std::string fdatasync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path + " to sync it: " + std::strerror(errno);
  std::string error;
  if (::fdatasync(fd) != 0) error = "cannot sync " + path + ": " + std::strerror(errno);
  ::close(fd);
  return error;
}

}  // namespace

// Shared with the worker's completions, which may come after ~WalSync.
struct WalSync::State {
  State(asio::any_io_executor ex, std::string path) : ex(std::move(ex)), path(std::move(path)) {}

  // One per sync() call, woken (its timer cancelled) when an fdatasync that
  // started after its ticket was issued has finished.
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : wake(ex) {
      wake.expires_at(asio::steady_timer::time_point::max());
    }
    std::uint64_t ticket = 0;
    bool finished = false;
    std::string error;
    asio::steady_timer wake;
  };

  // On the state thread: one fdatasync for every ticket issued so far.
  void start(const std::shared_ptr<State>& self) {
    running = true;
    const std::uint64_t covers = issued;
    asio::post(worker, [self, covers] {
      std::string error = fdatasync_file(self->path);
      asio::post(self->ex,
                 [self, covers, error = std::move(error)] { self->finish(self, covers, error); });
    });
  }

  void finish(const std::shared_ptr<State>& self, std::uint64_t covers, const std::string& error) {
    running = false;
    ++syncs;
    for (auto it = waiters.begin(); it != waiters.end();) {
      if ((*it)->ticket > covers) {
        ++it;
        continue;
      }
      (*it)->finished = true;
      (*it)->error = error;
      (*it)->wake.cancel();
      it = waiters.erase(it);
    }
    if (!stopped && !waiters.empty()) start(self);  // tickets issued while this one ran
  }

  asio::any_io_executor ex;
  std::string path;
  asio::thread_pool worker{1};
  std::vector<std::shared_ptr<Waiter>> waiters;
  std::uint64_t issued = 0;
  std::uint64_t syncs = 0;
  bool running = false;
  bool stopped = false;
};

WalSync::WalSync(asio::any_io_executor ex, std::string wal_path)
    : state_(std::make_shared<State>(std::move(ex), std::move(wal_path))) {}

WalSync::~WalSync() {
  state_->stopped = true;
  state_->worker.join();
}

asio::awaitable<Result<void>> WalSync::sync() {
  auto state = state_;
  auto me = std::make_shared<State::Waiter>(state->ex);
  me->ticket = ++state->issued;
  state->waiters.push_back(me);
  if (!state->running) state->start(state);
  while (!me->finished) co_await me->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!me->error.empty()) co_return Error::storage(me->error);
  co_return Result<void>();
}

std::uint64_t WalSync::syncs() const {
  return state_->syncs;
}

}  // namespace ttlink::store
