#include "core/util/log.hpp"

#include <cstdlib>

#include "core/util/time.hpp"

namespace ttlink {
namespace {

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

Logger::Logger(std::FILE* out, LogLevel min_level) : out_(out), min_level_(min_level) {}

Logger Logger::with_journal_detection(LogLevel min_level) {
  Logger logger(stderr, min_level);
  logger.journal_ = std::getenv("JOURNAL_STREAM") != nullptr;
  return logger;
}

std::string Logger::format_line(std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = "event=";
  append_value(line, event);
  for (const auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    append_value(line, v);
  }
  return line;
}

void Logger::log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) > static_cast<int>(min_level_)) return;
  std::string line;
  if (journal_) {
    line = "<" + std::to_string(static_cast<int>(level)) + ">";
  } else {
    line = format_rfc3339(now_utc()) + " ";
  }
  static constexpr const char* kNames[] = {"", "", "", "error", "warn", "", "info", "debug"};
  line += "level=";
  line += kNames[static_cast<int>(level)];
  line += ' ';
  line += format_line(event, fields);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace ttlink
