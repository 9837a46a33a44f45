#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [TARGET...]: builds the `fuzz` preset (clang 16,
# core libraries instrumented with libFuzzer, ASan and UBSan) and runs every
# target (or the ones named, e.g. `config oauth`) for SECONDS each (default
# 20), one at a time and niced, starting from the seed corpus in
# fuzz/corpus/<target>/. New inputs go to build-fuzz/corpus/<target>/ (the
# repository's seeds stay as they are); a crash leaves its input in
# build-fuzz/artifacts/ and makes the script exit 1. Prints executions,
# edges (cov), corpus size (inputs kept) and exec/s per target.
# FUZZ_RUNS=N stops each target after N executions (or SECONDS, whichever
# comes first): `FUZZ_RUNS=10000000 scripts/fuzz.sh 1500` is the release run.
#
# scripts/fuzz.sh --smoke [TARGET...]: the smoke run (what a CI job would
# run): the same build, then every target FUZZ_SMOKE_SECONDS (default 10) from
# its seeds alone, in a scratch corpus (build-fuzz/smoke/, emptied first), so
# that it neither needs nor grows the long runs' corpus. Exit 1 on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = --smoke ]; then
  smoke=1
  seconds=${FUZZ_SMOKE_SECONDS:-10}
  shift
else
  seconds=${1:-20}
  shift || true
fi
case $seconds in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [--smoke | SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
began=$(date +%s)

# clang 16, libFuzzer and the sanitizer runtimes (libclang-rt: clang-16 does
# not pull it in, and without it nothing links) from Debian; not in
# scripts/deps.sh: CI does not fuzz.
packages=(clang-16 libfuzzer-16-dev libclang-rt-16-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
scripts/deps.sh

cmake --preset fuzz >/dev/null
nice -n 15 cmake --build --preset fuzz -j2

targets=("$@")
if ((${#targets[@]} == 0)); then
  for bin in build-fuzz/fuzz/fuzz_*; do targets+=("${bin##*/fuzz_}"); done
fi

# ASan does not find a symbolizer by itself beside Debian's clang 16 runtime
# ("invalid path to external symbolizer"), and without one a crash's stack is
# bare addresses: name one (llvm-16 has llvm-symbolizer-16; any version reads
# clang 16's debug info).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  if symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer); then
    export ASAN_SYMBOLIZER_PATH=$symbolizer
  else
    echo "fuzz: no llvm-symbolizer (apt-get install llvm-16): crash stacks will be addresses" >&2
  fi
fi

# ASan keeps the stack of every allocation, walked by frame pointers. An
# allocation made inside a library built without them (libstdc++, Boost.JSON,
# Boost.URL, sqlite) has garbage from its third frame on, new to ASan's stack
# depot each time: the depot grew by ~2 million stacks (100 MB) per 150,000
# inputs of business_comments, which slowed to a third within 25 minutes and
# would have reached the 2 GiB limit. Two frames (the allocator and its
# caller) keep it at a few hundred; a crash's own stack is still whole. For
# whole allocation stacks, replay the artifact alone:
#   ASAN_OPTIONS=malloc_context_size=30 build-fuzz/fuzz/fuzz_T ARTIFACT
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=2}
# A thread-start race of glibc and LeakSanitizer, not a leak: fuzz/lsan.supp.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}

mkdir -p build-fuzz/artifacts build-fuzz/logs
runs_limit=()
[ -n "${FUZZ_RUNS:-}" ] && runs_limit=(-runs="$FUZZ_RUNS")
printf '%-20s %12s %7s %7s %8s %8s  %s\n' target executions edges corpus exec/s seconds result
failed=0
for t in "${targets[@]}"; do
  bin=build-fuzz/fuzz/fuzz_$t
  work=build-fuzz/corpus/$t
  if ((smoke)); then
    work=build-fuzz/smoke/$t
    rm -rf "$work"
  fi
  log=build-fuzz/logs/$t.log
  # A smoke run beside a long one must not truncate the long run's log.
  ((smoke)) && log=build-fuzz/smoke/$t.log
  mkdir -p "$work"
  result=clean
  # -timeout: one input may take at most FUZZ_TIMEOUT s (default 60: inputs
  # take milliseconds, but a niced run on a busy machine can wait tens of
  # seconds for a CPU; replay a timeout artifact alone to see its real time:
  # build-fuzz/fuzz/fuzz_T ARTIFACT); -rss_limit_mb: no input may make a
  # target hold 2 GiB.
  start=$(date +%s)
  if ! nice -n 15 "$bin" -max_total_time="$seconds" "${runs_limit[@]}" -print_final_stats=1 \
      -timeout="${FUZZ_TIMEOUT:-60}" \
      -rss_limit_mb=2048 -artifact_prefix=build-fuzz/artifacts/"$t"- \
      "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    result="FAILED (see $log)"
    failed=1
  fi
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  edges=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  corpus=$(grep -ao 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  rate=$(grep -ao 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  printf '%-20s %12s %7s %7s %8s %8s  %s\n' "$t" "$runs" "$edges" "$corpus" "$rate" \
    "$(($(date +%s) - start))" "$result"
done
echo "fuzz: ${#targets[@]} targets, $(($(date +%s) - began)) s in all (install and build included)"
exit "$failed"
