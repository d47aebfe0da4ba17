#!/usr/bin/env bash
# oprf-p256 indexes: key files, the default scheme, keyed indexing of NIRs, wrong keys refused.
source "$(dirname "$0")/lib.sh" "$@"

"$VI" keygen --key server.key > keygen.txt
expect_eq "key file mode" "$(stat -c %a server.key)" 600
expect_exit "keygen never overwrites" 2 "$VI" keygen --key server.key
chmod 644 server.key
expect_exit "a world-readable key is refused" 2 "$VI" create --no-padding --index idx --key server.key
chmod 600 server.key
expect_exit "the default scheme (oprf-p256) needs a key" 2 "$VI" create --no-padding --index idx
"$VI" create --no-padding --index idx --key server.key > create.txt
grep -q "created oprf-p256 index" create.txt || fail "default scheme is oprf-p256: $(cat create.txt)"
fingerprint=$(grep -o 'fingerprint [0-9a-f]*' keygen.txt | cut -d' ' -f2)
expect_eq "fingerprint recorded" "$(grep -o 'fingerprint [0-9a-f]*' create.txt | cut -d' ' -f2)" "$fingerprint"

"$GEN" --rows 20000 --seed 51 -o dump.csv 2>/dev/null
"$VI" define --index idx --breach keyed --title Keyed --date 2024-02-01 --data-classes nir >/dev/null
# NIRs need no opt-in on a keyed index.
"$VI" add --index idx --breach keyed --input dump.csv --kind nir --json --no-progress > add.json
expect_eq "NIRs accepted" "$(json '["identifiers"]' < add.json)" 20000
distinct=$(tail -n +2 dump.csv | cut -d';' -f4 | sort -u | wc -l)
expect_eq "distinct NIRs" "$(json '["new_to_index"]' < add.json)" "$distinct"
"$VI" verify --index idx >/dev/null || fail "verify oprf index"

# Another key must not tag into this index.
"$VI" keygen --key other.key >/dev/null
"$GEN" --rows 100 --seed 52 -o more.csv 2>/dev/null
expect_exit "a different key is refused" 2 "$VI" add --index idx --breach keyed --input more.csv --kind nir --key other.key
grep -q "not this index's key" last.err || fail "mismatch message: $(cat last.err)"
# The recorded key path is the default; moving the key needs --key.
mv server.key moved.key
expect_exit "missing recorded key" 2 "$VI" add --index idx --breach keyed --input more.csv --kind nir --no-progress
"$VI" add --index idx --breach keyed --input more.csv --kind nir --key moved.key --no-progress >/dev/null \
  || fail "add with --key at its new place"
finish
