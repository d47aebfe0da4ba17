#!/usr/bin/env bash
# Soak run (issue 6, "Load"; not a timed test): vigie-serve under wrk for a long time while the index is
# updated every INTERVAL seconds (a new breach added, the oldest soak breach removed once there are three), and
# a report per measuring window: requests/s, p50/p90/p99/max latency, errors, which index generation was
# served, and the server's resident memory with where it goes (from /metrics: malloc in use and held,
# RocksDB table readers, the bucket cache, index states alive). It ends with the totals and a verdict:
# errors must be 0, every update must have been picked up, and resident memory at the end must be within
# RSS_SLACK of the start. Both are read the same way: after 10 s of the same load on a state just loaded
# (at the start: the first state; at the end: the last update's, once the updates have stopped), so the
# bucket cache is filled alike. Mid-run readings depend on how long before them the last swap emptied the
# cache (and vigie-serve gave the freed memory back), so they are printed, not judged.
#
# Usage: bench/soak.sh [DURATION_S]   (default 600 = 10 minutes)
#   env: BUILD=build/release  WORK=mktemp dir (kept when given)  ROWS=1000000 (base index)
#        UPDATE_ROWS=50000 (per update)  INTERVAL=60 (s between updates; also the window length)
#        CONNECTIONS=64  WRK_THREADS=2  THREADS=128 (vigie-serve --threads)  RSS_SLACK_PCT=10
#        RSS_SLACK_MIB=16 (the allowed growth is the larger of the two)
# Needs wrk (scripts/install-deps.sh --bench). Exit status: 0 when the verdict holds, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration="${1:-600}"
build="${BUILD:-build/release}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-soak.XXXXXX")}"
rows="${ROWS:-1000000}"
update_rows="${UPDATE_ROWS:-50000}"
interval="${INTERVAL:-60}"
connections="${CONNECTIONS:-64}"
wrk_threads="${WRK_THREADS:-2}"
threads="${THREADS:-128}"
slack_pct="${RSS_SLACK_PCT:-10}"
slack_mib="${RSS_SLACK_MIB:-16}"
command -v wrk >/dev/null || { echo "needs wrk: scripts/install-deps.sh --bench" >&2; exit 2; }
[ -x "$build/indexer/vigie-index" ] && [ -x "$build/server/vigie-serve" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
VI="$build/indexer/vigie-index"
GEN="$build/tools/vigie-gen"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ---- data --------------------------------------------------------------------------------------------
echo "soak: ${duration} s, an update every ${interval} s; base index of $rows rows in $work"
"$GEN" --rows "$rows" --seed 7 --duplicates 0 -o "$work/base.csv" 2>/dev/null
rm -rf "$work/index"
"$VI" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index "$work/index" --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
"$VI" add --index "$work/index" --breach base --input "$work/base.csv" --kind nir --no-progress >/dev/null
prefix_hex=$("$VI" stats --index "$work/index" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["prefix_hex"])')

write_range_load "$work" "$prefix_hex"

# ---- server ------------------------------------------------------------------------------------------
"$build/server/vigie-serve" --index "$work/index" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --rate-limit 0 --no-access-log \
  --threads "$threads" > "$work/vigie.log" 2> "$work/vigie.err" &
VPID=$!
pids+=("$VPID")
VPORT=""
for _ in $(seq 1 200); do
  VPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/vigie.err")
  VADMIN=$(sed -n 's/.*admin on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/vigie.err")
  [ -n "$VPORT" ] && break
  sleep 0.05
done
[ -n "$VPORT" ] || { echo "vigie-serve did not start: $(cat "$work/vigie.err")" >&2; exit 1; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$VPID/status"; }
# metric_mib NAME METRICS_TEXT: one byte gauge of /metrics in MiB; metric NAME METRICS_TEXT: as is.
metric() { awk -v n="$1" '$1 == n {print $2}' <<< "$2"; }
metric_mib() { awk -v n="$1" '$1 == n {printf "%.1f", $2 / 1048576}' <<< "$2"; }
served_generation() { curl -s "http://127.0.0.1:$VPORT/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }

# ---- updates: in the background, one every $interval s, offset by half a window so each lands mid-window --
updater() {
  local n=0 live=()
  for _ in $(seq 1 "$((interval / 2))"); do [ -f "$work/stop" ] && return 0; sleep 1; done
  while :; do
    n=$((n + 1))
    local name="soak$n"
    "$GEN" --rows "$update_rows" --seed "$((100 + n))" -o "$work/u.csv" 2>/dev/null
    local t0; t0=$(date +%s.%N)
    "$VI" define --index "$work/index" --breach "$name" --title "Soak $n" --date 2025-01-01 --data-classes nir >/dev/null
    "$VI" add --index "$work/index" --breach "$name" --input "$work/u.csv" --kind nir --no-progress >/dev/null
    live+=("$name")
    if [ "${#live[@]}" -gt 3 ]; then
      "$VI" remove --index "$work/index" --breach "${live[0]}" >/dev/null
      live=("${live[@]:1}")
    fi
    local gen; gen=$("$VI" stats --index "$work/index" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
    echo "$(date +%s) update $n: generation $gen in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s" >> "$work/updates.log"
    for _ in $(seq 1 "$interval"); do [ -f "$work/stop" ] && return 0; sleep 1; done
  done
}
: > "$work/updates.log"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$wrk_threads -c$connections keep-alive," \
     "random prefixes of $prefix_hex hex digits; vigie-serve --threads $threads"
wrk -t "$wrk_threads" -c "$connections" -d 10s --timeout 5s -s "$work/paths.lua" "http://127.0.0.1:$VPORT" >/dev/null
rss_start=$(rss_mib)
m=$(curl -s "http://127.0.0.1:$VADMIN/metrics")
echo "warm-up done (10 s): RSS $rss_start MiB; malloc in use $(metric_mib vigie_heap_in_use_bytes "$m"), held" \
     "$(metric_mib vigie_heap_held_bytes "$m"); table readers $(metric_mib vigie_rocksdb_table_readers_bytes "$m");" \
     "bucket cache $(metric_mib vigie_bucket_cache_bytes "$m") MiB"
rm -f "$work/stop"
updater &
UPID=$!
pids+=("$UPID")

echo "memory columns (MiB, from /metrics): heap = malloc in use, held = malloc's arenas, tables = RocksDB table" \
     "readers, cache = encoded-bucket cache; states = index states alive"
printf '%-7s %9s %8s %8s %8s %8s %7s %5s %9s %6s %6s %6s %6s %6s\n' window "req/s" "p50 ms" "p90 ms" "p99 ms" \
  "max ms" errors gen "RSS MiB" heap held tables cache states
: > "$work/windows.txt"
elapsed=0
window=0
while [ "$elapsed" -lt "$duration" ]; do
  len=$interval
  [ $((duration - elapsed)) -lt "$len" ] && len=$((duration - elapsed))
  window=$((window + 1))
  r=$(wrk -t "$wrk_threads" -c "$connections" -d "${len}s" --timeout 5s -s "$work/paths.lua" \
      "http://127.0.0.1:$VPORT" | grep '^RESULT')
  errors=$(field errors "$r")
  gen=$(served_generation)
  rss=$(rss_mib)
  m=$(curl -s "http://127.0.0.1:$VADMIN/metrics")
  echo "$window $(field rps "$r") $(field p50_ms "$r") $(field p90_ms "$r") $(field p99_ms "$r") $(field max_ms "$r") $errors $gen $rss $(field requests "$r")" >> "$work/windows.txt"
  printf '%-7s %9s %8s %8s %8s %8s %7s %5s %9s %6s %6s %6s %6s %6s\n' "$window" "$(field rps "$r")" \
    "$(field p50_ms "$r")" "$(field p90_ms "$r")" "$(field p99_ms "$r")" "$(field max_ms "$r")" "$errors" "$gen" \
    "$rss" "$(metric_mib vigie_heap_in_use_bytes "$m")" "$(metric_mib vigie_heap_held_bytes "$m")" \
    "$(metric_mib vigie_rocksdb_table_readers_bytes "$m")" "$(metric_mib vigie_bucket_cache_bytes "$m")" \
    "$(metric vigie_index_states_alive "$m")"
  elapsed=$((elapsed + len))
done
# Let an update that is running finish, then give the server its reload check (1 s) to pick it up.
touch "$work/stop"
wait "$UPID" 2>/dev/null || true
sleep 3
rss_idle=$(rss_mib)
wrk -t "$wrk_threads" -c "$connections" -d 10s --timeout 5s -s "$work/paths.lua" "http://127.0.0.1:$VPORT" >/dev/null
rss_end=$(rss_mib)
m=$(curl -s "http://127.0.0.1:$VADMIN/metrics")
echo "after the updates, the same 10 s of load: RSS $rss_end MiB; malloc in use $(metric_mib vigie_heap_in_use_bytes "$m")," \
     "held $(metric_mib vigie_heap_held_bytes "$m"); table readers $(metric_mib vigie_rocksdb_table_readers_bytes "$m");" \
     "bucket cache $(metric_mib vigie_bucket_cache_bytes "$m") MiB; $(metric vigie_index_states_alive "$m") state(s) alive"
final_disk_gen=$("$VI" stats --index "$work/index" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
final_served_gen=$(served_generation)
echo "updates:"
sed 's/^[0-9]* /  /' "$work/updates.log"
python3 - "$work/windows.txt" "$rss_start" "$rss_end" "$slack_pct" "$slack_mib" "$final_disk_gen" \
  "$final_served_gen" "$(wc -l < "$work/updates.log")" "$rss_idle" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
rss_start, rss_end = float(sys.argv[2]), float(sys.argv[3])
slack = max(rss_start * float(sys.argv[4]) / 100, float(sys.argv[5]))
disk_gen, served_gen, updates = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
requests = sum(int(r[9]) for r in rows)
errors = sum(int(r[6]) for r in rows)
p99 = [float(r[4]) for r in rows]
first = rows[0]
print(f"total: {requests} requests in {len(rows)} windows, {errors} errors, {updates} index updates")
print(f"latency drift: last window p99 {p99[-1]:.2f} ms vs first {p99[0]:.2f} ms ({p99[-1] / p99[0]:.2f}x); "
      f"req/s {float(rows[-1][1]) / float(first[1]):.2f}x the first window's")
rss = [float(r[8]) for r in rows]
print(f"resident memory: {rss_start:.1f} MiB after the warm-up, {rss_end:.1f} MiB after the same load at the end "
      f"({rss_end - rss_start:+.1f} MiB; allowed +{slack:.1f}); windows {min(rss):.1f}-{max(rss):.1f} MiB; "
      f"{float(sys.argv[9]):.1f} MiB once the load and updates had stopped")
ok = True
if errors:
    print("VERDICT: FAIL, requests failed"); ok = False
if served_gen != disk_gen:
    print(f"VERDICT: FAIL, the server serves generation {served_gen}, the index is at {disk_gen}"); ok = False
if updates == 0 and len(rows) > 1:
    print("VERDICT: FAIL, no update ran"); ok = False
if rss_end - rss_start > slack:
    print("VERDICT: FAIL, resident memory grew"); ok = False
if ok:
    print("VERDICT: ok (0 errors, every update served, memory flat)")
sys.exit(0 if ok else 1)
EOF
