#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds,
# and runs every test (unit and integration) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
ctest --preset default -j"$(nproc)" "$@"
