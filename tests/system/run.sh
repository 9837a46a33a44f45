#!/usr/bin/env bash
# tests/system/run.sh: ttlink's .deb under a real systemd (not part of ctest).
#
# Boots Debian bookworm's systemd as PID 1 of a systemd-nspawn container (no
# machined needed: --register=no --keep-unit; the container shares the host's
# network), installs the package with apt, and checks what a server admin
# relies on: the unit waits for the app secret; start (READY=1); members of
# group ttlink use ttlinkctl, others are refused (exit 3); linking against a
# ttlink-sandbox on the host; an alert through the exec and log sinks under
# the unit's sandboxing; reload keeps the PID; kill -9 is restarted with
# nothing lost; the watchdog is armed and restarts a hung daemon; the journal
# has priority-tagged lines; systemd-analyze security <= 2.0; stop ends with
# Result=success; an upgrade keeps config, key and store; purge removes them.
#
# Usage: tests/system/run.sh            (as root; builds the .deb with scripts/package.sh)
# Env:   TTLINK_DEB=path.deb            test this package instead of building one
#        TTLINK_SYSTEM_CACHE=DIR        root file system cache (default .cache/system)
#        TTLINK_SYSTEM_REBUILD=1        debootstrap again
#        TTLINK_SYSTEM_KEEP=1           leave the container running at the end
# The first run debootstraps (about 3 minutes); later runs reuse the cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

SUITE=bookworm
CACHE=${TTLINK_SYSTEM_CACHE:-$repo/.cache/system}
ROOT=$CACHE/$SUITE-root
# systemd and the package's run-time libraries, so that apt installs the .deb
# without downloading anything.
PKGS=systemd,systemd-sysv,dbus,ca-certificates,procps,libnss-systemd,libboost-json1.81.0,libboost-url1.81.0,libtomlplusplus3,libsqlite3-0,libssl3
MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
NAME=ttlink-system-$$
LOG=$(mktemp /tmp/ttlink-system.XXXXXX.log)
NSPAWN_PID= ; CPID= ; SANDBOX_PID= ; CGDIRS=() ; FAILS=0

