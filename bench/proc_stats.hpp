#pragma once
// bench/: what the benchmark reads about a child process from /proc.
#include <sys/types.h>

#include <optional>

namespace ttlink::bench {

// VmRSS in KiB (/proc/PID/status), or nullopt when unreadable.
std::optional<long> rss_kib(pid_t pid);
// User + system CPU time in seconds (/proc/PID/stat utime + stime).
std::optional<double> cpu_seconds(pid_t pid);

}  // namespace ttlink::bench
