#pragma once
// The owner of a component's long-lived coroutines (loops, per-link work,
// sessions): each runs with its own cancellation signal, so that shutdown can
// cancel them all and wait until every frame has finished, before the
// objects those frames point to are destroyed. Replaces co_spawn(detached),
// whose frames outlived their owners and were destroyed in ~io_context
// (SIGTERM during a slow upstream call: double free). For one strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "core/util/idle_signal.hpp"

namespace ttlink {

class TaskGroup {
 public:
  // `on_failure` hears of a task that ended with an exception other than
  // its cancellation (a bug: tasks report their errors as values).
  explicit TaskGroup(boost::asio::any_io_executor ex,
                     std::function<void(const std::string&)> on_failure = {});
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  // Frames that have not finished are destroyed later by the io_context,
  // after the objects they use: owners cancel() and wait() first.
  ~TaskGroup();

  // Starts `task` on the executor, owned by this group. After cancel(), a
  // new task is cancelled at its first suspension.
  void spawn(boost::asio::awaitable<void> task);
  // Terminal cancellation to every running task: each one's pending
  // operation ends with operation_aborted, and its next co_await throws.
  void cancel();
  // Returns once no task runs.
  boost::asio::awaitable<void> wait();
  std::size_t running() const { return running_; }
  bool cancelled() const { return cancelled_; }
  std::size_t held() const { return tasks_.size(); }  // running, or finished since the last spawn

 private:
  struct Task {
    boost::asio::cancellation_signal signal;
    bool done = false;
  };
  void finished(std::list<Task>::iterator task, std::exception_ptr error);
  void forget_finished();

  boost::asio::any_io_executor ex_;
  std::function<void(const std::string&)> on_failure_;
  // Finished tasks are erased at the next spawn, not from their own
  // completion handler, which runs while their signal's slot is in use.
  std::list<Task> tasks_;
  std::size_t running_ = 0;
  bool cancelled_ = false;
  IdleSignal idle_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ttlink
