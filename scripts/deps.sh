#!/usr/bin/env bash
# Installs the Debian bookworm packages ttlink builds and tests with, if any
# is missing. Boost 1.81 (not the default 1.74): Boost.JSON, Boost.URL and
# Asio's awaitable operators.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache git curl jq
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libtomlplusplus-dev libgtest-dev libgmock-dev
  libssl-dev openssl libsystemd-dev libcli11-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
