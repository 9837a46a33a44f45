#include "core/rpc/socket_file.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ttlink::rpc {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

enum class Probe { kLive, kDead, kFailed };

// Connects without blocking: a server with a full backlog still counts as live.
Probe probe_socket(const std::string& path, int& err) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    err = errno;
    return Probe::kFailed;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  err = rc == 0 ? 0 : errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN || err == EINPROGRESS) return Probe::kLive;
  if (err == ECONNREFUSED || err == ENOENT) return Probe::kDead;
  return Probe::kFailed;
}

}  // namespace

Result<void> clear_stale_socket(const std::string& path) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path))
    return Error::invalid("control socket path \"" + path + "\" is empty or longer than " +
                          std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Error::storage("cannot inspect control socket " + path + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode))
    return Error::conflict(path + " exists and is not a socket; remove it or choose another path");
  int err = 0;
  switch (probe_socket(path, err)) {
    case Probe::kLive:
      return Error::conflict("another server is already listening on " + path +
                             " (is ttlinkd already running?)");
    case Probe::kFailed:
      return Error::storage("cannot probe control socket " + path + ": " + errno_text(err));
    case Probe::kDead:
      break;
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return Error::storage("cannot remove stale control socket " + path + ": " + errno_text(errno));
  return {};
}

Result<std::optional<gid_t>> resolve_group(const std::string& group) {
  if (group.empty()) return std::optional<gid_t>{};
  std::vector<char> scratch(16384);
  struct group entry {};
  struct group* found = nullptr;
  int rc = 0;
  // Large groups need a larger scratch buffer: grow it until the entry fits.
  while ((rc = ::getgrnam_r(group.c_str(), &entry, scratch.data(), scratch.size(), &found)) ==
             ERANGE &&
         scratch.size() < (1u << 22))
    scratch.resize(scratch.size() * 4);
  if (rc != 0)
    return Error::invalid("cannot look up control socket group \"" + group +
                          "\": " + errno_text(rc));
  if (!found)
    return Error::invalid("control socket group \"" + group +
                          "\" does not exist; create it (groupadd --system " + group +
                          ") or set [control] group");
  return std::optional<gid_t>{found->gr_gid};
}

Result<void> set_socket_permissions(const std::string& path, unsigned mode,
                                    std::optional<gid_t> gid, const std::string& group_name) {
  if (::chmod(path.c_str(), mode) != 0)
    return Error::storage("cannot chmod control socket " + path + ": " + errno_text(errno));
  if (gid && ::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0)
    return Error::storage("cannot give control socket " + path + " to group \"" + group_name +
                          "\": " + errno_text(errno));
  return {};
}

std::optional<ino_t> inode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

}  // namespace ttlink::rpc
