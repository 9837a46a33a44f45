// The control socket's transport: accept, one coroutine per connection
// (read a line, dispatch to the Registry, write the answer, loop), every
// read and write bounded by a timer. Nothing here knows what a method does.
#include "core/rpc/unix_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <map>
#include <optional>

#include "core/rpc/socket_file.hpp"
#include "core/util/task_group.hpp"

namespace ttlink::rpc {
namespace asio = boost::asio;
using asio::awaitable;
using Socket = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;

Peer peer_of(Socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return {};
  return Peer{static_cast<int>(cred.uid), static_cast<int>(cred.gid), static_cast<int>(cred.pid)};
}

enum class ReadStatus { kLine, kTooLong, kTimedOut, kClosed };

struct LineRead {
  ReadStatus status;
  std::string line;
};

// Takes the first complete line out of `buffer`, if there is one.
std::optional<LineRead> take_line(std::string& buffer, std::size_t max_line) {
  std::size_t newline = buffer.find('\n');
  if (newline == std::string::npos)
    return buffer.size() > max_line ? std::optional<LineRead>(LineRead{ReadStatus::kTooLong, {}})
                                    : std::nullopt;
  if (newline > max_line) return LineRead{ReadStatus::kTooLong, {}};
  std::size_t end = newline > 0 && buffer[newline - 1] == '\r' ? newline - 1 : newline;
  LineRead read{ReadStatus::kLine, buffer.substr(0, end)};
  buffer.erase(0, newline + 1);
  return read;
}

// Reads until a whole line is buffered. The idle timeout applies while
// nothing of the next line has arrived, the read timeout once it has started.
awaitable<LineRead> read_line(Socket& socket, std::string& buffer,
                              const UnixServerOptions& options) {
  asio::steady_timer timer(socket.get_executor());
  bool started = !buffer.empty();
  timer.expires_after(started ? options.read_timeout : options.idle_timeout);
  for (;;) {
    if (auto line = take_line(buffer, options.max_line)) co_return std::move(*line);
    if (!started && !buffer.empty()) {
      started = true;
      timer.expires_after(options.read_timeout);
    }
    std::size_t old_size = buffer.size();
    buffer.resize(old_size + kReadChunk);
    auto outcome = co_await (
        socket.async_read_some(asio::buffer(buffer.data() + old_size, kReadChunk), kNoThrow) ||
        timer.async_wait(kNoThrow));
    if (outcome.index() == 1) {
      buffer.resize(old_size);
      co_return LineRead{ReadStatus::kTimedOut, {}};
    }
    auto [ec, n] = std::get<0>(outcome);
    buffer.resize(old_size + n);
    if (ec) co_return LineRead{ReadStatus::kClosed, {}};
  }
}

// Writes one response line; false when the peer is gone or does not read.
awaitable<bool> write_line(Socket& socket, std::string line, std::chrono::milliseconds timeout) {
  line += '\n';
  asio::steady_timer timer(socket.get_executor());
  timer.expires_after(timeout);
  auto outcome = co_await (asio::async_write(socket, asio::buffer(line), kNoThrow) ||
                           timer.async_wait(kNoThrow));
  co_return outcome.index() == 0 && !std::get<0>(std::get<0>(outcome));
}

std::string server_error_line(int code, std::string_view message) {
  return R"({"jsonrpc":"2.0","id":null,"error":{"code":)" + std::to_string(code) +
         R"(,"message":")" + std::string(message) + "\"}}";
}

}  // namespace

// One open connection, as the accept loop sees it when it needs room.
struct SessionInfo {
  Socket* socket;  // owned by the session's coroutine frame
  int uid;
  bool waiting = false;  // for a request (not handling one): may be closed to make room
  Clock::time_point waiting_since{};
  bool evicted = false;  // closed to make room, no longer counted
};

// Shared with every session coroutine, so that a session finishing after
// stop() (its read aborted) still finds the bookkeeping it updates.
struct ServerState {
  // A constructor, not aggregate initialisation through make_shared (which
  // needs C++20's parenthesised aggregates: GCC 12 has them, older clangs
  // not).
  ServerState(asio::any_io_executor ex, const Registry& r, Logger& l, UnixServerOptions o)
      : executor(std::move(ex)), registry(r), log(l), options(std::move(o)) {}

