#!/usr/bin/env bash
# kill -9 of `vigie-index add` and `remove` at many points: each time the index opens, verifies, and
# answers exactly as before; a later add completes normally.
source "$(dirname "$0")/lib.sh" "$@"

"$GEN" --rows 20000 --seed 31 -o base.csv 2>/dev/null
"$GEN" --rows 800000 --seed 32 -o big.csv 2>/dev/null
"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach base --title Base --date 2024-01-01 --data-classes nir >/dev/null
"$VI" define --index idx --breach big --title Big --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach base --input base.csv --kind nir --no-progress >/dev/null

# Probe: base NIRs (present) and big NIRs (absent before the add).
{ sed -n '2,200p' base.csv; sed -n '2,200p' big.csv; } | cut -d';' -f4 > probe.txt
snapshot() {
  "$CHECK" --index idx --kind nir --json < probe.txt > "$1.lookups" || true
  "$VI" stats --index idx --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['generation'], d['identifiers'], [(b['name'], b['count']) for b in d['breaches']])" > "$1.stats"
}
snapshot before

# Time one complete add on a copy, then kill real adds at points spread over that duration.
add_args=(--breach big --input big.csv --kind nir --threads 1 --memory-mb 32 --no-progress)
cp -r idx pristine
cp -r idx timing-copy
start=$(date +%s%N)
"$VI" add --index timing-copy "${add_args[@]}" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf timing-copy
echo "a full add takes ${full_ms} ms"

# Kill points: random over the measured duration (seeded so a failure can be replayed with KILL_SEED).
RANDOM=${KILL_SEED:-$$}
echo "kill seed ${KILL_SEED:-$$}"
kills=0
for i in $(seq 1 22); do
  delay_ms=$(( RANDOM % (full_ms * 70 / 100) + 5 ))
  "$VI" add --index idx "${add_args[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  snapshot after
  if ! cmp -s before.lookups after.lookups || ! cmp -s before.stats after.stats; then
    # The add may have committed before the kill landed (the machine is noisy): then it must be complete,
    # never partial — and the index goes back to its earlier copy for the next round.
    if "$VI" verify --index idx >/dev/null && [ "$(json '["breaches"][1]["count"]' < <("$VI" stats --index idx --json))" -gt 500000 ]; then
      echo "note: add finished before the kill at ${delay_ms} ms"
      rm -rf idx && cp -r pristine idx
      continue
    fi
    fail "state changed after kill -9 at ${delay_ms} ms"
  fi
  "$VI" verify --index idx >/dev/null || fail "verify after kill -9 at ${delay_ms} ms"
done
echo "killed $kills adds mid-way"
[ "$kills" -ge 18 ] || fail "too few kills landed mid-add ($kills)"

# Let one add complete, then kill removes.
"$VI" add --index idx "${add_args[@]}" >/dev/null
snapshot loaded
"$VI" verify --index idx >/dev/null || fail "verify after the full add"
cp -r idx timing-copy
start=$(date +%s%N)
"$VI" remove --index timing-copy --breach big >/dev/null
remove_ms=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf timing-copy
echo "a full remove takes ${remove_ms} ms"
removes=0
for i in $(seq 1 10); do
  delay_ms=$(( RANDOM % (remove_ms * 95 / 100 + 1) + 5 ))
  "$VI" remove --index idx --breach big >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then removes=$((removes + 1)); fi
  wait "$pid" 2>/dev/null || true
  snapshot after
  if ! cmp -s loaded.lookups after.lookups; then
    if cmp -s before.lookups after.lookups; then echo "note: remove finished before the kill at ${delay_ms} ms"; break; fi
    fail "partial state after killing remove at ${delay_ms} ms"
  fi
  "$VI" verify --index idx >/dev/null || fail "verify after killing remove at ${delay_ms} ms"
done
echo "killed $removes removes mid-way"
finish
