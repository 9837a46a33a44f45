#pragma once
// Typed, strict access to one TOML table for the config schema: every getter
// records the first problem as "PATH:LINE: KEY: expected WHAT, got WHAT" and
// every key not asked for is reported as unknown by finish(). Kept apart from
// the schema (config.cpp) so that the schema reads as a list of keys.
#include <toml++/toml.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/result.hpp"
#include "core/util/time.hpp"

namespace ttlink::config {

// The first error of a whole document: later ones are usually consequences.
class ErrorSink {
 public:
  explicit ErrorSink(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  bool failed() const { return error_.has_value(); }
  const std::optional<Error>& error() const { return error_; }
  // `line` 0 means "no line applies" (a key absent from the file).
  void fail(std::uint32_t line, std::string_view key, std::string_view what);

 private:
  std::string path_;
  std::optional<Error> error_;
};

// "a table", "an integer", "\"fast\"", "12": what the file held, for messages.
std::string describe_value(const toml::node& node);
std::string describe_type(const toml::node& node);
std::uint32_t line_of(const toml::node& node);

class TableReader {
 public:
  // `prefix` is the dotted name of the table ("poll", "alerts.sink[0]"); ""
  // for the document root.
  TableReader(const toml::table& table, std::string prefix, ErrorSink& errors);

  std::string key_name(std::string_view key) const;
  std::uint32_t table_line() const { return line_of(table_); }
  ErrorSink& errors() { return errors_; }

  // The node at `key`, marked as known; nullptr when absent.
  const toml::node* get(std::string_view key);
  const toml::table* subtable(std::string_view key);

  void string(std::string_view key, std::string& out);
  void duration(std::string_view key, Seconds& out);
  void string_array(std::string_view key, std::vector<std::string>& out);
  void number(std::string_view key, double& out);
  void boolean(std::string_view key, bool& out);

  // A string run through `parse`, which returns nullopt when the text is not
  // acceptable; `expected` describes acceptable text for the message.
  template <class T>
  void parsed(std::string_view key, T& out, std::string_view expected,
              const std::function<std::optional<T>(std::string_view)>& parse);

  void fail(const toml::node& node, std::string_view key, std::string_view expected);
  void fail_missing(std::string_view key, std::string_view expected);

  // Reports the first key that no getter asked for.
  void finish();

 private:
  std::string known_list() const;

  const toml::table& table_;
  std::string prefix_;
  ErrorSink& errors_;
  std::vector<std::string> known_;
};

template <class T>
void TableReader::parsed(std::string_view key, T& out, std::string_view expected,
                         const std::function<std::optional<T>(std::string_view)>& parse) {
  const toml::node* node = get(key);
  if (!node) return;
  const auto* text = node->as_string();
  std::optional<T> value = text ? parse(text->get()) : std::nullopt;
  if (!value) return fail(*node, key, expected);
  out = std::move(*value);
}

}  // namespace ttlink::config
