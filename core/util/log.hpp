#pragma once
// One event per line, key=value, on stderr: journald-friendly (`<N>` priority
// prefixes when stderr is the journal, as systemd tells through JOURNAL_STREAM).
// Field values are plain strings: a Secret has no conversion to one, so it
// cannot reach a log line without a visible reveal().
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ttlink {

enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

using LogField = std::pair<std::string_view, std::string_view>;

class Logger {
 public:
  // `journal` adds the `<N>` prefixes; by default it is detected from the
  // environment (JOURNAL_STREAM). `out` is where lines go (stderr by default).
  explicit Logger(std::FILE* out = stderr, LogLevel min_level = LogLevel::kInfo);
  static Logger with_journal_detection(LogLevel min_level = LogLevel::kInfo);

  void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
  void error(std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kError, event, f);
  }
  void warn(std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kWarning, event, f);
  }
  void info(std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kInfo, event, f);
  }
  void debug(std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kDebug, event, f);
  }

  void set_min_level(LogLevel level) { min_level_ = level; }
  void set_journal(bool on) { journal_ = on; }

  // key=value with the value quoted and escaped when it needs to be.
  static std::string format_line(std::string_view event, std::initializer_list<LogField> fields);

 private:
  std::FILE* out_;
  LogLevel min_level_;
  bool journal_ = false;
};

}  // namespace ttlink
