#!/usr/bin/env bash
# vigie-serve end to end: a generated NIR dump indexed, the server on a free port, every route checked
# with curl (status codes, bodies, ETag/304, CORS, gzip, limits, rate limiting), a present NIR found and
# an absent one not (tags computed here with vigie-check normalize + sha256sum), hostile clients (garbage,
# slow-loris) while others are served, and an index update under load with zero failed requests.
# Usage: serve_api.sh TOOLS_DIR INDEXER_DIR SERVER_DIR
source "$(dirname "$0")/lib.sh" "$1" "$2"
SERVE="$3/vigie-serve"

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
header() {  # header NAME curl-args...: value of a response header
  local name="$1"; shift
  curl -s -D - -o /dev/null "$@" | tr -d '\r' | sed -n "s/^$name: //Ip" | head -n 1
}
# tag_of CANONICAL -> 64 hex digits of sha256("vigie:nir:" CANONICAL)
tag_of() { printf 'vigie:nir:%s' "$1" | sha256sum | cut -c1-64; }

"$GEN" --rows 20000 --seed 31 --duplicates 0 -o dump1.csv 2>/dev/null
"$GEN" --rows 5000 --seed 32 --duplicates 0 -o dump2.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 --data-classes names,nir \
  --description "synthetic" >/dev/null
"$VI" add --index idx --breach mutuelle-a --input dump1.csv --kind nir --column nir --no-progress >/dev/null

start_server main --index idx --rate-limit 0 --read-timeout 2 --threads 16
MAIN=$PORT
ADMIN="http://127.0.0.1:$ADMIN_PORT"
MAIN_PID=$PID
BASE="http://127.0.0.1:$MAIN"

# ---- a present NIR is found, an absent one is not ------------------------------------------------
present=$(sed -n '101p' dump1.csv | cut -d';' -f4)
canonical=$("$CHECK" normalize --kind nir "$present")
tag=$(tag_of "$canonical")
curl -s "$BASE/v1/range/nir/${tag:0:5}" > present.json
in_bucket() {  # in_bucket BODY_FILE SUFFIX -> breach names, or "absent"
  python3 -c "import json,sys
d=json.load(open(sys.argv[1]))
m=[e for e in d['entries'] if e[0]==sys.argv[2]]
print(','.join(d['breaches'][i] for i in m[0][1]) if m else 'absent')" "$1" "$2"
}
expect_eq "present NIR found in its bucket" "$(in_bucket present.json "${tag:5:16}")" mutuelle-a
absent_canonical=$("$CHECK" normalize --kind nir "2 99 12 75 056 999")
atag=$(tag_of "$absent_canonical")
curl -s "$BASE/v1/range/nir/${atag:0:5}" > absent.json
expect_eq "absent NIR not in its bucket" "$(in_bucket absent.json "${atag:5:16}")" absent
upper=$(echo "${tag:0:5}" | tr a-f A-F)
cmp -s present.json <(curl -s "$BASE/v1/range/nir/$upper") || fail "upper-case prefix gives the same body"
expect_eq "body format" "$(json '["v"]' < present.json),$(json '["kind"]' < present.json),$(json '["suffix_hex"]' < present.json)" "1,nir,16"

# ---- status codes and headers ----------------------------------------------------------------------
expect_eq "range 200" "$(status "$BASE/v1/range/nir/00000")" 200
expect_eq "4-digit prefix 400" "$(status "$BASE/v1/range/nir/0000")" 400
expect_eq "6-digit prefix 400" "$(status "$BASE/v1/range/nir/000000")" 400
expect_eq "non-hex prefix 400" "$(status "$BASE/v1/range/nir/0000z")" 400
expect_eq "unknown kind 400" "$(status "$BASE/v1/range/car/00000")" 400
expect_eq "400 reason" "$(curl -s "$BASE/v1/range/nir/0000" | json '["reason"]')" prefix.length
expect_eq "password kind on an NIR index 400" "$(status "$BASE/v1/range/password/00000")" 400
expect_eq "HIBP route on a sha256 index 404" "$(status "$BASE/range/00000")" 404
expect_eq "unknown route 404" "$(status "$BASE/nope")" 404
expect_eq "404 is JSON" "$(curl -s "$BASE/nope" | json '["reason"]')" route.unknown
expect_eq "POST 405" "$(status -X POST "$BASE/v1/range/nir/00000")" 405
expect_eq "DELETE 405" "$(status -X DELETE "$BASE/v1/breaches")" 405
expect_eq "preflight 204" "$(status -X OPTIONS -H 'Origin: https://example.org' \
  -H 'Access-Control-Request-Method: GET' "$BASE/v1/range/nir/00000")" 204
