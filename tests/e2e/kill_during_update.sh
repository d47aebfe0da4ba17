#!/usr/bin/env bash
# kill -9 of `vigie-index add` and `remove` at random points: at least 20 kills that land mid-add (of an
# add that spills runs) and a few mid-remove; each time the index opens, verifies, and answers exactly as
# before. A later add and a later remove complete normally.
source "$(dirname "$0")/lib.sh" "$@"

"$GEN" --rows 20000 --seed 31 -o base.csv 2>/dev/null
"$GEN" --rows 400000 --seed 32 -o big.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
"$VI" define --index idx --breach big --title Big --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach base --input base.csv --kind nir --no-progress >/dev/null

# Probe: base NIRs (present) and big NIRs (absent before the add).
{ sed -n '2,200p' base.csv; sed -n '2,200p' big.csv; } | cut -d';' -f4 > probe.txt
snapshot() {
  "$CHECK" --index idx --kind nir --json < probe.txt > "$1.lookups" || true
  # Everything stats reports but the on-disk size (a killed writer may leave a new MANIFEST or log).
  "$VI" stats --index idx --json | grep -v '"disk_bytes' > "$1.stats"
}
snapshot before

# Time one complete add on a copy, then kill real adds at points spread over that duration. The small
# memory budget makes the add spill a sorted run, so kills also land while run files are written.
add_args=(--breach big --input big.csv --kind nir --threads 1 --memory-mb 6 --no-progress)
cp -r idx pristine
cp -r idx timing-copy
start=$(date +%s%N)
"$VI" add --index timing-copy "${add_args[@]}" --json > timing.json
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf timing-copy
echo "a full add takes ${full_ms} ms, $(json '["spilled_runs"]' < timing.json) spilled runs"
[ "$(json '["spilled_runs"]' < timing.json)" -ge 1 ] || fail "the timed add spilled no run"

# Kill points: random over the measured duration (seeded so a failure can be replayed with KILL_SEED).
# A kill counts when it lands mid-add: the process was still running and the index shows no trace of the
# add. Kills that come too late (the add already committed, possible on a loaded machine) do not count:
# rounds go on until KILLS_WANTED have landed, MAX_ROUNDS at most (a round costs about 1 s in release,
# 5 s under ASan).
RANDOM=${KILL_SEED:-$$}
echo "kill seed ${KILL_SEED:-$$}"
KILLS_WANTED=20
MAX_ROUNDS=40
kills=0
rounds=0
loop_start=$(date +%s%N)
while [ "$kills" -lt "$KILLS_WANTED" ] && [ "$rounds" -lt "$MAX_ROUNDS" ]; do
  rounds=$((rounds + 1))
  delay_ms=$(( RANDOM % (full_ms * 70 / 100) + 5 ))
  "$VI" add --index idx "${add_args[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  landed=0
  if kill -9 "$pid" 2>/dev/null; then landed=1; fi
  wait "$pid" 2>/dev/null || true
  snapshot after
  if ! cmp -s before.lookups after.lookups || ! cmp -s before.stats after.stats; then
    # The add may have committed before the kill landed (the machine is noisy): then it must be complete,
    # never partial — and the index goes back to its earlier copy for the next round.
    if "$VI" verify --index idx >/dev/null && [ "$(json '["breaches"][1]["count"]' < <("$VI" stats --index idx --json))" -gt 300000 ]; then
      echo "note: add finished before the kill at ${delay_ms} ms"
      rm -rf idx && cp -r pristine idx
      continue
    fi
    fail "state changed after kill -9 at ${delay_ms} ms"
  fi
  "$VI" verify --index idx >/dev/null || fail "verify after kill -9 at ${delay_ms} ms"
  kills=$((kills + landed))
done
echo "killed $kills adds mid-way in $rounds rounds ($(( ($(date +%s%N) - loop_start) / 1000000 )) ms)"
[ "$kills" -ge 20 ] || fail "too few kills landed mid-add ($kills in $rounds rounds)"

# Let one add complete, then kill removes; a remove that completes before its kill is undone from a copy.
"$VI" add --index idx "${add_args[@]}" >/dev/null
snapshot loaded
"$VI" verify --index idx >/dev/null || fail "verify after the full add"
cp -r idx loaded-copy
cp -r idx timing-copy
start=$(date +%s%N)
"$VI" remove --index timing-copy --breach big >/dev/null
remove_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf timing-copy
echo "a full remove takes ${remove_ms} ms"
removes=0
rounds=0
while [ "$removes" -lt 6 ] && [ "$rounds" -lt 10 ]; do
  rounds=$((rounds + 1))
  delay_ms=$(( RANDOM % (remove_ms * 70 / 100 + 1) + 5 ))
  "$VI" remove --index idx --breach big >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  landed=0
  if kill -9 "$pid" 2>/dev/null; then landed=1; fi
  wait "$pid" 2>/dev/null || true
  snapshot after
  if ! cmp -s loaded.lookups after.lookups || ! cmp -s loaded.stats after.stats; then
    if cmp -s before.lookups after.lookups && "$VI" verify --index idx >/dev/null; then
      echo "note: remove finished before the kill at ${delay_ms} ms"
      rm -rf idx && cp -r loaded-copy idx
      continue
    fi
    fail "partial state after killing remove at ${delay_ms} ms"
  fi
  "$VI" verify --index idx >/dev/null || fail "verify after killing remove at ${delay_ms} ms"
  removes=$((removes + landed))
done
echo "killed $removes removes mid-way in $rounds rounds"
[ "$removes" -ge 3 ] || fail "too few kills landed mid-remove ($removes in $rounds rounds)"
# After all that, a normal remove still works and takes the index back to its look-ups before the add.
"$VI" remove --index idx --breach big >/dev/null || fail "remove after the kills"
snapshot removed
cmp -s before.lookups removed.lookups || fail "look-ups after the final remove differ from before the add"
"$VI" verify --index idx >/dev/null || fail "verify after the final remove"
finish
