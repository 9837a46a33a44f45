#!/usr/bin/env bash
# Builds the Debian package of ttlink: configures a release build for
# /usr in build-pkg/ (no tests), builds the three binaries and the man pages,
# runs `cpack -G DEB`, and prints the .deb's path on the last line.
# Env: TTLINK_PKG_BUILD_DIR (default build-pkg), TTLINK_PKG_JOBS (default 2),
# TTLINK_LINTIAN=1 also runs lintian on the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
build=${TTLINK_PKG_BUILD_DIR:-build-pkg}
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac  # relative to the checkout
jobs=${TTLINK_PKG_JOBS:-2}
# dpkg-shlibdeps (dpkg-dev) computes the package's library dependencies.
command -v dpkg-shlibdeps >/dev/null || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DTTLINK_BUILD_TESTS=OFF >/dev/null
nice -n 15 cmake --build "$build" -j"$jobs"
rm -f "$build"/ttlink_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/ttlink_*.deb)
if [ "${TTLINK_LINTIAN:-0}" = 1 ]; then
  command -v lintian >/dev/null || apt-get install -y -qq lintian >/dev/null
  lintian --info "$deb" || true
fi
echo "$deb"
