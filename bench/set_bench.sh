#!/usr/bin/env bash
# The private path's numbers (PRODUCT.md §7): a sha256 index of ROWS synthetic NIRs (default 33 000 000, the
# size of the 2024 leak), its sets built as vigie-serve builds them (`vigie-tool set-build`: seconds, bits per
# entry against the bound T - log2 N + 2, shard size), for the index's shard bits and for SHARDS (default
# "0 6 12"). Baseline in the same run: `vigie-index stats` (one full scan of the same buckets, no coding).
#
# Usage: bench/set_bench.sh [ROWS]   (env BUILD=build/release, WORK=mktemp dir, SHARDS="0 6 12")
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-33000000}"
build="${BUILD:-build/release}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-set-bench.XXXXXX")}"
shards="${SHARDS:-0 6 12}"
mkdir -p "$work"
[ -z "${WORK:-}" ] && trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

if [ ! -d "$work/index" ]; then
  echo "generating and indexing $rows rows in $work ..."
  "$build/tools/vigie-gen" --rows "$rows" --seed 7 -o "$work/dump.csv" 2>/dev/null
  "$build/indexer/vigie-index" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir >/dev/null
  "$build/indexer/vigie-index" define --index "$work/index" --breach bench --title Bench --date 2024-01-01 \
    --data-classes nir >/dev/null
  "$build/indexer/vigie-index" add --index "$work/index" --breach bench --input "$work/dump.csv" --kind nir \
    --column nir --no-progress >/dev/null
  rm -f "$work/dump.csv"
fi
start=$(now)
"$build/indexer/vigie-index" stats --index "$work/index" >/dev/null
echo "baseline: vigie-index stats (one scan of every bucket): $(echo "$(now) - $start" | bc) s"
for s in $shards; do
  "$build/tools/vigie-tool" set-build --index "$work/index" --shard-bits "$s" | sed "s/^/[shard bits $s] /"
done
