#pragma once
// bench/: where a running ttlinkd's heap goes, asked from outside: gdb
// attaches for a moment and calls glibc's malloc_stats() (which the daemon
// prints on its own stderr, captured by ChildProcess) and sqlite's
// sqlite3_memory_used(). Only between timed phases: the daemon is stopped
// while gdb reads its symbols (seconds on a loaded machine).
#include <optional>
#include <string>

#include "support/child_process.hpp"

namespace ttlink::bench {

struct HeapProbe {
  std::string error;                // "" when the figures below were read
  long long heap_system_bytes = 0;  // malloc_stats "Total (incl. mmap)": taken from the OS
  long long heap_in_use_bytes = 0;  // ... of which in live allocations
  long long sqlite_bytes = 0;       // sqlite3_memory_used(): page cache, schema, statements
  long long sqlite_highwater_bytes = 0;
  int arenas = 0;  // malloc arenas (one per thread that allocated)
};

// Empty error: gdb found and the figures read. Never throws.
HeapProbe probe_heap(test::ChildProcess& daemon);

// An experiment, not a measurement: makes the daemon call malloc_trim(0)
// (free pages inside the heap go back to the OS), to show how much of its
// RSS is memory malloc keeps but no longer uses. "" or what went wrong.
std::string trim_heap(test::ChildProcess& daemon);

}  // namespace ttlink::bench
