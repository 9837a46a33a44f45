#pragma once
// A blocking JSON-RPC client over the control socket, for ttlinkctl and
// tests. Plain POSIX sockets: ttlinkctl stays small and starts fast.
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/rpc/registry.hpp"

namespace ttlink::rpc {

struct ClientError {
  bool unreachable = false;  // could not connect / connection lost (ctl exit 3)
  int code = 0;              // JSON-RPC error code when the daemon answered an error
  std::string message;
  boost::json::value data = nullptr;
};

class Client {
 public:
  // Connects to `socket_path`; error.unreachable on failure.
  static boost::system::result<Client, ClientError> connect(
      const std::string& socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Sends one request and waits for its response.
  boost::system::result<boost::json::value, ClientError> call(std::string_view method,
                                                              boost::json::object params = {});
  // Sends a raw line (tests: malformed input) and returns the raw response line.
  boost::system::result<std::string, ClientError> raw(std::string_view line);
  // Reads the next response line (tests: several requests sent in one raw()).
  boost::system::result<std::string, ClientError> read_line();

 private:
  explicit Client(int fd, std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  long next_id_ = 1;
  std::string buffer_;
};

[[noreturn]] void throw_exception_from_error(const ClientError& e, const boost::source_location&);

}  // namespace ttlink::rpc
