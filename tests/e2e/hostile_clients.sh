#!/usr/bin/env bash
# vigie-serve against hostile clients (python3 raw sockets, openssl s_client):
#   (a) 3000 idle connections and 1000 that sent half a request line, held open, while a normal client
#       makes 200 sequential requests: all answered, p99 printed and under 100 ms, server RSS printed;
#       the total cap on parked connections closes the oldest;
#   (b) request smuggling (CL+TE, several CL, invalid CL, TE not exactly chunked, obs-fold, bare LF, ...):
#       400 with a JSON reason, the connection closed, the smuggled request never answered; a body the
#       route does not read closes the connection too; plain pipelining still works;
#   (c) path traversal on /static (dot segments, encoded slashes and dots, backslashes, NUL, absolute
#       paths and URLs): 400 or 404, never a file;
#   (d) TLS: 1.0 and 1.1 refused, 1.2 and 1.3 served — with both ends on a permissive OpenSSL config, and
#       a control s_server proving that this client does speak 1.0 and 1.1; idle TLS connections and
#       silent TCP connections hold no worker; smuggling over TLS closes the connection too;
#   (e) a flood from one address gets 429 while another address (127.0.0.2) is served.
# Usage: hostile_clients.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

# Thousands of sockets on both ends (vigie-serve raises its soft limit to this hard limit itself).
ulimit -n 16384 || { echo "cannot raise the open-file limit to 16384 (run as root, or raise the hard limit)" >&2; exit 1; }

"$GEN" --rows 5000 --seed 41 --duplicates 0 -o dump.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach b --title B --date 2024-01-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach b --input dump.csv --kind nir --column nir --no-progress >/dev/null
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

# ---- (a) idle and half-sent connections held while a normal client is served ----------------------
# Long timeouts so that the server does not just close them before the measurement.
start_server idle --index idx --rate-limit 0 --no-access-log --keep-alive-timeout 60 --read-timeout 60
IDLE_PID=$PID
echo "server RSS before: $(rss_kb "$IDLE_PID") kB"
python3 - "$PORT" > idle.json <<'EOF' &
import http.client, json, random, socket, sys, time
port = int(sys.argv[1])
held = []
# Spread over 20 source addresses: the per-address cap (256 by default) is not what is tested here.
for i in range(3000):
    s = socket.socket()
    s.bind((f"127.0.1.{i % 20 + 1}", 0))
    s.connect(("127.0.0.1", port))
    held.append(s)
for i in range(1000):
    s = socket.socket()
    s.bind((f"127.0.2.{i % 20 + 1}", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /v1/range/nir/00000 HT")
    held.append(s)
time.sleep(1)  # all parked
with open("held.ready", "w"):
    pass
rng = random.Random(5)
latencies, failed = [], 0
for i in range(200):
    t = time.perf_counter()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/v1/range/nir/%05x" % rng.randrange(1 << 20))
        r = c.getresponse()
        r.read()
        c.close()
        failed += r.status != 200
    except Exception:
        failed += 1
    latencies.append(time.perf_counter() - t)
latencies.sort()
# Wait for the metrics scrape of the shell, then count the held sockets the server still has open.
for _ in range(100):
    try:
        open("held.scraped").close()
        break
    except FileNotFoundError:
        time.sleep(0.1)
still_open = 0
for s in held:
    s.setblocking(False)
    try:
        still_open += 0 if s.recv(1) == b"" else 1
    except BlockingIOError:
        still_open += 1
    except OSError:
        pass
print(json.dumps({"failed": failed, "p50_ms": latencies[99] * 1e3, "p99_ms": latencies[197] * 1e3,
                  "max_ms": latencies[-1] * 1e3, "still_open": still_open}))
EOF
LOADER=$!
for _ in $(seq 1 600); do [ -f held.ready ] && break; sleep 0.1; done
sleep 0.5
parked=$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | sed -n 's/^vigie_connections_parked \([0-9]*\)$/\1/p')
echo "server RSS with 4000 hostile connections held: $(rss_kb "$IDLE_PID") kB; parked: $parked"
touch held.scraped
wait "$LOADER" || fail "the idle-flood client failed"
cat idle.json
expect_eq "normal requests failed during the idle flood" "$(json '["failed"]' < idle.json)" 0
p99=$(json '["p99_ms"]' < idle.json)
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 100 else 1)" "$p99" \
  && echo "ok: p99 ${p99} ms < 100 ms with 4000 hostile connections held" \
  || fail "p99 ${p99} ms with 4000 hostile connections held (want < 100 ms)"
