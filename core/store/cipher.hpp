#pragma once
// Encryption at rest for the store: AES-256-GCM (OpenSSL) with associated data
// naming the row, and the key file it reads its 32-byte key from.
//
// A sealed blob is: version byte (1) || 12-byte random nonce || ciphertext ||
// 16-byte tag. The associated data is not stored: the caller passes the row's
// owner key again on open(), so a blob copied into another row fails to open.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"
#include "core/util/secret.hpp"

namespace ttlink::store {

class Cipher {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;
  static constexpr unsigned char kVersion = 1;

  // `key` must be kKeySize bytes (checked: kCrypto otherwise).
  static Result<Cipher> from_key(Secret key);

  // The sealed blob (binary). Fails only if OpenSSL does.
  Result<std::string> seal(std::string_view plaintext, std::string_view associated_data) const;
  // kCrypto when the blob is malformed, the key is wrong, or the blob or the
  // associated data were changed. The message never contains the plaintext.
  Result<Secret> open(std::string_view blob, std::string_view associated_data) const;

 private:
  explicit Cipher(Secret key) : key_(std::move(key)) {}
  Secret key_;
};

// Reads the key file at `path`, or creates it when absent: 32 random bytes,
// mode 0600, written and fsync'd before use; missing parent directories are
// created 0700. An existing file must be a regular file of exactly 32 bytes
// that neither group nor others can read or write: a key anyone else can read
// protects nothing, so it is refused (kCrypto, naming the path) rather than
// silently fixed.
Result<Secret> load_or_create_key_file(const std::string& path);

}  // namespace ttlink::store
