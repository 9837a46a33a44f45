#include "core/metrics/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ttlink::metrics {

namespace {

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Inserts an extra label (histogram `le`) into an already rendered set.
std::string with_label(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string format_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  }
  return out + "}";
}

void Registry::declare(std::string name, Type type, std::string help, std::vector<double> buckets) {
  families_.emplace(std::move(name), Family{type, std::move(help), std::move(buckets), {}});
}

Registry::Family& Registry::family(std::string_view name) {
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("undeclared metric " + std::string(name));
  return it->second;
}

const Registry::Family* Registry::find(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : &it->second;
}

void Registry::inc(std::string_view name, const Labels& labels, double by) {
  family(name).series[format_labels(labels)].value += by;
}

void Registry::set(std::string_view name, const Labels& labels, double value) {
  family(name).series[format_labels(labels)].value = value;
}

void Registry::clear(std::string_view name) {
  family(name).series.clear();
}

void Registry::observe(std::string_view name, const Labels& labels, double value) {
  Family& f = family(name);
  Series& s = f.series[format_labels(labels)];
  if (s.bucket_counts.empty()) s.bucket_counts.assign(f.buckets.size(), 0);
  for (std::size_t i = 0; i < f.buckets.size(); ++i)
    if (value <= f.buckets[i]) {
      ++s.bucket_counts[i];
      break;
    }
  s.sum += value;
  ++s.count;
}

double Registry::value(std::string_view name, const Labels& labels) const {
  const Family* f = find(name);
  if (!f) return 0;
  auto it = f->series.find(format_labels(labels));
  if (it == f->series.end()) return 0;
  return f->type == Type::kHistogram ? static_cast<double>(it->second.count) : it->second.value;
}

void Registry::add_collector(std::function<void(Registry&)> collector) {
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() {
  for (auto& c : collectors_) c(*this);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type_name(f.type) + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out += name + labels + " " + format_number(s.value) + "\n";
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += s.bucket_counts[i];
        out += name + "_bucket" + with_label(labels, "le=\"" + format_number(f.buckets[i]) + "\"") +
               " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + with_label(labels, "le=\"+Inf\"") + " " + std::to_string(s.count) +
             "\n";
      out += name + "_sum" + labels + " " + format_number(s.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace ttlink::metrics
