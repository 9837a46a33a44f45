#include "core/store/wal_checkpoints.hpp"

#include <sqlite3.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace ttlink::store {
namespace asio = boost::asio;

// Shared with the worker's jobs and completions, which may outlive the
// object by a moment.
struct WalCheckpoints::State {
  State(asio::any_io_executor ex, std::string path, std::function<void(const Error&)> failed)
      : ex(std::move(ex)), path(std::move(path)), failed(std::move(failed)) {}

  // On the worker thread: opens its connection once, then one PASSIVE
  // checkpoint.
  std::string checkpoint() {
    if (!worker_db) {
      sqlite3* raw = nullptr;
      int rc =
          sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
      if (rc != SQLITE_OK) {
        std::string error = "cannot open " + path + " to checkpoint its write-ahead log: " +
                            (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        sqlite3_close_v2(raw);
        return error;
      }
      worker_db = raw;
    }
    // A connection learns that the file is in WAL mode by reading it: until
    // then a checkpoint is a silent no-op.
    int rc = sqlite3_exec(worker_db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    int wal_pages = -1;
    if (rc == SQLITE_OK)
      rc = sqlite3_wal_checkpoint_v2(worker_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages,
                                     nullptr);
    if (rc == SQLITE_BUSY) return {};  // another checkpoint is under way
    if (rc != SQLITE_OK)
      return "checkpoint of " + path + "'s write-ahead log failed: " + sqlite3_errmsg(worker_db);
    if (wal_pages < 0) return "cannot checkpoint " + path + ": it is not in WAL mode";
    return {};
  }

  void start(const std::shared_ptr<State>& self) {
    running = true;
    asio::post(worker, [self] {
      std::string error = self->checkpoint();
      asio::post(self->ex, [self, error = std::move(error)] { self->finish(error); });
    });
  }

  // On the state thread.
  void finish(const std::string& error) {
    running = false;
    if (error.empty()) {
      ++checkpoints;
      last_error.clear();
      return;
    }
    if (error == last_error) return;
    last_error = error;
    if (failed && !stopped) failed(Error::storage(error));
  }

  asio::any_io_executor ex;
  std::string path;
  std::function<void(const Error&)> failed;
  asio::thread_pool worker{1};
  sqlite3* worker_db = nullptr;  // the worker's own; touched by the worker only
  bool running = false;
  bool stopped = false;
  std::string last_error;
  std::uint64_t checkpoints = 0;
  std::uint64_t fallbacks = 0;
  int started_at = 0;  // the WAL's size when the last checkpoint started
};

WalCheckpoints::WalCheckpoints(asio::any_io_executor ex, sqlite::Database& db,
                               std::function<void(const Error&)> failed, int pages,
                               std::string worker_path)
    : state_(std::make_shared<State>(std::move(ex), worker_path.empty() ? db.path() : worker_path,
                                     std::move(failed))),
      db_(db),
      pages_(pages) {
  sqlite3_wal_hook(db_.handle(), &WalCheckpoints::committed, this);
}

WalCheckpoints::~WalCheckpoints() {
  sqlite3_wal_hook(db_.handle(), nullptr, nullptr);
  sqlite3_wal_autocheckpoint(db_.handle(), kPages);
  state_->stopped = true;
  state_->worker.join();
  sqlite3_close_v2(state_->worker_db);  // no job can run any more
  state_->worker_db = nullptr;
}

// After every commit on the state thread, with the WAL's size in pages.
int WalCheckpoints::committed(void* self, sqlite3* db, const char*, int frames) {
  auto& me = *static_cast<WalCheckpoints*>(self);
  auto& state = *me.state_;
  // The WAL did not start over behind the worker (commits kept coming, or
  // it fails): copy what is left here, as sqlite would have.
  if (frames >= 4 * me.pages_) {
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    ++state.fallbacks;
    return SQLITE_OK;
  }
  // Every `pages` new pages: while the daemon keeps committing, the WAL
  // seldom starts over behind a checkpoint (a write must begin with nothing
  // left to copy), and checkpointing each commit past the threshold copied
  // a few pages and fsync'd twice, back to back.
  if (frames < state.started_at) state.started_at = 0;  // the WAL started over
  if (frames >= state.started_at + me.pages_ && !state.running && !state.stopped) {
    state.started_at = frames;
    state.start(me.state_);
  }
  return SQLITE_OK;
}

bool WalCheckpoints::running() const {
  return state_->running;
}

std::uint64_t WalCheckpoints::checkpoints() const {
  return state_->checkpoints;
}

std::uint64_t WalCheckpoints::fallbacks() const {
  return state_->fallbacks;
}

}  // namespace ttlink::store
