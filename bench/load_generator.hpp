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

// A request of an account's mix. Its target, body and header values may
// name the account's current tokens as {access_token} and {refresh_token}.
struct LoadRequest {
  std::string method;  // "GET" or "POST"
  std::string target;  // path and query
  std::string body;    // JSON for POST, "" for GET
  std::map<std::string, std::string> headers;
};

// One account: the requests it is sent in turn, and its token chain. An
// answer that carries a new access and refresh token (a refresh) moves the
// chain on, as the daemon's refreshes move its own.
struct LoadAccount {
  std::vector<LoadRequest> mix;
  std::string access_token;
  std::string refresh_token;
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
  std::uint64_t rotations = 0;  // token chains moved on by a refresh
  int connections = 0;          // as run: at most one per account
  double seconds = 0;
  double requests_per_second() const { return seconds > 0 ? requests / seconds : 0; }
};

// Each connection owns every connections-th account (no two connections
// rotate one chain) and sends its accounts' mixes, one account's after the
// other, one request at a time, for `duration`.
LoadReport run_load(const LoadOptions& options, const std::vector<LoadAccount>& accounts);

}  // namespace ttlink::bench
