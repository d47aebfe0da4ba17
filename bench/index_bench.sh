#!/usr/bin/env bash
# Index build benchmark (PRODUCT.md §7): generate a dump, index it with the sha256 scheme, and print rows/s,
# bytes on disk per identifier and peak memory, next to a baseline measured in the same run: the time
# `LC_ALL=C sort -u` takes on the dump's NIR column (the cheapest way to get the distinct identifiers).
#
# Usage: bench/index_bench.sh [ROWS]   (default 10000000; env BUILD=build/release, WORK=mktemp dir,
#        FORMAT=csv|gz|zst for the dump, MEMORY_MB for vigie-index's buffer budget)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000000}"
build="${BUILD:-build/release}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench.XXXXXX")}"
format="${FORMAT:-csv}"
memory="${MEMORY_MB:-1024}"
[ -x "$build/indexer/vigie-index" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

dump="$work/dump.csv"
case "$format" in gz) dump="$dump.gz" ;; zst) dump="$dump.zst" ;; esac
echo "generating $rows rows ($format) in $work ..."
"$build/tools/vigie-gen" --rows "$rows" --seed 7 -o "$dump" 2>/dev/null
size=$(stat -c %s "$dump")

# Baseline: distinct NIRs with coreutils (decompression included when the dump is compressed).
cat_cmd=(cat); case "$format" in gz) cat_cmd=(gzip -dc) ;; zst) cat_cmd=(zstd -dc) ;; esac
start=$(date +%s.%N)
distinct=$("${cat_cmd[@]}" "$dump" | tail -n +2 | cut -d';' -f4 | LC_ALL=C sort -u -S 1G | wc -l)
sort_s=$(echo "$(date +%s.%N) - $start" | bc)

rm -rf "$work/index"
"$build/indexer/vigie-index" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir >/dev/null
"$build/indexer/vigie-index" define --index "$work/index" --breach bench --title Bench --date 2024-01-01 \
  --data-classes nir >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$build/indexer/vigie-index" add --index "$work/index" \
  --breach bench --input "$dump" --kind nir --column nir --memory-mb "$memory" --json --no-progress > "$work/add.json"
read -r index_s peak_kb < "$work/time.txt"
"$build/indexer/vigie-index" stats --index "$work/index" --json > "$work/stats.json"

python3 - "$rows" "$size" "$distinct" "$sort_s" "$index_s" "$peak_kb" "$work" <<'PY'
import json, sys
rows, size, distinct = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sort_s, index_s, peak_kb, work = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
add = json.load(open(f"{work}/add.json"))
stats = json.load(open(f"{work}/stats.json"))
ids = stats["identifiers"]
print(f"dump: {rows} rows, {size/1e6:.0f} MB, {distinct} distinct NIRs (sort -u), {ids} in the index")
print(f"baseline  LC_ALL=C sort -u on the NIR column: {sort_s:6.2f} s  {rows/sort_s/1e6:5.2f} M rows/s")
print(f"vigie-index add (end to end, sha256):        {index_s:6.2f} s  {rows/index_s/1e6:5.2f} M rows/s"
      f"   ratio {sort_s/index_s:4.2f}x the baseline's speed")
print(f"disk: {stats['disk_bytes']} bytes, {stats['disk_bytes_per_identifier']:.2f} bytes per identifier")
print(f"peak memory (max RSS): {peak_kb/1024:.0f} MiB; spilled runs: {add['spilled_runs']}")
if ids != distinct:
    print(f"MISMATCH: index holds {ids} identifiers, sort -u found {distinct}")
    sys.exit(1)
PY
[ -z "${WORK:-}" ] && rm -rf "$work"
exit 0
