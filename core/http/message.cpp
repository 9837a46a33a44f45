#include "core/http/message.hpp"

#include <boost/algorithm/string/predicate.hpp>

namespace ttlink::http {
namespace {

std::string find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (boost::algorithm::iequals(key, name)) return value;
  }
  return {};
}

}  // namespace

std::string Request::header(std::string_view name) const {
  return find_header(headers, name);
}
std::string Response::header(std::string_view name) const {
  return find_header(headers, name);
}

}  // namespace ttlink::http
