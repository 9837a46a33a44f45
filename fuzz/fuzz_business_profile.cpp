// /business/get/ answers: the Business Account's profile and summed metrics.
#include "core/tiktok/business.hpp"
#include "upstream_input.hpp"

using namespace ttlink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = fuzz::envelope_data(data, size, "/business/get/");
  if (!d) return 0;
  fuzz::check(tiktok::decode_business_profile(*d));
  return 0;
}
