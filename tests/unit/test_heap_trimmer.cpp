// HeapTrimmer against glibc's real heap: freed blocks below a live one stay
// resident until it trims, and it trims once, not again for nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/util/heap_trimmer.hpp"

namespace ttlink {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Through a volatile pointer: the compiler may not pair and drop them.
void* (*volatile allocate)(std::size_t) = std::malloc;
void (*volatile release)(void*) = std::free;

TEST(HeapTrimmer, FreedBlocksBelowALiveOneAreGivenBackOnce) {
  // 64 MiB of 4 KiB blocks (below the mmap threshold: from the heap); the
  // last one, at the top of the heap, stays, so that freeing the others
  // leaves a hole below it that glibc keeps.
  std::vector<void*> blocks;
  blocks.reserve(16385);
  for (int i = 0; i < 16385; ++i) {
    void* b = allocate(4096);
    std::memset(b, 0x5a, 4096);
    blocks.push_back(b);
  }
  void* pin = blocks.back();
  blocks.pop_back();
  for (void* b : blocks) release(b);
  const std::size_t before = resident_bytes();
  ASSERT_GE(heap_figures().free_bytes, 60 * kMiB);

  HeapTrimmer trimmer;
  ASSERT_TRUE(trimmer.trim_if_worthwhile());
  const std::size_t after = resident_bytes();
  EXPECT_LE(after + 48 * kMiB, before) << "before " << before << ", after " << after;
  EXPECT_EQ(trimmer.trims(), 1u);
  // Nothing allocated or freed since: no second trim.
  EXPECT_FALSE(trimmer.trim_if_worthwhile());
  EXPECT_EQ(trimmer.trims(), 1u);
  release(pin);
}

TEST(HeapTrimmer, LittleFreeHeapIsLeftAlone) {
  HeapTrimmer trimmer(8 * kMiB);
  EXPECT_FALSE(trimmer.worthwhile({100 * kMiB, 7 * kMiB}));
  EXPECT_TRUE(trimmer.worthwhile({100 * kMiB, 9 * kMiB}));
}

}  // namespace
}  // namespace ttlink
