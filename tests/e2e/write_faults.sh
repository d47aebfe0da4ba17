#!/usr/bin/env bash
# Write faults at commit time: `vigie-index add`, `remove` and `define` with "No space left on device"
# injected into RocksDB's MANIFEST, its write-ahead log or its CURRENT file (tests/fault/enospc_preload.cc,
# LD_PRELOAD) after N successful writes, for N = 0, 1, 2, ... until the command finishes without meeting
# the fault. These are the failure points e2e.disk_full cannot reach on a tmpfs (the MANIFEST is
# preallocated, ingested tables are hard-linked), the commit itself among them.
# Each run that met the fault must exit 1 saying there is no space left, and leave the index exactly as it
# was (verify passes; stats, look-ups and the bodies a vigie-serve serves throughout unchanged; staging
# empty) — or, when the fault hit the sync of a MANIFEST edit that had been written, say that the update
# reached the index, which must then hold exactly the state a run without faults gives (core/ingest_guard.h:
# RocksDB used to delete that update's table files, and the index no longer opened). The first run that
# does not meet the fault must give that state too.
# Usage: write_faults.sh TOOLS_DIR INDEXER_DIR SERVER_DIR PRELOAD_LIBRARY
SERVE="$(cd "$3" && pwd)/vigie-serve"
PRELOAD="$(cd "$(dirname "$4")" && pwd)/$(basename "$4")"
source "$(dirname "$0")/lib.sh" "$1" "$2"
[ -f "$PRELOAD" ] || { echo "FAIL: no fault library at $PRELOAD" >&2; exit 1; }

"$GEN" --rows 8000 --seed 51 -o base.csv 2>/dev/null
"$GEN" --rows 12000 --seed 52 -o more.csv 2>/dev/null
"$VI" create --no-padding --index pristine --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 >/dev/null
"$VI" define --index pristine --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
"$VI" define --index pristine --breach more --title More --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index pristine --breach base --input base.csv --kind nir --no-progress >/dev/null
{ sed -n '2,150p' base.csv; sed -n '2,150p' more.csv; } | cut -d';' -f4 > probe.txt
{ sed -n '2,9p' base.csv; sed -n '2,9p' more.csv; } | cut -d';' -f4 > served.txt
"$CHECK" normalize --kind nir < served.txt | while read -r c; do printf 'vigie:nir:%s' "$c" | sha256sum | cut -c1-4; done > prefixes.txt

snapshot() {  # snapshot NAME INDEX: look-ups and stats
  "$CHECK" --index "$2" --kind nir --json < probe.txt > "$1.lookups" || true
  "$VI" stats --index "$2" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['generation'], d['identifiers'], [(b['name'], b['count'], b.get('title')) for b in d['breaches']])" > "$1.stats"
}
fetch() {  # fetch NAME: "prefix status sha256(body)" for every prefix, from the server on $PORT
  python3 - "$PORT" prefixes.txt > "$1.served" <<'PY'
import hashlib, http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for p in open(sys.argv[2]).read().split():
    c.request("GET", "/v1/range/nir/" + p)
    r = c.getresponse()
    print(p, r.status, hashlib.sha256(r.read()).hexdigest())
PY
}
# expect_index WHAT STATE: idx passes verify, and its look-ups and stats equal those of snapshot STATE.
expect_index() {
  "$VI" verify --index idx >/dev/null 2>verify.err || fail "$1: verify: $(head -c 300 verify.err)"
  snapshot after idx
  cmp -s "$2.lookups" after.lookups || fail "$1: look-ups differ from the $2 state's"
  cmp -s "$2.stats" after.stats || fail "$1: stats $(cat after.stats), $2 state $(cat "$2.stats")"
}
# The commands under test, each run on its own copy of the pristine index (IDX).
run_command() {  # run_command NAME INDEX
  case "$1" in
    add) "$VI" add --index "$2" --breach more --input more.csv --kind nir --threads 1 --no-progress --json ;;
    remove) "$VI" remove --index "$2" --breach base --json ;;
    define) "$VI" define --index "$2" --breach base --title "Base, renamed" --date 2024-01-01 --data-classes nir ;;
  esac
}
SERVE_ARGS=(--no-access-log --rate-limit 0 --reload-check 0.1)
# ASan (the asan preset) insists on being first in the library list; the fault library must come first to
# see the calls, and only forwards them.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

