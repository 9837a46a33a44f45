#include "temp_dir.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

namespace ttlink::test {

TempDir::TempDir() {
  auto pattern = (std::filesystem::temp_directory_path() / "ttlink-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;  // best effort: a leftover temp dir must not fail a test
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ttlink::test
