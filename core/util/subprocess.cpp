#include "core/util/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ttlink {

namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // Own process group (pgid = pid), default signal dispositions and an empty
  // mask: the daemon's ignored SIGPIPE or blocked signals are not the child's.
  int set_attributes() {
    sigset_t all;
    sigset_t none;
    ::sigfillset(&all);
    ::sigemptyset(&none);
    int e = ::posix_spawnattr_setpgroup(&attr_, 0);
    if (e == 0) e = ::posix_spawnattr_setsigdefault(&attr_, &all);
    if (e == 0) e = ::posix_spawnattr_setsigmask(&attr_, &none);
    if (e == 0)
      e = ::posix_spawnattr_setflags(
          &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    return e;
  }

  // stdin from `stdin_fd` (or /dev/null), 1 and 2 kept, everything from 3 up
  // closed: listeners, the store, upstream connections stay ours.
  int set_descriptors(int stdin_fd) {
    int e = stdin_fd >= 0
                ? ::posix_spawn_file_actions_adddup2(&actions_, stdin_fd, 0)
                : ::posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    if (e == 0) e = ::posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
    return e;
  }

  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

ExitStatus status_of(int raw) {
  if (WIFEXITED(raw)) return {WEXITSTATUS(raw), 0};
  if (WIFSIGNALED(raw)) return {-1, WTERMSIG(raw)};
  return {};
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exited with " + std::to_string(code);
}

Result<Subprocess> Subprocess::spawn(const SpawnRequest& request) {
  if (request.argv.empty() || request.argv.front().empty())
    return Error::invalid("no program to run");
  const std::string& program = request.argv.front();
  SpawnSetup setup;
  int e = setup.set_attributes();
  if (e == 0) e = setup.set_descriptors(request.stdin_fd);
  if (e != 0) return Error::internal("cannot prepare " + program + ": " + std::strerror(e));
  auto argv = pointers(request.argv);
  auto envp = pointers(request.env);
  pid_t pid = -1;
  // posix_spawnp looks the program up in our PATH, and reports a failed exec
  // here (glibc waits for the exec), not as exit code 127.
  e = ::posix_spawnp(&pid, program.c_str(), setup.actions(), setup.attr(), argv.data(),
                     envp.data());
  if (e != 0) return Error::invalid("cannot run " + program + ": " + std::strerror(e));
  return Subprocess(pid);
}

Subprocess::Subprocess(Subprocess&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) kill_group();
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (pid_ > 0) kill_group();
}

Result<std::optional<ExitStatus>> Subprocess::poll() {
  if (pid_ <= 0) return Error::internal("poll() on a reaped child");
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::optional<ExitStatus>();
  if (r < 0) return Error::internal(std::string("waitpid: ") + std::strerror(errno));
  pid_ = -1;
  return std::optional<ExitStatus>(status_of(raw));
}

ExitStatus Subprocess::kill_group() {
  if (pid_ <= 0) return {};
  // The group exists as long as any member does, even after the leader died.
  ::kill(-pid_, SIGKILL);
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, 0);
  } while (r < 0 && errno == EINTR);
  pid_ = -1;
  return r > 0 ? status_of(raw) : ExitStatus{};
}

std::vector<std::string> environment_subset(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& name : names)
    if (const char* value = std::getenv(name.c_str())) out.push_back(name + "=" + value);
  return out;
}

}  // namespace ttlink
