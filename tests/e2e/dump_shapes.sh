#!/usr/bin/env bash
# Leak dumps as they are found (issue 13): one synthetic file per shape — quoted line breaks, UTF-16,
# Windows-1252, MySQL and PostgreSQL dumps, NDJSON and a JSON array, an xlsx workbook, free-text tickets, a
# zip, a 7z and a tar.gz of several CSV parts, xz and bzip2 streams — each loaded with one `vigie-index add`
# and no conversion; every planted NIR is then found in its breach, and each file's counts are exact.
# Then the refusals: a load that accepts nothing or rejects most rows, a truncated SQL dump, unbalanced
# JSON, an archive bomb, an encrypted zip member: exit 2 with the reason, and the index unchanged.
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh" "$@"

"$GEN" --rows 4000 --seed 13 --email -o base.csv 2> /dev/null
python3 "$HERE/make_dump_shapes.py" base.csv shapes

"$VI" create --no-padding --index idx --scheme sha256 --allow-unkeyed-nir > /dev/null
n=0
while IFS=$'\t' read -r file flags planted; do
  n=$((n + 1))
  breach="shape-$n"
  [ "$flags" = "-" ] && flags=""
  "$VI" define --index idx --breach "$breach" --title "$file" --date 2024-03-01 --data-classes nir > /dev/null
  # shellcheck disable=SC2086  # flags are words
  if ! "$VI" add --index idx --breach "$breach" --input "shapes/$file" --kind nir $flags --json --no-progress \
    > "add-$n.json" 2> "add-$n.err"; then
    fail "$file: add failed: $(cat "add-$n.err")"
    continue
  fi
  expect_eq "$file: identifiers accepted" "$(json '["identifiers"]' < "add-$n.json")" "$planted"
  expect_eq "$file: rejected" "$(json '["rejected"]' < "add-$n.json")" 0
  # Every planted NIR is found, in this file's breach.
  "$CHECK" --index idx --kind nir --json < "shapes/$file.nirs" > "check-$n.json" || true
  found=$(python3 -c "
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for l in lines if l.get('found') and sys.argv[2] in l.get('breaches', [])))
" "check-$n.json" "$breach")
  expect_eq "$file: planted NIRs found in $breach" "$found" "$planted"
done < shapes/expected.tsv
expect_eq "shapes loaded" "$n" 14

# The members of an archive are reported one by one.
zip_n=$(awk -F'\t' '$1=="parts.zip"{print NR}' shapes/expected.tsv)
expect_eq "zip: two members" "$(json '["members"]' < "add-$zip_n.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
expect_eq "zip: container" "$(json '["container"]' < "add-$zip_n.json")" "ZIP 2.0 (deflation)"

# inspect: what add will see, without a whole identifier in what it prints.
"$VI" inspect --input shapes/mysql.sql --json > inspect-sql.json
expect_eq "inspect: the SQL dump's tables with rows" \
  "$(json '["members"][0]["sql_tables"]' < inspect-sql.json | python3 -c 'import json,sys; print(" ".join(f"{t}={n}" for t, n in json.load(sys.stdin)))')" \
  "organismes=2 assures=200"
"$VI" inspect --input shapes/mysql.sql --table assures --kind nir > inspect-sql.txt
grep -q -- "--table assures --kind nir$" inspect-sql.txt || fail "inspect suggests --table: $(cat inspect-sql.txt)"
"$VI" inspect --input shapes/export.ndjson --kind nir > inspect-ndjson.txt
grep -q -- "--kind nir --column person.ids.nir$" inspect-ndjson.txt ||
  fail "inspect finds the NIR column by content: $(cat inspect-ndjson.txt)"
"$VI" inspect --input shapes/parts.zip --json > inspect-zip.json
expect_eq "inspect: zip members" "$(json '["members"]' < inspect-zip.json | python3 -c 'import json,sys; print(" ".join(m["name"] for m in json.load(sys.stdin)))')" \
  "leak/part-1.csv leak/part-2.csv"
