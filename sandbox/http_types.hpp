#pragma once
// sandbox/: ttlink-sandbox, a local TikTok API for Business simulator. It owns
// its own server, world model and API handlers and shares no code with the
// daemon's API client (only Boost), so a misreading of the API is not mirrored.
//
// http_types: the plain request/reply values passed between the transport
// (server.cpp) and the router; no Beast here.
#include <chrono>
#include <map>
#include <string>

namespace sandbox {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path?query
  std::string path;    // decoded path, no query
  std::string raw_query;
  std::map<std::string, std::string> query;    // decoded; last value wins
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Fills path, raw_query and query from target (percent-decoded; a target
// that is not origin-form keeps everything before '?' as its path).
void parse_target(HttpRequest& req);

// How the transport delivers a reply: normally, or one of the injected
// transport faults.
enum class Delivery { kNormal, kReset, kTruncate };

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;  // extra headers (Location, ...)
  Delivery delivery = Delivery::kNormal;
};

}  // namespace sandbox
