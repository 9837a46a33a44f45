// core/store/cipher: AES-256-GCM sealing and the key file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/store/cipher.hpp"
#include "support/temp_dir.hpp"

namespace ttlink::store {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

Cipher cipher_with(char fill) {
  return Cipher::from_key(Secret(std::string(32, fill))).value();
}

void write_file(const fs::path& path, const std::string& bytes, mode_t mode) {
  std::ofstream(path, std::ios::binary) << bytes;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(Cipher, SealThenOpenRoundTrips) {
  auto c = cipher_with('k');
  auto blob = c.seal("rft.abc123", "account:1:refresh");
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->size(), 1 + 12 + 10 + 16u);
  EXPECT_EQ(static_cast<unsigned char>((*blob)[0]), Cipher::kVersion);
  EXPECT_EQ(blob->find("rft.abc123"), std::string::npos);
  auto opened = c.open(*blob, "account:1:refresh");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->reveal(), "rft.abc123");
}

TEST(Cipher, EmptyPlaintextRoundTrips) {
  auto c = cipher_with('k');
  auto opened = c.open(c.seal("", "ad").value(), "ad");
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

TEST(Cipher, SealingTwiceUsesFreshNonces) {
  auto c = cipher_with('k');
  EXPECT_NE(c.seal("same", "ad").value(), c.seal("same", "ad").value());
}

TEST(Cipher, OpenFailsWhenAssociatedDataDiffers) {
  auto c = cipher_with('k');
  auto blob = c.seal("act.token", "account:1:access").value();
  auto opened = c.open(blob, "account:2:access");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::kCrypto);
}

TEST(Cipher, OpenFailsWithAnotherKey) {
  auto blob = cipher_with('a').seal("act.token", "ad").value();
  auto opened = cipher_with('b').open(blob, "ad");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::kCrypto);
  EXPECT_EQ(opened.error().message.find("act.token"), std::string::npos);
}

TEST(Cipher, OpenFailsOnAnyTamperedByte) {
  auto c = cipher_with('k');
  const auto blob = c.seal("act.token", "ad").value();
  for (std::size_t i = 1; i < blob.size(); ++i) {
    auto tampered = blob;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(c.open(tampered, "ad")) << "byte " << i;
  }
}

TEST(Cipher, OpenRefusesTruncatedAndUnknownVersionBlobs) {
  auto c = cipher_with('k');
  auto blob = c.seal("act.token", "ad").value();
  EXPECT_FALSE(c.open(blob.substr(0, 28), "ad"));
  blob[0] = 2;
  auto opened = c.open(blob, "ad");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("version"), std::string::npos);
}

TEST(Cipher, KeyOfWrongSizeIsRefused) {
  EXPECT_FALSE(Cipher::from_key(Secret(std::string(16, 'k'))));
  EXPECT_FALSE(Cipher::from_key(Secret()));
}

TEST(KeyFile, MissingKeyFileIsGenerated0600InA0700Directory) {
  TempDir dir;
  auto path = dir.path() / "creds" / "nested" / "store_key";
  auto key = load_or_create_key_file(path.string());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->size(), 32u);
  EXPECT_EQ(fs::file_size(path), 32u);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "creds"), 0700u);
  EXPECT_EQ(mode_of(dir.path() / "creds" / "nested"), 0700u);
}

TEST(KeyFile, ExistingKeyFileIsReadNotReplaced) {
  TempDir dir;
  auto path = (dir.path() / "store_key").string();
  auto first = load_or_create_key_file(path);
  auto second = load_or_create_key_file(path);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_TRUE(*first == *second);
}

TEST(KeyFile, GeneratedKeysDiffer) {
  TempDir dir;
  auto a = load_or_create_key_file((dir.path() / "a").string());
  auto b = load_or_create_key_file((dir.path() / "b").string());
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(*a == *b);
}

TEST(KeyFile, GroupReadableKeyFileIsRefusedNamingThePath) {
  TempDir dir;
  auto path = dir.path() / "store_key";
  write_file(path, std::string(32, 'k'), 0640);
  auto key = load_or_create_key_file(path.string());
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().kind, ErrorKind::kCrypto);
  EXPECT_NE(key.error().message.find(path.string()), std::string::npos);
  EXPECT_NE(key.error().message.find("0640"), std::string::npos);
  EXPECT_EQ(key.error().message.find("kkkk"), std::string::npos);
}

TEST(KeyFile, WorldReadableKeyFileIsRefused) {
  TempDir dir;
  auto path = dir.path() / "store_key";
  write_file(path, std::string(32, 'k'), 0604);
  EXPECT_FALSE(load_or_create_key_file(path.string()));
}

TEST(KeyFile, ReadOnlyOwnerKeyFileIsAccepted) {
  // systemd's LoadCredential= hands the service a 0400 file.
  TempDir dir;
  auto path = dir.path() / "store_key";
  write_file(path, std::string(32, 'k'), 0400);
  auto key = load_or_create_key_file(path.string());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->reveal(), std::string(32, 'k'));
}

TEST(KeyFile, KeyFileOfWrongSizeIsRefusedNamingThePath) {
  TempDir dir;
  auto path = dir.path() / "store_key";
  write_file(path, std::string(33, 'k'), 0600);
  auto key = load_or_create_key_file(path.string());
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find(path.string()), std::string::npos);
  EXPECT_NE(key.error().message.find("32 bytes"), std::string::npos);
}

TEST(KeyFile, DirectoryInsteadOfKeyFileIsRefused) {
  TempDir dir;
  auto path = dir.path() / "store_key";
  fs::create_directory(path);
  ::chmod(path.c_str(), 0700);
  EXPECT_FALSE(load_or_create_key_file(path.string()));
}

}  // namespace
}  // namespace ttlink::store
