#pragma once
// tests/support: what integration tests share to drive real binaries (child
// processes, a blocking HTTP client, the sandbox fixture, temp dirs, polling).
//
// ChildProcess: a real child (fork/exec) whose stdout and stderr are captured
// by a reader thread, so a test can wait for a line with a deadline. The child
// dies with the test process (PR_SET_PDEATHSIG) and with this object (SIGKILL).
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/util/result.hpp"

namespace ttlink::test {

using Clock = std::chrono::steady_clock;

class ChildProcess {
 public:
  using LinePredicate = std::function<bool(std::string_view line)>;

  // argv[0] is the executable path. `env` adds to (or overrides) the test's
  // environment. `input`, when given, is the child's whole stdin (then end of
  // file; at most a pipe's capacity, 64 KiB); without it the child inherits
  // the test's stdin.
  static Result<std::unique_ptr<ChildProcess>> spawn(std::vector<std::string> argv,
                                                     std::map<std::string, std::string> env = {},
                                                     std::optional<std::string> input = {});

  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The first complete line of stdout or stderr (already seen or still to
  // come) that satisfies the predicate, or nullopt at the deadline or when
  // both streams closed without one.
  std::optional<std::string> wait_for_output(const LinePredicate& predicate,
                                             Clock::time_point deadline);
  std::optional<std::string> wait_for_output(std::string_view substring,
                                             Clock::time_point deadline);

  std::string stdout_text() const;
  std::string stderr_text() const;

  pid_t pid() const { return pid_; }
  void signal(int signo);
  void kill9();
  // The exit status (WEXITSTATUS, or 128 + signal when killed), or nullopt
  // if the child is still running at the deadline. Once it returns a status,
  // the output the child wrote has all been read.
  std::optional<int> wait(Clock::time_point deadline);
  bool running();

 private:
  ChildProcess(pid_t pid, int out_fd, int err_fd);
  void read_loop();
  bool find_line(const LinePredicate& predicate, std::string* line) const;
  bool try_reap(int options);

  pid_t pid_;
  int out_fd_;
  int err_fd_;
  std::optional<int> exit_status_;

  mutable std::mutex mutex_;
  std::condition_variable output_changed_;
  std::string out_;
  std::string err_;
  bool streams_closed_ = false;
  std::thread reader_;
};

}  // namespace ttlink::test
