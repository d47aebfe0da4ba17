#!/usr/bin/env bash
# Serving benchmark (PRODUCT.md §7): in one run, generate a dump, index it, export the index
# (`vigie-index export`), then drive vigie-serve and nginx-on-the-export (docs/nginx-vigie.conf)
# alternately with wrk on loopback — the same random /v1/range prefixes (one list, read by a wrk Lua
# script), keep-alive, 64 connections — and print requests/s, p50/p99 latency and the ratio vigie/nginx
# per round and overall. Optionally first a --threads sweep of vigie-serve.
#
# Usage: bench/serve_bench.sh [ROWS]   (default 1000000)
#   env: BUILD=build/release  WORK=mktemp dir (kept when given)  ROUNDS=3  DURATION=10 (s per round and
#        server)  CONNECTIONS=64  WRK_THREADS=2  THREADS=128 (vigie-serve --threads for the rounds)
#        SWEEP="4 8 16 64 128" (empty: no sweep)  SWEEP_DURATION=5  NGINX_WORKERS=auto
#        RATES="25 50 75" (empty: none): then, at each of these percentages of nginx's measured maximum,
#        both servers under a fixed offered rate (h2load --rps, HTTP/1.1, CONNECTIONS clients) for
#        RATE_DURATION=10 s each, p50/p99/max latency from h2load's per-request log
# Needs wrk, h2load and nginx (scripts/install-deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
repo="$(pwd)"
rows="${1:-1000000}"
build="${BUILD:-build/release}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-serve-bench.XXXXXX")}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-64}"
wrk_threads="${WRK_THREADS:-2}"
threads="${THREADS:-128}"
sweep="${SWEEP-4 8 16 64 128}"
sweep_duration="${SWEEP_DURATION:-5}"
nginx_workers="${NGINX_WORKERS:-auto}"
rates="${RATES-25 50 75}"
rate_duration="${RATE_DURATION:-10}"
for tool in wrk nginx h2load; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "needs $tool: scripts/install-deps.sh --bench" >&2; exit 2; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$build/indexer/vigie-index" ] && [ -x "$build/server/vigie-serve" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -z "${WORK:-}" ]; then
    echo "deleting $work (a million small files: minutes on disks with online discard; set WORK to keep it)" >&2
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work"
chmod 755 "$work"

# ---- data: dump -> index -> export ---------------------------------------------------------------
if [ ! -f "$work/export/manifest.json" ]; then
  echo "generating $rows rows, indexing and exporting in $work ..."
  "$build/tools/vigie-gen" --rows "$rows" --seed 7 --duplicates 0 -o "$work/dump.csv" 2>/dev/null
  rm -rf "$work/index"
  "$build/indexer/vigie-index" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir >/dev/null
  "$build/indexer/vigie-index" define --index "$work/index" --breach bench --title Bench --date 2024-01-01 \
    --data-classes nir >/dev/null
  "$build/indexer/vigie-index" add --index "$work/index" --breach bench --input "$work/dump.csv" --kind nir \
    --column nir --no-progress >/dev/null
  start=$(date +%s.%N)
  "$build/indexer/vigie-index" export --index "$work/index" --out "$work/export" --json > "$work/export.json"
  python3 - "$work/export.json" "$(echo "$(date +%s.%N) - $start" | bc)" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"export: {d['files']} files, {d['bytes'] / 1e6:.0f} MB: written in {d['write_seconds']:.1f} s, synced in "
      f"{d['sync_seconds']:.1f} s, published in {d['replace_seconds']:.1f} s (wall {float(sys.argv[2]):.1f} s)")
EOF
fi
prefix_hex=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["prefix_hex"])' "$work/export/manifest.json")

# The request list (bench/lib.sh): 100,000 seeded random prefixes, the same for both servers.
write_range_load "$work" "$prefix_hex"

# ---- servers ------------------------------------------------------------------------------------------
start_vigie() {  # start_vigie THREADS: sets VPORT, VPID
  "$build/server/vigie-serve" --index "$work/index" --listen 127.0.0.1:0 --admin-listen "" --rate-limit 0 --no-access-log \
    --threads "$1" > "$work/vigie.log" 2> "$work/vigie.err" &
  VPID=$!
  pids+=("$VPID")
  VPORT=""
  for _ in $(seq 1 200); do
    VPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/vigie.err")
    [ -n "$VPORT" ] && return 0
    sleep 0.05
  done
  echo "vigie-serve did not start: $(cat "$work/vigie.err")" >&2; exit 1
}
stop_vigie() { kill "$VPID"; wait "$VPID" 2>/dev/null || true; }

ndir="$work/nginx"
mkdir -p "$ndir/logs" "$ndir/tmp"
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|^\( *\)listen .*|\1listen 127.0.0.1:$NPORT backlog=1024;|" -e "s|^\( *\)root .*|\1root $work/export;|" \
    -e "s|^\( *\)set \$vigie_prefix_hex .*|\1set \$vigie_prefix_hex $prefix_hex;|" \
    docs/nginx-vigie.conf > "$ndir/vigie.conf"
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=65536
cat > "$ndir/nginx.conf" <<EOF
daemon off;
worker_processes $nginx_workers;
worker_rlimit_nofile $nofile;
pid $ndir/nginx.pid;
error_log $ndir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000;
  client_body_temp_path $ndir/tmp/body;
  proxy_temp_path $ndir/tmp/proxy;
  fastcgi_temp_path $ndir/tmp/fastcgi;
  uwsgi_temp_path $ndir/tmp/uwsgi;
  scgi_temp_path $ndir/tmp/scgi;
  include $ndir/vigie.conf;
}
EOF
nginx_cmd=("$NGINX" -p "$ndir" -c "$ndir/nginx.conf" -e "$ndir/logs/error.log")
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody "$ndir"
  nginx_cmd=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${nginx_cmd[@]}")
