#include "heap_probe.hpp"

#include <unistd.h>

#include <chrono>
#include <sstream>
#include <vector>

#include "support/wait.hpp"

namespace ttlink::bench {

namespace {

constexpr std::string_view kTotal = "Total (incl. mmap):";
constexpr const char* kGdb = "/usr/bin/gdb";

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// "system bytes     =     389120" after `from`.
long long field_after(const std::string& text, std::size_t from, std::string_view field) {
  auto at = text.find(field, from);
  if (at == std::string::npos) return 0;
  at = text.find('=', at);
  return at == std::string::npos ? 0 : std::stoll(text.substr(at + 1));
}

// The values gdb printed, in order ("$1 = 123").
std::vector<long long> printed_values(const std::string& out) {
  std::vector<long long> values;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind('$', 0) == 0 && line.find(" = ") != std::string::npos)
      values.push_back(std::stoll(line.substr(line.find(" = ") + 3)));
  return values;
}

void read_malloc_stats(const std::string& err, std::size_t from_block, HeapProbe& probe) {
  auto block = err.find("Arena 0:", from_block);
  auto total = err.find(kTotal, from_block);
  if (block == std::string::npos || total == std::string::npos) return;
  probe.arenas = static_cast<int>(count_of(err.substr(block, total - block), "Arena "));
  probe.heap_system_bytes = field_after(err, total, "system bytes");
  probe.heap_in_use_bytes = field_after(err, total, "in use bytes");
}

// gdb attached to `pid` runs `commands` and detaches: what it printed, or
// the error.
Result<std::string> run_gdb(pid_t pid, const std::vector<std::string>& commands) {
  if (::access(kGdb, X_OK) != 0) return Error::not_found("no gdb");
  std::vector<std::string> argv{
      kGdb, "-batch", "-nx", "-iex", "set debuginfod enabled off", "-p", std::to_string(pid)};
  for (const auto& c : commands) argv.insert(argv.end(), {"-ex", c});
  argv.insert(argv.end(), {"-ex", "detach"});
  auto gdb = test::ChildProcess::spawn(argv);
  if (!gdb) return gdb.error();
  if (!(*gdb)->wait(test::deadline_in(std::chrono::seconds(180)))) {
    (*gdb)->kill9();
    return Error::transient("gdb did not finish");
  }
  return (*gdb)->stdout_text() + "\n" + (*gdb)->stderr_text();
}

}  // namespace

HeapProbe probe_heap(test::ChildProcess& daemon) {
  HeapProbe probe;
  const std::size_t blocks = count_of(daemon.stderr_text(), kTotal);
  auto gdb =
      run_gdb(daemon.pid(), {"call (void)malloc_stats()", "print (long long)sqlite3_memory_used()",
                             "print (long long)sqlite3_memory_highwater(0)"});
  if (!gdb) {
    probe.error = gdb.error().message;
    return probe;
  }
  auto values = printed_values(*gdb);
  if (values.size() >= 2) {
    probe.sqlite_bytes = values[0];
    probe.sqlite_highwater_bytes = values[1];
  }
  // malloc_stats() wrote to the daemon's stderr: wait for the reader thread.
  test::wait_until([&] { return count_of(daemon.stderr_text(), kTotal) > blocks; },
                   test::deadline_in(std::chrono::seconds(5)));
  const std::string err = daemon.stderr_text();
  const std::size_t last = err.rfind(kTotal);
  if (count_of(err, kTotal) <= blocks || last == std::string::npos) {
    probe.error = "no malloc_stats output; gdb said: " + gdb->substr(0, 300);
    return probe;
  }
  read_malloc_stats(err, err.rfind("Arena 0:", last), probe);
  if (values.size() < 2) probe.error = "gdb printed no sqlite figures";
  return probe;
}

std::string trim_heap(test::ChildProcess& daemon) {
  auto gdb = run_gdb(daemon.pid(), {"print (int)malloc_trim(0)"});
  if (!gdb) return gdb.error().message;
  return printed_values(*gdb).empty() ? "gdb printed nothing: " + gdb->substr(0, 300) : "";
}

}  // namespace ttlink::bench
