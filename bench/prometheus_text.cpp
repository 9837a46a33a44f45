#include "prometheus_text.hpp"

#include <functional>

namespace ttlink::bench {

namespace {

// Calls `f(labels, value)` for every sample line of exactly `name`.
void for_each_sample(const std::string& text, std::string_view name,
                     const std::function<void(std::string_view, double)>& f) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    if (line.size() <= name.size() || line.substr(0, name.size()) != name) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    const auto space = line.rfind(' ');
    const std::string_view labels =
        next == '{' ? line.substr(name.size(), line.rfind('}') - name.size() + 1) : "";
    f(labels, std::stod(std::string(line.substr(space + 1))));
  }
}

std::string label_value(std::string_view labels, std::string_view label) {
  const std::string key = std::string(label) + "=\"";
  auto at = labels.find(key);
  if (at == std::string_view::npos) return "";
  at += key.size();
  return std::string(labels.substr(at, labels.find('"', at) - at));
}

}  // namespace

double metric_sum(const std::string& text, std::string_view name) {
  double sum = 0;
  for_each_sample(text, name, [&](std::string_view, double v) { sum += v; });
  return sum;
}

std::map<std::string, double> metric_by_label(const std::string& text, std::string_view name,
                                              std::string_view label) {
  std::map<std::string, double> out;
  for_each_sample(text, name,
                  [&](std::string_view labels, double v) { out[label_value(labels, label)] += v; });
  return out;
}

}  // namespace ttlink::bench
