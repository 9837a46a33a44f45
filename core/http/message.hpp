#pragma once
// core/http: HTTP/1.1 over Beast, kept out of this header so that users of
// the client and server do not compile Beast. Owns: connections, TLS,
// timeouts, connection reuse, framing limits. Must not touch: TikTok's
// envelope or any product logic.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ttlink::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";  // GET, POST, ...
  std::string target;  // origin-form: "/path?query" (server side; client derives it from the URL)
  Headers headers;     // extra headers (e.g. Access-Token, Content-Type)
  std::string body;
  std::string peer;  // server side: remote address, for logs
  // Case-insensitive header lookup; "" when absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Type, Location, ...
  std::string body;
  std::string header(std::string_view name) const;
};

}  // namespace ttlink::http
