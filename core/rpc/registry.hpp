#pragma once
// core/rpc: the control protocol (JSON-RPC 2.0, one object per line).
// registry.hpp: the table of control methods, `name -> handler(params, peer)`,
// in the style of Kea's command manager. It knows nothing about sockets (see
// unix_server.hpp) nor about links or comments (each component registers its
// own handlers). `daemon.methods` lists what is registered.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace ttlink::rpc {

// JSON-RPC error codes; application codes are >= 1000 (product.md).
namespace code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kNotFound = 1000;     // no such link, comment, alert
inline constexpr int kConflict = 1001;     // not possible in the current state
inline constexpr int kUpstream = 1002;     // TikTok refused (message names the code)
inline constexpr int kUnavailable = 1003;  // TikTok unreachable / transient; try again
inline constexpr int kStorage = 1004;      // the store failed
inline constexpr int kUnhealthy = 1005;    // done, but the thing is unhealthy
}  // namespace code

// The peer of a control connection, from SO_PEERCRED.
struct Peer {
  int uid = -1;
  int gid = -1;
  int pid = -1;
  std::string describe() const;  // "uid=1000 gid=1000 pid=42"
};

struct MethodError {
  int code = code::kInternalError;
  std::string message;  // a person can act on it; never a secret
  boost::json::value data = nullptr;
};

// Maps a core Error to the JSON-RPC error a client sees.
MethodError to_method_error(const Error& e);
// -32602 with `message` (a parameter is missing or wrong).
MethodError invalid_params(std::string message);

using MethodResult = boost::system::result<boost::json::value, MethodError>;
using Handler = std::function<boost::asio::awaitable<MethodResult>(
    const boost::json::object& params, const Peer& peer)>;

[[noreturn]] void throw_exception_from_error(const MethodError& e, const boost::source_location&);

// What the transport does with one request line: the response to write (none
// for a notification) and whether to close the connection afterwards (after
// a parse error the client is confused; it should reconnect).
struct LineOutcome {
  std::optional<std::string> response;
  bool close_connection = false;
};

class Registry {
 public:
  Registry();
  // `daemon.methods` refers to this registry: it stays where it was built.
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a method; replacing an existing name is a bug (throws logic_error).
  void add(std::string name, std::string summary, Handler handler);
  bool contains(std::string_view name) const;

  // Handles one request line and returns the response line (without '\n'),
  // or nullopt for a notification (a request without "id").
  boost::asio::awaitable<std::optional<std::string>> handle_line(std::string_view line,
                                                                 const Peer& peer) const;
  // As handle_line, and says whether the connection should be closed.
  boost::asio::awaitable<LineOutcome> handle(std::string_view line, const Peer& peer) const;

  // {"methods":[{"name","summary"}]}, sorted by name: the result of daemon.methods.
  boost::json::value describe_methods() const;

 private:
  struct Entry {
    std::string summary;
    Handler handler;
  };
  std::map<std::string, Entry, std::less<>> methods_;
};

// Helpers for handlers that read params with clear -32602 messages.
Result<std::string> require_string(const boost::json::object& params, std::string_view key);
std::optional<std::string> optional_string(const boost::json::object& params, std::string_view key);

}  // namespace ttlink::rpc