[ "${parked:-0}" -ge 4000 ] && echo "ok: $parked connections parked" || fail "parked connections: '$parked', want >= 4000"
expect_eq "hostile connections still held open at the end" "$(json '["still_open"]' < idle.json)" 4000

# The total cap: past --max-idle-connections the oldest parked connections are closed.
start_server capped --index idx --rate-limit 0 --no-access-log --max-idle-connections 100 --max-idle-per-client 0
python3 - "$PORT" > capped.txt <<'EOF' || fail "total cap: $(cat capped.txt)"
import socket, sys, time
port = int(sys.argv[1])
old = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
time.sleep(0.6)  # booked (the parker books at least every 200 ms)
new = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
time.sleep(1.0)
def closed(s):
    s.settimeout(0.01)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True
n_old, n_new = sum(map(closed, old)), sum(map(closed, new))
print(f"oldest closed: {n_old}/50, newest closed: {n_new}/100")
assert n_old == 50 and n_new == 0
EOF
cat capped.txt

# ---- (b) request smuggling -------------------------------------------------------------------------
start_server main --index idx --rate-limit 0
MAIN=$PORT
MAIN_ADMIN=$ADMIN_PORT
python3 - "$MAIN" > smuggling.txt <<'EOF' || fail "smuggling: $(cat smuggling.txt)"
import json, socket, sys, time
port = int(sys.argv[1])
SMUGGLED = b"GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n"

