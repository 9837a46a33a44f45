#!/usr/bin/env bash
# tests/stress/kill_loop.sh N: kill -9 ttlinkd N times at random moments of
# token refreshes, comment ingestion and alert delivery, then prove from the
# sandbox (its world and request log) and the store (sqlite3) that no
# committed token, comment or alert event was lost, doubled or reordered.
# Not run by CI (N = 1000 takes about half an hour). Needs the default build
# (build/: ttlinkd, ttlink-sandbox), python3 and sqlite3. What it does and
# checks: tests/stress/kill_loop.py; figures: tests/stress/README.md.
# Environment: KILL_LOOP_LINKS (6), KILL_LOOP_COMMENTS (300),
# KILL_LOOP_RUN_MAX (1.2 s of work at most before a kill), KILL_LOOP_SEED (7),
# TTLINK_BUILD_DIR (build). Files of the run: build/stress/kill_loop-PID/.
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:?usage: tests/stress/kill_loop.sh N}
build=${TTLINK_BUILD_DIR:-build}
for bin in "$build/daemon/ttlinkd" "$build/sandbox/ttlink-sandbox"; do
  [ -x "$bin" ] || { echo "kill_loop: $bin missing: cmake --preset default && cmake --build --preset default" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "kill_loop: needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 2; }
work=$build/stress/kill_loop-$$
mkdir -p "$(dirname "$work")"
echo "kill_loop: $cycles cycles, files in $work"
exec python3 tests/stress/kill_loop.py "$cycles" "$work"
