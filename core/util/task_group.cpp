#include "core/util/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/system_error.hpp>

namespace ttlink {
namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor ex, std::function<void(const std::string&)> on_failure)
    : ex_(std::move(ex)), on_failure_(std::move(on_failure)), idle_(ex_) {}

TaskGroup::~TaskGroup() {
  *alive_ = false;
}

void TaskGroup::spawn(asio::awaitable<void> task) {
  forget_finished();
  auto it = tasks_.emplace(tasks_.end());
  ++running_;
  auto done = [this, it, alive = alive_](std::exception_ptr error) {
    if (*alive) finished(it, error);
  };
  asio::co_spawn(ex_, std::move(task), asio::bind_cancellation_slot(it->signal.slot(), done));
  // A task spawned after cancel() is cancelled too (its first co_await
  // throws), so that no work starts once shutdown has begun.
  if (cancelled_) it->signal.emit(asio::cancellation_type::terminal);
}

void TaskGroup::cancel() {
  cancelled_ = true;
  for (auto& task : tasks_)
    if (!task.done) task.signal.emit(asio::cancellation_type::terminal);
}

asio::awaitable<void> TaskGroup::wait() {
  co_await idle_.until([this] { return running_ == 0; });
}

void TaskGroup::finished(std::list<Task>::iterator task, std::exception_ptr error) {
  task->done = true;
  --running_;
  idle_.notify();
  if (!error || !on_failure_) return;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted) on_failure_(e.what());
  } catch (const std::exception& e) {
    on_failure_(e.what());
  } catch (...) {
    on_failure_("unknown exception");
  }
}

void TaskGroup::forget_finished() {
  tasks_.remove_if([](const Task& t) { return t.done; });
}

}  // namespace ttlink
