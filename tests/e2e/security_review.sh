#!/usr/bin/env bash
# Replays every observation of the 2026-12 security review (issue 15, docs/RELIABILITY.md "Security review")
# against vigie-serve and checks the safe answer:
#   1. Range: no route serves partial content — `Range: bytes=0-99999` gets the whole body (200, no
#      Content-Range, Content-Length = the body = the body without Range), on GET and HEAD; a range at 2^36
#      on /healthz and 800 ranges in one header change nothing; no response carries foreign bytes;
#   2. a POST with neither Content-Length nor Transfer-Encoding on the evaluate route: 411 at once; four such
#      connections left open on a 4-worker server do not delay /healthz; `Expect: 100-continue` is answered
#      100 only once the length is accepted (a too large body, or a sender out of budget: the refusal, no 100);
#   3. X-Forwarded-For sent on several lines (a proxy appending its own): the client is read from the last
#      line, so the first line does not choose the rate bucket; IPv6 clients share a bucket per /64;
#   4. /metrics is not on the public listener (404), it is on the admin one; the bucket cache is off by
#      default (its hit and miss counters stay at 0);
#   5. API keys: a wrong key costs the address a request; a percent-encoded key is not the key.
# Usage: security_review.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"
SERVE_ARGS=(--no-access-log)

"$GEN" --rows 3000 --seed 15 --duplicates 0 -o dump.csv 2>/dev/null
"$VI" keygen --key server.key >/dev/null
"$VI" create --index idx --key server.key >/dev/null   # the defaults: oprf-p256, padded responses
"$VI" define --index idx --breach b --title B --date 2024-01-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach b --input dump.csv --kind nir --column nir --no-progress >/dev/null
echo "review-key-0123456789abcdef 600" > keys

# ---- 1, 4, 5: one server -----------------------------------------------------------------------------
start_server main --index idx --threads 4 --rate-limit 0 --api-keys keys
python3 - "$PORT" "$ADMIN_PORT" > review.txt <<'EOF' || fail "review: $(cat review.txt)"
import socket, sys, time
port, admin = int(sys.argv[1]), int(sys.argv[2])

