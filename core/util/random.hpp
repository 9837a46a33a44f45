#pragma once
// Unguessable values (OAuth `state`, alert ids) and digests, from OpenSSL.
#include <string>
#include <string_view>

namespace ttlink {

// `bytes` random bytes from the OS CSPRNG, as lowercase hex.
std::string random_hex(std::size_t bytes);
// SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);
// HMAC-SHA256(key, data), lowercase hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace ttlink
