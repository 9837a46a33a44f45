#pragma once
// Injected faults and per-endpoint QPS limits, decided per API call before it
// is processed. A fault replaces the answer (the world does not change),
// except latency, which delays and then processes.
#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "world.hpp"

namespace sandbox {

enum class FaultKind { kHttpStatus, kCode, kLatency, kReset, kTruncate, kMalformed };

struct Fault {
  int id = 0;
  std::string path;  // API path without the /open_api/v1.3 prefix, or "*"
  FaultKind kind = FaultKind::kCode;
  int http_status = 503;
  long code = 50000;
  std::string message;
  int latency_ms = 0;
  std::optional<int> remaining;  // count mode
  double fraction = 1.0;         // fraction mode (when remaining is empty)
  std::string match{};           // only calls whose query (k=v&...) or body contains it
  int hits = 0;
};

class Faults {
 public:
  // Adds the fault described by the control API's JSON; "" or the error.
  std::string add(const boost::json::object& spec, int* id);
  // The fault that applies to this call, if any (consumes one count).
  // `call`: the decoded query as k=v& pairs, then the body (for `match`).
  std::optional<Fault> take(const std::string& path, std::string_view call, Ids& ids);
  void clear() { faults_.clear(); }
  boost::json::array to_json() const;

 private:
  std::vector<Fault> faults_;
  int next_id_ = 1;
};

class QpsLimits {
 public:
  void set(const std::string& path, int limit);  // 0 removes
  // True when this call is within the limit (and counts it).
  bool admit(const std::string& path, std::chrono::steady_clock::time_point now);
  boost::json::object to_json() const;

 private:
  std::map<std::string, int> limits_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_;
};

const char* to_string(FaultKind k);

}  // namespace sandbox
