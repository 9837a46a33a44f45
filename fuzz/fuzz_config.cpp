// Any bytes as a config file: an error or a config, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ttlink::config::parse_config(text, "fuzz.toml");
  if (!config && config.error().message.empty()) __builtin_trap();  // errors must say something
  return 0;
}
