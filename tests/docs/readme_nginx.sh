#!/usr/bin/env bash
# The README's nginx example, run by a real nginx on loopback (TLS lines
# dropped): the OAuth callback and the alerts' action links reach ttlinkd's
# listener, nothing else does. (Before, an exact `location = /callback`
# refused every action link; then an unquoted regex with braces made nginx
# refuse the whole file.)
set -euo pipefail
readme=${1:?README.md}
work=$(mktemp -d)
trap 'nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; kill "${backend:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
front=$(free_port)
back=$(free_port)

# A stand-in for ttlinkd's callback listener: answers 200 and the path.
python3 - "$back" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"backend:" + self.path.encode())
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
backend=$!

block=$(awk '/^```nginx$/{on=1; next} /^```$/{on=0} on' "$readme")
[ -n "$block" ] || { echo "no nginx block in $readme" >&2; exit 1; }
block=$(printf '%s\n' "$block" | grep -v ssl_certificate |
        sed -e "s/listen 443 ssl;/listen 127.0.0.1:$front;/" -e "s/127.0.0.1:8417/127.0.0.1:$back/")
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work;
  fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
$block
}
CONF
nginx -t -c "$work/nginx.conf"
nginx -c "$work/nginx.conf"
# Both up before asking (a poll with a deadline, not a fixed sleep).
for port in "$back" "$front"; do
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "nothing listens on $port" >&2; exit 1; }
done

fail=0
expect() {  # PATH STATUS: through to the backend (200) or refused by nginx (404)
  local body status
  body=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$front$1")
  status=${body##*$'\n'}
  if [ "$status" != "$2" ]; then echo "FAIL $1: $status, expected $2" >&2; fail=1; fi
  if [ "$2" = 200 ] && [[ "$body" != backend:* ]]; then echo "FAIL $1: not from the backend" >&2; fail=1; fi
}
token=$(head -c32 /dev/urandom | od -An -tx1 | tr -d ' \n')
expect "/callback?code=C&state=S" 200
expect "/callback/reauth/$token" 200
expect "/callback/reauth/not-a-token" 404
expect "/callbackx" 404
expect "/metrics" 404
expect "/" 404
[ "$fail" = 0 ] && echo "README nginx example: callback and action links pass, the rest is refused"
exit "$fail"
