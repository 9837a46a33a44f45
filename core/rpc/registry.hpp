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
inline constexpr int kNotFound = 1000;       // no such link, comment, alert
inline constexpr int kConflict = 1001;       // not possible in the current state
inline constexpr int kUpstream = 1002;       // TikTok refused (message names the code)
inline constexpr int kUnavailable = 1003;    // TikTok unreachable / transient; try again
inline constexpr int kStorage = 1004;        // the store failed
inline constexpr int kUnhealthy = 1005;      // done, but the thing is unhealthy
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

using MethodResult = boost::system::result<boost::json::value, MethodError>;
using Handler =
    std::function<boost::asio::awaitable<MethodResult>(const boost::json::object& params,
                                                       const Peer& peer)>;

[[noreturn]] void throw_exception_from_error(const MethodError& e, const boost::source_location&);

class Registry {
 public:
  Registry();
  // Registers a method; replacing an existing name is a bug (throws logic_error).
  void add(std::string name, std::string summary, Handler handler);
  bool contains(std::string_view name) const;

  // Handles one request line and returns the response line (without '\n'),
  // or nullopt for a notification (a request without "id").
  boost::asio::awaitable<std::optional<std::string>> handle_line(std::string_view line,
                                                                 const Peer& peer) const;

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
