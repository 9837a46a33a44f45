#!/usr/bin/env python3
"""The store's file system fills up while ttlinkd refreshes tokens, ingests
comments and records alerts; then space comes back. Run as root through
tests/stress/disk_full.sh (it mounts a small tmpfs for the store).

1. LINKS links through the real flow, synced, alerts delivered.
2. The tmpfs is filled to the last byte (a filler file); upstream gains
   COMMENTS comments per link (more than the store can take) and an
   advertiser is switched to STATUS_LIMIT (an alert to record).
3. For FULL_SECONDS the daemon is driven (refresh, check, sync per link)
   and keeps polling on its own. Checked: it keeps running, its log says
   the store is full naming the store's file, and no link is marked dead
   (REAUTH_REQUIRED, NOT_BUSINESS, PERMISSION_DENIED) for it.
4. The filler is deleted. Checked, once the daemon has caught up: the
   advertiser's state change is recorded with its alert (then resolved),
   every
   refresh token in the store is the live one upstream (none lost to a
   failed commit), every refresh works, the store's comments are exactly
   upstream's (none lost, none twice), the advertiser_inactive alert fired
   and every outbox event reached the webhook in order.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kill_loop as kl  # noqa: E402  (shares the sandbox, daemon and checks)

LINKS = int(os.environ.get("DISK_FULL_LINKS", "4"))
COMMENTS = int(os.environ.get("DISK_FULL_COMMENTS", "1000"))
FULL_SECONDS = float(os.environ.get("DISK_FULL_SECONDS", "15"))
DEAD_STATES = {"REAUTH_REQUIRED", "NOT_BUSINESS", "PERMISSION_DENIED"}


def fill(path):
    """Writes until the file system refuses a single byte more."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 512, 1):
            block = b"\0" * chunk
            try:
                while True:
                    written += f.write(block)
            except OSError:
                pass
    return written


def states(daemon):
    return {str(r["id"]): r["state"] for r in kl.sql(daemon.db, "SELECT id, state FROM links")}


def drive(daemon, links, seconds):
    """Refresh, check and sync every link, over and over; count the errors."""
    errors, calls = {}, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for link in links:
            for method in ("link.refresh", "spark.sync", "link.check"):
                answer = kl.rpc(daemon.sock, method, {"id": link["id"]}, timeout=60)
                calls += 1
                if "error" in answer:
                    message = answer["error"].get("message", "")
                    errors[method] = errors.get(method, 0) + 1
                    errors.setdefault(f"{method} e.g.", message)
    return calls, errors


