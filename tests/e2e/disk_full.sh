#!/usr/bin/env bash
# Full disk: `vigie-index add` on a small tmpfs that runs out of space at many points of the pipeline
# (opening the database, spilling sorted runs, writing the bucket SST, writing the catalogue SST; the
# commit itself needs no new blocks here: the SSTs are hard-linked in and the MANIFEST is preallocated),
# while a vigie-serve serves the index throughout; and `vigie-index export` into full file systems (out of
# blocks, out of inodes). Each failed add must exit non-zero saying there is no space left, leave the
# index exactly as it was (verify passes; stats, look-ups and served bodies unchanged), free its staging
# files, and the same add must succeed once there is room, with the counts of an add that had room.
# A failed export must leave no temporary tree and no half-written export: the previous one stays whole.
#
# The failure points come from a calibration: on a copy of the index, a bisection over the free space
# finds the least the add needs (T); the real runs then leave from 0 bytes free up to T, page by page
# near T, until one fits.
# Usage: disk_full.sh TOOLS_DIR INDEXER_DIR SERVER_DIR (mounts: re-executes itself in a private mount
# namespace, as root or else in an unprivileged user namespace).
if [ -z "${VIGIE_DISK_FULL_NS:-}" ]; then
  export VIGIE_DISK_FULL_NS=1
  if unshare --mount --propagation private true 2>/dev/null; then
    exec unshare --mount --propagation private bash "$0" "$@"
  fi
  if unshare --user --map-root-user --mount true 2>/dev/null; then
    exec unshare --user --map-root-user --mount --propagation private bash "$0" "$@"
  fi
  echo "FAIL: disk_full.sh mounts small tmpfs file systems and needs a private mount namespace: neither" \
    "'unshare --mount' (as root) nor 'unshare --user --map-root-user --mount' works on this machine" >&2
  exit 1
fi
SERVE="$(cd "$3" && pwd)/vigie-serve"
source "$(dirname "$0")/lib.sh" "$1" "$2"
MOUNTS=()
cleanup() {
  stop_background
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mount_tmpfs() {  # mount_tmpfs DIR OPTIONS
  mkdir -p "$1"
  if ! mount -t tmpfs -o "$2" tmpfs "$1"; then
    echo "FAIL: cannot mount a tmpfs ($2) on $1 inside the private mount namespace" >&2
    exit 1
  fi
  MOUNTS+=("$WORK/$1")
}
avail() { df -B1 --output=avail "$1" | tail -n 1 | tr -d ' '; }
used() { df -B1 --output=used "$1" | tail -n 1 | tr -d ' '; }
# leave_free BYTES: a filler file takes all but BYTES of the disk.
leave_free() {
  rm -f disk/filler
  local n=$(( $(avail disk) - $1 ))
  if [ "$n" -gt 0 ]; then fallocate -l "$n" disk/filler; fi
}

mount_tmpfs disk size=24m
"$GEN" --rows 20000 --seed 41 -o base.csv 2>/dev/null
"$GEN" --rows 90000 --seed 42 -o big.csv 2>/dev/null
"$VI" create --no-padding --index disk/idx --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 --suffix-hex 60 >/dev/null
"$VI" define --index disk/idx --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
"$VI" define --index disk/idx --breach big --title Big --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index disk/idx --breach base --input base.csv --kind nir --no-progress >/dev/null
# One thread and a 1 MiB budget: the big add spills runs, and where it fails is repeatable. Its writable
# open preallocates 4 MiB for RocksDB's MANIFEST (all or nothing on tmpfs): the rest of the add must need
# more than that, or an add that fails with 4.5 MiB free could fit in 3.9 (the preallocation then
# failing quietly) and the bisection below would not find one edge. A 60-digit stored suffix makes each
# identifier cost about three times the default's disk, so that few rows (a quick add, under ASan too) do.
add_args=(--breach big --input big.csv --kind nir --threads 1 --memory-mb 1 --no-progress --json)

{ sed -n '2,200p' base.csv; sed -n '2,200p' big.csv; } | cut -d';' -f4 > probe.txt
snapshot() {  # snapshot NAME [INDEX]
  "$CHECK" --index "${2:-disk/idx}" --kind nir --json < probe.txt > "$1.lookups" || true
  "$VI" stats --index "${2:-disk/idx}" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['generation'], d['identifiers'], [(b['name'], b['count']) for b in d['breaches']])" > "$1.stats"
}
snapshot before
# Served buckets: those of 12 base NIRs, 12 big NIRs (empty before the big add) and 8 fixed prefixes.
sed -n '2,13p' base.csv | cut -d';' -f4 > served.txt
sed -n '2,13p' big.csv | cut -d';' -f4 >> served.txt
"$CHECK" normalize --kind nir < served.txt | while read -r c; do printf 'vigie:nir:%s' "$c" | sha256sum | cut -c1-4; done > prefixes.txt
printf '%s\n' 0000 1234 abcd ffff 7e57 c0de 0f0f 9a9a >> prefixes.txt
fetch() {  # fetch NAME: the served generation, then "prefix status sha256(body)" for every prefix
  python3 - "$PORT" prefixes.txt > "$1.served" <<'PY'
import hashlib, http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("GET", "/readyz")
print("generation", json.loads(c.getresponse().read())["generation"])
for p in open(sys.argv[2]).read().split():
    c.request("GET", "/v1/range/nir/" + p)
    r = c.getresponse()
    print(p, r.status, hashlib.sha256(r.read()).hexdigest())
PY
}
served_generation() { curl -s "http://127.0.0.1:$PORT/readyz" | json '["generation"]'; }

