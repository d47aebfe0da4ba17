#!/usr/bin/env bash
# generate -> create -> define -> add -> check -> add again -> second breach -> remove -> check, plus the
# unkeyed-NIR refusal and compressed inputs.
source "$(dirname "$0")/lib.sh" "$@"

"$GEN" --rows 30000 --seed 11 --duplicates 0 -o dump1.csv 2>/dev/null
"$GEN" --rows 20000 --seed 12 --duplicates 0 -o dump2-new.csv 2>/dev/null
# Breach 2 = 5000 people of breach 1 plus 20000 new ones.
{ head -n 5001 dump1.csv; tail -n +2 dump2-new.csv; } > dump2.csv
nir_of() { sed -n "$(($2 + 1))p" "$1" | cut -d';' -f4; }
only1=$(nir_of dump1.csv 20000)   # only in breach 1
both=$(nir_of dump1.csv 100)      # in both
only2=$(nir_of dump2-new.csv 10)  # only in breach 2
absent="2 99 12 75 056 999"       # valid key, not generated (generator seeds differ)

# An sha256 index refuses NIRs unless created with the explicit opt-in.
"$VI" create --no-padding --index plain --scheme sha256 >/dev/null
"$VI" define --index plain --breach b1 --title B1 --date 2024-02-01 --data-classes nir >/dev/null
expect_exit "sha256 index refuses NIRs" 2 "$VI" add --index plain --breach b1 --input dump1.csv --kind nir
grep -q "allow-unkeyed-nir" last.err || fail "refusal message names --allow-unkeyed-nir"
expect_exit "unknown breach" 2 "$VI" add --index plain --breach nope --input dump1.csv --kind email
expect_exit "missing index" 2 "$VI" stats --index does-not-exist
expect_exit "index exists" 2 "$VI" create --no-padding --index plain --scheme sha256

"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach mutuelle-a --title "Mutuelle A" --date 2024-02-01 \
  --data-classes names,nir --description "synthetic" >/dev/null
"$VI" define --index idx --breach mutuelle-b --title "Mutuelle B" --date 2024-03-15 --data-classes nir >/dev/null

"$VI" add --index idx --breach mutuelle-a --input dump1.csv --kind nir --column nir --json --no-progress > add1.json
expect_eq "rows read" "$(json '["rows"]' < add1.json)" 30000
expect_eq "accepted" "$(json '["identifiers"]' < add1.json)" 30000
distinct1=$(tail -n +2 dump1.csv | cut -d';' -f4 | sort -u | wc -l)
expect_eq "new identifiers = distinct NIRs (sort -u)" "$(json '["new_to_index"]' < add1.json)" "$distinct1"

"$CHECK" --index idx --kind nir --json "$only1" "$absent" > check1.jsonl
expect_eq "present NIR found" "$(sed -n 1p check1.jsonl | json '["found"]')" true
expect_eq "present NIR breach" "$(sed -n 1p check1.jsonl | json '["breaches"]')" '["mutuelle-a"]'
expect_eq "absent NIR not found" "$(sed -n 2p check1.jsonl | json '["found"]')" false
expect_exit "exit 0 when one is found" 0 "$CHECK" --index idx --kind nir "$only1" "$absent"
expect_exit "exit 1 when none is found" 1 "$CHECK" --index idx --kind nir "$absent"
expect_exit "exit 2 on an invalid input" 2 "$CHECK" --index idx --kind nir "185057800608400"
grep -q "invalid" last.out || fail "invalid input is explained"

# The same dump twice changes nothing.
gen_before=$("$VI" stats --index idx --json | json '["generation"]')
"$VI" add --index idx --breach mutuelle-a --input dump1.csv --kind nir --json --no-progress > add1b.json
expect_eq "second add skipped" "$(json '["skipped"]' < add1b.json)" true
expect_eq "generation unchanged" "$("$VI" stats --index idx --json | json '["generation"]')" "$gen_before"

# Same content, compressed: a different file, but nothing new.
gzip -c dump1.csv > dump1.csv.gz
"$VI" add --index idx --breach mutuelle-a --input dump1.csv.gz --kind nir --json --no-progress > add1gz.json
expect_eq "gzip copy adds nothing new" "$(json '["new_to_breach"]' < add1gz.json)" 0
expect_eq "gzip copy: all already present" "$(json '["already_present"]' < add1gz.json)" "$distinct1"

zstd -q -c dump2.csv > dump2.csv.zst
"$VI" add --index idx --breach mutuelle-b --input dump2.csv.zst --kind nir --json --no-progress > add2.json
expect_eq "breach b: already present" "$(json '["already_present"]' < add2.json)" \
  "$(head -n 5001 dump1.csv | tail -n +2 | cut -d';' -f4 | sort -u | wc -l)"
"$CHECK" --index idx --kind nir --json "$both" "$only2" > check2.jsonl
expect_eq "NIR in both breaches" "$(sed -n 1p check2.jsonl | json '["breaches"]')" '["mutuelle-a", "mutuelle-b"]'
expect_eq "NIR only in b" "$(sed -n 2p check2.jsonl | json '["breaches"]')" '["mutuelle-b"]'
"$VI" verify --index idx > verify1.txt || fail "verify after adds: $(cat verify1.txt)"

"$VI" stats --index idx --json > stats.json
expect_eq "breach a count" "$(json '["breaches"][0]["count"]' < stats.json)" "$distinct1"

# Remove breach a: NIRs only in a disappear, NIRs in both keep b.
"$VI" remove --index idx --breach mutuelle-a --json > remove.json
expect_eq "identifiers gone" "$(json '["identifiers_gone"]' < remove.json)" $((distinct1 - $(json '["already_present"]' < add2.json)))
"$CHECK" --index idx --kind nir --json "$only1" "$both" "$only2" > check3.jsonl
expect_eq "only-a NIR gone" "$(sed -n 1p check3.jsonl | json '["found"]')" false
expect_eq "both NIR keeps b" "$(sed -n 2p check3.jsonl | json '["breaches"]')" '["mutuelle-b"]'
expect_eq "only-b NIR stays" "$(sed -n 3p check3.jsonl | json '["found"]')" true
"$VI" verify --index idx > verify2.txt || fail "verify after remove: $(cat verify2.txt)"
expect_eq "one breach left" "$("$VI" stats --index idx --json | json '["breaches"].__len__()')" 1

# Several kinds in one run, columns guessed from the header.
"$GEN" --rows 5000 --seed 13 --email --phone -o multi.csv 2>/dev/null
"$VI" define --index idx --breach multi --title Multi --date 2024-05-01 --data-classes nir,email,phone >/dev/null
"$VI" add --index idx --breach multi --input multi.csv --kind nir --kind email --kind phone --json --no-progress > multi.json
expect_eq "three identifiers per row" "$(json '["identifiers"]' < multi.json)" 15000
mail=$(sed -n 2p multi.csv | cut -d';' -f6)
expect_exit "e-mail found (upper-cased input)" 0 "$CHECK" --index idx --kind email "$(echo "$mail" | tr a-z A-Z)"
"$VI" verify --index idx >/dev/null || fail "verify with several kinds"
finish
