#pragma once
// core/metrics: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format (0.0.4). Owns: names, help texts, the
// text format. Must not touch: HTTP (the daemon serves render() on
// metrics.listen) or any component's state (collectors read it at scrape time).
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ttlink::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { kCounter, kGauge, kHistogram };

class Registry {
 public:
  // Declares a family; a name must be declared before use (a typo is a bug).
  void declare(std::string name, Type type, std::string help, std::vector<double> buckets = {});
  void inc(std::string_view name, const Labels& labels = {}, double by = 1);
  void set(std::string_view name, const Labels& labels, double value);
  void observe(std::string_view name, const Labels& labels, double value);
  // Drops every series of a gauge family (before a collector sets them anew).
  void clear(std::string_view name);
  double value(std::string_view name, const Labels& labels = {}) const;

  // Called at the start of render(): sets gauges from live state.
  void add_collector(std::function<void(Registry&)> collector);
  std::string render();

 private:
  struct Series {
    double value = 0;
    std::vector<std::uint64_t> bucket_counts;  // histograms: per bucket (not cumulative)
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Series> series;  // key: rendered label set "{a=\"b\"}"
  };
  Family& family(std::string_view name);
  const Family* find(std::string_view name) const;

  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(Registry&)>> collectors_;
};

// Renders a label set as Prometheus text: {a="b",c="d"}, values escaped.
std::string format_labels(const Labels& labels);

}  // namespace ttlink::metrics
