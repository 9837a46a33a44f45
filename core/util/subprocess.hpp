#pragma once
// A child process that gets only what it is given: argv, a complete
// environment built by the caller, a stdin; stdout and stderr are ours (the
// journal); every other descriptor is closed, whatever its close-on-exec flag.
// It runs in its own process group, so that killing it kills everything it
// started. Started with posix_spawn: nothing of ours runs in the child
// between fork and exec (a threaded daemon must not call malloc or setenv
// there). No Asio here: the caller decides how to wait (poll()).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/util/result.hpp"

namespace ttlink {

struct SpawnRequest {
  // argv[0] is the program; without a '/', it is looked up in our PATH.
  std::vector<std::string> argv;
  // "NAME=value" each: the child's whole environment, nothing inherited.
  std::vector<std::string> env;
  int stdin_fd = -1;  // -1: /dev/null
};

struct ExitStatus {
  int code = -1;   // the exit code, -1 when a signal ended it
  int signal = 0;  // the signal that ended it, 0 when it exited
  bool ok() const { return signal == 0 && code == 0; }
  std::string describe() const;  // "exited with 3", "killed by signal 9"
};

class Subprocess {
 public:
  // Errors name the program: not found, not executable, out of resources.
  static Result<Subprocess> spawn(const SpawnRequest& request);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // A child still running (e.g. its waiter was cancelled at shutdown) is
  // killed with its group and reaped: no orphan outlives its owner.
  ~Subprocess();

  pid_t pid() const { return pid_; }  // also its process group id; -1 once reaped
  // The exit status once the child has exited (it is then reaped), nullopt
  // while it runs. Never blocks.
  Result<std::optional<ExitStatus>> poll();
  // SIGKILL to the whole process group, then reaps the child (prompt: it
  // cannot ignore SIGKILL). Processes it left behind in its group die too;
  // their parent (init or a subreaper) reaps them.
  ExitStatus kill_group();

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// "NAME=value" for each of `names` set in our own environment, in order;
// unset names are left out.
std::vector<std::string> environment_subset(const std::vector<std::string>& names);

}  // namespace ttlink
