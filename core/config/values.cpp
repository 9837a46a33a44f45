#include "core/config/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/config/config.hpp"

namespace ttlink::config {
namespace {

std::optional<unsigned short> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<unsigned short>(value);
}

bool is_valid_host(std::string_view host) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%';
  });
}

// Splits "host:port" or "[v6]:port"; port is "" when absent.
std::optional<std::pair<std::string_view, std::string_view>> split_authority(
    std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return std::pair{text.substr(1, close - 1), rest.empty() ? rest : rest.substr(1)};
  }
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::pair{text, std::string_view{}};
  auto host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) return std::nullopt;
  return std::pair{host, text.substr(colon + 1)};
}

}  // namespace

std::optional<HostPort> parse_listen(std::string_view text) {
  // A bare IPv6 address ("::1:8417") is ambiguous: brackets are required.
  if (text.find(':') != text.rfind(':') && (text.empty() || text.front() != '[')) {
    return std::nullopt;
  }
  auto parts = split_authority(text);
  if (!parts || parts->second.empty() || !is_valid_host(parts->first)) return std::nullopt;
  auto port = parse_port(parts->second);
  if (!port) return std::nullopt;
  return HostPort{std::string(parts->first), *port};
}

std::optional<UrlParts> parse_http_url(std::string_view text) {
  UrlParts url;
  for (std::string_view scheme : {"https", "http"}) {
    std::string prefix = std::string(scheme) + "://";
    if (text.substr(0, prefix.size()) == prefix) {
      url.scheme = scheme;
      text.remove_prefix(prefix.size());
      break;
    }
  }
  if (url.scheme.empty()) return std::nullopt;
  auto authority = text.substr(0, text.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  auto parts = split_authority(authority);
  if (!parts || !is_valid_host(parts->first)) return std::nullopt;
  if (!parts->second.empty() && !parse_port(parts->second)) return std::nullopt;
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  url.host = std::string(parts->first);
  return url;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.substr(0, 4) != "127.") return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

std::optional<double> parse_percent(std::string_view text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  text.remove_suffix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value / 100.0;
}

}  // namespace ttlink::config
