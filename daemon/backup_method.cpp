#include "daemon/backup_method.hpp"

#include <string>

namespace ttlink::daemon {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Who asked is logged either way: a backup copies every link (and sealed
// token) to a file of the asker's choosing.
rpc::MethodResult backup(store::Store& store, Logger& log, const json::object& params,
                         const rpc::Peer& peer) {
  auto path = rpc::require_string(params, "path");
  if (!path) return rpc::to_method_error(path.error());
  auto done = store.backup_to(*path);
  if (!done) {
    log.warn("store.backup_failed",
             {{"path", *path}, {"error", done.error().message}, {"peer", peer.describe()}});
    return rpc::to_method_error(done.error());
  }
  const std::string bytes = std::to_string(done->bytes), pages = std::to_string(done->pages);
  log.info("store.backup",
           {{"path", done->path}, {"bytes", bytes}, {"pages", pages}, {"peer", peer.describe()}});
  return json::value(
      json::object{{"path", done->path}, {"bytes", done->bytes}, {"pages", done->pages}});
}

}  // namespace

void register_backup_method(rpc::Registry& registry, store::Store& store, Logger& log) {
  registry.add("store.backup",
               "write a consistent copy of the store to a new file (params: path, absolute)",
               [&store, &log](const json::object& p,
                              const rpc::Peer& peer) -> asio::awaitable<rpc::MethodResult> {
                 co_return backup(store, log, p, peer);
               });
}

}  // namespace ttlink::daemon
