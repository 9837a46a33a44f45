#!/usr/bin/env python3
"""A webhook receiver for the stress scripts: appends every body it accepts,
with its Idempotency-Key, to a file (one JSON line each), and fails a
fraction of requests with 503 (so ttlinkd retries).

  webhook_receiver.py OUT_FILE FAIL_FRACTION [SEED]

Prints "listening on PORT" once bound (port chosen by the kernel).
POST /_control/fail with a body "0.0" changes the failure fraction.
"""
import http.server
import json
import random
import sys
import threading


def main():
    out_path, fail = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    lock = threading.Lock()
    state = {"fail": fail, "accepted": 0, "failed": 0}
    out = open(out_path, "a", encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle(self):
            try:
                super().handle()
            except ConnectionError:
                pass  # ttlinkd was killed mid-request: nothing was accepted

        def answer(self, status, text=""):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8", "replace")
            if self.path == "/_control/fail":
                with lock:
                    state["fail"] = float(body)
                return self.answer(200, "ok")
            with lock:
                if rng.random() < state["fail"]:
                    state["failed"] += 1
                    return self.answer(503, "failing on purpose")
                line = {"key": self.headers.get("Idempotency-Key", ""), "body": body}
                out.write(json.dumps(line) + "\n")
                out.flush()
                state["accepted"] += 1
            self.answer(200, "ok")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
