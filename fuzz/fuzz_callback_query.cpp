// Any request target on the OAuth callback listener: parsed or refused.
#include <boost/url/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return 0;
  std::size_t total = 0;
  for (auto p : url->params()) total += p.key.size() + p.value.size();
  return total == static_cast<std::size_t>(-1);
}
