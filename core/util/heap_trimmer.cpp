#include "core/util/heap_trimmer.hpp"

#include <malloc.h>

namespace ttlink {

HeapFigures heap_figures() {
  const struct mallinfo2 info = mallinfo2();
  return {info.arena, info.fordblks};
}

bool HeapTrimmer::worthwhile(const HeapFigures& now) const {
  if (now.free_bytes < min_free_bytes_) return false;
  // Released pages still count as free: unchanged figures mean nothing was
  // allocated or freed since the last trim, so there is nothing new to give.
  return now.system_bytes != at_last_trim_.system_bytes ||
         now.free_bytes != at_last_trim_.free_bytes;
}

bool HeapTrimmer::trim_if_worthwhile() {
  const HeapFigures now = heap_figures();
  if (!worthwhile(now)) return false;
  malloc_trim(0);
  at_last_trim_ = heap_figures();
  ++trims_;
  return true;
}

}  // namespace ttlink