  asio::any_io_executor executor;
  const Registry& registry;
  Logger& log;
  UnixServerOptions options;
  std::optional<asio::local::stream_protocol::acceptor> acceptor;
  std::map<std::uint64_t, SessionInfo> sessions;
  std::uint64_t next_session = 0;
  std::optional<ino_t> socket_inode;  // set while our socket file exists
  bool stopped = false;
  // The accept loop and every session: cancelled on shutdown, so that no
  // method handler outlives the components it calls.
  TaskGroup tasks{executor, [this](const std::string& e) {
                    log.error("rpc_session_failed", {{"error", e}});
                  }};
};

namespace {

// A session is counted from its accept (so that a burst cannot overshoot
// the caps before the sessions start), and found by stop() and the caps
// through its socket for as long as its coroutine lives.
std::uint64_t reserve_session(ServerState& state, int uid) {
  std::uint64_t id = state.next_session++;
  state.sessions.emplace(id, SessionInfo{nullptr, uid});
  return id;
}

class SessionEntry {
 public:
  SessionEntry(std::shared_ptr<ServerState> state, std::uint64_t id, Socket& socket)
      : state_(std::move(state)), id_(id) {
    state_->sessions.at(id_).socket = &socket;
  }
  ~SessionEntry() { state_->sessions.erase(id_); }
  SessionEntry(const SessionEntry&) = delete;
  SessionEntry& operator=(const SessionEntry&) = delete;

  void waiting(bool now_waiting) {
    SessionInfo& info = state_->sessions.at(id_);
    info.waiting = now_waiting;
    if (now_waiting) info.waiting_since = Clock::now();
  }

 private:
  std::shared_ptr<ServerState> state_;
  std::uint64_t id_;
};

std::size_t connections_of(const ServerState& state, std::optional<int> uid) {
  std::size_t n = 0;
  for (const auto& [id, info] : state.sessions)
    if (!info.evicted && (!uid || info.uid == *uid)) ++n;
  return n;
}

// Tells the client why, best effort and without blocking, then closes.
void close_with_error(Socket& socket, const std::string& message) {
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  std::string line = server_error_line(code::kUnavailable, message) + "\n";
  socket.write_some(asio::buffer(line), ignored);
  socket.shutdown(Socket::shutdown_both, ignored);
  socket.close(ignored);
}

// Closes the connection of `uid` that has waited longest for a request:
// false when every one of them is busy with a request.
bool evict_longest_waiting(ServerState& state, int uid) {
  SessionInfo* oldest = nullptr;
  for (auto& [id, info] : state.sessions)
    if (!info.evicted && info.waiting && info.uid == uid &&
        (!oldest || info.waiting_since < oldest->waiting_since))
      oldest = &info;
  if (!oldest) return false;
  oldest->evicted = true;
  close_with_error(*oldest->socket, "closed to make room: uid " + std::to_string(uid) + " has " +
                                        std::to_string(state.options.max_connections_per_uid) +
                                        " control connections, and this one waited longest");
  return true;
}

void log_drop(ServerState& state, std::string_view event, const Peer& peer) {
  state.log.warn(event, {{"peer", peer.describe()}, {"socket", state.options.path}});
}

awaitable<void> serve_connection(std::shared_ptr<ServerState> state, std::uint64_t id,
                                 Socket socket, Peer peer) {
  SessionEntry entry(state, id, socket);
  const auto& options = state->options;
  std::string buffer;
  while (!state->stopped) {
    entry.waiting(true);
    LineRead read = co_await read_line(socket, buffer, options);
    entry.waiting(false);
    if (read.status == ReadStatus::kClosed) break;
    if (read.status == ReadStatus::kTimedOut) {
      if (!buffer.empty()) log_drop(*state, "rpc_request_timeout", peer);
      break;
    }
    if (read.status == ReadStatus::kTooLong) {
      log_drop(*state, "rpc_request_too_large", peer);
      co_await write_line(socket, server_error_line(code::kInvalidRequest, "request exceeds 1 MiB"),
                          options.read_timeout);
      break;
    }
    if (read.line.find_first_not_of(" \t") == std::string::npos) continue;  // keep-alive
    LineOutcome outcome = co_await state->registry.handle(read.line, peer);
    if (outcome.response &&
        !co_await write_line(socket, std::move(*outcome.response), options.read_timeout))
      break;
    if (outcome.close_connection) break;
  }
  boost::system::error_code ignored;
  socket.shutdown(Socket::shutdown_both, ignored);
}

// Makes room for a newcomer from `peer`, or says why there is none. Over
// its uid's cap, that uid's connection waiting longest gives way; over the
// total cap (several uids at once), the newcomer is refused.
std::optional<std::string> admit(ServerState& state, const Peer& peer) {
  const auto& options = state.options;
  if (connections_of(state, peer.uid) >= options.max_connections_per_uid) {
    if (evict_longest_waiting(state, peer.uid)) return std::nullopt;
    return "too many control connections for uid " + std::to_string(peer.uid) + " (" +
           std::to_string(options.max_connections_per_uid) + ", all busy); try again later";
  }
  if (connections_of(state, std::nullopt) >= options.max_connections)
    return "too many control connections (" + std::to_string(options.max_connections) +
           "); try again later";
  return std::nullopt;
}

awaitable<void> accept_loop(std::shared_ptr<ServerState> state) {
  while (!state->stopped && state->acceptor && state->acceptor->is_open()) {
    auto [ec, socket] = co_await state->acceptor->async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted || state->stopped) break;
    if (ec) {
      state->log.warn("rpc_accept_failed", {{"error", ec.message()}});
      continue;
    }
    const Peer peer = peer_of(socket);
    if (auto refused = admit(*state, peer)) {
      log_drop(*state, "rpc_connection_refused", peer);
      close_with_error(socket, *refused);
      continue;
    }
    const std::uint64_t id = reserve_session(*state, peer.uid);
    state->tasks.spawn(serve_connection(state, id, std::move(socket), peer));
  }
}

