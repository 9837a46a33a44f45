#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace ttlink::test {
namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    all[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : extra) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// A pipe already holding `text`, its write end closed: a reader gets `text`
// and then end of file. Filled before the fork, so that nothing can block on
// a child that does not read (nor raise SIGPIPE in the test when it exits).
Result<int> input_pipe(const std::string& text) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::internal("pipe failed");
  const int capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
  std::size_t written = 0;
  while (capacity >= 0 && text.size() <= static_cast<std::size_t>(capacity) &&
         written < text.size()) {
    ssize_t n = ::write(fds[1], text.data() + written, text.size() - written);
    if (n < 0 && errno != EINTR) break;
    if (n > 0) written += static_cast<std::size_t>(n);
  }
  ::close(fds[1]);
  if (written == text.size()) return fds[0];
  ::close(fds[0]);
  return Error::invalid("spawn: stdin text of " + std::to_string(text.size()) +
                        " bytes does not fit in a pipe (" + std::to_string(capacity) + ")");
}

// Runs in the child between fork and exec: only async-signal-safe calls.
// in_r < 0: stdin is inherited.
[[noreturn]] void exec_child(int in_r, int out_w, int err_w, pid_t parent, char** argv,
                             char** envp) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
  if (in_r >= 0) ::dup2(in_r, STDIN_FILENO);
  ::dup2(out_w, STDOUT_FILENO);
  ::dup2(err_w, STDERR_FILENO);
  ::execve(argv[0], argv, envp);
  const char msg[] = "exec failed\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  ::_exit(127);
}

bool line_matches(std::string_view text, const ChildProcess::LinePredicate& predicate,
                  std::string* line) {
  std::size_t start = 0;
  while (true) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) return false;
    auto candidate = text.substr(start, nl - start);
    if (predicate(candidate)) {
      *line = std::string(candidate);
      return true;
    }
    start = nl + 1;
  }
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(std::vector<std::string> argv,
                                                          std::map<std::string, std::string> env,
                                                          std::optional<std::string> input) {
  if (argv.empty()) return Error::invalid("spawn: empty argv");
  if (::access(argv[0].c_str(), X_OK) != 0)
    return Error::not_found("spawn: not executable: " + argv[0]);
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Error::internal("pipe failed");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Error::internal("pipe failed");
  }
  int in_r = -1;
  if (input) {
    auto pipe = input_pipe(*input);
    if (!pipe) {
      for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
      return pipe.error();
    }
    in_r = *pipe;
  }
  auto env_strings = merged_environment(env);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env_strings);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Error::internal(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) exec_child(in_r, out_pipe[1], err_pipe[1], parent, c_argv.data(), c_env.data());
  if (in_r >= 0) ::close(in_r);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, out_pipe[0], err_pipe[0]));
}

ChildProcess::ChildProcess(pid_t pid, int out_fd, int err_fd)
    : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {
  reader_ = std::thread([this] { read_loop(); });
}

ChildProcess::~ChildProcess() {
  if (!exit_status_) {
    ::kill(pid_, SIGKILL);
    try_reap(0);
  }
  // The pipes close when the child (and any grandchild holding them) is gone.
  if (reader_.joinable()) reader_.join();
  ::close(out_fd_);
  ::close(err_fd_);
}

void ChildProcess::read_loop() {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  int open_count = 2;
  char buf[8192];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      std::lock_guard lock(mutex_);
      (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
      output_changed_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  streams_closed_ = true;
  output_changed_.notify_all();
}

bool ChildProcess::find_line(const LinePredicate& predicate, std::string* line) const {
  return line_matches(out_, predicate, line) || line_matches(err_, predicate, line);
}

std::optional<std::string> ChildProcess::wait_for_output(const LinePredicate& predicate,
                                                         Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  std::string line;
  output_changed_.wait_until(lock, deadline,
                             [&] { return find_line(predicate, &line) || streams_closed_; });
  if (find_line(predicate, &line)) return line;
  return std::nullopt;
}

std::optional<std::string> ChildProcess::wait_for_output(std::string_view substring,
                                                         Clock::time_point deadline) {
  std::string needle(substring);
  return wait_for_output(
      [&](std::string_view line) { return line.find(needle) != std::string_view::npos; }, deadline);
}

std::string ChildProcess::stdout_text() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string ChildProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return err_;
}

void ChildProcess::signal(int signo) {
  if (!exit_status_) ::kill(pid_, signo);
}

void ChildProcess::kill9() {
  signal(SIGKILL);
}

bool ChildProcess::try_reap(int options) {
  if (exit_status_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, options);
  if (r != pid_) return false;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool ChildProcess::running() {
  return !try_reap(WNOHANG);
}

std::optional<int> ChildProcess::wait(Clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  while (!try_reap(WNOHANG)) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);  // polling a condition with a deadline
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  // Exited: let the reader drain the pipes, so that stdout_text() and
  // stderr_text() hold everything the child wrote (a grandchild that keeps
  // a pipe open only delays this until the deadline).
  std::unique_lock lock(mutex_);
  output_changed_.wait_until(lock, deadline, [&] { return streams_closed_; });
  return exit_status_;
}

}  // namespace ttlink::test