total_faults=0
commit_faults=0
for scenario in add:/MANIFEST- add:.dbtmp remove:/MANIFEST- define:.log define:/MANIFEST-; do
  cmd=${scenario%%:*}
  match=${scenario#*:}
  # The state a run without faults reaches.
  rm -rf clean && cp -a pristine clean
  run_command "$cmd" clean > clean.out 2> clean.err || fail "$scenario: the command fails without faults: $(head -c 300 clean.err)"
  snapshot expected clean
  fresh_index() {  # the pristine index in idx, served by a new vigie-serve
    [ -n "${PID:-}" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    rm -rf idx && cp -a pristine idx
    snapshot before idx
    start_server "serve-$cmd" --index idx
    fetch served-before
    [ "$(grep -c ' 200 ' served-before.served)" = "$(wc -l < prefixes.txt)" ] || fail "$scenario: served before"
  }
  PID=""
  fresh_index
  faults=0
  phases=""
  finished=0
  for n in $(seq 0 60); do
    rm -f fired.txt
    set +e
    VIGIE_ENOSPC_MATCH="$match" VIGIE_ENOSPC_AFTER="$n" VIGIE_ENOSPC_LOG="$WORK/fired.txt" LD_PRELOAD="$PRELOAD" \
      run_command "$cmd" idx > run.out 2> run.err
    rc=$?
    set -e
    if [ ! -s fired.txt ]; then
      # Finished before the fault: the whole command ran.
      [ "$rc" = 0 ] || fail "$scenario after $n writes: exit $rc without a fault: $(head -c 300 run.err)"
      finished=1
      break
    fi
    msg=$(head -c 300 run.err)
    if [ "$rc" = 0 ]; then
      # RocksDB may ignore a failed write it can do without (e.g. at close); then the command is complete
      # (checked after the loop).
      echo "$scenario after $n writes: fault ignored, the command completed"
      finished=1
      break
    fi
    faults=$((faults + 1))
    [ "$rc" = 1 ] || fail "$scenario after $n writes: exit $rc, expected 1: $msg"
    grep -qi "no space left on device" run.err || fail "$scenario after $n writes: the error does not say the disk is full: $msg"
    if grep -q "reached the index before the error" run.err; then
      echo "$scenario after $n writes: exit $rc, the update reached the index: $msg"
      phases="$phases landed"
      commit_faults=$((commit_faults + 1))
      expect_index "$scenario after $n writes (landed)" expected
      fresh_index
      continue
    fi
    case "$msg" in
      *"committing the update"* | *"writing the breach record"*) phase=commit; commit_faults=$((commit_faults + 1)) ;;
      *"opening the index"*) phase=open ;;
      *) phase=other ;;
    esac
    phases="$phases $phase"
    echo "$scenario after $n writes: exit $rc ($phase): $msg"
    [ "$phase" != other ] || fail "$scenario after $n writes: failed where no write was expected: $msg"
    expect_index "$scenario after $n writes" before
    [ -z "$(ls -A idx/staging 2>/dev/null)" ] || fail "$scenario after $n writes: staging files left"
    sleep 0.3  # the server's reload check (0.1 s) has looked at whatever the failed run left
    fetch served-after
    cmp -s served-before.served served-after.served || fail "$scenario after $n writes: served bodies changed"
  done
  [ "$finished" = 1 ] || fail "$scenario: still meeting the fault after 60 writes"
  [ "$faults" -ge 1 ] || fail "$scenario: no run met the fault (does the command write to $match?)"
  total_faults=$((total_faults + faults))
  # The run that completed: the state of a run without faults.
  [ "$finished" = 1 ] && expect_index "$scenario: the completed run" expected
  echo "$scenario: $faults runs met the fault (phases:${phases:- none})"
  if [ "$match" = /MANIFEST- ] && [ "$cmd" != define ]; then
    # The commit itself: failed writes (previous state kept) and a failed sync after the edit was written.
    [[ "$phases" == *commit* ]] || fail "$scenario: no run failed in the commit"
    [[ "$phases" == *landed* ]] || fail "$scenario: no run failed after the commit reached the MANIFEST"
  fi
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
done
echo "$total_faults failed runs in all, $commit_faults of them in the commit"
[ "$commit_faults" -ge 2 ] || fail "only $commit_faults runs failed in the commit itself (add and remove should)"
finish