# ---- calibration on a copy: the least free space the big add needs ---------------------------------
cp -a disk/idx pristine
cp -a pristine disk/cal
set +e
"$VI" add --index disk/cal "${add_args[@]}" > expected.json 2> cal.err
rc=$?
set -e
[ "$rc" = 0 ] || { echo "FAIL: the big add does not fit even on an empty disk: $(cat cal.err)" >&2; exit 1; }
snapshot expected disk/cal
echo "the big add with room: $(json '["new_to_breach"]' < expected.json) identifiers new to the breach," \
  "$(json '["spilled_runs"]' < expected.json) spilled runs"
[ "$(json '["spilled_runs"]' < expected.json)" -ge 1 ] || fail "the big add should spill runs"
rm -rf disk/cal
lo=0
hi=$(avail disk)
hi0=$hi
calibrations=0
while [ $((hi - lo)) -gt 4096 ]; do
  mid=$(( (lo + hi) / 2 / 4096 * 4096 ))
  [ "$mid" -gt "$lo" ] || mid=$((lo + 4096))
  rm -f disk/filler
  cp -a pristine disk/cal
  leave_free "$mid"
  if "$VI" add --index disk/cal "${add_args[@]}" >/dev/null 2>cal.err; then hi=$mid; else lo=$mid; fi
  calibrations=$((calibrations + 1))
  rm -rf disk/cal disk/filler
done
[ "$hi" -lt "$hi0" ] || fail "calibration: no add succeeded below $hi0 bytes free"
echo "calibration ($calibrations adds, ${SECONDS} s so far): the big add needs $hi bytes free; $lo bytes are not enough"

# ---- the real index, served throughout, runs out of space ---------------------------------------------
SERVE_ARGS=(--no-access-log --rate-limit 0 --reload-check 0.2)
start_server serve --index disk/idx
fetch served-before
[ "$(grep -c ' 200 ' served-before.served)" = "$(wc -l < prefixes.txt)" ] && grep -q "^generation $(cut -d' ' -f1 before.stats)\$" served-before.served || fail "served before: $(grep -v ' 200 ' served-before.served | head -3)"
# While the adds run and fail, a client keeps asking: every answer must be 200 with the old body (or,
# once the last add has committed, the new one); checked at the end.
python3 - "$PORT" prefixes.txt > poll.txt 2> poll.err <<'PY' &
import hashlib, http.client, os, sys, time
c = None
while not os.path.exists("poll.stop"):
    for p in open(sys.argv[2]).read().split():
        try:
            c = c or http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
            c.request("GET", "/v1/range/nir/" + p)
            r = c.getresponse()
            print(p, r.status, hashlib.sha256(r.read()).hexdigest(), flush=True)
        except OSError as e:
            print(p, "error", type(e).__name__, flush=True)
            c = None
    time.sleep(0.05)