Result<void> bind_and_listen(ServerState& state, std::optional<gid_t> gid) {
  const auto& options = state.options;
  boost::system::error_code ec;
  auto& acceptor = state.acceptor.emplace(state.executor);
  asio::local::stream_protocol::endpoint endpoint(options.path);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) return Error::storage("cannot bind control socket " + options.path + ": " + ec.message());
  state.socket_inode = inode_of(options.path);
  // Mode and group are set before listen(): until then no client can connect.
  if (auto r = set_socket_permissions(options.path, options.mode, gid, options.group); !r)
    return r.error();
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::storage("cannot listen on control socket " + options.path + ": " + ec.message());
  return {};
}

void remove_own_socket_file(ServerState& state) {
  if (state.socket_inode && inode_of(state.options.path) == state.socket_inode)
    ::unlink(state.options.path.c_str());
  state.socket_inode.reset();
}

}  // namespace

struct UnixServer::Impl {
  std::shared_ptr<ServerState> state;
};

UnixServer::UnixServer(asio::any_io_executor ex, const Registry& registry, Logger& log,
                       UnixServerOptions options)
    : impl_(std::make_unique<Impl>(
          std::make_shared<ServerState>(std::move(ex), registry, log, std::move(options)))) {}

UnixServer::~UnixServer() {
  stop();
}

Result<void> UnixServer::start() {
  ServerState& state = *impl_->state;
  auto gid = resolve_group(state.options.group);
  if (!gid) return gid.error();
  if (auto cleared = clear_stale_socket(state.options.path); !cleared) return cleared.error();
  if (auto bound = bind_and_listen(state, *gid); !bound) {
    stop();
    return bound.error();
  }
  state.stopped = false;
  state.tasks.spawn(accept_loop(impl_->state));
  state.log.info("rpc_listening", {{"socket", state.options.path}});
  return {};
}

void UnixServer::stop() {
  ServerState& state = *impl_->state;
  state.stopped = true;
  boost::system::error_code ignored;
  if (state.acceptor) state.acceptor->close(ignored);
  for (auto& [id, info] : state.sessions)
    if (info.socket) info.socket->close(ignored);
  remove_own_socket_file(state);
}

void UnixServer::cancel() {
  stop();
  impl_->state->tasks.cancel();
}

asio::awaitable<void> UnixServer::finished() {
  auto state = impl_->state;
  co_await state->tasks.wait();
}

}  // namespace ttlink::rpc
