#pragma once
// bench/: the issue-5 benchmark (ttlink-bench). This file: the reference
// load generator, a plain keep-alive HTTP/1.1 client that measures what the
// sandbox itself can serve, so that the daemon's throughput can be read as a
// ratio of it. Beast stays in the .cpp.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ttlink::bench {

struct LoadRequest {
  std::string method;  // "GET" or "POST"
  std::string target;  // path and query
  std::string body;    // JSON for POST, "" for GET
  std::map<std::string, std::string> headers;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 32;
  std::chrono::milliseconds duration{5000};
};

struct LoadReport {
  std::uint64_t requests = 0;    // answered with HTTP 200 and envelope code 0
  std::uint64_t api_errors = 0;  // answered, but not a success envelope
  std::uint64_t transport_errors = 0;
  double seconds = 0;
  double requests_per_second() const { return seconds > 0 ? requests / seconds : 0; }
};

// Each connection sends the requests of `mix` in turn (starting at a
// different offset), one at a time, for `duration`.
LoadReport run_load(const LoadOptions& options, const std::vector<LoadRequest>& mix);

}  // namespace ttlink::bench