PY
POLLER=$!
PIDS+=("$POLLER")
used_before=$(used disk)
T=$hi
declare -A phases=()
failed_runs=0
succeeded=0
# From nothing free up to the calibrated edge, then page by page across it: the real index and the copy
# differ by a few pages (text logs rotated at open free what the older log held), and the last page
# short decides whether the bucket SST or the catalogue SST runs out. The first add that fits ends the
# sweep: it is the add "after freeing space" below.
for free in 0 16384 $((T / 4)) $((T / 2)) $((T * 3 / 4)) $((T - 65536)) \
            $((T - 12288)) $((T - 8192)) $((T - 4096)) "$T" $((T + 4096)) $((T + 8192)); do
  [ "$free" -ge 0 ] || continue
  leave_free "$free"
  set +e
  "$VI" add --index disk/idx "${add_args[@]}" > add.out 2> add.err
  rc=$?
  set -e
  rm -f disk/filler
  if [ "$rc" = 0 ]; then
    echo "the add fitted in $free bytes free"
    succeeded=1
    break
  fi
  failed_runs=$((failed_runs + 1))
  msg=$(head -c 300 add.err)
  case "$msg" in
    *"opening the index"*) phase=open ;;
    *"spill file"*) phase=spill ;;
    *"staging/buckets-"*) phase=bucket-sst ;;
    *"catalogue update"*) phase=catalogue-sst ;;
    *"committing the update"*) phase=ingest ;;
    *"syncing the log"*) phase=wal-sync ;;
    *) phase=other ;;
  esac
  phases[$phase]=$(( ${phases[$phase]:-0} + 1 ))
  echo "free $free bytes: exit $rc in phase $phase: $msg"
  [ "$rc" -lt 128 ] || fail "free $free: killed by signal $((rc - 128)): $msg"
  grep -qi "no space left on device" add.err || fail "free $free: the error does not say the disk is full: $msg"
  [ -z "$(ls -A disk/idx/staging)" ] || fail "free $free: staging files left: $(ls disk/idx/staging | head -5 | tr '\n' ' ')"
  # Nothing leaked: the disk holds what it held before (RocksDB's text logs may grow a little).
  [ "$(used disk)" -le $((used_before + 262144)) ] || fail "free $free: $(( $(used disk) - used_before )) bytes more in use after the failure"
  "$VI" verify --index disk/idx >/dev/null 2>verify.err || fail "free $free: verify: $(head -c 300 verify.err)"
  snapshot after
  cmp -s before.lookups after.lookups || fail "free $free: look-ups changed"
  cmp -s before.stats after.stats || fail "free $free: stats changed: $(cat after.stats)"
  fetch served-after
  cmp -s served-before.served served-after.served || fail "free $free: served bodies changed: $(diff served-before.served served-after.served | head -3)"
done
echo "failed adds: $failed_runs (${SECONDS} s so far); phases hit: $(for p in "${!phases[@]}"; do printf '%s=%s ' "$p" "${phases[$p]}"; done)"
[ "$failed_runs" -ge 7 ] || fail "only $failed_runs adds ran out of space"
for p in open spill bucket-sst; do [ -n "${phases[$p]:-}" ] || fail "no add ran out of space in phase $p"; done
[ -z "${phases[other]:-}" ] || fail "failures in an unexpected phase: see above"

# ---- room again: the same add succeeds, with the counts of an add that had room ----------------------
if [ "$succeeded" = 0 ]; then
  "$VI" add --index disk/idx "${add_args[@]}" > add.out 2> add.err || fail "the add with room again: $(cat add.err)"
fi
for field in rows identifiers new_to_index already_present new_to_breach rejected; do
  expect_eq "add after freeing space: $field" "$(json "[\"$field\"]" < add.out)" "$(json "[\"$field\"]" < expected.json)"
