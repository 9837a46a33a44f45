#include "core/alerts/exec_sink.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstring>

namespace ttlink::alerts {

namespace {

// Writes the body to a temporary file that becomes the child's stdin: no
// pipe to feed while the child runs, so a child that never reads cannot
// block the daemon.
Result<int> body_as_file(const std::string& body) {
  char path[] = "/tmp/ttlink-alert-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return Error::internal(std::string("mkstemp: ") + std::strerror(errno));
  ::unlink(path);
  std::size_t done = 0;
  while (done < body.size()) {
    ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Error::internal(std::string("write: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

Result<pid_t> spawn(const std::vector<std::string>& command, int stdin_fd, const std::string& key) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string env_key = "TTLINK_ALERT_ID=" + key;
  pid_t pid = ::fork();
  if (pid < 0) return Error::internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(stdin_fd, 0);
    ::setpgid(0, 0);
    ::putenv(const_cast<char*>(env_key.c_str()));
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

boost::asio::awaitable<Result<void>> ExecSink::deliver(const Outgoing& event) {
  if (command_.empty()) co_return Error::invalid("exec sink " + name_ + " has no command");
  auto fd = body_as_file(to_json_text(event.alert));
  if (!fd) co_return fd.error();
  auto pid = spawn(command_, *fd, event.idempotency_key);
  ::close(*fd);
  if (!pid) co_return pid.error();
  // Poll for the exit on the executor (no SIGCHLD handler to share with
  // other parts of the daemon), until the timeout.
  boost::asio::steady_timer timer(ex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(*pid, &status, WNOHANG);
    if (r == *pid) break;
    if (r < 0 && errno != EINTR) co_return Error::internal("waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(*pid, SIGKILL);
      ::waitpid(*pid, &status, 0);
      co_return Error::transient("command timed out after " + format_duration(timeout_));
    }
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) co_return Result<void>();
  if (WIFEXITED(status))
    co_return Error::transient("command exited with " + std::to_string(WEXITSTATUS(status)));
  co_return Error::transient("command killed by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace ttlink::alerts
