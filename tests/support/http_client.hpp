#pragma once
// A blocking HTTP/1.1 client for tests: one connection per request, no
// redirects followed (a test follows Location itself, as a browser would),
// https:// with certificate verification against an optional CA file.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/util/result.hpp"

namespace ttlink::test {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpResult {
  int status = 0;
  Headers headers;
  std::string body;

  // The header's value, or "" when absent (names compare case-insensitively).
  std::string header(const std::string& name) const;
};

struct HttpOptions {
  std::string ca_file;  // for https://; verification is always on
  std::chrono::milliseconds timeout{10'000};
};

struct RedirectChain {
  HttpResult final_response;
  std::vector<std::string> visited;  // every URL requested, in order
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {}) : options_(std::move(options)) {}

  // Transport failures (connect, reset, truncated answer, timeout) are errors
  // of kind kTransient; any HTTP status is a success.
  Result<HttpResult> request(const std::string& method, const std::string& url,
                             const std::string& body = "", const Headers& headers = {});
  Result<HttpResult> get(const std::string& url, const Headers& headers = {});
  Result<HttpResult> post_json(const std::string& url, const std::string& json_body,
                               const Headers& headers = {});
  // GETs `url` and follows Location headers (relative or absolute) until a
  // non-redirect answer or `max_hops` redirects.
  Result<RedirectChain> follow_redirects(const std::string& url, int max_hops = 10);

 private:
  HttpOptions options_;
};

}  // namespace ttlink::test
