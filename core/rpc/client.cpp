// The blocking control-socket client: POSIX socket, poll() for every wait,
// one request line out and one response line back per call.
#include "core/rpc/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ttlink::rpc {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxResponseLine = 64u << 20;  // a sanity bound, not a protocol limit

ClientError unreachable(std::string message) {
  return ClientError{true, 0, std::move(message)};
}

std::string connect_hint(int err) {
  if (err == ENOENT || err == ECONNREFUSED) return " (is ttlinkd running?)";
  if (err == EACCES) return " (is this user in the control socket's group?)";
  return "";
}

// Waits for `events` on `fd` until `deadline`; false on timeout or poll error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

}  // namespace

void throw_exception_from_error(const ClientError& e, const boost::source_location&) {
  throw std::runtime_error("control call failed: " + e.message);
}

Client::Client(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      next_id_(other.next_id_),
      buffer_(std::move(other.buffer_)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    timeout_ = other.timeout_;
    next_id_ = other.next_id_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

boost::system::result<Client, ClientError> Client::connect(const std::string& socket_path,
                                                           std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path)
    return unreachable("control socket path \"" + socket_path + "\" is empty or too long");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return unreachable(std::string("cannot create a socket: ") + std::strerror(errno));
  Client client(fd, timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return client;
  int err = errno;
  // A busy daemon (full backlog) makes a non-blocking connect wait: give it the timeout.
  if (err == EAGAIN || err == EINPROGRESS) {
    if (!wait_for(fd, POLLOUT, Clock::now() + timeout))
      return unreachable("timed out connecting to " + socket_path);
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return client;
  }
  return unreachable("cannot connect to " + socket_path + ": " + std::strerror(err) +
                     connect_hint(err));
}

namespace {

// Sends all of `data`; the error's errno in `err`.
bool send_all(int fd, std::string_view data, Clock::time_point deadline, int& err) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd, POLLOUT, deadline)) {
        err = ETIMEDOUT;
        return false;
      }
      continue;
    }
    err = errno;
    return false;
  }
  return true;
}

}  // namespace

boost::system::result<std::string, ClientError> Client::raw(std::string_view line) {
  if (fd_ < 0) return unreachable("the connection to ttlinkd is closed");
  const auto deadline = Clock::now() + timeout_;
  std::string out(line);
  if (out.empty() || out.back() != '\n') out += '\n';
  int err = 0;
  // When the daemon refuses a request half-way (too large) it answers, then
  // closes: the answer is still worth reading after a failed send.
  bool sent = send_all(fd_, out, deadline, err);
  if (!sent && err != EPIPE && err != ECONNRESET)
    return unreachable(std::string("cannot send to ttlinkd: ") + std::strerror(err));
  return read_line();
}

boost::system::result<std::string, ClientError> Client::read_line() {
  if (fd_ < 0) return unreachable("the connection to ttlinkd is closed");
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    if (std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string response = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return response;
    }
    if (buffer_.size() > kMaxResponseLine) return unreachable("ttlinkd sent an oversized response");
    if (!wait_for(fd_, POLLIN, deadline))
      return unreachable("timed out waiting for ttlinkd to answer");
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return unreachable("ttlinkd closed the connection");
    } else if (errno != EINTR && errno != EAGAIN) {
      return unreachable(std::string("cannot read from ttlinkd: ") + std::strerror(errno));
    }
  }
}

namespace {

boost::system::result<json::value, ClientError> decode_response(const std::string& line,
                                                                long expected_id) {
  boost::system::error_code ec;
  json::value doc = json::parse(line, ec);
  const json::object* obj = ec ? nullptr : doc.if_object();
  if (!obj) return ClientError{false, code::kParseError, "ttlinkd sent a malformed response"};
  const json::value* id = obj->if_contains("id");
  if (const json::value* error = obj->if_contains("error"); error && error->is_object()) {
    const json::object& e = error->as_object();
    ClientError out{false, code::kInternalError, "ttlinkd reported an error"};
    if (auto* c = e.if_contains("code"); c && c->is_int64())
      out.code = static_cast<int>(c->as_int64());
    if (auto* m = e.if_contains("message"); m && m->is_string()) out.message = m->as_string();
    if (auto* d = e.if_contains("data")) out.data = *d;
    return out;
  }
  if (!id || !id->is_int64() || id->as_int64() != expected_id)
    return ClientError{false, code::kInternalError, "ttlinkd answered another request"};
  const json::value* result = obj->if_contains("result");
  if (!result) return ClientError{false, code::kInternalError, "ttlinkd's response has no result"};
  return *result;
}

}  // namespace

boost::system::result<json::value, ClientError> Client::call(std::string_view method,
                                                             json::object params) {
  const long id = next_id_++;
  json::object request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.empty()) request["params"] = std::move(params);
  auto line = raw(json::serialize(request));
  if (!line) return line.error();
  return decode_response(*line, id);
}

}  // namespace ttlink::rpc
