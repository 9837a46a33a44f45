#pragma once
// Errors as values: every boundary where failure is normal (network, parsing,
// storage, config) returns Result<T>. Exceptions are for bugs only.
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace ttlink {

enum class ErrorKind {
  kInvalidInput,  // the caller's input is wrong (config, params, callback query)
  kNotFound,      // the thing asked for does not exist
  kConflict,      // the request contradicts current state (e.g. state already used)
  kUpstream,      // upstream answered with a TikTok error code (see upstream_code)
  kTransient,     // timeout, reset, 5xx, malformed answer: worth retrying
  kNotSent,       // ttlink's own limits held the request back ([limits] daily cap)
  kStorage,       // sqlite or file system failure
  kCrypto,        // key or ciphertext problem
  kInternal,      // a bug
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;       // for a person; never contains a secret
  long upstream_code = 0;    // TikTok's `code` when kind == kUpstream
  std::string request_id{};  // upstream's request_id, when an answer carried one

  static Error invalid(std::string m) { return {ErrorKind::kInvalidInput, std::move(m), 0}; }
  static Error not_found(std::string m) { return {ErrorKind::kNotFound, std::move(m), 0}; }
  static Error conflict(std::string m) { return {ErrorKind::kConflict, std::move(m), 0}; }
  static Error transient(std::string m) { return {ErrorKind::kTransient, std::move(m), 0}; }
  static Error not_sent(std::string m) { return {ErrorKind::kNotSent, std::move(m), 0}; }
  static Error storage(std::string m) { return {ErrorKind::kStorage, std::move(m), 0}; }
  static Error crypto(std::string m) { return {ErrorKind::kCrypto, std::move(m), 0}; }
  static Error internal(std::string m) { return {ErrorKind::kInternal, std::move(m), 0}; }
  static Error upstream(long code, std::string m) {
    return {ErrorKind::kUpstream, std::move(m), code};
  }
};

// Called by Result<T>::value() on an error: that is a bug in the caller.
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::logic_error("unchecked error: " + e.message);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace ttlink
