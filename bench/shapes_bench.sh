#!/usr/bin/env bash
# Dump shapes benchmark (issue 13): the same synthetic people written as each shape `vigie-index add`
# reads — CSV (the baseline, as bench/index_bench.sh loads it), CSV with quoted line breaks, UTF-16 TSV,
# MySQL and PostgreSQL dumps, NDJSON, a JSON array, xlsx, free text, a zip — each loaded into a fresh sha256
# index, one after the other in the same run, and compared with the CSV's rows/s.
#
# Usage: bench/shapes_bench.sh [ROWS] [SHAPES...]   (default 2000000 rows, every shape; env BUILD, WORK)
# Rows/s are end to end (digest, read, tag, merge, commit), and ratio = shape rows/s ÷ CSV rows/s.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-2000000}"
shift || true
shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(multiline utf16 mysql postgres ndjson json xlsx text zip)
build="${BUILD:-build/release}"
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/vigie-shapes.XXXXXX")}"
[ -x "$build/indexer/vigie-index" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
vi="$build/indexer/vigie-index"

echo "generating $rows rows in $work ..."
"$build/tools/vigie-gen" --rows "$rows" --seed 7 -o "$work/dump.csv" 2>/dev/null
declare -A file=([csv]="$work/dump.csv")
declare -A flags=([csv]="--column nir" [mysql]="" [text]="--format text")
ext() { case "$1" in mysql|postgres) echo sql ;; xlsx|zip|json|ndjson) echo "$1" ;; *) echo txt ;; esac; }
for s in "${shapes[@]}"; do
  file[$s]="$work/dump-$s.$(ext "$s")"
  python3 bench/make_shape.py "$s" "$work/dump.csv" "${file[$s]}"
done

load() {  # load SHAPE -> prints "seconds identifiers"
  local s="$1"
  rm -rf "$work/index"
  "$vi" create --no-padding --index "$work/index" --scheme sha256 --allow-unkeyed-nir > /dev/null
  "$vi" define --index "$work/index" --breach b --title B --date 2024-01-01 --data-classes nir > /dev/null
  # shellcheck disable=SC2086
  "$vi" add --index "$work/index" --breach b --input "${file[$s]}" --kind nir ${flags[$s]:-} --json --no-progress \
    > "$work/add-$s.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['seconds'], d['identifiers'], d['phase_seconds']['read'])" \
    "$work/add-$s.json"
}

read -r csv_s csv_ids csv_read <<< "$(load csv)"
printf '%-10s %10s %8s %12s %8s %12s\n' shape MB seconds "rows/s" ratio identifiers
printf '%-10s %10.0f %8.2f %12.0f %8s %12s\n' csv "$(($(stat -c %s "${file[csv]}") / 1000000))" "$csv_s" \
  "$(echo "$rows / $csv_s" | bc -l)" "1.00" "$csv_ids"
status=0
for s in "${shapes[@]}"; do
  read -r sec ids _ <<< "$(load "$s")"
  printf '%-10s %10.0f %8.2f %12.0f %8.2f %12s\n' "$s" "$(($(stat -c %s "${file[$s]}") / 1000000))" "$sec" \
    "$(echo "$rows / $sec" | bc -l)" "$(echo "$csv_s / $sec" | bc -l)" "$ids"
  [ "$ids" = "$csv_ids" ] || { echo "MISMATCH: $s accepted $ids identifiers, the CSV $csv_ids" >&2; status=1; }
done
[ -z "${WORK:-}" ] && rm -rf "$work"
exit $status
