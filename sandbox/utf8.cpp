#include "utf8.hpp"

#include <cstddef>
#include <string_view>

namespace sandbox {
namespace {

bool in(unsigned char c, unsigned char low, unsigned char high) {
  return c >= low && c <= high;
}

// The length of the well-formed UTF-8 sequence starting at `at` (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t sequence_length(std::string_view s, std::size_t at) {
  auto byte = [&](std::size_t i) -> unsigned char {
    return at + i < s.size() ? static_cast<unsigned char>(s[at + i]) : 0;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  auto cont = [&](std::size_t i) { return in(byte(i), 0x80, 0xbf); };
  if (in(lead, 0xc2, 0xdf)) return cont(1) ? 2 : 0;
  // The second byte's range is narrower after E0, ED, F0 and F4.
  unsigned char low = 0x80, high = 0xbf;
  if (lead == 0xe0) low = 0xa0;
  if (lead == 0xed) high = 0x9f;
  if (lead == 0xf0) low = 0x90;
  if (lead == 0xf4) high = 0x8f;
  if (in(lead, 0xe0, 0xef)) return in(byte(1), low, high) && cont(2) ? 3 : 0;
  if (in(lead, 0xf0, 0xf4)) return in(byte(1), low, high) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

bool valid(std::string_view s) {
  for (std::size_t at = 0, n = 0; at < s.size(); at += n)
    if ((n = sequence_length(s, at)) == 0) return false;
  return true;
}

}  // namespace

std::string with_valid_utf8(std::string json_text) {
  if (valid(json_text)) return json_text;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(json_text.size() + 16);
  for (std::size_t at = 0; at < json_text.size();) {
    if (auto n = sequence_length(json_text, at); n != 0) {
      out.append(json_text, at, n);
      at += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(json_text[at++]);
    out += "\\\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace sandbox
