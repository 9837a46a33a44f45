#include "core/store/cipher.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace ttlink::store {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  return CipherCtx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

std::string errno_text() {
  return std::strerror(errno);
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<void> make_private_dirs(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::exists(dir)) return {};
  if (auto parent = make_private_dirs(dir.parent_path()); !parent) return parent;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::crypto("cannot create key directory " + dir.string() + ": " + errno_text());
  return {};
}

Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::crypto("cannot write key file " + path + ": " + errno_text());
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// The directory entry must be durable too, or a crash could lose the key
// while tokens sealed with it survive.
void fsync_parent(const std::filesystem::path& file) {
  auto dir = file.parent_path();
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Result: true when created, false when another process created it first.
Result<bool> create_key_file(const std::string& path) {
  if (auto dirs = make_private_dirs(std::filesystem::path(path).parent_path()); !dirs)
    return dirs.error();
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return false;
    return Error::crypto("cannot create key file " + path + ": " + errno_text());
  }
  std::string key(Cipher::kKeySize, '\0');
  if (RAND_bytes(bytes(key), static_cast<int>(key.size())) != 1) {
    ::unlink(path.c_str());
    return Error::crypto("no randomness for key file " + path);
  }
  auto written = write_all(fd.get(), key, path);
  OPENSSL_cleanse(key.data(), key.size());
  if (written && ::fsync(fd.get()) != 0)
    written = Error::crypto("cannot fsync key file " + path + ": " + errno_text());
  if (!written) {
    ::unlink(path.c_str());
    return written.error();
  }
  fsync_parent(path);
  return true;
}

Result<Secret> read_key_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error::crypto("cannot open key file " + path + ": " + errno_text());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return Error::crypto("cannot stat key file " + path + ": " + errno_text());
  if (!S_ISREG(st.st_mode)) return Error::crypto("key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    return Error::crypto("key file " + path + " is accessible by group or others (mode " +
                         octal_mode(st.st_mode) + "); run: chmod 600 " + path);
  if (st.st_size != static_cast<off_t>(Cipher::kKeySize))
    return Error::crypto("key file " + path + " must hold exactly 32 bytes, it holds " +
                         std::to_string(st.st_size));
  std::string key(Cipher::kKeySize, '\0');
  std::size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd.get(), key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::crypto("cannot read key file " + path);
    got += static_cast<std::size_t>(n);
  }
  return Secret(std::move(key));
}

}  // namespace

Result<Cipher> Cipher::from_key(Secret key) {
  if (key.size() != kKeySize) return Error::crypto("store key must be 32 bytes");
  return Cipher(std::move(key));
}

Result<std::string> Cipher::seal(std::string_view plaintext,
                                 std::string_view associated_data) const {
  std::string blob(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  blob[0] = static_cast<char>(kVersion);
  unsigned char* nonce = bytes(blob) + 1;
  unsigned char* out = nonce + kNonceSize;
  if (RAND_bytes(nonce, kNonceSize) != 1) return Error::crypto("no randomness for a nonce");
  auto ctx = new_ctx();
  int len = 0;
  int total = 0;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_.reveal()), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      (total = len, EVP_EncryptFinal_ex(ctx.get(), out + total, &len) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out + plaintext.size()) == 1;
  if (!ok) return Error::crypto("encryption failed");
  return blob;
}

Result<Secret> Cipher::open(std::string_view blob, std::string_view associated_data) const {
  if (blob.size() < 1 + kNonceSize + kTagSize) return Error::crypto("sealed value is truncated");
  if (static_cast<unsigned char>(blob[0]) != kVersion)
    return Error::crypto("sealed value has unknown version " +
                         std::to_string(static_cast<unsigned char>(blob[0])));
  const unsigned char* nonce = bytes(blob) + 1;
  const unsigned char* in = nonce + kNonceSize;
  const std::size_t size = blob.size() - 1 - kNonceSize - kTagSize;
  // OpenSSL's set-tag takes a non-const pointer; copy rather than cast away const.
  unsigned char tag[kTagSize];
  std::memcpy(tag, in + size, kTagSize);
  std::string plain(size, '\0');
  auto ctx = new_ctx();
  int len = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_.reveal()), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, in, static_cast<int>(size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Error::crypto("authentication failed (wrong key or tampered value)");
  }
  return Secret(std::move(plain));
}

Result<Secret> load_or_create_key_file(const std::string& path) {
  if (path.empty()) return Error::crypto("no key file configured");
  if (::access(path.c_str(), F_OK) != 0) {
    auto created = create_key_file(path);
    if (!created) return created.error();
  }
  return read_key_file(path);
}

}  // namespace ttlink::store