done
snapshot final
cmp -s expected.lookups final.lookups || fail "look-ups after the add differ from the add that had room"
cmp -s expected.stats final.stats || fail "stats after the add differ: $(cat final.stats) vs $(cat expected.stats)"
"$VI" verify --index disk/idx >/dev/null || fail "verify after the add"
[ -z "$(ls -A disk/idx/staging)" ] || fail "staging files left after the add"
# The server moves to the new state by itself.
want_gen=$(cut -d' ' -f1 final.stats)
for _ in $(seq 1 100); do
  [ "$(served_generation)" = "$want_gen" ] && break
  sleep 0.1
done
expect_eq "served generation after the add" "$(served_generation)" "$want_gen"
fetch served-final
[ "$(grep -c ' 200 ' served-final.served)" = "$(wc -l < prefixes.txt)" ] || fail "served after the add"
cmp -s served-before.served served-final.served && fail "the served buckets of big NIRs did not change after the add"
touch poll.stop
wait "$POLLER" || true
python3 - <<'PY' || fail "a client polling throughout got a wrong answer (above)"
old = {l.split()[0]: l.split()[2] for l in open("served-before.served") if not l.startswith("generation")}
new = {l.split()[0]: l.split()[2] for l in open("served-final.served") if not l.startswith("generation")}
lines = [l.split() for l in open("poll.txt")]
bad = [l for l in lines if l[1] != "200" or l[2] not in (old[l[0]], new[l[0]])]
print(f"polled {len(lines)} answers during the adds, {len(bad)} wrong")
for l in bad[:5]: print("  wrong:", " ".join(l))
assert len(lines) > 100 and not bad
PY

# ---- remove on a full disk: fails cleanly, then succeeds with room -----------------------------------
rm -rf rm-copy && cp -a disk/idx rm-copy
"$VI" remove --index rm-copy --breach base --json > rm-expected.json 2> rm.err || fail "remove with room (copy): $(cat rm.err)"
snapshot rm-expected rm-copy
rm -rf rm-copy
snapshot rm-before
fetch served-rm-before
rm_failed=0
for free in 0 16384 262144; do
  leave_free "$free"
  set +e
  "$VI" remove --index disk/idx --breach base --json > rm.out 2> rm.err
  rc=$?
  set -e
  rm -f disk/filler
  if [ "$rc" = 0 ]; then echo "remove fitted in $free bytes free"; break; fi
  rm_failed=$((rm_failed + 1))
  echo "remove with $free bytes free: exit $rc: $(head -c 200 rm.err)"
  [ "$rc" = 1 ] || fail "remove, $free free: exit $rc, expected 1"
  grep -qi "no space left on device" rm.err || fail "remove, $free free: the error does not say the disk is full: $(head -c 300 rm.err)"
  [ -z "$(ls -A disk/idx/staging)" ] || fail "remove, $free free: staging files left"
  "$VI" verify --index disk/idx >/dev/null 2>verify.err || fail "remove, $free free: verify: $(head -c 300 verify.err)"
  snapshot rm-after
  cmp -s rm-before.lookups rm-after.lookups || fail "remove, $free free: look-ups changed"
  cmp -s rm-before.stats rm-after.stats || fail "remove, $free free: stats changed: $(cat rm-after.stats)"
  sleep 0.5  # the server's reload check (0.2 s) has looked at whatever the failed remove left
  fetch served-rm-after
  cmp -s served-rm-before.served served-rm-after.served || fail "remove, $free free: served bodies changed"
done
[ "$rm_failed" -ge 2 ] || fail "only $rm_failed removes ran out of space"
if [ "$rc" != 0 ]; then
  "$VI" remove --index disk/idx --breach base --json > rm.out 2> rm.err || fail "remove with room again: $(cat rm.err)"
fi
expect_eq "remove after freeing space: identifiers removed" "$(json '["memberships_removed"]' < rm.out)" "$(json '["memberships_removed"]' < rm-expected.json)"
snapshot rm-final
cmp -s rm-expected.lookups rm-final.lookups || fail "look-ups after the remove differ from a remove that had room"
cmp -s rm-expected.stats rm-final.stats || fail "stats after the remove differ: $(cat rm-final.stats) vs $(cat rm-expected.stats)"
"$VI" verify --index disk/idx >/dev/null || fail "verify after the remove"

