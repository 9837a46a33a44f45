#include "core/util/secret.hpp"

#include <openssl/crypto.h>

namespace ttlink {

Secret::~Secret() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
}

bool Secret::operator==(const Secret& other) const {
  return value_.size() == other.value_.size() &&
         CRYPTO_memcmp(value_.data(), other.value_.data(), value_.size()) == 0;
}

}  // namespace ttlink