expect_eq "CORS header" "$(header Access-Control-Allow-Origin "$BASE/v1/range/nir/00000")" '*'
expect_eq "Cache-Control" "$(header Cache-Control "$BASE/v1/range/nir/00000")" "public, max-age=3600"
[ -n "$(header Last-Modified "$BASE/v1/range/nir/00000")" ] || fail "Last-Modified present"
etag=$(header ETag "$BASE/v1/range/nir/${tag:0:5}")
expect_eq "ETag is the quoted XXH3 of the body" "${#etag}" 18
expect_eq "If-None-Match 304" "$(status -H "If-None-Match: $etag" "$BASE/v1/range/nir/${tag:0:5}")" 304
expect_eq "other ETag 200" "$(status -H 'If-None-Match: "x"' "$BASE/v1/range/nir/${tag:0:5}")" 200
expect_eq "gzip when accepted" "$(header Content-Encoding -H 'Accept-Encoding: gzip' "$BASE/v1/openapi.json")" gzip
cmp -s <(curl -s --compressed "$BASE/v1/openapi.json") <(curl -s "$BASE/v1/openapi.json") \
  || fail "gzip body inflates to the plain body"
expect_eq "breach list" "$(curl -s "$BASE/v1/breaches" | json '[0]["Name"]')" mutuelle-a
expect_eq "breach PwnCount" "$(curl -s "$BASE/v1/breaches/mutuelle-a" | json '["PwnCount"]')" \
  "$(tail -n +2 dump1.csv | cut -d';' -f4 | sort -u | wc -l)"
expect_eq "unknown breach 404" "$(status "$BASE/v1/breaches/nope")" 404
expect_eq "openapi is OpenAPI 3" "$(curl -s "$BASE/v1/openapi.json" | json '["openapi"]')" 3.0.3
expect_eq "healthz" "$(curl -s "$BASE/healthz" | json '["status"]')" ok
expect_eq "readyz" "$(curl -s "$BASE/readyz" | json '["status"]')" ready
expect_eq "no /metrics on the public listener" "$(status "$BASE/metrics")" 404
expect_eq "healthz on the admin listener" "$(curl -s "$ADMIN/healthz" | json '["status"]')" ok
expect_eq "no API on the admin listener" "$(status "$ADMIN/v1/breaches")" 404
curl -s "$ADMIN/metrics" > metrics.txt
grep -q 'vigie_http_requests_total{route="range",status="400"}' metrics.txt || fail "metrics count 400s by route"
grep -q 'vigie_bucket_cache_hits_total' metrics.txt || fail "metrics count cache hits"
grep -q '^vigie_index_generation ' metrics.txt || fail "metrics give the generation"

# ---- malformed and hostile requests ----------------------------------------------------------------
expect_eq "overlong URL 414" "$(status "$BASE/v1/range/nir/$(head -c 3000 /dev/zero | tr '\0' a)")" 414
expect_eq "oversize headers 431" "$(status -H "X-A: $(head -c 5000 /dev/zero | tr '\0' a)" \
  -H "X-B: $(head -c 5000 /dev/zero | tr '\0' b)" "$BASE/healthz")" 431
