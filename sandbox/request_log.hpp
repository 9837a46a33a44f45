#pragma once
// The log of API calls the sandbox answered, for tests and demos to read
// (GET /_sandbox/requests). Tokens, secrets and codes are masked before they
// are stored. A bounded ring: the oldest entries go first.
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "http_types.hpp"

namespace sandbox {

struct LoggedRequest {
  std::uint64_t seq = 0;
  std::int64_t monotonic_ms = 0;
  std::int64_t sandbox_time = 0;
  std::string method, path, query, body;
  int http_status = 0;
  long code = 0;
  std::string fault;
};

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity = 100'000) : capacity_(capacity) {}
  void add(const HttpRequest& req, std::int64_t sandbox_time, int http_status, long code,
           const std::string& fault);
  boost::json::object since(std::uint64_t seq) const;
  void clear() { entries_.clear(); }

 private:
  std::size_t capacity_;
  std::deque<LoggedRequest> entries_;
  std::uint64_t next_seq_ = 1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// "act.…(masked)" for an account token, "…(masked)" for anything else.
std::string mask_secret(const std::string& value);

}  // namespace sandbox
