#include "core/config/toml_reader.hpp"

#include <algorithm>
#include <cmath>

namespace ttlink::config {
namespace {

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;  // a pasted blob should not flood the message
  std::string out = "\"";
  for (char c : text.substr(0, kMaxShown)) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
      continue;
    }
    out += c;
  }
  if (text.size() > kMaxShown) out += "...";
  return out + "\"";
}

std::string format_number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

void ErrorSink::fail(std::uint32_t line, std::string_view key, std::string_view what) {
  if (error_) return;
  std::string message = path_ + ":";
  if (line > 0) message += std::to_string(line) + ":";
  message += " ";
  message += key;
  message += ": ";
  message += what;
  error_ = Error::invalid(std::move(message));
}

std::string describe_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string describe_value(const toml::node& node) {
  if (const auto* s = node.as_string()) return quoted(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return format_number(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  return describe_type(node);
}

std::uint32_t line_of(const toml::node& node) {
  return node.source().begin.line;
}

TableReader::TableReader(const toml::table& table, std::string prefix, ErrorSink& errors)
    : table_(table), prefix_(std::move(prefix)), errors_(errors) {}

std::string TableReader::key_name(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

// A key read twice is known once: the "expected one of" list said
// "app_id, app_id" and "type, type, type" (issue 29).
const toml::node* TableReader::get(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  return table_.get(key);
}

const toml::table* TableReader::subtable(std::string_view key) {
  const toml::node* node = get(key);
  if (!node) return nullptr;
  if (const auto* t = node->as_table()) return t;
  fail(*node, key, "a table");
  return nullptr;
}

void TableReader::string(std::string_view key, std::string& out) {
  const toml::node* node = get(key);
  if (!node) return;
  if (const auto* s = node->as_string()) {
    out = s->get();
    return;
  }
  fail(*node, key, "a string");
}

void TableReader::duration(std::string_view key, Seconds& out) {
  // "0s" is a duration, but none of ttlink's may be zero: say that, not
  // "expected a duration" (issue 29).
  const toml::node* node = get(key);
  const auto* text = node ? node->as_string() : nullptr;
  if (text && text->get().size() >= 2 &&
      text->get().find_first_not_of('0') == text->get().size() - 1 &&
      parse_duration("1" + text->get()))  // zeros, then a unit
    return fail(*node, key, "a duration above zero");
  parsed<Seconds>(key, out, "a duration like \"90s\", \"15m\", \"2h\" or \"14d\"", parse_duration);
}

void TableReader::string_array(std::string_view key, std::vector<std::string>& out) {
  const toml::node* node = get(key);
  if (!node) return;
  const auto* array = node->as_array();
  if (!array) return fail(*node, key, "an array of strings");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const auto* s = item.as_string();
    if (!s) {
      return fail(item, std::string(key) + "[" + std::to_string(i) + "]", "a string");
    }
    values.push_back(s->get());
  }
  out = std::move(values);
}

void TableReader::number(std::string_view key, double& out) {
  const toml::node* node = get(key);
  if (!node) return;
  if (const auto* i = node->as_integer()) {
    out = static_cast<double>(i->get());
    return;
  }
  const auto* f = node->as_floating_point();
  if (!f || !std::isfinite(f->get())) return fail(*node, key, "a number");
  out = f->get();
}

void TableReader::boolean(std::string_view key, bool& out) {
  const toml::node* node = get(key);
  if (!node) return;
  const auto* b = node->as_boolean();
  if (!b) return fail(*node, key, "true or false");
  out = b->get();
}

void TableReader::fail(const toml::node& node, std::string_view key, std::string_view expected) {
  errors_.fail(line_of(node), key_name(key),
               "expected " + std::string(expected) + ", got " + describe_value(node));
}

void TableReader::fail_missing(std::string_view key, std::string_view expected) {
  errors_.fail(table_line(), key_name(key), "expected " + std::string(expected) + ", got nothing");
}

std::string TableReader::known_list() const {
  std::string list;
  for (const auto& key : known_) list += (list.empty() ? "" : ", ") + key;
  return list;
}

void TableReader::finish() {
  for (const auto& [key, node] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
    std::string what = node.is_table() ? "unknown table" : "unknown key";
    errors_.fail(key.source().begin.line, key_name(key.str()),
                 what + ", expected one of " + known_list());
    return;
  }
}

}  // namespace ttlink::config