code=$(status -H "X-A: $(head -c 20000 /dev/zero | tr '\0' a)" "$BASE/healthz" || true)
case "$code" in 4*|000) echo "ok: one 20 kB header refused ($code)";; *) fail "one 20 kB header: got $code";; esac
python3 - "$MAIN" <<'EOF' > hostile.txt || fail "hostile clients: $(cat hostile.txt)"
import socket, sys, time, urllib.request
port = int(sys.argv[1])
# Garbage bytes: answered 400 or cut off, never a hang.
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"\x00\xffGARBAGE \x01\x02\r\n\r\n")
reply = s.recv(100)
assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply
s.close()
# Slow-loris: connections that never finish their headers do not stop others from being served, and
# are cut off after the read timeout (2 s here).
slow = []
for _ in range(8):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    slow.append(c)
t = time.time()
for _ in range(20):
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
assert time.time() - t < 5, "others were slowed down"
time.sleep(3)
for c in slow:
    try:
        c.sendall(b"a\r\n\r\n")
        data = c.recv(100)
        assert data == b"" or data.startswith(b"HTTP/1.1 4"), data
    except (ConnectionResetError, BrokenPipeError):
        pass
print("hostile clients handled")
EOF
grep -q "handled" hostile.txt && echo "ok: garbage and slow-loris clients cut off while others are served"

# ---- the log line has no prefix, no address --------------------------------------------------------
if grep -q "${tag:0:5}" main.log; then fail "access log mentions a prefix"; fi
if grep -q '127.0.0.1' main.log; then fail "access log mentions the client address"; fi
grep -q '"route":"range"' main.log || fail "access log has one line per request"

# ---- rate limiting and API keys (a second server on the same index: read-only replicas) ------------
printf 'helpdesk-key-0123456789 6000\n' > keys.txt
# One token per 20 s: slow enough that a loaded machine cannot refill the bucket between requests.
start_server limited --index idx --rate-limit 0.05 --rate-burst 2 --api-keys keys.txt
LIM="http://127.0.0.1:$PORT"
status "$LIM/v1/range/nir/00000" >/dev/null
status "$LIM/v1/range/nir/00000" >/dev/null
expect_eq "third request within a second 429" "$(status "$LIM/v1/range/nir/00000")" 429
retry_after=$(header Retry-After "$LIM/v1/range/nir/00000")
if [ -n "$retry_after" ] && [ "$retry_after" -ge 1 ] && [ "$retry_after" -le 20 ]; then
  echo "ok: Retry-After = $retry_after"
else
  fail "Retry-After: got '$retry_after', expected 1..20"
fi
expect_eq "API key lifts the limit" "$(status -H 'Authorization: Bearer helpdesk-key-0123456789' \
  "$LIM/v1/range/nir/00000")" 200
# An unknown key is charged to the address like any request: 429 here, 401 from a fresh address.
expect_eq "unknown API key, address out of budget: 429" \
  "$(status -H 'Authorization: Bearer nope-nope-nope-nope' "$LIM/v1/range/nir/00000")" 429
expect_eq "unknown API key 401" "$(status --interface 127.0.0.2 -H 'Authorization: Bearer nope-nope-nope-nope' \
  "$LIM/v1/range/nir/00000")" 401
printf 'other-key-000000000000\n' > keys.txt.new && mv keys.txt.new keys.txt
# The file is re-read by the housekeeping check (about every second): poll rather than guess.
for _ in $(seq 1 100); do
  [ "$(status -H 'Authorization: Bearer other-key-000000000000' "$LIM/v1/range/nir/00000")" = 200 ] && break
  sleep 0.1
done
expect_eq "keys file re-read: new key works" "$(status -H 'Authorization: Bearer other-key-000000000000' \
  "$LIM/v1/range/nir/00000")" 200
expect_eq "keys file re-read: old key gone" "$(status --interface 127.0.0.3 \
  -H 'Authorization: Bearer helpdesk-key-0123456789' "$LIM/v1/range/nir/00000")" 401
rm keys.txt
for _ in $(seq 1 100); do
  [ "$(status --interface 127.0.0.4 -H 'Authorization: Bearer other-key-000000000000' "$LIM/v1/range/nir/00000")" = 401 ] && break
  sleep 0.1
