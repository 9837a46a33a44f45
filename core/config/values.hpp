#pragma once
// Parsers for the config's text values that are more than a string:
// listen addresses, URLs, percentages. Pure functions, so that the schema
// (config.cpp) and the tests can use them directly.
#include <optional>
#include <string>
#include <string_view>

namespace ttlink::config {

struct HostPort;

// "127.0.0.1:8417", "localhost:80", "[::1]:8417" (port 0 = any free port).
std::optional<HostPort> parse_listen(std::string_view text);

struct UrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;    // without IPv6 brackets
};
// An absolute http(s) URL with a host; nullopt for anything else.
std::optional<UrlParts> parse_http_url(std::string_view text);

// "localhost", 127.0.0.0/8 and ::1: addresses that never leave the machine.
bool is_loopback_host(std::string_view host);

// "10%" -> 0.10; nullopt when not a non-negative number followed by '%'.
std::optional<double> parse_percent(std::string_view text);

}  // namespace ttlink::config
