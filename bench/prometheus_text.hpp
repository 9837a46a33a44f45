#pragma once
// bench/: reading the daemon's /metrics (Prometheus text exposition): a
// counter's sum over its samples, or its samples by one label. Enough for the
// counters ttlinkd exposes; not a general parser.
#include <map>
#include <string>
#include <string_view>

namespace ttlink::bench {

// Sum of every sample of `name` (with or without labels).
double metric_sum(const std::string& text, std::string_view name);
// The samples of `name` summed by the value of `label` (e.g. "endpoint").
std::map<std::string, double> metric_by_label(const std::string& text, std::string_view name,
                                              std::string_view label);

}  // namespace ttlink::bench