def main():
    work, store_dir = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    received = os.path.join(work, "received.jsonl")
    hook = subprocess.Popen(
        [sys.executable, os.path.join(kl.ROOT, "tests", "stress", "webhook_receiver.py"),
         received, "0"], stdout=subprocess.PIPE, text=True)
    hook_port = int(hook.stdout.readline().split()[-1])
    sandbox = kl.Sandbox(work)
    daemon = None
    failures = []
    try:
        sandbox.control("POST", "/generate",
                        {"links": LINKS, "comments": 50, "posts_per_advertiser": 1})
        world = sandbox.control("GET", "/world?comments=false")
        daemon = kl.Daemon(work, sandbox, hook_port, store_dir=store_dir)
        daemon.start()
        daemon.wait_ready()
        links = kl.link_all(sandbox, daemon, world)
        for link in links:
            kl.rpc_ok(daemon.sock, "spark.sync", {"id": link["id"]})
        kl.log(f"{len(links)} links made and synced; store {daemon.db}")

        filler = os.path.join(store_dir, "filler")
        filled = fill(filler)
        free = os.statvfs(store_dir)
        kl.log(f"store file system full: filler of {filled} bytes, "
               f"{free.f_bavail * free.f_frsize} bytes left")
        for link in links:
            sandbox.control("POST", "/comments", {
                "advertiser_id": link["advertiser_id"], "ad_id": link["ad_id"],
                "item_id": link["item_id"], "text": "disk full comment {i} " + "x" * 200,
                "repeat": COMMENTS})
        limited = links[0]
        sandbox.control("POST", "/advertisers",
                        {"advertiser_id": limited["advertiser_id"], "status": "STATUS_LIMIT"})

        calls, errors = drive(daemon, links, FULL_SECONDS)
        kl.log(f"while full: {calls} calls, errors: {json.dumps(errors)}")
        if daemon.proc.poll() is not None:
            failures.append(f"ttlinkd exited {daemon.proc.returncode} on a full disk")
            daemon.start()
            daemon.wait_ready()
        with open(daemon.log_path, errors="replace") as f:
            log_text = f.read()
        full_lines = [l for l in log_text.splitlines()
                      if daemon.db in l and "full" in l]
        if not full_lines:
            failures.append("no log line names the store and says it is full")
        else:
            kl.log(f"{len(full_lines)} log lines name the full store, e.g.: {full_lines[0]}")
        if not errors:
            failures.append("nothing failed while the disk was full: the test did not bite")
        dead = {i: s for i, s in states(daemon).items() if s in DEAD_STATES}
        if dead:
            failures.append(f"links marked dead while the disk was full: {dead}")

        os.remove(filler)
        kl.log("space is back")
        # The state change the full disk refused is recorded now, with its
        # alert; then the advertiser recovers and the alert resolves.
        kl.rpc(daemon.sock, "link.check", {"id": limited["id"]}, timeout=60)
        if states(daemon).get(limited["id"]) != "ADVERTISER_INACTIVE":
            failures.append(f"link {limited['id']} is {states(daemon).get(limited['id'])}, "
                            "not ADVERTISER_INACTIVE")
        sandbox.control("POST", "/advertisers",
                        {"advertiser_id": limited["advertiser_id"], "status": "STATUS_ENABLE"})
        for _ in range(3):
            calls, errors = drive(daemon, links, 0.1)
        if errors:
            failures.append(f"errors after space came back: {json.dumps(errors)}")
        for link in links:
            for _ in range(100):
                if not kl.rpc_ok(daemon.sock, "spark.sync", {"id": link["id"]}).get("more"):
                    break
        bad = {i: s for i, s in states(daemon).items() if s != "ACTIVE"}
        if bad:
            failures.append(f"links not ACTIVE after recovery: {bad}")
        ledger = kl.TokenLedger(sandbox, daemon, links)
        if ledger.check("after recovery"):
            failures.append("a refresh token was lost")
        failures += ledger.failures
        failures += kl.refresh_all(daemon, links)
        kl.wait_until(
            lambda: kl.sql(daemon.db, "SELECT count(*) AS n FROM alert_deliveries "
                                      "WHERE delivered_at IS NULL")[0]["n"] == 0,
            120, "the alert outbox to drain", step=0.5)
        comments_up, comments_stored, comment_failures = kl.check_comments(sandbox, daemon, links)
        failures += comment_failures
        events, fingerprints, deliveries, _, alert_failures = kl.check_alerts(daemon, received)
        failures += alert_failures
        fired = kl.sql(daemon.db, "SELECT count(*) AS n FROM alerts WHERE "
                                  f"fingerprint = 'advertiser_inactive/{limited['id']}'")[0]["n"]
        resolved = kl.sql(daemon.db, "SELECT count(*) AS n FROM alert_deliveries WHERE "
                                     f"fingerprint = 'advertiser_inactive/{limited['id']}' "
                                     "AND event_id LIKE '%.resolved'")[0]["n"]
        if fired != 1 or resolved != 1:
            failures.append(f"advertiser_inactive/{limited['id']}: {fired} alerts, "
                            f"{resolved} resolves; expected 1 and 1")
        daemon.stop()

        print()
        print(f"store:    tmpfs {store_dir}, filled with {filled} bytes, then freed")
        print(f"tokens:   {ledger.checked} refresh tokens checked against upstream, "
              f"{len(links)} final refreshes")
        print(f"comments: {comments_up} upstream ({COMMENTS * len(links)} added while full), "
              f"{comments_stored} stored")
        print(f"alerts:   {events} events over {fingerprints} fingerprints, "
              f"{deliveries} deliveries")
        if failures:
            print(f"FAILED ({len(failures)}):")
            for f in failures[:30]:
                print(f"  {f}")
            return 1
        print("OK: clear error naming the store, no link marked dead, nothing lost, recovered")
        return 0
    finally:
        if daemon and daemon.proc and daemon.proc.poll() is None:
            daemon.proc.kill()
        sandbox.proc.terminate()
        hook.terminate()


if __name__ == "__main__":
    sys.exit(main())
