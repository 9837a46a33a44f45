#include "core/util/result.hpp"

namespace ttlink {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "invalid_input";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kUpstream:
      return "upstream";
    case ErrorKind::kTransient:
      return "transient";
    case ErrorKind::kNotSent:
      return "not_sent";
    case ErrorKind::kStorage:
      return "storage";
    case ErrorKind::kCrypto:
      return "crypto";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace ttlink