fi
"${nginx_cmd[@]}" > "$ndir/logs/stdout" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/healthz" && break; sleep 0.05; done

bench() {  # bench PORT SECONDS -> RESULT line
  wrk -t "$wrk_threads" -c "$connections" -d "${2}s" --timeout 5s -s "$work/paths.lua" "http://127.0.0.1:$1" \
    | grep '^RESULT'
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$wrk_threads -c$connections," \
     "keep-alive, $(wc -l < "$work/paths.txt") random prefixes of $prefix_hex hex digits"

# ---- optional --threads sweep -----------------------------------------------------------------------
if [ -n "$sweep" ]; then
  echo "--threads sweep (vigie-serve alone, ${sweep_duration} s each, warm-up 2 s):"
  for t in $sweep; do
    start_vigie "$t"
    bench "$VPORT" 2 >/dev/null || true
    r=$(bench "$VPORT" "$sweep_duration")
    printf '  --threads %-4s %9s req/s  p50 %7s ms  p99 %8s ms  errors %s\n' "$t" "$(field rps "$r")" \
      "$(field p50_ms "$r")" "$(field p99_ms "$r")" "$(field errors "$r")"
    stop_vigie
  done
fi

# ---- alternating rounds -------------------------------------------------------------------------------
start_vigie "$threads"
bench "$VPORT" 2 >/dev/null; bench "$NPORT" 2 >/dev/null  # warm both (page cache, bucket cache)
echo "rounds: vigie-serve --threads $threads vs nginx (worker_processes $nginx_workers), ${duration} s each"
printf '%-6s %-12s %10s %9s %9s %7s\n' round server "req/s" "p50 ms" "p99 ms" errors
: > "$work/results.txt"
for round in $(seq 1 "$rounds"); do
  for server in vigie nginx; do
    port=$VPORT; [ "$server" = nginx ] && port=$NPORT
    r=$(bench "$port" "$duration")
    echo "$round $server $(field rps "$r") $(field p50_ms "$r") $(field p99_ms "$r") $(field errors "$r")" >> "$work/results.txt"
    printf '%-6s %-12s %10s %9s %9s %7s\n' "$round" "$server" "$(field rps "$r")" "$(field p50_ms "$r")" \
      "$(field p99_ms "$r")" "$(field errors "$r")"
  done
done
python3 - "$work/results.txt" <<'EOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for r, server, rps, p50, p99, err in rows:
    by.setdefault(r, {})[server] = (float(rps), float(p50), float(p99))
for r, d in by.items():
    v, n = d["vigie"], d["nginx"]
    print(f"round {r}: vigie/nginx requests/s {v[0] / n[0]:.2f}x, p99 {v[2]:.2f} vs {n[2]:.2f} ms")
v = [d["vigie"] for d in by.values()]; n = [d["nginx"] for d in by.values()]
vr, nr = sum(x[0] for x in v) / len(v), sum(x[0] for x in n) / len(n)
print(f"overall: vigie-serve {vr:.0f} req/s (p50 {statistics.median(x[1] for x in v):.2f} ms, "
      f"p99 {statistics.median(x[2] for x in v):.2f} ms), nginx {nr:.0f} req/s "
      f"(p50 {statistics.median(x[1] for x in n):.2f} ms, p99 {statistics.median(x[2] for x in n):.2f} ms); "
      f"ratio {vr / nr:.2f}x")
EOF

# ---- fixed offered rate: latency at 25/50/75 % of nginx's maximum -----------------------------------------
if [ -n "$rates" ]; then
  nginx_max=$(awk '$2 == "nginx" { s += $3; n++ } END { printf "%.0f", s / n }' "$work/results.txt")
  head -n 20000 "$work/paths.txt" > "$work/rate_paths.txt"
  echo "fixed rate (h2load --h1 -c $connections, ${rate_duration} s each; nginx's maximum above: $nginx_max req/s):"
  printf '%-6s %-8s %10s %10s %9s %9s %9s %7s\n' "load" server offered "achieved" "p50 ms" "p99 ms" "max ms" errors
  for pct in $rates; do
    total=$((nginx_max * pct / 100))
    per_client=$(( (total + connections - 1) / connections ))
    for server in vigie nginx; do
      port=$VPORT; [ "$server" = nginx ] && port=$NPORT
      sed "s|^|http://127.0.0.1:$port|" "$work/rate_paths.txt" > "$work/rate_urls.txt"
      rm -f "$work/h2load.log"
      h2load --h1 -c "$connections" -D "$rate_duration" --rps="$per_client" -i "$work/rate_urls.txt" \
        --log-file="$work/h2load.log" > "$work/h2load.out" 2>&1 || true
      python3 - "$work/h2load.log" "$rate_duration" "$pct" "$server" "$total" <<'PY'
import sys
lat, errors = [], 0
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3:
        continue
    status, micros = int(parts[1]), int(parts[2])
    if status != 200:
        errors += 1
    lat.append(micros / 1000)
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
print(f"{sys.argv[3] + '%':6} {sys.argv[4]:8} {int(sys.argv[5]):10d} {len(lat) / float(sys.argv[2]):10.0f} "
      f"{pick(0.5):9.2f} {pick(0.99):9.2f} {lat[-1] if lat else float('nan'):9.2f} {errors:7d}")
PY
    done
  done
fi
