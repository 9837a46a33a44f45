#include "request_log.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <set>

namespace sandbox {

namespace json = boost::json;

namespace {

const std::set<std::string>& secret_names() {
  static const std::set<std::string> names = {"access_token",  "refresh_token", "secret",
                                              "client_secret", "auth_code",     "code",
                                              "app_secret"};
  return names;
}

std::string masked_query(const HttpRequest& req) {
  std::string out;
  for (const auto& [k, v] : req.query) {
    if (!out.empty()) out += '&';
    auto value = secret_names().count(k) ? mask_secret(v) : v;
    out += k + "=" + boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  return out;
}

void mask_json(json::value& v) {
  if (v.is_object()) {
    for (auto& [k, child] : v.get_object()) {
      if (secret_names().count(std::string(k)) && child.is_string())
        child = mask_secret(std::string(child.get_string()));
      else
        mask_json(child);
    }
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) mask_json(e);
  }
}

std::string masked_body(const std::string& body) {
  if (body.empty()) return "";
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return "(not JSON, " + std::to_string(body.size()) + " bytes)";
  mask_json(v);
  auto text = json::serialize(v);
  return text.size() > 4096 ? text.substr(0, 4096) + "…" : text;
}

}  // namespace

std::string mask_secret(const std::string& value) {
  if (value.rfind("act.", 0) == 0 || value.rfind("rft.", 0) == 0)
    return value.substr(0, 4) + "…(masked)";
  return "…(masked)";
}

void RequestLog::add(const HttpRequest& req, std::int64_t sandbox_time, int http_status, long code,
                     const std::string& fault) {
  LoggedRequest e;
  e.seq = next_seq_++;
  e.monotonic_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start_)
                       .count();
  e.sandbox_time = sandbox_time;
  e.method = req.method;
  e.path = req.path;
  e.query = masked_query(req);
  e.body = masked_body(req.body);
  e.http_status = http_status;
  e.code = code;
  e.fault = fault;
  entries_.push_back(std::move(e));
  if (entries_.size() > capacity_) entries_.pop_front();
}

json::object RequestLog::since(std::uint64_t seq) const {
  json::array out;
  for (const auto& e : entries_) {
    if (e.seq < seq) continue;
    out.push_back({{"seq", e.seq},
                   {"monotonic_ms", e.monotonic_ms},
                   {"sandbox_time", e.sandbox_time},
                   {"method", e.method},
                   {"path", e.path},
                   {"query", e.query},
                   {"body", e.body},
                   {"http_status", e.http_status},
                   {"code", e.code},
                   {"fault", e.fault.empty() ? json::value(nullptr) : json::value(e.fault)}});
  }
  return {{"requests", std::move(out)}, {"next", next_seq_}};
}

}  // namespace sandbox
