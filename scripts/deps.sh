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
  prometheus-alertmanager
  nginx-light python3   # tests/docs/readme_nginx.sh runs the README's proxy example
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
  # The tests start their own Alertmanager on a loopback port; the package's
  # service, which Debian enables on install, was not asked for.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    for service in prometheus-alertmanager nginx; do
      if [[ " ${missing[*]} " == *" $service"* ]]; then
        $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
      fi
    done
  fi
  # Debian's nginx starts itself on install even without systemd (invoke-rc.d).
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then $sudo pkill -x nginx 2>/dev/null || true; fi
fi

# promtool (from Debian's prometheus package) checks /metrics in the tests.
# Only the one binary is extracted: installing the package would also start
# a Prometheus server.
tools="$(dirname "$0")/../.cache/tools"
if [ ! -x "$tools/promtool" ] && [ ! -x /usr/bin/promtool ]; then
  echo "deps: fetching promtool (Debian package prometheus)" >&2
  tmp=$(mktemp -d) && chmod 755 "$tmp"  # apt downloads as user _apt
  (cd "$tmp" && { apt-get download prometheus >/dev/null 2>&1 ||
                   { apt-get update -qq && apt-get download prometheus >/dev/null; }; } &&
     dpkg -x prometheus_*.deb x)
  mkdir -p "$tools" && cp "$tmp/x/usr/bin/promtool" "$tools/promtool"
  rm -rf "$tmp"
fi
