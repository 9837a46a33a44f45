// Any upstream body with any HTTP status: the envelope's data or an error
// that says something, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/tiktok/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the HTTP status: mostly 200, sometimes a 4xx/5xx.
  const int statuses[] = {200, 200, 200, 200, 429, 500, 502, 404};
  const int status = statuses[data[0] % 8];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto decoded = ttlink::tiktok::decode_envelope(status, body, "/fuzz/");
  if (!decoded) {
    if (decoded.error().message.empty()) __builtin_trap();
    (void)ttlink::tiktok::classify(decoded.error().upstream_code);
    (void)ttlink::tiktok::is_transient(decoded.error());
  }
  return 0;
}
