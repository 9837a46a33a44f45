#pragma once
// The control method store.backup (params: path): a consistent copy of the
// live store written by the daemon, which owns it (core/store/backup.hpp).
// Here rather than in core/store, which knows nothing of the control socket.
#include "core/rpc/registry.hpp"
#include "core/store/store.hpp"
#include "core/util/log.hpp"

namespace ttlink::daemon {

void register_backup_method(rpc::Registry& registry, store::Store& store, Logger& log);

}  // namespace ttlink::daemon
