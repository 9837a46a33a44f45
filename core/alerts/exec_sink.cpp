#include "core/alerts/exec_sink.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/util/subprocess.hpp"

namespace ttlink::alerts {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

// The body in an anonymous memory file that becomes the child's stdin: no
// pipe to feed while the child runs (a child that never reads cannot block
// the daemon), and no file left anywhere.
Result<int> body_as_file(const std::string& body) {
  int fd = ::memfd_create("ttlink-alert", MFD_CLOEXEC);
  if (fd < 0) return Error::internal(std::string("memfd_create: ") + std::strerror(errno));
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

std::string own_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return std::string(name) + "=" + (value ? value : fallback);
}

}  // namespace

// Built before the child exists; nothing else of the daemon's environment
// (under systemd: CREDENTIALS_DIRECTORY, NOTIFY_SOCKET, ...) reaches it.
std::vector<std::string> ExecSink::environment(const std::string& alert_id) const {
  std::vector<std::string> env = {own_or("PATH", "/usr/local/bin:/usr/bin:/bin"),
                                  own_or("LANG", "C.UTF-8"), "TTLINK_ALERT_ID=" + alert_id};
  for (auto& named : environment_subset(env_names_))
    if (!named.starts_with("PATH=") && !named.starts_with("LANG=")) env.push_back(std::move(named));
  return env;
}

boost::asio::awaitable<Result<void>> ExecSink::deliver(const Outgoing& event) {
  if (command_.empty()) co_return Error::invalid("exec sink " + name_ + " has no command");
  auto fd = body_as_file(to_json_text(event.alert));
  if (!fd) co_return fd.error();
  auto child = Subprocess::spawn({command_, environment(event.idempotency_key), *fd});
  ::close(*fd);
  if (!child) co_return child.error();
  // Poll for the exit on the executor (no SIGCHLD handler to share with
  // other parts of the daemon), until the timeout. Cancelled (shutdown), the
  // Subprocess kills the group on its way out.
  boost::asio::steady_timer timer(ex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    auto status = child->poll();
    if (!status) co_return status.error();
    if (*status) {
      if ((*status)->ok()) co_return Result<void>();
      co_return Error::transient("command " + (*status)->describe());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      child->kill_group();
      co_return Error::transient("command timed out after " + format_duration(timeout_) +
                                 "; it and every process it started were killed");
    }
    timer.expires_after(kPollInterval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace ttlink::alerts
