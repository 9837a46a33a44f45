#pragma once
// Gives freed heap back to the kernel. glibc keeps the pages of freed small
// blocks (only the top of each arena is returned by itself), so after a burst
// of work (every link checked, 32 in flight, a comment backfill) the daemon
// keeps the burst's peak as RSS for good: 2.1 KiB per link at 10,000 links
// after one round of checks, 1.1 KiB after a restart. Called once a minute
// by the daemon; it trims only when there is enough free heap and the heap
// changed since the last trim, so an idle daemon does not trim again and
// again for nothing.
#include <cstddef>

namespace ttlink {

struct HeapFigures {
  std::size_t system_bytes = 0;  // taken from the kernel by the arenas (not mmapped blocks)
  std::size_t free_bytes = 0;    // free inside them (released pages included)
};

// mallinfo2() over every arena.
HeapFigures heap_figures();

class HeapTrimmer {
 public:
  explicit HeapTrimmer(std::size_t min_free_bytes = std::size_t{8} << 20)
      : min_free_bytes_(min_free_bytes) {}

  // malloc_trim(0) when at least min_free_bytes are free and the figures
  // differ from those seen at the last trim. True when it trimmed.
  bool trim_if_worthwhile();
  // What trim_if_worthwhile() decides on these figures (without trimming).
  bool worthwhile(const HeapFigures& now) const;
  std::size_t trims() const { return trims_; }

 private:
  std::size_t min_free_bytes_;
  HeapFigures at_last_trim_{};
  std::size_t trims_ = 0;
};

}  // namespace ttlink