done
expect_eq "keys file deleted: no key works any more" "$(status --interface 127.0.0.5 \
  -H 'Authorization: Bearer other-key-000000000000' "$LIM/v1/range/nir/00000")" 401
grep -q 'was deleted: no API key is accepted now' limited.err || fail "a deleted keys file is logged loudly"
if grep -q 'helpdesk-key\|other-key' "$WORK"/limited.*; then fail "an API key appears in the logs"; fi

# ---- index update under load: zero failures, each response wholly old or new ----------------------
new_nir=$(sed -n '11p' dump2.csv | cut -d';' -f4)
ntag=$(tag_of "$("$CHECK" normalize --kind nir "$new_nir")")
python3 - "$MAIN" "${ntag:0:5}" "${ntag:5:16}" > load.txt 2>&1 <<'EOF' &
import http.client, json, random, sys, threading, time
port, prefix, suffix = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stop_after = time.time() + 120
stats = {"ok": 0, "failed": 0, "inconsistent": 0, "new_seen": 0}
lock = threading.Lock()
def worker(seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.time() < stop_after and not stats_done.is_set():
        m = []
        p = prefix if rng.random() < 0.5 else "%05x" % rng.randrange(1 << 20)
        try:
            conn.request("GET", "/v1/range/nir/" + p)
            r = conn.getresponse()
            body = r.read()
            d = json.loads(body)
            good = r.status == 200
            consistent = all(i < len(d["breaches"]) for e in d["entries"] for i in e[1])
            if p == prefix:
                m = [e for e in d["entries"] if e[0] == suffix]
                # wholly new: the NIR is there with breach b; wholly old: neither (b may be defined first).
                if m:
                    consistent &= "mutuelle-b" in d["breaches"] and [d["breaches"][i] for i in m[0][1]] == ["mutuelle-b"]
        except Exception:
            good, consistent = False, True
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with lock:
            stats["ok" if good else "failed"] += 1
            stats["inconsistent"] += 0 if consistent else 1
            if good and p == prefix and m:
                stats["new_seen"] += 1
stats_done = threading.Event()
import signal
signal.signal(signal.SIGUSR1, lambda *a: stats_done.set())
threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads: t.start()
while not stats_done.is_set() and time.time() < stop_after:
    time.sleep(0.1)
for t in threads: t.join()
print(json.dumps(stats))
EOF
LOAD=$!
sleep 1
"$VI" define --index idx --breach mutuelle-b --title "Mutuelle B" --date 2024-03-15 --data-classes nir >/dev/null
"$VI" add --index idx --breach mutuelle-b --input dump2.csv --kind nir --column nir --no-progress >/dev/null
kill -HUP "$MAIN_PID"  # SIGHUP: look now (the periodic check would also find it)
for _ in $(seq 1 100); do
  grep -q "now serving generation" main.err && [ "$(curl -s "$BASE/v1/breaches" | json '[1]["Name"]')" = mutuelle-b ] && break
  sleep 0.1
done
sleep 1
kill -USR1 "$LOAD"
wait "$LOAD" || true
cat load.txt
expect_eq "failed requests during the update" "$(json '["failed"]' < load.txt)" 0
expect_eq "responses mixing old and new" "$(json '["inconsistent"]' < load.txt)" 0
[ "$(json '["ok"]' < load.txt)" -gt 100 ] || fail "the load ran"
[ "$(json '["new_seen"]' < load.txt)" -gt 0 ] || fail "the new state was served"
curl -s "$BASE/v1/range/nir/${ntag:0:5}" > new.json
expect_eq "new NIR found after the update" "$(in_bucket new.json "${ntag:5:16}")" mutuelle-b

# ---- graceful stop ---------------------------------------------------------------------------------
kill -TERM "$MAIN_PID"
set +e; wait "$MAIN_PID"; rc=$?; set -e
expect_eq "SIGTERM exit status" "$rc" 0
finish