def exchange(data, timeout=5.0):
    """Sends data, reads until the server closes (or timeout): (bytes received, closed?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out, closed, end = b"", False, time.time() + timeout
    try:
        while time.time() < end:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            out += b
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
    s.close()
    return out, closed

def responses(out):
    return out.count(b"HTTP/1.1 ")

# Control: plain pipelining answers both requests on one connection.
out, closed = exchange(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n" + SMUGGLED + b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
assert responses(out) == 3 and b'"ready"' in out, out
print("ok: pipelined requests all answered (control)")

cases = {
    "CL and TE": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "TE and CL": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    "two CL, equal": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
    "two CL, different": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 33\r\n\r\n",
    "CL list": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0, 0\r\n\r\n",
    "CL signed": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: +0\r\n\r\n",
    "CL hex": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0x0\r\n\r\n",
    "CL percent-encoded": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: %30\r\n\r\n",
    "CL empty": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: \r\n\r\n",
    "CL space before colon": b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length : 33\r\n\r\n",
    "TE gzip": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
    "TE gzip, chunked": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "TE chunked, chunked": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    "two TE": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
    "TE xchunked": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    "TE space before colon": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    "TE on HTTP/1.0": b"POST /healthz HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "TE obs-fold": b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: b\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "bare LF": b"GET /healthz HTTP/1.1\nHost: t\nContent-Length: 33\n\n",
    "chunk size 0x": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0x0\r\n\r\n",
    "chunk trailers": b"POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n",
}
for name, attempt in cases.items():
    out, closed = exchange(attempt + SMUGGLED)
    head = out.split(b"\r\n\r\n", 1)[0]
    assert out.startswith(b"HTTP/1.1 400 "), (name, out[:200])
    assert b"\r\nConnection: close" in head, (name, head)
    body = json.loads(out.split(b"\r\n\r\n", 1)[1])
    assert body["reason"] == "request.framing" and body["error"], (name, body)
    assert closed, (name, "connection left open")
    assert responses(out) == 1 and b"ready" not in out, (name, "the smuggled request was answered", out)
    print(f"ok: {name}: 400 {body['reason']} ({body['error']}), connection closed, smuggled request not answered")

# A body the route does not read: answered, then the connection closes (the body is not a request).
bodies = {
    "GET with a body": b"GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 33\r\n\r\n" + SMUGGLED,
    "GET with a chunked body": b"GET /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n21\r\n" + SMUGGLED + b"\r\n0\r\n\r\n",
    "POST on a GET route": b"POST /v1/breaches HTTP/1.1\r\nHost: t\r\nContent-Length: 33\r\n\r\n" + SMUGGLED,
    "body over the limit": b"GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + SMUGGLED,
}
for name, request in bodies.items():
    out, closed = exchange(request + SMUGGLED)
    assert responses(out) == 1 and b"ready" not in out, (name, out)
    assert closed and b"\r\nConnection: close" in out, (name, out[:300])
    print(f"ok: {name}: {out.split(b' ')[1].decode()}, connection closed, nothing else answered")
EOF
cat smuggling.txt
expect_eq "readyz answered to smuggled requests" \
  "$(curl -s "http://127.0.0.1:$MAIN_ADMIN/metrics" | sed -n 's/^vigie_http_requests_total{route="readyz",status="200"} //p')" 1

# ---- (c) path traversal on the embedded page files ------------------------------------------------
python3 - "$MAIN" > traversal.txt <<'EOF' || fail "traversal: $(cat traversal.txt)"
import socket, sys
port = int(sys.argv[1])
def get(target):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return int(out.split(b" ")[1]), out
status, page = get(b"/static/app.js")
assert status == 200 and len(page) > 1000, "control: a real page file is served"
print("ok: /static/app.js 200 (control)")
targets = [
    b"/static/../../../../etc/passwd", b"/static/..%2f..%2f..%2f..%2fetc%2fpasswd", b"/static/%2e%2e/%2e%2e/etc/passwd",
    b"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/static/%252e%252e%252fetc%252fpasswd", b"/static/..\\..\\etc\\passwd",
    b"/static/..%5c..%5cetc%5cpasswd", b"/static/app.js%00.png", b"/static/%00", b"/static/app.js%00",
    b"/static//etc/passwd", b"/static/%2fetc%2fpasswd", b"/static/.%2e/.%2e/etc/passwd", b"/static/....//....//etc/passwd",
    b"/static/../server/server.cc", b"/static/../CMakeLists.txt", b"/static/./app.js", b"/static/.", b"/static/..",
    b"/etc/passwd", b"//etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/..%2f..%2fetc/passwd", b"/static/%c0%ae%c0%ae/etc/passwd",
    b"http://t/../../etc/passwd", b"/static/../../../../proc/self/environ", b"/static/index.html/../../../etc/passwd",
]
for t in targets:
    status, out = get(t)
    body = out.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in out else b""
    assert status in (400, 404), (t, status)
    assert b"root:" not in body and b"PATH=" not in body and b"cmake_minimum_required" not in body, (t, body[:200])
    print(f"ok: {t.decode(errors='replace')} -> {status}")
EOF
cat traversal.txt

# ---- (d) TLS ---------------------------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.crt -days 2 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
# Both ends as permissive as OpenSSL gets, so that only vigie-serve's own minimum can refuse 1.0/1.1
# (Debian's default configuration and OpenSSL's default security level would refuse them on their own).
cat > permissive.cnf <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
EOF
export OPENSSL_CONF="$WORK/permissive.cnf"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tls_get() {  # tls_get PORT VERSION-FLAG: the reply to GET /healthz, empty when the handshake fails
  printf 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' |
    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$1" "$2" 2>/dev/null || true
}
CONTROL_PORT=$(free_port)
openssl s_server -accept "127.0.0.1:$CONTROL_PORT" -cert tls.crt -key tls.key -www >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do tls_get "$CONTROL_PORT" -tls1_2 | grep -q . && break; sleep 0.1; done
for v in tls1 tls1_1; do
  if tls_get "$CONTROL_PORT" "-$v" | grep -q "Protocol  *: TLSv1\(\.1\)\?$"; then
    echo "ok: control: this client speaks -$v with a server that allows it"
  else
    fail "control: the client cannot speak -$v even to a permissive s_server: the refusal test below would prove nothing"
  fi
done
start_server tls --index idx --rate-limit 0 --tls-cert tls.crt --tls-key tls.key
TLS=$PORT
for v in tls1 tls1_1; do
  reply=$(tls_get "$TLS" "-$v")
  if [ -z "$reply" ]; then echo "ok: vigie-serve refuses -$v"; else fail "vigie-serve answered over -$v: $reply"; fi
done
for v in tls1_2 tls1_3; do
  tls_get "$TLS" "-$v" | grep -q '"status":"ok"' && echo "ok: vigie-serve serves -$v" || fail "no answer over -$v"
done
unset OPENSSL_CONF
python3 - "$TLS" > tls.txt <<'EOF' || fail "TLS through the connection loop: $(cat tls.txt)"
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile="tls.crt")
def tls():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="127.0.0.1")
def read_until(s, n):
    out = b""
    while out.count(b"HTTP/1.1 ") < n or not out.endswith(b"}"):
        b = s.recv(65536)
        if not b:
            break
        out += b
    return out
# Idle TLS connections (handshake done) and TCP connections that never send a ClientHello hold no worker.
idle = [tls() for _ in range(150)] + [socket.create_connection(("127.0.0.1", port)) for _ in range(150)]
t = time.time()
s = tls()
for i in range(20):  # keep-alive on one TLS connection
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    assert b'"status":"ok"' in read_until(s, 1)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n" * 3)  # pipelined
assert read_until(s, 3).count(b'"status":"ok"') == 3
elapsed = time.time() - t
assert elapsed < 5, elapsed
print(f"ok: 23 TLS requests in {elapsed * 1e3:.0f} ms with 300 idle TLS/TCP connections held")
# Smuggling over TLS: 400, then the server closes (close_notify, EOF).
s = tls()
s.sendall(b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          b"GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
out = b""
while True:
    try:
        b = s.recv(65536)
    except (ssl.SSLError, ConnectionResetError):
        break
    if not b:
        break
    out += b
assert out.startswith(b"HTTP/1.1 400") and b"request.framing" in out and b"ready" not in out, out
print("ok: smuggling over TLS: 400, closed, smuggled request not answered")
EOF
cat tls.txt

# ---- (e) a flood from one address is limited; another address is served meanwhile ----------------
start_server limited --index idx --rate-limit 5 --rate-burst 20 --no-access-log
python3 - "$PORT" > flood.json <<'EOF' || fail "flood: $(cat flood.json)"
import http.client, json, sys, threading, time
port = int(sys.argv[1])
counts = {"flood_200": 0, "flood_429": 0, "flood_other": 0, "other_200": 0, "other_fail": 0, "retry_after": 0}
def flood():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # source 127.0.0.1
    for i in range(400):
        c.request("GET", "/v1/range/nir/%05x" % i)
        r = c.getresponse()
        r.read()
        key = {200: "flood_200", 429: "flood_429"}.get(r.status, "flood_other")
        counts[key] += 1
        if r.status == 429 and r.getheader("Retry-After"):
            counts["retry_after"] += 1
t = threading.Thread(target=flood)
t.start()
time.sleep(0.2)
latencies = []
for i in range(10):
    s = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0))
    c.request("GET", "/v1/range/nir/%05x" % (i + 1000))
    r = c.getresponse()
    r.read()
    c.close()
    counts["other_200" if r.status == 200 else "other_fail"] += 1
    latencies.append((time.perf_counter() - s) * 1e3)
t.join()
counts["other_max_ms"] = max(latencies)
print(json.dumps(counts))
EOF
cat flood.json
[ "$(json '["flood_429"]' < flood.json)" -ge 300 ] && echo "ok: the flood from 127.0.0.1 got 429s" \
  || fail "the flood got too few 429s"
expect_eq "flood 429s carry Retry-After" "$(json '["retry_after"]' < flood.json)" "$(json '["flood_429"]' < flood.json)"
expect_eq "127.0.0.2 served during the flood" "$(json '["other_200"]' < flood.json)" 10
finish
