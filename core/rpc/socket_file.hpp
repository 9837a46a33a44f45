#pragma once
// The control socket as a file system object: refusing a path where another
// server answers, removing a stale socket file, resolving the group, and
// setting mode and owner group. POSIX only; no Asio.
#include <sys/types.h>

#include <optional>
#include <string>

#include "core/util/result.hpp"

namespace ttlink::rpc {

// Ok when `path` is free: absent, or a socket file nobody listens on (then
// removed). An error when a server answers there or the path is not a socket.
Result<void> clear_stale_socket(const std::string& path);

// The gid of `group`; nullopt for "" (keep the process's group). An error,
// naming the group, when it does not exist.
Result<std::optional<gid_t>> resolve_group(const std::string& group);

// chmod and, when a group is given, chgrp of the socket file.
Result<void> set_socket_permissions(const std::string& path, unsigned mode,
                                    std::optional<gid_t> gid, const std::string& group_name);

// The inode of `path`, to remove only our own socket file on shutdown.
std::optional<ino_t> inode_of(const std::string& path);

}  // namespace ttlink::rpc
