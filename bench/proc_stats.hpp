#pragma once
// bench/: what the benchmark reads about a child process from /proc.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

namespace ttlink::bench {

// VmRSS in KiB (/proc/PID/status), or nullopt when unreadable.
std::optional<long> rss_kib(pid_t pid);
// User + system CPU time in seconds (/proc/PID/stat utime + stime).
std::optional<double> cpu_seconds(pid_t pid);
// The main thread's /proc/PID/schedstat: seconds on a CPU, and seconds
// runnable but waiting for one (on the shared machine: what others took).
struct SchedTimes {
  double on_cpu = 0;
  double waiting_for_cpu = 0;
};
std::optional<SchedTimes> sched_times(pid_t pid);
// The KiB fields of /proc/PID/smaps_rollup (Rss, Pss_Anon, Pss_File,
// Pss_Shmem, Anonymous, ...): which part of the RSS is heap and stacks
// (anonymous) and which is mapped files (code, libraries, sqlite's -shm).
std::map<std::string, long> smaps_rollup_kib(pid_t pid);

}  // namespace ttlink::bench