now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
T_START=$(now_us); T_LAST=$T_START
phase() { local t; t=$(now_us); printf '  %-44s %7.2fs\n' "$1" "$(( t - T_LAST ))e-6"; T_LAST=$t; }
ok()    { echo "    ok   $*"; }
bad()   { echo "    FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1 want=$2 got=$3; [[ $got == "$want" ]] && ok "$what = $got" || bad "$what: want '$want', got '$got'"; }
die()   { echo "system test: $*" >&2; exit 1; }

# A command inside the container: all namespaces of its PID 1, a clean environment.
cexec() { timeout "${CEXEC_TIMEOUT:-60}" nsenter -t "$CPID" -a -- \
            env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"; }
cput()  { cexec sh -c "mkdir -p \"\$(dirname '$1')\" && cat > '$1' && chmod ${2:-644} '$1'"; }
prop()  { cexec systemctl show -P "$1" ttlinkd.service; }
as()    { local user=$1; shift; cexec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; }
ctl()   { as alice ttlinkctl "$@"; }
# until_true SECONDS COMMAND...: polls COMMAND (a condition, with a deadline).
until_true() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do ((SECONDS < deadline)) || return 1; sleep 0.1; done
}

cleanup() {
  local rc=$?
  set +e
  [[ -n $SANDBOX_PID ]] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
  [[ -n ${unpacked:-} ]] && rm -rf "$unpacked"
  if [[ -n $NSPAWN_PID ]] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    if [[ ${TTLINK_SYSTEM_KEEP:-0} == 1 ]]; then
      echo "container kept: nsenter -t $CPID -a systemctl status ttlinkd; stop with: kill $NSPAWN_PID"
      return
    fi
    kill -TERM "$NSPAWN_PID"  # nspawn turns SIGTERM into a clean halt of the container
    for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$NSPAWN_PID" 2>/dev/null && kill -KILL "$NSPAWN_PID"
    wait "$NSPAWN_PID" 2>/dev/null
  fi
  for d in "${CGDIRS[@]}"; do [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
  rm -rf "/run/systemd/nspawn/propagate/$NAME" 2>/dev/null
  if [[ $rc != 0 || $FAILS != 0 ]]; then
    echo "--- last lines of the container's console ($LOG) ---"; tail -n 20 "$LOG"
  else
    rm -f "$LOG"
  fi
  phase "teardown"
  printf '  %-44s %7.2fs\n' "TOTAL" "$(( $(now_us) - T_START ))e-6"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || die "run as root (systemd-nspawn)"
echo "== ttlink under systemd ($NAME) =="

# ---------- host prerequisites ----------
need=()
for tool in systemd-nspawn:systemd-container debootstrap:debootstrap zstd:zstd nsenter:util-linux \
            curl:curl jq:jq; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
((${#need[@]})) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
phase "prerequisites (${need[*]:-none missing})"

# ---------- the package ----------
if [[ -n ${TTLINK_DEB:-} ]]; then
  deb=$(realpath "$TTLINK_DEB")
else
  deb=$(scripts/package.sh | tail -n 1)
fi
[[ -f $deb ]] || die "no package at '$deb'"
# The packaged sandbox runs on the host (whose libraries the build used).
unpacked=$(mktemp -d /tmp/ttlink-system-deb.XXXXXX)
dpkg-deb -x "$deb" "$unpacked"
sandbox_bin=$unpacked/usr/bin/ttlink-sandbox
phase "package $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# ---------- root file system (cached) ----------
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"; flock 9
if [[ ${TTLINK_SYSTEM_REBUILD:-0} == 1 ]]; then
  rm -rf "$ROOT" "$ROOT.tmp"
elif [[ -d $ROOT && $(cat "$CACHE/packages" 2>/dev/null) != "$PKGS" ]]; then
  rm -rf "$ROOT"  # made with another package list
fi
how="reused"
if [[ ! -x $ROOT/usr/lib/systemd/systemd ]]; then
  if [[ ! -x $ROOT.tmp/usr/lib/systemd/systemd ]]; then
    rm -rf "$ROOT.tmp"
    debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT.tmp" "$MIRROR" >"$LOG.debootstrap" 2>&1 ||
      { tail -20 "$LOG.debootstrap"; die "debootstrap failed"; }
    rm -f "$LOG.debootstrap"
  fi
  rm -f "$ROOT.tmp/etc/hostname"                                          # hostname := machine name
  ln -sf /dev/null "$ROOT.tmp/etc/systemd/system/console-getty.service"   # no login prompt on the log
  for t in apt-daily apt-daily-upgrade dpkg-db-backup e2scrub_all fstrim; do
    ln -sf /dev/null "$ROOT.tmp/etc/systemd/system/$t.timer"; done
  rm -f "$ROOT.tmp"/var/cache/apt/archives/*.deb
  mv "$ROOT.tmp" "$ROOT"
  echo "$PKGS" >"$CACHE/packages"
  how="debootstrap"
fi
flock -u 9
phase "root file system ($how, $CACHE)"

# ---------- the sandbox, on the host (the container shares its network) ----------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$sandbox_bin" --listen 127.0.0.1:0 >"$LOG.sandbox" 2>&1 &
SANDBOX_PID=$!
until_true 10 grep -q "listening on" "$LOG.sandbox" || die "the sandbox did not start"
sandbox=$(sed -n 's/^listening on //p' "$LOG.sandbox" | head -1)
world=$(curl -fsS "$sandbox/_sandbox/world?comments=false")
advertiser=$(jq -r '.advertisers[0].advertiser_id' <<<"$world")
phase "sandbox on the host ($sandbox)"

# ---------- boot ----------
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then CGDIRS=("/sys/fs/cgroup/nspawn-$NAME")
else for h in systemd unified; do mountpoint -q /sys/fs/cgroup/$h && CGDIRS+=("/sys/fs/cgroup/$h/nspawn-$NAME"); done; fi
for d in "${CGDIRS[@]}"; do mkdir -p "$d"; done
( for d in "${CGDIRS[@]}"; do echo "$BASHPID" > "$d/cgroup.procs"; done
  exec systemd-nspawn --quiet -D "$ROOT" --machine="$NAME" --register=no --keep-unit \
       --volatile=overlay --console=read-only --bind-ro="$(dirname "$deb")":/mnt/ttlink --boot
) >"$LOG" 2>&1 </dev/null &
NSPAWN_PID=$!
for _ in $(seq 300); do
  CPID=$(pgrep -P "$NSPAWN_PID" -x systemd || true); [[ -n $CPID ]] && break
  kill -0 "$NSPAWN_PID" 2>/dev/null || die "systemd-nspawn exited early"; sleep 0.1
done
[[ -n $CPID ]] || die "no container PID 1"
state=
for _ in $(seq 600); do
  state=$(CEXEC_TIMEOUT=5 cexec systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break; sleep 0.1
done
[[ $state == running || $state == degraded ]] || die "the container did not finish booting ($state)"
phase "boot systemd in the container ($state)"

# ---------- install ----------
cexec useradd --create-home alice
cexec useradd --create-home mallory
CEXEC_TIMEOUT=300 cexec apt-get install -y -qq "/mnt/ttlink/$(basename "$deb")" >"$LOG.apt" 2>&1 ||
  { cat "$LOG.apt"; die "apt-get install failed"; }
check "unit enabled" enabled "$(cexec systemctl is-enabled ttlinkd.service || true)"
check "waits for the app secret (ConditionResult)" no "$(prop ConditionResult)"
check "not failed meanwhile" inactive "$(cexec systemctl is-active ttlinkd.service || true)"
check "store key" "32 600 root" "$(cexec stat -c '%s %a %U' /etc/ttlink/store_key)"
check "user ttlink" "ttlink" "$(cexec id -gn ttlink)"
check "/var/lib/ttlink" "750 ttlink" "$(cexec stat -c '%a %U' /var/lib/ttlink)"
check "man page" "/usr/share/man/man8/ttlinkd.8.gz" "$(cexec sh -c 'ls /usr/share/man/man8/ttlinkd.8.gz')"
cexec usermod -aG ttlink alice
phase "apt-get install the .deb"

# ---------- configure and start ----------
cb_port=$(free_port); metrics_port=$(free_port)
cexec sed -i \
  -e "s|^api_base = .*|api_base = \"$sandbox/open_api/v1.3\"|" \
  -e "s|^app_id = .*|app_id = \"$(jq -r .app.app_id <<<"$world")\"|" \
  -e "s|^advertiser_auth_url = .*|advertiser_auth_url = \"$sandbox/portal/auth\"|" \
  -e "s|^account_auth_url = .*|account_auth_url = \"$sandbox/v2/auth/authorize/\"|" \
  -e "s|^listen = \"127.0.0.1:8417\"|listen = \"127.0.0.1:$cb_port\"|" \
  -e "s|^public_url = .*|public_url = \"http://127.0.0.1:$cb_port/callback\"|" \
  -e "s|^listen = \"127.0.0.1:9417\"|listen = \"127.0.0.1:$metrics_port\"|" \
  /etc/ttlink/ttlinkd.toml
# An exec sink: a program run under the unit's sandboxing, writing where the unit may.
cput /usr/local/bin/ttlink-test-notify 755 <<'EOF'
#!/bin/sh
{ printf '%s ' "$TTLINK_ALERT_ID"; cat; echo; } >> /var/lib/ttlink/exec-alerts.log
EOF
cexec sh -c 'cat >> /etc/ttlink/ttlinkd.toml' <<'EOF'

[[alerts.sink]]
type = "exec"
command = ["/usr/local/bin/ttlink-test-notify"]
EOF
jq -r .app.secret <<<"$world" | cput /etc/ttlink/app_secret 600
# The config reads the secret from /run/credentials/: from root's shell it is "checked at start".
cexec ttlinkd --check-config >"$LOG.check" 2>&1 && ok "ttlinkd --check-config valid" ||
  { bad "ttlinkd --check-config"; cat "$LOG.check"; }
grep -q "app_secret: checked at start" "$LOG.check" && ok "credential reported as checked at start" ||
  bad "credential not reported as checked at start: $(cat "$LOG.check")"
t0=$(now_us)
cexec systemctl start ttlinkd.service && ok "systemctl start returned (READY=1)" || bad "systemctl start"
printf '    (start to READY: %.2fs)\n' "$(( $(now_us) - t0 ))e-6"
check "ActiveState" active "$(prop ActiveState)"
check "SubState" running "$(prop SubState)"
check "runs as" "ttlink" "$(cexec ps -o user= -p "$(prop MainPID)")"
pid1=$(prop MainPID)
phase "configure + start"

# ---------- ttlinkctl: the group ttlink, and everyone else ----------
ctl status >/dev/null && ok "alice (group ttlink): ttlinkctl status exits 0" || bad "alice: ttlinkctl status exited $?"
rc=0; as mallory ttlinkctl status >"$LOG.mallory" 2>&1 || rc=$?
check "mallory (not in group ttlink): ttlinkctl exit code" 3 "$rc"
grep -q "cannot reach ttlinkd" "$LOG.mallory" && ok "mallory is told: $(head -1 "$LOG.mallory")" || bad "mallory's message: $(cat "$LOG.mallory")"
check "socket" "660 ttlink" "$(cexec stat -c '%a %G' /run/ttlink/ttlinkd.sock)"
phase "ttlinkctl as a member and a non-member"

# ---------- linking against the sandbox ----------
started=$(ctl --json link start --advertiser "$advertiser" --no-wait)
link_id=$(jq -r .link_id <<<"$started")
for key in advertiser_auth_url account_auth_url; do
  url=$(jq -r ".$key // empty" <<<"$started")
  [[ -n $url ]] && curl -fsSL -o /dev/null "$url"  # the sandbox approves and redirects to the callback
done
link_state() { ctl --json link show "$link_id" | jq -r .link.state; }
until_true 20 test "$(link_state)" = ACTIVE
check "link $link_id" ACTIVE "$(link_state)"
phase "link through the sandbox's authorization pages"

# ---------- an alert through the exec and log sinks ----------
curl -fsS -X POST "$sandbox/_sandbox/tokens/revoke" -d '{"open_id":"demo-open-id-0001"}' >/dev/null
ctl check "$link_id" >/dev/null || true
check "link after revoking its token" REAUTH_REQUIRED "$(link_state)"
alert_id=$(ctl --json alerts | jq -r '.alerts[0].id')
until_true 20 cexec grep -q "$alert_id" /var/lib/ttlink/exec-alerts.log &&
  ok "exec sink ran under the sandboxing (alert $alert_id in its output)" || bad "the exec sink did not deliver"
phase "alert: exec sink"

# ---------- reload keeps the PID ----------
cexec systemctl reload ttlinkd.service && ok "systemctl reload" || bad "systemctl reload"
until_true 10 sh -c "nsenter -t $CPID -a journalctl -u ttlinkd -o cat | grep -q event=config.reloaded" &&
  ok "journal: event=config.reloaded" || bad "no config.reloaded in the journal"
check "MainPID after reload" "$pid1" "$(prop MainPID)"
check "ActiveState after reload" active "$(prop ActiveState)"
phase "reload"

# ---------- the watchdog is armed ----------
check "WatchdogUSec" 30s "$(prop WatchdogUSec)"
(( $(prop WatchdogTimestampMonotonic) > 0 )) && ok "WATCHDOG=1 received (WatchdogTimestamp=$(prop WatchdogTimestamp))" ||
  bad "no WATCHDOG=1 received"
phase "watchdog armed"

# ---------- kill -9: restarted by systemd, nothing lost ----------
restarts=$(prop NRestarts)
cexec kill -9 "$pid1"
until_true 30 sh -c "[ \"\$(nsenter -t $CPID -a systemctl show -P SubState ttlinkd)\" = running ] &&
                     [ \"\$(nsenter -t $CPID -a systemctl show -P MainPID ttlinkd)\" != $pid1 ]" &&
  ok "restarted after kill -9 (PID $pid1 -> $(prop MainPID))" || bad "not restarted after kill -9"
check "NRestarts" "$((restarts + 1))" "$(prop NRestarts)"
check "link $link_id after kill -9" REAUTH_REQUIRED "$(link_state)"
check "its alert after kill -9" "$alert_id" "$(ctl --json alerts | jq -r '.alerts[0].id')"
pid2=$(prop MainPID)
phase "kill -9 and restart"

# ---------- a hung state thread is killed by the watchdog and restarted ----------
# A drop-in shortens the watchdog for the test; SIGSTOP hangs every thread.
cput /run/systemd/system/ttlinkd.service.d/test-watchdog.conf <<'EOF'
[Service]
WatchdogSec=2s
TimeoutAbortSec=2s
RestartSec=1s
EOF
cexec systemctl daemon-reload
cexec systemctl restart ttlinkd.service
pid3=$(prop MainPID)
cexec kill -STOP "$pid3"
until_true 30 sh -c "[ \"\$(nsenter -t $CPID -a systemctl show -P SubState ttlinkd)\" = running ] &&
                     [ \"\$(nsenter -t $CPID -a systemctl show -P MainPID ttlinkd)\" != $pid3 ]" &&
  ok "hung daemon (SIGSTOP) restarted by the watchdog (PID $pid3 -> $(prop MainPID))" || bad "the watchdog did not restart a hung daemon"
until_true 10 sh -c "nsenter -t $CPID -a journalctl -u ttlinkd -o cat | grep -q 'Watchdog timeout'" &&
  ok "journal: systemd's 'Watchdog timeout'" ||
  bad "no watchdog timeout in the journal"
cexec rm /run/systemd/system/ttlinkd.service.d/test-watchdog.conf
cexec systemctl daemon-reload
cexec systemctl restart ttlinkd.service
check "link $link_id after the watchdog restart" REAUTH_REQUIRED "$(link_state)"
phase "watchdog restarts a hung daemon"

# ---------- the journal ----------
# ttlinkd writes "<N>" prefixes; journald turns them into priorities, so -p filters on them.
at_priority() { cexec journalctl -u ttlinkd.service -p "$1..$1" -o cat --no-pager; }
at_priority info | grep "event=daemon.ready" >/dev/null && ok "journal: event=daemon.ready at priority info" ||
  bad "journal: no event=daemon.ready at priority info"
at_priority err | grep "event=alert .*status=firing" >/dev/null && ok "journal: the firing critical alert at priority err" ||
  bad "journal: no firing alert at priority err: $(cexec journalctl -u ttlinkd -o cat | grep event=alert | head -2)"
journal=$(cexec journalctl -u ttlinkd.service -o cat --no-pager)
untagged=$(grep -E '^<[0-7]>' <<<"$journal" | head -3 || true)
[[ -z $untagged ]] && ok "no unparsed <N> prefix in $(wc -l <<<"$journal") lines" || bad "unparsed prefixes: $untagged"
grep -qF "$(jq -r .app.secret <<<"$world")" <<<"$journal" && bad "the app secret is in the journal" ||
  ok "the app secret is not in the journal"
phase "journal"

# ---------- exposure ----------
exposure=$(cexec systemd-analyze security ttlinkd.service --no-pager | sed -n 's/.*Overall exposure level for ttlinkd.service: \([0-9.]*\).*/\1/p')
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' && ok "systemd-analyze security: $exposure (<= 2.0)" ||
  bad "systemd-analyze security: '$exposure'"
phase "systemd-analyze security"

# ---------- upgrade keeps config, key and store ----------
before=$(cexec sha256sum /etc/ttlink/store_key /etc/ttlink/ttlinkd.toml)
pid4=$(prop MainPID)
CEXEC_TIMEOUT=300 cexec apt-get install -y -qq --reinstall "/mnt/ttlink/$(basename "$deb")" >>"$LOG.apt" 2>&1 || bad "reinstall"
check "key and config after upgrade" "$before" "$(cexec sha256sum /etc/ttlink/store_key /etc/ttlink/ttlinkd.toml)"
[[ $(prop MainPID) != "$pid4" && $(prop ActiveState) == active ]] && ok "restarted by the upgrade" || bad "not restarted by the upgrade"
check "link $link_id after upgrade" REAUTH_REQUIRED "$(link_state)"
phase "upgrade (apt-get install --reinstall)"

# ---------- stop ----------
cexec systemctl stop ttlinkd.service && ok "systemctl stop" || bad "systemctl stop"
check "Result" success "$(prop Result)"
check "ExecMainStatus" 0 "$(prop ExecMainStatus)"
cexec journalctl -u ttlinkd -o cat | grep "event=daemon.stopped" >/dev/null && ok "journal: event=daemon.stopped" || bad "no daemon.stopped"
phase "stop"

# ---------- purge ----------
CEXEC_TIMEOUT=300 cexec apt-get purge -y -qq ttlink >>"$LOG.apt" 2>&1 || bad "purge"
check "after purge: /var/lib/ttlink, store key" "gone gone" \
  "$(cexec sh -c '[ -e /var/lib/ttlink ] && echo kept || echo gone; [ -e /etc/ttlink/store_key ] && echo kept || echo gone' | xargs)"
phase "purge"

rm -f "$LOG.sandbox" "$LOG.apt" "$LOG.mallory" "$LOG.check"
echo "== result: $([[ $FAILS == 0 ]] && echo PASS || echo "FAIL ($FAILS)") =="
[[ $FAILS == 0 ]]
