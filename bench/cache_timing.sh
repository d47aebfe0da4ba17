#!/usr/bin/env bash
# Can a third party tell whether a prefix was requested recently? (docs/RELIABILITY.md "Who looked up what")
# Builds a padded sha256 NIR index of ROWS rows (default 1 000 000), serves it with vigie-serve, and for
# PAIRS (default 3000) random prefixes never asked before measures, over one keep-alive connection, the
# time of a first request ("cold": nothing requested it since the state was loaded) and of a second one
# ("recent": what a prober sees when someone just checked), TRAFFIC (default 0) requests for other
# prefixes apart. Prints the medians, the mean paired difference with a 99 % confidence interval, the share
# of pairs where the recent one was faster, and the AUC: the chance that one recent request, taken alone,
# is faster than one cold request of another prefix — what a prober who gets one look at a prefix can use
# (his own request warms it). 0.5 on both: indistinguishable.
# Usage: bench/cache_timing.sh [SERVE_ARGS...]   env ROWS, PAIRS, TRAFFIC, BUILD (default build/release),
# WORK (default a temporary directory), SERVE (a vigie-serve binary, default BUILD's).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build/release}"
ROWS="${ROWS:-1000000}"
PAIRS="${PAIRS:-3000}"
TRAFFIC="${TRAFFIC:-0}"
SERVE="${SERVE:-$BUILD/server/vigie-serve}"
WORK="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-cache-timing.XXXXXX")}"
mkdir -p "$WORK"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

if [ ! -d "$WORK/idx" ]; then
  "$BUILD/tools/vigie-gen" --rows "$ROWS" --seed 7 -o "$WORK/dump.csv" 2>/dev/null
  "$BUILD/indexer/vigie-index" create --index "$WORK/idx" --scheme sha256 --allow-unkeyed-nir >/dev/null
  "$BUILD/indexer/vigie-index" define --index "$WORK/idx" --breach b --title B --date 2024-01-01 \
    --data-classes nir >/dev/null
  "$BUILD/indexer/vigie-index" add --index "$WORK/idx" --breach b --input "$WORK/dump.csv" --kind nir \
    --column nir --no-progress >/dev/null
fi
"$SERVE" --index "$WORK/idx" --listen 127.0.0.1:0 --admin-listen "" --rate-limit 0 --no-access-log "$@" 2> "$WORK/serve.err" &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$WORK/serve.err" >&2; exit 1; }
python3 - "$port" "$PAIRS" "$TRAFFIC" <<'PY'
import bisect, http.client, random, statistics, sys, time
port, pairs, traffic = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
def get(path):
    t = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    assert r.status == 200, r.status
    return (time.perf_counter() - t) * 1e6
for i in range(200):  # warm the connection and the code paths on prefixes left out of the sample
    get("/v1/range/nir/%05x" % (0xf0000 + i))
rng = random.Random(11)
prefixes = rng.sample(range(0xf0000), pairs)
cold, recent = [], []
for p in prefixes:
    path = "/v1/range/nir/%05x" % p
    cold.append(get(path))
    for _ in range(traffic):  # other people's requests in between, on prefixes outside the sample
        get("/v1/range/nir/%05x" % rng.randrange(0xf0000, 0x100000))
    recent.append(get(path))
diff = [c - r for c, r in zip(cold, recent)]
mean = statistics.fmean(diff)
half = 2.576 * statistics.stdev(diff) / len(diff) ** 0.5
faster = sum(1 for d in diff if d > 0) / len(diff)
cold_sorted = sorted(cold)
auc = sum(len(cold_sorted) - bisect.bisect_right(cold_sorted, r) for r in recent) / (len(recent) * len(cold))
print(f"pairs={pairs} traffic={traffic} cold_median_us={statistics.median(cold):.1f} recent_median_us={statistics.median(recent):.1f} "
      f"mean_diff_us={mean:.1f} ci99_us=[{mean - half:.1f},{mean + half:.1f}] recent_faster_share={faster:.3f} auc={auc:.3f}")
PY
