#include "core/config/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ttlink::config {
namespace {

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// "read", "read and write", ...: what the group/other bits allow.
std::string allowed(mode_t mode) {
  std::string out;
  const std::pair<mode_t, const char*> verbs[] = {
      {S_IRGRP | S_IROTH, "read"}, {S_IWGRP | S_IWOTH, "write"}, {S_IXGRP | S_IXOTH, "run"}};
  for (const auto& [bits, verb] : verbs) {
    if ((mode & bits) == 0) continue;
    out += (out.empty() ? "" : " and ") + std::string(verb);
  }
  return out;
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<void> check_secret_mode(const std::string& path, mode_t mode) {
  if ((mode & 077) == 0) return {};
  return Error::invalid(path + ": mode " + octal(mode) + " lets group/others " + allowed(mode) +
                        " it; chmod 600 " + path);
}

Result<Secret> read_secret_file(const std::string& path, std::string_view what) {
  const std::string name(what);
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    return Error::invalid(path + ": cannot read " + name + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0)
    return Error::invalid(path + ": cannot stat " + name + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error::invalid(path + ": " + name + " is not a regular file");
  if (auto mode = check_secret_mode(path, st.st_mode); !mode) return mode.error();
  std::string value;
  value.reserve(static_cast<std::size_t>(st.st_size) + 1);  // no reallocation leaves copies behind
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(file.fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::invalid(path + ": cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    value.append(chunk, static_cast<std::size_t>(n));
  }
  std::memset(chunk, 0, sizeof chunk);
  // Trimmed in place and moved, so that no stray copy of the secret remains.
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) return Error::invalid(path + ": " + name + " is empty");
  return Secret(std::move(value));
}

}  // namespace ttlink::config
