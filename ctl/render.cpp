#include "ctl/render.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace ttlink::ctl {
namespace {

// One decoded UTF-8 code point and its length in bytes; nullopt when the
// bytes at the start of `text` are not valid UTF-8 (overlong, surrogate, cut).
struct CodePoint {
  char32_t value;
  std::size_t length;
};

std::optional<CodePoint> decode(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return CodePoint{lead, 1};
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || text.size() < length) return std::nullopt;
  char32_t value = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kMinimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    return std::nullopt;
  return CodePoint{value, length};
}

bool is_unsafe(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||             // C0, DEL, C1
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||  // bidi overrides
         c == 0x061C || c == 0x200E || c == 0x200F;                       // bidi marks
}

void append_hex(std::string& out, std::string_view prefix, std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

bool in(char32_t c, char32_t low, char32_t high) {
  return c >= low && c <= high;
}

int width_of(char32_t c) {
  if (in(c, 0x0300, 0x036F) || in(c, 0x200B, 0x200D) || in(c, 0xFE00, 0xFE0F) ||
      in(c, 0x1AB0, 0x1AFF) || in(c, 0x20D0, 0x20FF))
    return 0;  // combining marks, zero-width joiners, variation selectors
  if (in(c, 0x1100, 0x115F) || in(c, 0x2E80, 0x303E) || in(c, 0x3041, 0x33FF) ||
      in(c, 0x3400, 0x4DBF) || in(c, 0x4E00, 0x9FFF) || in(c, 0xA000, 0xA4CF) ||
      in(c, 0xAC00, 0xD7A3) || in(c, 0xF900, 0xFAFF) || in(c, 0xFE30, 0xFE4F) ||
      in(c, 0xFF00, 0xFF60) || in(c, 0xFFE0, 0xFFE6) || in(c, 0x1F300, 0x1F64F) ||
      in(c, 0x1F900, 0x1F9FF) || in(c, 0x20000, 0x3FFFD))
    return 2;
  return 1;
}

}  // namespace

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto cp = decode(text);
    if (!cp) {
      append_hex(out, "\\x", static_cast<unsigned char>(text[0]), 2);
      text.remove_prefix(1);
      continue;
    }
    if (!is_unsafe(cp->value))
      out.append(text.substr(0, cp->length));
    else if (cp->value < 0x100)
      append_hex(out, "\\x", cp->value, 2);
    else
      append_hex(out, "\\u", cp->value, 4);
    text.remove_prefix(cp->length);
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  while (!text.empty()) {
    auto cp = decode(text);
    width += cp ? width_of(cp->value) : 1;
    text.remove_prefix(cp ? cp->length : 1);
  }
  return width;
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
  if (display_width(text) <= columns) return std::string(text);
  std::string out;
  std::size_t width = 0;
  while (!text.empty()) {
    auto cp = decode(text);
    const std::size_t w = cp ? static_cast<std::size_t>(width_of(cp->value)) : 1;
    const std::size_t length = cp ? cp->length : 1;
    if (width + w + 1 > columns) break;  // room for the ellipsis
    out.append(text.substr(0, length));
    width += w;
    text.remove_prefix(length);
  }
  return out + "\u2026";
}

std::string cell(const boost::json::value& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get_string().empty() ? "-" : sanitize(v.get_string());
  return sanitize(boost::json::serialize(v));
}

const boost::json::value& member(const boost::json::value& v, std::string_view key) {
  static const boost::json::value kNull;
  const boost::json::object* obj = v.if_object();
  const boost::json::value* found = obj ? obj->if_contains(key) : nullptr;
  return found ? *found : kNull;
}

std::string field(const boost::json::value& object, std::string_view key) {
  const boost::json::object* obj = object.if_object();
  const boost::json::value* v = obj ? obj->if_contains(key) : nullptr;
  return v ? cell(*v) : "-";
}

Table::Table(std::vector<std::string> headers) {
  rows_.push_back(std::move(headers));
}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(rows_.front().size());
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<std::size_t> widths(rows_.front().size(), 0);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    out += line + '\n';
  }
  return out;
}

namespace {

std::string pretty_number(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest: 30, 12.5
  return ec == std::errc() ? std::string(buf, end) : boost::json::serialize(boost::json::value(d));
}

}  // namespace

std::string amount(const boost::json::value& v) {
  if (!v.is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v.to_number<double>());
  return buf;
}

std::string pretty_json(const boost::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  const std::string close(static_cast<std::size_t>(indent), ' ');
  if (const auto* o = v.if_object()) {
    if (o->empty()) return "{}";
    std::string out = "{\n";
    for (auto it = o->begin(); it != o->end(); ++it)
      out += pad + sanitize(boost::json::serialize(boost::json::value(it->key()))) + ": " +
             pretty_json(it->value(), indent + 2) + (std::next(it) == o->end() ? "\n" : ",\n");
    return out + close + "}";
  }
  if (const auto* a = v.if_array()) {
    // Scalars on one line; objects one per line.
    const bool nested = std::any_of(a->begin(), a->end(),
                                    [](const auto& e) { return e.is_object() || e.is_array(); });
    std::string out = nested ? "[\n" : "[";
    for (std::size_t i = 0; i < a->size(); ++i)
      out += (nested ? pad : std::string(i ? ", " : "")) + pretty_json((*a)[i], indent + 2) +
             (nested ? (i + 1 < a->size() ? ",\n" : "\n") : "");
    return out + (nested ? close : "") + "]";
  }
  if (v.is_double()) return pretty_number(v.get_double());
  return sanitize(boost::json::serialize(v));
}

}  // namespace ttlink::ctl
