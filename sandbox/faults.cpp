#include "faults.hpp"

namespace sandbox {

namespace json = boost::json;

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::kHttpStatus:
      return "http_status";
    case FaultKind::kCode:
      return "code";
    case FaultKind::kLatency:
      return "latency";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kMalformed:
      return "malformed";
  }
  return "?";
}

namespace {

std::optional<FaultKind> parse_kind(std::string_view s) {
  for (auto k : {FaultKind::kHttpStatus, FaultKind::kCode, FaultKind::kLatency, FaultKind::kReset,
                 FaultKind::kTruncate, FaultKind::kMalformed})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

std::optional<std::int64_t> int_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

}  // namespace

std::string Faults::add(const json::object& spec, int* id) {
  Fault f;
  f.path = str_field(spec, "path");
  if (f.path.empty()) return "path is required (an API path such as /bc/get/, or \"*\")";
  auto kind = parse_kind(str_field(spec, "kind"));
  if (!kind) return "kind must be one of http_status, code, latency, reset, truncate, malformed";
  f.kind = *kind;
  if (auto v = int_of(spec, "http_status")) f.http_status = static_cast<int>(*v);
  if (f.http_status < 100 || f.http_status > 599) return "http_status must be 100..599";
  if (auto v = int_of(spec, "code")) f.code = static_cast<long>(*v);
  f.message = str_field(spec, "message");
  f.match = str_field(spec, "match");
  if (auto v = int_of(spec, "latency_ms")) f.latency_ms = static_cast<int>(*v);
  if (f.kind == FaultKind::kLatency && f.latency_ms <= 0) return "latency_ms must be positive";
  if (auto* count = spec.if_contains("count")) {
    auto n = int_of(spec, "count");
    if (!n || *n < 1) return "count must be a positive integer";
    (void)count;
    f.remaining = static_cast<int>(*n);
  } else if (auto* fraction = spec.if_contains("fraction")) {
    if (!fraction->is_number()) return "fraction must be a number in 0..1";
    f.fraction = fraction->to_number<double>();
    if (f.fraction < 0 || f.fraction > 1) return "fraction must be a number in 0..1";
  } else {
    return "count or fraction is required";
  }
  f.id = next_id_++;
  *id = f.id;
  faults_.push_back(std::move(f));
  return "";
}

std::optional<Fault> Faults::take(const std::string& path, std::string_view call, Ids& ids) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->path != "*" && it->path != path) continue;
    if (!it->match.empty() && call.find(it->match) == std::string_view::npos) continue;
    if (it->remaining) {
      if (*it->remaining <= 0) continue;
      --*it->remaining;
    } else if (ids.unit() >= it->fraction) {
      continue;
    }
    ++it->hits;
    Fault f = *it;
    if (it->remaining && *it->remaining == 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

json::array Faults::to_json() const {
  json::array out;
  for (const auto& f : faults_) {
    json::object o{{"fault_id", f.id},
                   {"path", f.path},
                   {"kind", to_string(f.kind)},
                   {"http_status", f.http_status},
                   {"code", f.code},
                   {"message", f.message},
                   {"latency_ms", f.latency_ms},
                   {"hits", f.hits}};
    if (!f.match.empty()) o["match"] = f.match;
    if (f.remaining)
      o["count"] = *f.remaining;
    else
      o["fraction"] = f.fraction;
    out.push_back(std::move(o));
  }
  return out;
}

void QpsLimits::set(const std::string& path, int limit) {
  if (limit <= 0) {
    limits_.erase(path);
    recent_.erase(path);
  } else {
    limits_[path] = limit;
  }
}

bool QpsLimits::admit(const std::string& path, std::chrono::steady_clock::time_point now) {
  auto it = limits_.find(path);
  if (it == limits_.end()) return true;
  auto& window = recent_[path];
  while (!window.empty() && now - window.front() >= std::chrono::seconds(1)) window.pop_front();
  if (static_cast<int>(window.size()) >= it->second) return false;
  window.push_back(now);
  return true;
}

json::object QpsLimits::to_json() const {
  json::object o;
  for (const auto& [path, limit] : limits_) o[path] = limit;
  return o;
}

}  // namespace sandbox
