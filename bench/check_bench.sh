#!/usr/bin/env bash
# Bulk check benchmark (PRODUCT.md §7: 1 M NIRs checked against a local server in under a minute).
#
# Indexes a ROWS-row vigie-gen dump (seed 7, sha256 scheme), serves it with vigie-serve on a free local port
# (--rate-limit 0, no access log), and checks a ROWS-row file — half the indexed dump's rows, half rows of
# another dump (seed 8) — with `vigie-check --server ... --input ... --output ...` (prefixes only over
# HTTP, CONNECTIONS keep-alive connections). Baseline in the same run: `vigie-check --index DIR` (local
# mode: the same normalise + tag + bucket lookup, reading the index directly) on the same NIRs. Then the
# private path on the same file: `vigie-check --private` (the whole set fetched once, matched locally; a
# fresh cache, so the set's download is counted).
#
# Usage: bench/check_bench.sh [ROWS]   (default 1000000; env BUILD=build/release, WORK=mktemp dir,
#        CONNECTIONS=8, SCHEME=sha256|oprf-p256: with oprf-p256 the index is keyed, the server gets an
#        unlimited API key and every row costs a blinded evaluation)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
build="${BUILD:-build/release}"
connections="${CONNECTIONS:-8}"
scheme="${SCHEME:-sha256}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")}"
for bin in tools/vigie-gen tools/vigie-check indexer/vigie-index server/vigie-serve; do
  [ -x "$build/$bin" ] || { echo "build first: scripts/build.sh release ($bin missing)" >&2; exit 2; }
done
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -z "${WORK:-}" ] && rm -rf "$work"; true; }
trap cleanup EXIT
now() { date +%s.%N; }

echo "generating and indexing $rows rows in $work ..."
"$build/tools/vigie-gen" --rows "$rows" --seed 7 -o "$work/indexed.csv" 2>/dev/null
"$build/tools/vigie-gen" --rows "$rows" --seed 8 -o "$work/other.csv" 2>/dev/null
rm -rf "$work/index" "$work/server.key"
key_args=()
if [ "$scheme" = oprf-p256 ]; then
  "$build/indexer/vigie-index" keygen --key "$work/server.key" >/dev/null
  "$build/indexer/vigie-index" create --no-padding --index "$work/index" --key "$work/server.key" >/dev/null
  echo "bench-bulk-key-0123456789" > "$work/keys"
  export VIGIE_API_KEY=bench-bulk-key-0123456789
  key_args=(--api-keys "$work/keys")
else
  "$build/indexer/vigie-index" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir >/dev/null
fi
"$build/indexer/vigie-index" define --index "$work/index" --breach bench --title Bench --date 2024-01-01 \
  --data-classes nir >/dev/null
"$build/indexer/vigie-index" add --index "$work/index" --breach bench --input "$work/indexed.csv" --kind nir \
  --column nir --no-progress >/dev/null
half=$((rows / 2))
{ sed -n "1,$((half + 1))p" "$work/indexed.csv"; sed -n "2,$((rows - half + 1))p" "$work/other.csv"; } > "$work/input.csv"
size=$(stat -c %s "$work/input.csv")

"$build/server/vigie-serve" --index "$work/index" --listen 127.0.0.1:0 --admin-listen "" --rate-limit 0 --no-access-log \
  "${key_args[@]}" 2> "$work/serve.err" &
server_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "vigie-serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }

# Baseline: local mode on the same NIRs.
tail -n +2 "$work/input.csv" | cut -d';' -f4 > "$work/nirs.txt"
start=$(now)
"$build/tools/vigie-check" --index "$work/index" --kind nir < "$work/nirs.txt" > "$work/local.out" || true
local_s=$(echo "$(now) - $start" | bc)
local_found=$(grep -c FOUND "$work/local.out" || true)

# Remote bulk check.
start=$(now)
"$build/tools/vigie-check" --server "http://127.0.0.1:$port" --kind nir --input "$work/input.csv" --column nir \
  --output "$work/result.csv" --connections "$connections" --no-progress 2> "$work/bulk.err" || true
bulk_s=$(echo "$(now) - $start" | bc)
cat "$work/bulk.err"
remote_found=$(cut -d';' -f6 "$work/result.csv" | grep -c '^yes$' || true)
buckets=$(sed -n 's/.* \([0-9]*\) buckets fetched.*/\1/p' "$work/bulk.err")

# The private path: the whole set once, then nothing but local matching.
rm -rf "$work/set-cache"
start=$(now)
"$build/tools/vigie-check" --server "http://127.0.0.1:$port" --kind nir --private --cache-dir "$work/set-cache" \
  --input "$work/input.csv" --column nir --output "$work/private.csv" --no-progress 2> "$work/private.err" || true
private_s=$(echo "$(now) - $start" | bc)
cat "$work/private.err"
cmp -s "$work/result.csv" "$work/private.csv" || { echo "MISMATCH: --private results differ from the range path"; exit 1; }

python3 - "$rows" "$size" "$local_s" "$bulk_s" "$local_found" "$remote_found" "${buckets:-0}" "$connections" \
  "$private_s" <<'PY'
import sys
rows, size = int(sys.argv[1]), int(sys.argv[2])
local_s, bulk_s = float(sys.argv[3]), float(sys.argv[4])
local_found, remote_found, buckets, conns = map(int, sys.argv[5:9])
private_s = float(sys.argv[9])
print(f"input: {rows} rows, {size/1e6:.0f} MB, half of them in the index")
print(f"baseline  vigie-check --index (local):        {local_s:6.2f} s  {rows/local_s/1e3:7.0f} k rows/s  found {local_found}")
print(f"vigie-check --server --input ({conns} conns):   {bulk_s:6.2f} s  {rows/bulk_s/1e3:7.0f} k rows/s  found {remote_found}"
      f"  ({buckets} buckets, {buckets/bulk_s/1e3:.1f} k requests/s)")
print(f"vigie-check --private --input (whole set once): {private_s:6.2f} s  {rows/private_s/1e3:7.0f} k rows/s  "
      f"same results; {bulk_s/private_s:.2f}x the range path")
if local_found != remote_found:
    print(f"MISMATCH: local mode found {local_found}, the bulk check {remote_found}")
    sys.exit(1)
PY
