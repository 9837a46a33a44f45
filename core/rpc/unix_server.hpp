#pragma once
// The control socket: a Unix stream socket serving the Registry. Transport
// only: framing (newline-delimited, 1 MiB per line), SO_PEERCRED, per
// connection timeouts, caps per uid and in all, mode 0660 and group. A
// malformed, oversized or slow request closes only its own connection.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "core/rpc/registry.hpp"
#include "core/util/log.hpp"
#include "core/util/result.hpp"

namespace ttlink::rpc {

struct UnixServerOptions {
  std::string path;
  std::string group;  // "" = keep the process's group
  unsigned mode = 0660;
  std::size_t max_line = 1 << 20;  // 1 MiB
  // Milliseconds so that tests can use short timeouts; seconds convert implicitly.
  std::chrono::milliseconds read_timeout{
      std::chrono::seconds(10)};  // to finish a line once started
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(10)};  // for the next request
  // Above the per-uid cap, so that one user's connections cannot fill it.
  std::size_t max_connections = 128;
  // Per peer uid (SO_PEERCRED). A newcomer over it closes that uid's
  // connection waiting longest for a request (so `ttlinkctl` still gets in
  // past its own uid's idle clients); when none is waiting, it is refused.
  std::size_t max_connections_per_uid = 32;
};

// Threading: start(), stop() and the destructor run on the executor's thread,
// or while no thread runs it (e.g. before run(), or after it returned).
class UnixServer {
 public:
  UnixServer(boost::asio::any_io_executor ex, const Registry& registry, Logger& log,
             UnixServerOptions options);
  ~UnixServer();
  UnixServer(const UnixServer&) = delete;
  UnixServer& operator=(const UnixServer&) = delete;

  // Binds (removing a stale socket file, refusing a live one) and starts
  // accepting. The listener and sessions run on the given executor.
  Result<void> start();
  // Stops accepting, closes every connection, removes the socket file.
  void stop();
  // stop(), and every session's method call under way is cancelled.
  void cancel();
  // Returns once the accept loop and every session have ended.
  boost::asio::awaitable<void> finished();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttlink::rpc
