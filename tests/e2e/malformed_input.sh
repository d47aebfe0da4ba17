#!/usr/bin/env bash
# Every mess the generator injects is counted by the indexer under the right reason, nothing else is lost,
# and the rejects file names lines and reasons without copying their content.
source "$(dirname "$0")/lib.sh" "$@"

"$GEN" --rows 40000 --seed 21 --errors 0.08 -o messy.csv 2> gen.txt
rows=$(gen_count rows < gen.txt)
wrong_key=$(gen_count wrong-key < gen.txt)
truncated=$(gen_count truncated < gen.txt)
blank=$(gen_count blank-line < gen.txt)
stray=$(gen_count stray-quote < gen.txt)
for c in wrong-key missing-key separators truncated blank-line stray-quote crlf latin1; do
  [ "$(gen_count "$c" < gen.txt)" -gt 100 ] || fail "generator injected too few $c rows to test"
done

"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir >/dev/null
"$VI" define --index idx --breach messy --title Messy --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach messy --input messy.csv --kind nir --rejects rejects.tsv --json --no-progress > add.json

expect_eq "rows read = rows + blank lines" "$(json '["rows"]' < add.json)" $((rows + blank))
expect_eq "accepted = rows - wrong keys - truncated" "$(json '["identifiers"]' < add.json)" $((rows - wrong_key - truncated))
expect_eq "wrong keys rejected as nir.key" "$(json '["rejects_by_reason"]["nir.key"]' < add.json)" "$wrong_key"
expect_eq "blank lines" "$(json '["rejects_by_reason"]["line.blank"]' < add.json)" "$blank"
trunc_seen=$(( $(json '["rejects_by_reason"]["nir.length"]' < add.json) + $(json '["rejects_by_reason"]["line.too-few-fields"]' < add.json) ))
expect_eq "truncated lines rejected (nir.length or too few fields)" "$trunc_seen" "$truncated"
expect_eq "total rejected" "$(json '["rejected"]' < add.json)" $((wrong_key + truncated + blank))

# The rejects file: one line per rejected row, line numbers that point at the right lines, no content.
expect_eq "rejects file lines" "$(grep -vc '^#' rejects.tsv)" $((wrong_key + truncated + blank))
first_blank=$(awk -F'\t' '$2=="line.blank"{print $1; exit}' rejects.tsv)
expect_eq "a blank-line reject points at an empty line" "$(awk -v n="$first_blank" 'NR==n{sub(/\r$/, ""); print length($0)}' messy.csv)" 0
if grep -v '^#' rejects.tsv | grep -q ';'; then fail "rejects file contains dump content"; fi

# Same dump compressed both ways gives the same counts.
gzip -c messy.csv > messy.csv.gz
"$VI" define --index idx --breach messy-gz --title G --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach messy-gz --input messy.csv.gz --kind nir --json --no-progress > addgz.json
expect_eq "gzip: same accepted" "$(json '["identifiers"]' < addgz.json)" "$(json '["identifiers"]' < add.json)"

# A truncated compressed file is an error that leaves the index as it was.
head -c 20000 messy.csv.gz > broken.csv.gz
gen_before=$("$VI" stats --index idx --json | json '["generation"]')
"$VI" define --index idx --breach broken --title Broken --date 2024-02-01 --data-classes nir >/dev/null
gen_before=$((gen_before + 1))
expect_exit "truncated gzip is refused as corrupt" 4 "$VI" add --index idx --breach broken --input broken.csv.gz --kind nir --no-progress
grep -qi "corrupt\|truncat" last.err || fail "truncated gzip message: $(cat last.err)"
expect_eq "index unchanged after a failed add" "$("$VI" stats --index idx --json | json '["generation"]')" "$gen_before"
"$VI" verify --index idx >/dev/null || fail "verify after the failed add"

# A plain list (one identifier per line), with CRLF and blank lines.
printf '1 85 05 78 006 084 91\r\n\r\n185057800608491\r\n2 99 12 75 056 999\r\nnot-a-nir\r\n' > list.txt
"$VI" define --index idx --breach list --title L --date 2024-02-01 --data-classes nir >/dev/null
"$VI" add --index idx --breach list --input list.txt --kind nir --json --no-progress > list.json
expect_eq "list rows" "$(json '["rows"]' < list.json)" 5
expect_eq "list accepted" "$(json '["identifiers"]' < list.json)" 3
expect_eq "list distinct new" "$(( $(json '["new_to_index"]' < list.json) + $(json '["already_present"]' < list.json) ))" 2
expect_eq "list junk reason" "$(json '["rejects_by_reason"]["nir.characters"]' < list.json)" 1
finish
