#!/usr/bin/env bash
# The README's demo: builds ttlink, starts ttlink-sandbox (a local TikTok API
# for Business) and ttlinkd against it, links the demo TikTok Business Account
# to the demo Ads Manager account through the sandbox's two authorization
# pages (as a browser would, with curl), and prints `ttlinkctl status`.
# Both keep running until Ctrl-C (or exit at once with TTLINK_DEMO_EXIT=1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target ttlinkd ttlinkctl ttlink-sandbox

demo=${TTLINK_DEMO_DIR:-$root/build/demo}
rm -rf "$demo" && mkdir -p "$demo" && chmod 700 "$demo"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: polls COMMAND until it succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.1
  done
}

build/sandbox/ttlink-sandbox --listen 127.0.0.1:0 >"$demo/sandbox.out" 2>"$demo/sandbox.log" &
pids+=($!)
wait_for 10 grep -q "listening on" "$demo/sandbox.out"
sandbox=$(sed -n 's/^listening on //p' "$demo/sandbox.out" | head -1)
echo "sandbox:  $sandbox"

world=$(curl -fsS "$sandbox/_sandbox/world?comments=false")
jq -r .app.secret <<<"$world" >"$demo/app_secret" && chmod 600 "$demo/app_secret"
app_id=$(jq -r .app.app_id <<<"$world")
advertiser=$(jq -r '.advertisers[0].advertiser_id' <<<"$world")
port=${TTLINK_DEMO_CALLBACK_PORT:-8417}
cat >"$demo/ttlinkd.toml" <<TOML
[tiktok]
api_base = "$sandbox/open_api/v1.3"
app_id = "$app_id"
app_secret_file = "$demo/app_secret"
advertiser_auth_url = "$sandbox/portal/auth"
account_auth_url = "$sandbox/v2/auth/authorize/"
[callback]
listen = "127.0.0.1:$port"
public_url = "http://127.0.0.1:$port/callback"
[store]
path = "$demo/ttlink.db"
key_file = "$demo/store_key"
[control]
socket = "$demo/ttlinkd.sock"
group = ""
[metrics]
listen = ""
[[alerts.sink]]
type = "log"
[comments]
alert_keywords = ["price", "refund", "scam"]
TOML

build/daemon/ttlinkd --config "$demo/ttlinkd.toml" 2>"$demo/ttlinkd.log" &
pids+=($!)
wait_for 20 grep -q "event=daemon.ready" "$demo/ttlinkd.log"
ctl() { build/ctl/ttlinkctl --socket "$demo/ttlinkd.sock" "$@"; }

echo "linking the demo account to advertiser $advertiser ..."
started=$(ctl --json link start --advertiser "$advertiser" --no-wait)
for key in advertiser_auth_url account_auth_url; do
  url=$(jq -r ".$key // empty" <<<"$started")
  [ -n "$url" ] || continue
  echo "  opening $key (the sandbox approves and redirects to ttlinkd's callback)"
  curl -fsSL "$url" | sed -n 's:.*<p>\(.*\)</p>.*:    \1:p'
done
echo
ctl links
echo
status=0; ctl status || status=$?
link_id=$(jq -r .link_id <<<"$started")
echo
echo "Spark Ads of link $link_id: posts and their authorizations, comments on promoted videos"
ctl sync "$link_id"
ctl posts
echo
ctl comments --limit 5
echo
ctl alerts
echo
echo "files in $demo (config, store, logs); socket $demo/ttlinkd.sock"
echo "try: build/ctl/ttlinkctl --socket $demo/ttlinkd.sock link show $link_id"
echo "     build/ctl/ttlinkctl --socket $demo/ttlinkd.sock comment reply COMMENT_ID 'Thanks!'"
if [ "${TTLINK_DEMO_EXIT:-0}" = 1 ]; then exit "$status"; fi
echo "ttlinkd and the sandbox keep running; Ctrl-C stops both."
wait
