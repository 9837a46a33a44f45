#pragma once
// Shared by the upstream decoder targets: the input is a whole HTTP body from
// upstream, which goes through the envelope first, as in ApiClient, and then
// through a family's decoders. Checked: a decoder's error says something, and
// is transient or upstream (a contradictory answer is retried, never taken
// as a fact that overwrites stored state).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/tiktok/envelope.hpp"
#include "core/util/result.hpp"

namespace ttlink::fuzz {

inline void check_error(const Error& e) {
  if (e.message.empty()) __builtin_trap();
  if (e.kind != ErrorKind::kTransient && e.kind != ErrorKind::kUpstream) __builtin_trap();
}

template <class T>
void check(const Result<T>& r) {
  if (!r) check_error(r.error());
}

inline std::optional<boost::json::object> envelope_data(const std::uint8_t* data, std::size_t size,
                                                        std::string_view path) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = tiktok::decode_envelope(200, body, path);
  if (!decoded) {
    check_error(decoded.error());
    return std::nullopt;
  }
  return std::move(*decoded);
}

}  // namespace ttlink::fuzz