# ---- a bulk check writing into a full disk: clear error, then resumed from its checkpoint -----------------
# The server now serves the index without `base`; the result must equal a run that had room.
want_gen=$(cut -d' ' -f1 rm-final.stats)
for _ in $(seq 1 100); do [ "$(served_generation)" = "$want_gen" ] && break; sleep 0.1; done
expect_eq "served generation after the remove" "$(served_generation)" "$want_gen"
bulk_args=(--server "http://127.0.0.1:$PORT" --kind nir --input big.csv --block-rows 5000 --no-progress)
set +e
"$CHECK" "${bulk_args[@]}" --output bulk-expected.csv > /dev/null 2> bulk.err
rc=$?
set -e
[ "$rc" = 0 ] || fail "bulk check with room: exit $rc: $(head -c 300 bulk.err)"
mount_tmpfs out size=1m
expect_exit "bulk check into a full disk" 2 "$CHECK" "${bulk_args[@]}" --output out/result.csv --checkpoint out/result.ckpt
grep -qi "no space left on device" last.err || fail "bulk check error does not say the disk is full: $(head -c 300 last.err)"
grep -q "run the same command again to resume" last.err || fail "bulk check error does not say how to resume: $(head -c 300 last.err)"
echo "bulk check error: $(head -c 200 last.err)"
[ -s out/result.ckpt ] || fail "no checkpoint after the full disk (the first blocks fit)"
mount -o remount,size=64m out || fail "cannot grow the tmpfs"
"$CHECK" "${bulk_args[@]}" --output out/result.csv --checkpoint out/result.ckpt > /dev/null 2> bulk.err ||
  fail "resumed bulk check: $(head -c 300 bulk.err)"
cmp -s bulk-expected.csv out/result.csv || fail "the resumed bulk result differs from a run that had room"
expect_eq "files left beside the resumed result" "$(ls -A out | tr '\n' ' ')" "result.ckpt result.csv "

# ---- export into full file systems ----------------------------------------------------------------------
# A previous export that fits: an index with no identifier exports only its breach records and manifest.
"$VI" create --no-padding --index empty --scheme sha256 --allow-unkeyed-nir --prefix-hex 4 >/dev/null
"$VI" define --index empty --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
mount_tmpfs exp size=2m
"$VI" export --index empty --out exp/out >/dev/null || fail "export of the empty index"
cp exp/out/manifest.json previous-manifest.json
(cd exp/out && find . | sort) > previous-files.txt
used_exp=$(used exp)
# The real index needs 65,536 files of at least a page each: far more than 2 MiB.
expect_exit "export over a previous export, disk full" 1 "$VI" export --index disk/idx --out exp/out
grep -qi "no space left on device" last.err || fail "export error does not say the disk is full: $(head -c 300 last.err)"
echo "export error: $(head -c 200 last.err)"
cmp -s previous-manifest.json exp/out/manifest.json || fail "the previous export's manifest changed"
cmp -s previous-files.txt <(cd exp/out && find . | sort) || fail "the previous export's files changed"
expect_eq "exp holds only the previous export" "$(ls -A exp | tr '\n' ' ')" "out "
[ "$(used exp)" -le $((used_exp + 65536)) ] || fail "the failed export left $(( $(used exp) - used_exp )) bytes behind"
expect_exit "export to a new directory, disk full" 1 "$VI" export --index disk/idx --out exp/new
grep -qi "no space left on device" last.err || fail "export error (new): $(head -c 300 last.err)"
[ ! -e exp/new ] || fail "a failed export left exp/new (manifest: $([ -e exp/new/manifest.json ] && echo yes || echo no))"
expect_eq "exp holds only the previous export (new)" "$(ls -A exp | tr '\n' ' ')" "out "
# Out of inodes rather than blocks: the same, through file creation.
mount_tmpfs inodes size=64m,nr_inodes=400
expect_exit "export, out of inodes" 1 "$VI" export --index disk/idx --out inodes/out
grep -qi "no space left on device" last.err || fail "export error (inodes): $(head -c 300 last.err)"
echo "export error (inodes): $(head -c 200 last.err)"
expect_eq "nothing left after running out of inodes" "$(ls -A inodes | tr '\n' ' ')" ""
echo "${SECONDS} s in all"
finish