for f in shapes/*.nirs; do cat "$f"; done | sort -u > all.nirs
for shape in multiline.csv utf16.tsv export.json assures.xlsx; do
  "$VI" inspect --input "shapes/$shape" > "inspect-$shape.txt" || fail "inspect $shape: $(cat "inspect-$shape.txt")"
done
if grep -ohE '[0-9AB]{15}' inspect-*.txt inspect-*.json | grep -qxFf all.nirs; then
  fail "inspect printed a whole NIR"
fi
grep -q "to load it:" inspect-assures.xlsx.txt || fail "inspect xlsx: $(cat inspect-assures.xlsx.txt)"

gen_of() { "$VI" stats --index idx --json | json '["generation"]'; }

# An archive is one dump: adding it again is skipped, and changes nothing.
before=$(gen_of)
"$VI" add --index idx --breach "shape-$zip_n" --input shapes/parts.zip --kind nir --json --no-progress > readd.json
expect_eq "zip added again: skipped" "$(json '["skipped"]' < readd.json)" true
expect_eq "zip added again: index unchanged" "$(gen_of)" "$before"
"$VI" define --index idx --breach bad --title Bad --date 2024-03-01 --data-classes nir > /dev/null
before=$(gen_of)

# A file where nothing is a NIR, and one where most rows are not: refused unless --allow-rejects.
printf 'nir;nom\nabc;X\ndef;Y\n' > none.csv
expect_exit "no identifier accepted: exit 2" 2 "$VI" add --index idx --breach bad --input none.csv --kind nir --no-progress
grep -q "no identifier was accepted" last.err || fail "no-identifier message: $(cat last.err)"
{ echo "nir"; head -n 2 shapes/multiline.csv.nirs; printf 'x\ny\nz\n'; } > mostly-bad.csv
expect_exit "over half rejected: exit 2" 2 "$VI" add --index idx --breach bad --input mostly-bad.csv --kind nir --no-progress
grep -q "more than half" last.err || fail "too-many-rejects message: $(cat last.err)"
expect_eq "index unchanged after refused loads" "$(gen_of)" "$before"
"$VI" add --index idx --breach bad --input mostly-bad.csv --kind nir --allow-rejects --no-progress > /dev/null ||
  fail "--allow-rejects should load it"
before=$(gen_of)

# Broken shapes: clear errors, nothing committed.
head -c 1500 shapes/mysql.sql > truncated.sql
expect_exit "truncated SQL: exit 2" 2 "$VI" add --index idx --breach bad --input truncated.sql --kind nir --table assures --no-progress
grep -q "ends inside statement" last.err || fail "truncated SQL message: $(cat last.err)"
head -c 3000 shapes/export.json > unbalanced.json
expect_exit "unbalanced JSON: exit 2" 2 "$VI" add --index idx --breach bad --input unbalanced.json --kind nir --no-progress
grep -q "truncated" last.err || fail "unbalanced JSON message: $(cat last.err)"
python3 -c "
import zipfile
with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('zeros.csv', 'nir\n' + '0' * (64 << 20))
"
expect_exit "archive bomb: exit 2" 2 "$VI" add --index idx --breach bad --input bomb.zip --kind nir --max-expanded-gb 0.01 --no-progress
grep -q "expands to more than" last.err || fail "archive bomb message: $(cat last.err)"
cp shapes/dump.csv.xz secret.csv.xz
bsdtar --format zip --options zip:encryption=zipcrypt --passphrase secret -cf enc.zip secret.csv.xz
expect_exit "encrypted member: exit 2" 2 "$VI" add --index idx --breach bad --input enc.zip --kind nir --no-progress
grep -q "encrypted" last.err || fail "encrypted member message: $(cat last.err)"
expect_eq "index unchanged after broken dumps" "$(gen_of)" "$before"
"$VI" verify --index idx > /dev/null || fail "verify after the broken dumps"
finish
