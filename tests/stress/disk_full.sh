#!/usr/bin/env bash
# tests/stress/disk_full.sh: the store's file system fills up during token
# refreshes, comment ingestion and alert recording, then space comes back.
# Must run as root: it mounts a small tmpfs (DISK_FULL_SIZE, default 16m) for
# the store. Needs the default build (build/), python3, python3-cryptography
# and sqlite3. What it does and checks: tests/stress/disk_full.py; figures:
# tests/stress/README.md. Not run by CI (no mounts there).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "disk_full: must run as root (mounts a tmpfs)" >&2; exit 2; }
build=${TTLINK_BUILD_DIR:-build}
for bin in "$build/daemon/ttlinkd" "$build/sandbox/ttlink-sandbox"; do
  [ -x "$bin" ] || { echo "disk_full: $bin missing: cmake --preset default && cmake --build --preset default" >&2; exit 2; }
done
work=$(pwd)/$build/stress/disk_full-$$
store=$work/store
mkdir -p "$store"
mount -t tmpfs -o "size=${DISK_FULL_SIZE:-16m},mode=0700" ttlink-disk-full "$store"
trap 'umount "$store" 2>/dev/null || umount -l "$store"' EXIT
echo "disk_full: store on a ${DISK_FULL_SIZE:-16m} tmpfs at $store"
python3 tests/stress/disk_full.py "$work" "$store"
