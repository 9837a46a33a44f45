// Any upstream body: a typed result or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/tiktok/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto data_object = ttlink::tiktok::decode_envelope(200, body, "/fuzz/");
  if (!data_object) (void)ttlink::tiktok::classify(data_object.error().upstream_code);
  return 0;
}
