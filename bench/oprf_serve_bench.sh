#!/usr/bin/env bash
# OPRF serving benchmark: evaluations per second of POST /v1/oprf/nir/evaluate (binary wire format, a
# fixed batch of blinded elements posted by a wrk Lua script over keep-alive connections, with an unlimited
# API key), next to the in-process rate of BlindEvaluateBatch on one core (vigie-oprf-bench) as the
# baseline. The evaluate route is never cached: every request costs BATCH scalar multiplications.
#
# Usage: bench/oprf_serve_bench.sh
#   env: BUILD=build/release  DURATION=10 (s per run)  BATCHES="1 16 256"  CONNECTIONS=8  WRK_THREADS=1
#        THREADS=16 (vigie-serve --threads)  WORK=mktemp dir (kept when given)
# Needs wrk (scripts/install-deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD:-build/release}"
duration="${DURATION:-10}"
batches="${BATCHES:-1 16 256}"
connections="${CONNECTIONS:-8}"
wrk_threads="${WRK_THREADS:-1}"
threads="${THREADS:-16}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-oprf-bench.XXXXXX")}"
keep="${WORK:+1}"
command -v wrk >/dev/null || { echo "needs wrk: scripts/install-deps.sh --bench" >&2; exit 2; }
for b in vigie-index vigie-serve vigie-oprf-bench; do
  find "$build" -name "$b" -type f -perm -u+x | grep -q . || { echo "build $b first" >&2; exit 2; }
done
VI="$(find "$build" -name vigie-index -type f | head -1)"
SERVE="$(find "$build" -name vigie-serve -type f | head -1)"
OB="$(find "$build" -name vigie-oprf-bench -type f | head -1)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

echo "== in-process baseline (one core): vigie-oprf-bench"
"$OB" 1 | grep -E "BlindEvaluate|GenerateProof|client"

rm -rf "$work/idx" "$work/server.key"
"$VI" keygen --key "$work/server.key" >/dev/null
"$VI" create --no-padding --index "$work/idx" --key "$work/server.key" >/dev/null
echo "bench-key-0123456789abcdef" > "$work/keys"
"$SERVE" --index "$work/idx" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --no-access-log --threads "$threads" --api-keys "$work/keys" \
  --oprf-max-batch 1024 > "$work/serve.log" 2> "$work/serve.err" &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err")
  admin_port=$(sed -n 's/.*admin on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "vigie-serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }

echo "== vigie-serve: POST /v1/oprf/nir/evaluate, $connections connections, ${duration}s per batch size, $(nproc) cores"
printf '%8s %12s %14s %10s %10s\n' batch "requests/s" "evaluations/s" "p50 ms" "p99 ms"
for batch in $batches; do
  # A valid request body: BATCH distinct points k*G (any point is a valid blinded element).
  python3 - "$batch" > "$work/body.bin" <<'PY'
import struct, sys
p = 2**256 - 2**224 + 2**192 + 2**96 - 1
a = p - 3
G = (0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
     0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5)
def add(P, Q):
    if P is None: return Q
    if P[0] == Q[0]:
        l = (3 * P[0] * P[0] + a) * pow(2 * P[1], -1, p) % p
    else:
        l = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
    x = (l * l - P[0] - Q[0]) % p
    return (x, (l * (P[0] - x) - P[1]) % p)
n = int(sys.argv[1])
out = struct.pack(">H", n)
P = None
for _ in range(n):
    P = add(P, G)
    out += bytes([2 + (P[1] & 1)]) + P[0].to_bytes(32, "big")
sys.stdout.buffer.write(out)
PY
  cat > "$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$work/body.bin", "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Authorization"] = "Bearer bench-key-0123456789abcdef"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.3f %.3f %.3f\n", summary.requests, summary.duration / 1e6,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  local codes = summary.errors.status
  io.write(string.format("NON2XX %d\n", codes))
end
LUA
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" \
        "http://127.0.0.1:$port/v1/oprf/nir/evaluate")
  read -r _ reqs secs p50 p99 <<< "$(grep '^RESULT' <<< "$out")"
  non2xx=$(sed -n 's/^NON2XX //p' <<< "$out")
  [ "$non2xx" = 0 ] || echo "warning: $non2xx non-2xx answers" >&2
  python3 -c "import sys; r=int(sys.argv[1])/float(sys.argv[2]); print('%8d %12.0f %14.0f %10.2f %10.2f' % (int(sys.argv[3]), r, r*int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])))" \
    "$reqs" "$secs" "$batch" "$p50" "$p99"
done
curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^vigie_oprf_(evaluations|refusals)' || true