def exchange(data, p=port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", p), timeout=timeout)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    s.close()
    return out

def parse(raw):
    """(status, headers dict lower-case, body) of one response; asserts the body is exactly Content-Length."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body

def get(path, extra=b"", method=b"GET", p=port):
    return parse(exchange(method + b" " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra + b"\r\n", p))

plain_status, plain_headers, plain_body = get(b"/v1/range/nir/abcde")
assert plain_status == 200 and len(plain_body) == int(plain_headers["content-length"]), plain_headers
cases = {
    "Range 0-99999": b"Range: bytes=0-99999\r\n",
    "Range suffix": b"Range: bytes=-10\r\n",
    "Range past 2^36": b"Range: bytes=68719476736-\r\n",
    "800 ranges": b"Range: bytes=" + b",".join(b"%d-%d" % (i, i + 5) for i in range(0, 8000, 10)) + b"\r\n",
    "If-Range": b"Range: bytes=0-3\r\nIf-Range: \"whatever\"\r\n",
}
for name, extra in cases.items():
    for path, expected in ((b"/v1/range/nir/abcde", plain_body), (b"/healthz", b'{"status":"ok"}')):
        status, headers, body = get(path, extra)
        assert status == 200, (name, path, status)
        assert "content-range" not in headers, (name, headers)
        assert body == expected and int(headers["content-length"]) == len(expected), (name, path, len(body))
        status, headers, body = get(path, extra, b"HEAD")
        assert status == 200 and body == b"" and int(headers["content-length"]) == len(expected), (name, path)
    print(f"ok: {name}: the whole body, as without Range (GET and HEAD)")
# No response anywhere carries an Authorization header someone else sent: send a key, then look for it.
secret = b"review-key-0123456789abcdef"
for _ in range(20):
    get(b"/v1/range/nir/abcde", b"Authorization: Bearer " + secret + b"\r\n")
for extra in cases.values():
    for path in (b"/v1/range/nir/00000", b"/healthz", b"/v1/breaches", b"/"):
        raw = exchange(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra + b"\r\n")
        assert secret not in raw and b"Authorization" not in raw, path
print("ok: no response holds another request's bytes")
assert get(b"/healthz")[0] == 200
print("ok: the server answers after every Range case")

# 4. Operator routes.
assert get(b"/metrics")[0] == 404
status, _, metrics = get(b"/metrics", p=admin)
assert status == 200 and b"vigie_http_requests_total" in metrics
assert b"vigie_bucket_cache_hits_total 0\n" in metrics and b"vigie_bucket_cache_misses_total 0\n" in metrics, \
    "the bucket cache is off by default"
assert get(b"/v1/range/nir/abcde", p=admin)[0] == 404
print("ok: /metrics only on the admin listener; the bucket cache is off")

# 5. Keys are compared on the raw header: a percent-encoded key is not the key.
assert get(b"/v1/range/nir/abcde", b"Authorization: Bearer " + secret + b"\r\n")[0] == 200
assert get(b"/v1/range/nir/abcde", b"Authorization: Bearer %72eview-key-0123456789abcdef\r\n")[0] == 401
print("ok: API keys matched on the raw header value")
EOF
cat review.txt

# ---- 2: bodiless POSTs, Expect ----------------------------------------------------------------------------
start_server slow --index idx --threads 4 --oprf-rate 60 --oprf-burst 2 --rate-limit 0
python3 - "$PORT" > post.txt <<'EOF' || fail "bodiless POST: $(cat post.txt)"
import socket, sys, time
port = int(sys.argv[1])

def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=5)

def read_response(s):
    out = b""
    while b"\r\n\r\n" not in out:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    return out

t = time.perf_counter()
s = connect()
s.sendall(b"POST /v1/oprf/nir/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n\r\n")
out = read_response(s)
took = time.perf_counter() - t
assert out.startswith(b"HTTP/1.1 411"), out[:100]
assert took < 1.0, took
print(f"ok: bodiless POST answered 411 in {took * 1e3:.1f} ms")
# Four of them held open (they answered 411; the connections stay idle) on a 4-worker server.
held = []
for _ in range(4):
    c = connect()
    c.sendall(b"POST /v1/oprf/nir/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n\r\n")
    held.append(c)
time.sleep(0.2)
worst = 0.0
for _ in range(20):
    t = time.perf_counter()
    c = connect()
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert read_response(c).startswith(b"HTTP/1.1 200")
    worst = max(worst, time.perf_counter() - t)
    c.close()
assert worst < 0.5, worst
print(f"ok: /healthz beside four bodiless POSTs: worst {worst * 1e3:.1f} ms")
# Expect: 100-continue with a body over the limit: the refusal, never a 100 first.
c = connect()
c.sendall(b"POST /v1/oprf/nir/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
          b"Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
out = read_response(c)
assert out.startswith(b"HTTP/1.1 413") and b"100 Continue" not in out, out[:80]
print("ok: Expect with a too large body: 413, no 100 Continue")
# Expect from a sender out of evaluation budget: the element budget is charged on the body, so a valid
# head gets its 100; one whose request budget is gone (rate-limit below) is refused without it.
c = connect()
c.sendall(b"POST /v1/oprf/nir/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
          b"Content-Length: 35\r\nExpect: 100-continue\r\n\r\n")
out = read_response(c)
assert out.startswith(b"HTTP/1.1 100 Continue"), out[:80]
print("ok: Expect with an acceptable head: 100 Continue before the body")
EOF
cat post.txt
start_server strict --index idx --rate-limit 0.01 --rate-burst 1
python3 - "$PORT" > expect.txt <<'EOF' || fail "Expect under the rate limit: $(cat expect.txt)"
import socket, sys
port = int(sys.argv[1])
def send(data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    out = b""
    while b"\r\n\r\n" not in out:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    return out
post = (b"POST /v1/oprf/nir/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Length: 35\r\nExpect: 100-continue\r\n\r\n")
assert send(post).startswith(b"HTTP/1.1 100"), "the first request is within budget"
out = send(post)
assert out.startswith(b"HTTP/1.1 429") and b"100 Continue" not in out, out[:80]
print("ok: Expect from an address out of budget: 429 before any body byte, no 100 Continue")
EOF
cat expect.txt

# ---- 3: forwarded addresses ------------------------------------------------------------------------------
SERVE_ARGS=()  # access log on, with client addresses
start_server proxied --index idx --rate-limit 0.01 --rate-burst 2 --trusted-proxy 127.0.0.1 --log-client-address
python3 - "$PORT" > forwarded.txt <<'EOF' || fail "X-Forwarded-For: $(cat forwarded.txt)"
import socket, sys
port = int(sys.argv[1])
def status(xff_lines):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = b"GET /v1/breaches HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
    for line in xff_lines:
        head += b"X-Forwarded-For: " + line + b"\r\n"
    s.sendall(head + b"\r\n")
    out = s.recv(65536)
    return int(out.split(b" ")[1])
# The client forges a first line each time; the proxy appends the real address on its own line.
assert [status([b"10.0.0.%d" % i, b"203.0.113.7"]) for i in range(3)] == [200, 200, 429]
print("ok: several X-Forwarded-For lines: the proxy's last line decides the bucket")
# IPv6 clients: one bucket per /64.
assert [status([b"2001:db8:1:2::%x" % i]) for i in range(1, 4)] == [200, 200, 429]
assert status([b"2001:db8:1:3::1"]) == 200
print("ok: IPv6 addresses share a bucket per /64")
EOF
cat forwarded.txt
grep -q '"client":"203.0.113.7"' "$WORK/proxied.log" || fail "the access log names the last line's client"
if grep -q '"client":"10.0.0.' "$WORK/proxied.log"; then fail "a forged first line was believed"; fi
finish
